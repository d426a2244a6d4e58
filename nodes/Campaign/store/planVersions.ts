import type { Critique, Plan } from '../../shared/plan';
import type { Queryable } from '../transport/db';
import { fromRow } from '../../shared/store/rows';

export interface PlanVersion {
	id: string;
	runId: string;
	version: number;
	parentVersion: number | null;
	score: number | null;
	critique: Critique | null;
	plan: Plan;
	planKey: string | null;
	source: string | null;
	changes: string[] | null;
	createdAt: string;
}

/** The next version number of a run's plan. Call with the run row locked (lockRun) so two writers never collide. */
export async function nextPlanVersion(db: Queryable, runId: string): Promise<number> {
	const { rows } = await db.query<{ next: number }>(
		'select coalesce(max(version), 0) + 1 as next from plan_versions where run_id = $1',
		[runId],
	);
	return rows[0].next;
}

export async function insertPlanVersion(
	db: Queryable,
	version: {
		runId: string;
		version: number;
		parentVersion: number | null;
		score: number | null;
		critique: Critique | null;
		plan: Plan;
		planKey: string;
		source: string;
		changes: string[] | null;
	},
): Promise<PlanVersion> {
	const { rows } = await db.query(
		`insert into plan_versions (run_id, version, parent_version, score, critique, plan, plan_key, source, changes)
		 values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning *`,
		[
			version.runId,
			version.version,
			version.parentVersion,
			version.score,
			version.critique === null ? null : JSON.stringify(version.critique),
			JSON.stringify(version.plan),
			version.planKey,
			version.source,
			version.changes === null ? null : JSON.stringify(version.changes),
		],
	);
	return fromRow<PlanVersion>(rows[0]);
}

/** The plan the run goes on with: its newest version (refinement only ever adds better or final versions). */
export async function latestPlanVersion(db: Queryable, runId: string): Promise<PlanVersion | null> {
	const { rows } = await db.query(
		'select * from plan_versions where run_id = $1 order by version desc limit 1',
		[runId],
	);
	return rows[0] ? fromRow<PlanVersion>(rows[0]) : null;
}

export async function listPlanVersions(db: Queryable, runId: string): Promise<PlanVersion[]> {
	const { rows } = await db.query('select * from plan_versions where run_id = $1 order by version', [runId]);
	return rows.map((row) => fromRow<PlanVersion>(row));
}
