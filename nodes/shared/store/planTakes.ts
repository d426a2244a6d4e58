import type { Queryable } from '../transport/postgres';

/**
 * The takes of a run's plan (plan_versions.take, migration 012), for the Campaign node (the planning workflow picks
 * the best) and the dashboard (the manager picks one on approval) alike. A take's plan is its newest version.
 */
export interface TakeSummary {
	take: number;
	/** The take's newest plan version. */
	version: number;
	score: number | null;
	chosen: boolean;
}

/** Each take's newest version, in take order. */
export async function listTakes(db: Queryable, runId: string): Promise<TakeSummary[]> {
	const { rows } = await db.query<TakeSummary>(
		`select distinct on (take) take, version, score, chosen from plan_versions where run_id = $1 order by take, version desc`,
		[runId],
	);
	return rows;
}

/** The take the run goes on with when nobody picks: the highest score; a tie goes to the earlier take. */
export function bestTake(takes: TakeSummary[]): TakeSummary | null {
	return takes.reduce<TakeSummary | null>((best, take) => (best === null || (take.score ?? -1) > (best.score ?? -1) ? take : best), null);
}

/**
 * Marks `take`'s newest version as the one the run goes on with (and no other). Null when the run has no such take.
 * Returns the take that was chosen before, so a caller can put it back.
 */
export async function chooseTake(
	db: Queryable,
	runId: string,
	take: number,
): Promise<{ chosen: TakeSummary; previous: number | null } | null> {
	const target = (await listTakes(db, runId)).find((summary) => summary.take === take);
	if (!target) return null;
	const { rows } = await db.query<{ take: number }>('select take from plan_versions where run_id = $1 and chosen', [runId]);
	// Two writes, the mark cleared first: the unique index (one chosen version per run) is checked row by row.
	await db.query('update plan_versions set chosen = false where run_id = $1 and chosen and version <> $2', [runId, target.version]);
	await db.query('update plan_versions set chosen = true where run_id = $1 and version = $2', [runId, target.version]);
	return { chosen: { ...target, chosen: true }, previous: rows[0]?.take ?? null };
}
