/**
 * Reading runs and recording what they carry (stage, providers, estimate). Every status change is in
 * nodes/shared/store/runState.ts, which the dashboard server uses too.
 */
import type { RunOptions, RunRequest } from '../lib/request';
import type { Queryable } from '../transport/db';
import { previewSpentSql } from '../../shared/store/previewCosts';
import { fromRow } from '../../shared/store/rows';
import type { RunRecord } from '../../shared/store/runState';

/** A run as the Campaign node reads it: its request and options are the webhook request's (lib/request.ts). */
export type Run = RunRecord<RunRequest, RunOptions>;

const one = (rows: Record<string, unknown>[]) => (rows[0] ? fromRow<Run>(rows[0]) : null);

export async function insertRun(
	db: Queryable,
	run: {
		campaignId: string;
		priority: number;
		request: RunRequest;
		options: RunOptions;
		batchId?: string;
		batchRow?: number;
		/** The brand kit version the run was queued with (migration 016). */
		brandVersion?: number | null;
	},
): Promise<Run> {
	const { rows } = await db.query(
		`insert into runs (campaign_id, status, priority, request, options, budget_usd, approval, batch_id, batch_row, brand_version)
		 values ($1, 'queued', $2, $3, $4, $5, $6, $7, $8, $9) returning *`,
		[
			run.campaignId,
			run.priority,
			JSON.stringify(run.request),
			JSON.stringify(run.options),
			run.request.budget ?? null,
			run.options.approval ? 'pending' : null,
			run.batchId ?? null,
			run.batchRow ?? null,
			run.brandVersion ?? null,
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

export async function setRunStage(db: Queryable, runId: string, stage: string): Promise<Run | null> {
	return one((await db.query('update runs set stage = $2 where id = $1 returning *', [runId, stage])).rows);
}

/** Locks the run row for the rest of the transaction (serialises plan version numbering per run). */
export async function lockRun(db: Queryable, runId: string): Promise<Run | null> {
	return one((await db.query('select * from runs where id = $1 for update', [runId])).rows);
}

/** Stores the resolved provider lists in the run's options (kept for resumes). */
export async function setRunProviders(db: Queryable, runId: string, providers: unknown): Promise<Run | null> {
	const { rows } = await db.query(
		`update runs set options = jsonb_set(options, '{providers}', $2::jsonb) where id = $1 returning *`,
		[runId, JSON.stringify(providers)],
	);
	return one(rows);
}

/** Stores the run's sceneMedia again (with what was measured of it, e.g. a voice-over's length). */
export async function setSceneMedia(db: Queryable, runId: string, sceneMedia: unknown): Promise<Run | null> {
	const { rows } = await db.query(`update runs set options = jsonb_set(options, '{sceneMedia}', $2::jsonb) where id = $1 returning *`, [
		runId,
		JSON.stringify(sceneMedia),
	]);
	return one(rows);
}

export async function setCostEstimate(db: Queryable, runId: string, estimateUsd: number): Promise<void> {
	await db.query('update runs set cost_estimate = $2 where id = $1', [runId, estimateUsd]);
}

/**
 * USD spent so far (cost lines + accepted tasks not costed yet, as the ledger counts) by the run and its campaign (whose
 * paid voice previews count too).
 */
export async function spending(
	db: Queryable,
	runId: string,
): Promise<{ runSpent: number; campaignSpent: number; campaignBudget: number | null; campaignName: string }> {
	const { rows } = await db.query(
		`select (select coalesce(sum(amount_usd), 0) from costs where run_id = r.id)
		        + (select coalesce(sum(cost_usd), 0) from provider_tasks where run_id = r.id and status = 'submitted' and rendered_at is null) as run_spent,
		        (select coalesce(sum(c.amount_usd), 0) from costs c join runs o on o.id = c.run_id
		          where o.campaign_id = r.campaign_id)
		        + (select coalesce(sum(t.cost_usd), 0) from provider_tasks t join runs o on o.id = t.run_id
		          where o.campaign_id = r.campaign_id and t.status = 'submitted' and t.rendered_at is null)
		        + ${previewSpentSql('r.campaign_id')} as campaign_spent,
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

