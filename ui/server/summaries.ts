/**
 * The run line every list and action answers with (the campaign page's `runs[]`), computed in one query for a set of
 * runs: scenes done/total, cost so far, queue position for queued runs, progress.
 */
import type { Pool } from 'pg';
import { goesBefore, queuePositionOf, SLOTS_TAKEN } from '../../nodes/shared/store/runState';
import { iso, num } from './db';

export interface RunSummary {
	id: string;
	campaignId: string;
	title: string | null;
	status: string;
	stage: string | null;
	scenesDone: number;
	scenesTotal: number;
	progress: number;
	queuePosition: number | null;
	startedAt: string | null;
	finishedAt: string | null;
	durationS: number | null;
	costUsd: number;
	estimateUsd: number | null;
	budgetUsd: number | null;
	approval: string | null;
	cancelRequestedAt: string | null;
	error: string | null;
	createdAt: string;
	updatedAt: string;
	/** When the run's latest step event was written: scene progress does not touch the run row, events do. */
	lastEventAt: string | null;
	/** The campaign brand kit version the run was queued with; null = none (no kit then). */
	brandVersion: number | null;
}

// Share of the bar each stage starts at; generation fills its share scene by scene.
const STAGE_START: Record<string, number> = { planning: 0.02, refinement: 0.12, approval: 0.2, generation: 0.2, validation: 0.85, assembly: 0.9 };

export function progressOf(status: string, stage: string | null, done: number, total: number): number {
	if (status === 'completed') return 1;
	if (status === 'queued' || status === 'starting') return 0;
	if (status === 'awaiting_approval') return STAGE_START.approval;
	const start = stage ? (STAGE_START[stage] ?? 0.1) : 0.02;
	if (stage === 'generation' && total > 0) return Math.min(0.85, start + 0.65 * (done / total));
	return start;
}

/**
 * The columns and joins of a run line; `where`/`order`/`limit` are appended by the caller. Scenes done/total come
 * from scenes (run_id, status) alone; the cost is the ledger's running total (runs.cost_total, kept by
 * nodes/shared/ledger.ts), summed from the cost lines only for a run that has none.
 */
export const RUN_LINE_COLUMNS = `
	r.id, r.campaign_id, r.status, r.stage, r.priority, r.queued_at, r.started_at, r.finished_at,
	r.cost_estimate, r.budget_usd, r.error, r.created_at, r.updated_at, r.approval, r.cancel_requested_at, r.brand_version,
	coalesce(r.request->>'title', (select pv.plan->>'title' from plan_versions pv where pv.run_id = r.id
	                                order by pv.version desc limit 1)) as title,
	sc.total as scenes_total, sc.done as scenes_done,
	(select max(e.created_at) from events e where e.run_id = r.id) as last_event_at,
	coalesce(r.cost_total, (select sum(k.amount_usd) from costs k where k.run_id = r.id), 0) as spent,
	-- Queue position, counted like the dispatcher (nodes/shared/store/runState.ts):
	-- queued runs ahead of this one, and how many runs hold a slot.
	case when r.status = 'queued' then (select count(*) from runs q where q.status = 'queued' and ${goesBefore('q', 'r')}) end as queue_ahead,
	case when r.status = 'queued' then ${SLOTS_TAKEN} end as active_runs`;

export const RUN_LINE_FROM = `
	from runs r
	cross join lateral (select count(*) as total, count(*) filter (where s.status = 'completed') as done
	                      from scenes s where s.run_id = r.id) sc`;

export const RUN_LINE_SQL = `select ${RUN_LINE_COLUMNS} ${RUN_LINE_FROM}`;

export function toSummary(row: Record<string, any>, maxRunning: number, now = Date.now()): RunSummary {
	const started = row.started_at instanceof Date ? row.started_at.getTime() : null;
	const finished = row.finished_at instanceof Date ? row.finished_at.getTime() : null;
	const active = ['starting', 'running', 'awaiting_approval'].includes(row.status);
	const total = Number(row.scenes_total ?? 0);
	const done = Number(row.scenes_done ?? 0);
	return {
		id: row.id,
		campaignId: row.campaign_id,
		title: row.title ?? null,
		status: row.status,
		stage: row.stage,
		scenesDone: done,
		scenesTotal: total,
		progress: Math.round(progressOf(row.status, row.stage, done, total) * 1000) / 1000,
		queuePosition: row.status === 'queued' ? queuePositionOf(Number(row.queue_ahead), Number(row.active_runs), maxRunning) : null,
		startedAt: iso(row.started_at),
		finishedAt: iso(row.finished_at),
		durationS: started === null ? null : Math.round(((finished ?? (active ? now : started)) - started) / 100) / 10,
		costUsd: Number(row.spent ?? 0),
		estimateUsd: num(row.cost_estimate),
		budgetUsd: num(row.budget_usd),
		approval: row.approval ?? null,
		cancelRequestedAt: iso(row.cancel_requested_at),
		error: row.error,
		createdAt: iso(row.created_at)!,
		updatedAt: iso(row.updated_at)!,
		lastEventAt: iso(row.last_event_at),
		brandVersion: row.brand_version ?? null,
	};
}

/** Run lines for the given where-clause (parameters start at $1), in its order. */
export async function runLines(db: Pool, maxRunning: number, tail: string, params: unknown[]): Promise<RunSummary[]> {
	const { rows } = await db.query(`${RUN_LINE_SQL} ${tail}`, params);
	return rows.map((row) => toSummary(row, maxRunning));
}

export async function runLine(db: Pool, maxRunning: number, runId: string): Promise<RunSummary | null> {
	return (await runLines(db, maxRunning, 'where r.id = $1', [runId]))[0] ?? null;
}
