import type { RunOptions, RunRequest } from '../lib/request';
import type { Queryable } from '../transport/db';
import { fromRow } from './rows';

export type RunStatus = 'queued' | 'starting' | 'running' | 'awaiting_approval' | 'completed' | 'failed' | 'cancelled';
export type Approval = 'pending' | 'approved' | 'rejected';

export interface Run {
	id: string;
	campaignId: string;
	status: RunStatus;
	stage: string | null;
	priority: number;
	queuedAt: string;
	startedAt: string | null;
	finishedAt: string | null;
	request: RunRequest;
	options: RunOptions;
	executionId: string | null;
	error: string | null;
	finalKey: string | null;
	thumbnailKey: string | null;
	subtitlesKey: string | null;
	duration: number | null;
	costEstimate: number | null;
	costTotal: number | null;
	budgetUsd: number | null;
	approval: Approval | null;
	approvalUrl: string | null;
	approvalNote: string | null;
	approvalBy: string | null;
	approvalAt: string | null;
	cancelRequestedAt: string | null;
	/** Who asked to cancel (migration 003_runs; the dashboard API sets it with cancel_requested_at). */
	cancelRequestedBy?: string | null;
	createdAt: string;
	updatedAt: string;
}

/** Statuses a run may be resumed from: failed, or interrupted while starting/running (n8n died, was killed). */
export const RESUMABLE: RunStatus[] = ['failed', 'starting', 'running'];

// One ordering for the whole queue, used by dispatch and by queue positions alike.
const QUEUE_ORDER = 'priority desc, queued_at asc, id asc';
// Serialises dispatchers so two of them cannot both see a free slot and overfill it.
const DISPATCH_LOCK = 0x72756e73;

// What the run has spent: every cost line recorded for it ($1 = run id).
const SPENT = '(select coalesce(sum(amount_usd), 0) from costs where run_id = $1)';

const one = (rows: Record<string, unknown>[]) => (rows[0] ? fromRow<Run>(rows[0]) : null);

export async function insertRun(
	db: Queryable,
	run: { campaignId: string; priority: number; request: RunRequest; options: RunOptions },
): Promise<Run> {
	const { rows } = await db.query(
		`insert into runs (campaign_id, status, priority, request, options, budget_usd, approval)
		 values ($1, 'queued', $2, $3, $4, $5, $6) returning *`,
		[
			run.campaignId,
			run.priority,
			JSON.stringify(run.request),
			JSON.stringify(run.options),
			run.request.budget ?? null,
			run.options.approval ? 'pending' : null,
		],
	);
	return fromRow<Run>(rows[0]);
}

export async function getRun(db: Queryable, runId: string): Promise<Run | null> {
	return one((await db.query('select * from runs where id = $1', [runId])).rows);
}

/** The run an n8n execution was working on (the error workflow only knows the execution id). */
export async function findRunByExecutionId(db: Queryable, executionId: string): Promise<Run | null> {
	const { rows } = await db.query(
		'select * from runs where execution_id = $1 order by started_at desc nulls last limit 1',
		[executionId],
	);
	return one(rows);
}

/**
 * 0 when the run will start at once (a slot is free for it), else how many runs must start before it:
 * its rank among queued runs (priority, then arrival) minus the free slots.
 */
export async function queuePosition(db: Queryable, runId: string, maxRunning: number): Promise<number> {
	const { rows } = await db.query<{ active: number; ahead: number; queued: boolean }>(
		`with me as (select id, priority, queued_at from runs where id = $1 and status = 'queued')
		 select (select count(*)::int from runs where status in ('running', 'starting')) as active,
		        (select count(*)::int from runs r, me
		          where r.status = 'queued' and r.id <> me.id
		            and (r.priority > me.priority
		              or (r.priority = me.priority and (r.queued_at, r.id) < (me.queued_at, me.id)))) as ahead,
		        exists (select 1 from me) as queued`,
		[runId],
	);
	const { active, ahead, queued } = rows[0];
	if (!queued) return 0;
	const free = Math.max(0, maxRunning - active);
	return Math.max(0, ahead + 1 - free);
}

/**
 * Moves queued runs to `starting` while fewer than maxRunning are starting or running. Must run inside a
 * transaction (the lock and the row locks are released at commit). SKIP LOCKED keeps a run being resumed
 * or cancelled elsewhere from blocking the dispatcher.
 */
export async function claimQueuedRuns(client: Queryable, maxRunning: number): Promise<Run[]> {
	await client.query('select pg_advisory_xact_lock($1)', [DISPATCH_LOCK]);
	const { rows: free } = await client.query<{ n: number }>(
		"select greatest($1::int - count(*)::int, 0) as n from runs where status in ('running', 'starting')",
		[maxRunning],
	);
	if (free[0].n === 0) return [];
	const { rows: next } = await client.query<{ id: string }>(
		`select id from runs where status = 'queued' order by ${QUEUE_ORDER} limit $1 for update skip locked`,
		[free[0].n],
	);
	if (next.length === 0) return [];
	const ids = next.map((r) => r.id);
	const { rows } = await client.query(
		"update runs set status = 'starting' where id = any($1::uuid[]) returning *",
		[ids],
	);
	const byId = new Map(rows.map((row) => [row.id as string, fromRow<Run>(row)]));
	return ids.map((id) => byId.get(id)!);
}

/**
 * Marks the run running for this execution. `resumed` is true when it had been started before,
 * so the workflow can skip finished stages. Returns null when the run cannot start (see caller).
 */
export async function startRun(
	db: Queryable,
	runId: string,
	executionId: string | null,
): Promise<{ run: Run; resumed: boolean } | null> {
	const { rows } = await db.query(
		`update runs set status = 'running', stage = 'planning', started_at = coalesce(runs.started_at, now()),
		        execution_id = $2, error = null, finished_at = null
		   from (select id, started_at from runs where id = $1 for update) prev
		  where runs.id = prev.id and runs.status in ('queued', 'starting', 'running')
		  returning runs.*, prev.started_at as previous_started_at`,
		[runId, executionId],
	);
	if (!rows[0]) return null;
	const { previous_started_at: previous, ...row } = rows[0];
	return { run: fromRow<Run>(row), resumed: previous !== null };
}

export async function completeRun(
	db: Queryable,
	runId: string,
	result: { finalKey?: string; thumbnailKey?: string; subtitlesKey?: string; duration?: number },
): Promise<Run | null> {
	const { rows } = await db.query(
		`update runs set status = 'completed', finished_at = now(), error = null, cost_total = ${SPENT},
		        final_key = coalesce($2, final_key), thumbnail_key = coalesce($3, thumbnail_key),
		        subtitles_key = coalesce($4, subtitles_key), duration = coalesce($5, duration)
		  where id = $1 returning *`,
		[runId, result.finalKey || null, result.thumbnailKey || null, result.subtitlesKey || null, result.duration ?? null],
	);
	return one(rows);
}

/** Marks the run failed with a readable message; a completed or cancelled run stays so (returns null). */
export async function failRun(db: Queryable, runId: string, message: string): Promise<Run | null> {
	const { rows } = await db.query(
		`update runs set status = 'failed', error = $2, finished_at = now(), cost_total = ${SPENT}
		  where id = $1 and status not in ('completed', 'cancelled') returning *`,
		[runId, message],
	);
	return one(rows);
}

/** Puts a failed or interrupted run back in the queue; it keeps its priority and re-enters by arrival now. */
export async function requeueRun(db: Queryable, runId: string): Promise<Run | null> {
	const { rows } = await db.query(
		`update runs set status = 'queued', error = null, finished_at = null, execution_id = null,
		        queued_at = clock_timestamp()
		  where id = $1 and status = any($2::text[]) returning *`,
		[runId, RESUMABLE],
	);
	return one(rows);
}

export async function setRunStage(db: Queryable, runId: string, stage: string): Promise<Run | null> {
	return one((await db.query('update runs set stage = $2 where id = $1 returning *', [runId, stage])).rows);
}

/** Locks the run row for the rest of the transaction (serialises plan version numbering per run). */
export async function lockRun(db: Queryable, runId: string): Promise<Run | null> {
	return one((await db.query('select * from runs where id = $1 for update', [runId])).rows);
}

/** Ends the run as cancelled with the reason; only a run that is not finished yet (returns null otherwise). */
export async function cancelRun(db: Queryable, runId: string, message: string): Promise<Run | null> {
	const { rows } = await db.query(
		`update runs set status = 'cancelled', error = $2, finished_at = now(), approval_url = null, cost_total = ${SPENT}
		  where id = $1 and status not in ('completed', 'failed', 'cancelled') returning *`,
		[runId, message],
	);
	return one(rows);
}

/** Stores the resolved provider lists in the run's options (kept for resumes). */
export async function setRunProviders(db: Queryable, runId: string, providers: unknown): Promise<Run | null> {
	const { rows } = await db.query(
		`update runs set options = jsonb_set(options, '{providers}', $2::jsonb) where id = $1 returning *`,
		[runId, JSON.stringify(providers)],
	);
	return one(rows);
}

export async function setCostEstimate(db: Queryable, runId: string, estimateUsd: number): Promise<void> {
	await db.query('update runs set cost_estimate = $2 where id = $1', [runId, estimateUsd]);
}

/** USD spent so far (cost lines + accepted tasks not costed yet, as the ledger counts) by the run and its campaign. */
export async function spending(
	db: Queryable,
	runId: string,
): Promise<{ runSpent: number; campaignSpent: number; campaignBudget: number | null; campaignName: string }> {
	const { rows } = await db.query(
		`select (select coalesce(sum(amount_usd), 0) from costs where run_id = r.id)
		        + (select coalesce(sum(cost_usd), 0) from provider_tasks where run_id = r.id and status = 'submitted') as run_spent,
		        (select coalesce(sum(c.amount_usd), 0) from costs c join runs o on o.id = c.run_id
		          where o.campaign_id = r.campaign_id)
		        + (select coalesce(sum(t.cost_usd), 0) from provider_tasks t join runs o on o.id = t.run_id
		          where o.campaign_id = r.campaign_id and t.status = 'submitted') as campaign_spent,
		        k.budget_usd as campaign_budget, k.name as campaign_name
		   from runs r join campaigns k on k.id = r.campaign_id where r.id = $1`,
		[runId],
	);
	const row = rows[0] ?? {};
	return {
		runSpent: Number(row.run_spent ?? 0),
		campaignSpent: Number(row.campaign_spent ?? 0),
		campaignBudget: row.campaign_budget === null || row.campaign_budget === undefined ? null : Number(row.campaign_budget),
		campaignName: String(row.campaign_name ?? ''),
	};
}

/** The run now waits for a storyboard decision at this resume URL (only a run that asked for approval). */
export async function awaitApproval(db: Queryable, runId: string, approvalUrl: string): Promise<Run | null> {
	const { rows } = await db.query(
		`update runs set status = 'awaiting_approval', stage = 'approval', approval_url = $2
		  where id = $1 and approval = 'pending' and status in ('running', 'awaiting_approval') returning *`,
		[runId, approvalUrl],
	);
	return one(rows);
}

/** An approved run goes back to running; the resume URL is spent. */
export async function continueApprovedRun(db: Queryable, runId: string): Promise<Run | null> {
	const { rows } = await db.query(
		`update runs set status = 'running', approval_url = null
		  where id = $1 and approval = 'approved' and status in ('awaiting_approval', 'running') returning *`,
		[runId],
	);
	return one(rows);
}
