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
	/** Which take of the run's plan this version belongs to (1 when the run plans one). */
	take: number;
	/** The version the run goes on with (its best take, or the one approved). */
	chosen: boolean;
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
		take?: number;
	},
): Promise<PlanVersion> {
	const { rows } = await db.query(
		`insert into plan_versions (run_id, version, parent_version, score, critique, plan, plan_key, source, changes, take)
		 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning *`,
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
			version.take ?? 1,
		],
	);
	return fromRow<PlanVersion>(rows[0]);
}

/**
 * The plan the run goes on with: the chosen version (its best take, or the take approved), else its newest version
 * (refinement only ever adds better or final versions).
 */
export async function latestPlanVersion(db: Queryable, runId: string): Promise<PlanVersion | null> {
	const { rows } = await db.query(
		'select * from plan_versions where run_id = $1 order by chosen desc, version desc limit 1',
		[runId],
	);
	return rows[0] ? fromRow<PlanVersion>(rows[0]) : null;
}

export async function getPlanVersion(db: Queryable, runId: string, version: number): Promise<PlanVersion> {
	const { rows } = await db.query('select * from plan_versions where run_id = $1 and version = $2', [runId, version]);
	return fromRow<PlanVersion>(rows[0]);
}

export async function listPlanVersions(db: Queryable, runId: string): Promise<PlanVersion[]> {
	const { rows } = await db.query('select * from plan_versions where run_id = $1 order by version', [runId]);
	return rows.map((row) => fromRow<PlanVersion>(row));
}

/** How many versions take `take` of the run has (1 = the take as first made, before any refinement). */
export async function takeVersionCount(db: Queryable, runId: string, take: number): Promise<number> {
	const { rows } = await db.query<{ n: number }>('select count(*)::int as n from plan_versions where run_id = $1 and take = $2', [runId, take]);
	return rows[0].n;
}
