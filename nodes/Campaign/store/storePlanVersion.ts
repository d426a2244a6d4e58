import { planKey } from '../../shared/keys';
import type { Critique, Plan } from '../../shared/plan';
import type { Storage } from '../../shared/transport/storage';
import type { Pool } from 'pg';
import { withTransaction } from '../transport/db';
import { recordAsset } from './assets';
import { insertPlanVersion, nextPlanVersion, takeVersionCount, type PlanVersion } from './planVersions';
import { lockRun } from './runs';

export interface NewPlanVersion {
	runId: string;
	take: number;
	parentVersion: number | null;
	score: number | null;
	critique: Critique | null;
	plan: Plan;
	/** parse | refine | claude | manual (a manager's edit on the approval screen). */
	source: string;
	changes: string[] | null;
	/** Make this version the one the run goes on with (a manager's edit of the take to make). */
	choose?: boolean;
}

/**
 * Stores a plan version: the JSON (plan + critique) in object storage at its planKey and a row with its score and
 * take, numbered after the run's newest. The one way a version is written, by the planning workflow and by the
 * dashboard alike.
 */
export async function storePlanVersion(db: Pool, storage: Storage, input: NewPlanVersion): Promise<PlanVersion & { takeVersion: number }> {
	const { runId, take, parentVersion, score, critique, plan, source, changes } = input;
	return withTransaction(db, async (client) => {
		await lockRun(client, runId);
		const version = await nextPlanVersion(client, runId);
		const key = planKey(runId, version);
		// Upload inside the transaction: if storage fails, no row points at a missing file.
		const ref = await storage.uploadBuffer(
			JSON.stringify({ runId, version, take, parentVersion, source, score, changes, critique, plan }, null, 2),
			key,
			'application/json',
		);
		await recordAsset(client, { runId, kind: 'plan', bucket: ref.bucket, key, bytes: ref.bytes, contentType: 'application/json' });
		// The mark moves first: one chosen version per run (unique index, checked row by row).
		if (input.choose) await client.query('update plan_versions set chosen = false where run_id = $1 and chosen', [runId]);
		const recorded = await insertPlanVersion(client, { runId, version, take, parentVersion, score, critique, plan, planKey: key, source, changes });
		if (input.choose) await client.query('update plan_versions set chosen = true where run_id = $1 and version = $2', [runId, version]);
		return { ...recorded, chosen: input.choose ?? recorded.chosen, takeVersion: await takeVersionCount(client, runId, take) };
	});
}
