import type { Queryable } from '../transport/db';
import { fromRow } from '../../shared/store/rows';
import type { Plan } from '../../shared/plan';
import { applyCast, CastSchema, EMPTY_CAST, type Cast } from '../lib/cast';

/**
 * A campaign's cast versions (campaign_cast_versions): every save is a new version, numbered after the newest, so a
 * run keeps the cast it was given (runs.cast_version) however the cast changes later. The Campaign node reads them
 * when a run's plan is chosen; the dashboard (ui/server/cast.ts) reads and saves them.
 */
export interface CastVersion {
	campaignId: string;
	version: number;
	cast: Cast;
	createdBy: string | null;
	createdAt: string;
}

function castVersionOf(row: Record<string, unknown>): CastVersion {
	const version = fromRow<CastVersion>(row);
	// Rows were checked when saved; parsing again fills defaults a later schema may add.
	const parsed = CastSchema.safeParse(version.cast);
	return { ...version, cast: parsed.success ? parsed.data : EMPTY_CAST };
}

/** The newest version of the campaign's cast, or null when it has none yet. */
export async function latestCast(db: Queryable, campaignId: string): Promise<CastVersion | null> {
	const { rows } = await db.query('select * from campaign_cast_versions where campaign_id = $1 order by version desc limit 1', [campaignId]);
	return rows[0] ? castVersionOf(rows[0]) : null;
}

export async function getCastVersion(db: Queryable, campaignId: string, version: number): Promise<CastVersion | null> {
	const { rows } = await db.query('select * from campaign_cast_versions where campaign_id = $1 and version = $2', [campaignId, version]);
	return rows[0] ? castVersionOf(rows[0]) : null;
}

/** Every version, newest first, with how many characters and settings each had (the Cast page's history). */
export async function listCastVersions(
	db: Queryable,
	campaignId: string,
): Promise<
	Array<{
		version: number;
		createdBy: string | null;
		createdAt: string;
		characters: number;
		settings: number;
	}>
> {
	const { rows } = await db.query(
		`select version, created_by, created_at,
		        jsonb_array_length(coalesce("cast"->'characters', '[]'::jsonb))::int as characters,
		        jsonb_array_length(coalesce("cast"->'settings', '[]'::jsonb))::int as settings
		   from campaign_cast_versions where campaign_id = $1 order by version desc`,
		[campaignId],
	);
	return rows.map((row) => fromRow(row));
}

/**
 * Saves a checked cast as the campaign's next version. The campaign row is locked first, so two saves at once get
 * consecutive versions instead of one failing on the key.
 */
export async function saveCast(db: Queryable, campaignId: string, cast: Cast, createdBy: string | null): Promise<CastVersion> {
	await db.query('select id from campaigns where id = $1 for update', [campaignId]);
	const { rows } = await db.query(
		`insert into campaign_cast_versions (campaign_id, version, "cast", created_by)
		 values ($1, (select coalesce(max(version), 0) + 1 from campaign_cast_versions where campaign_id = $1), $2, $3)
		 returning *`,
		[campaignId, JSON.stringify(cast), createdBy],
	);
	return castVersionOf(rows[0]);
}

/** Records the cast version a run's plan was given. */
export async function setRunCastVersion(db: Queryable, runId: string, version: number): Promise<void> {
	await db.query('update runs set cast_version = $2 where id = $1', [runId, version]);
}

/**
 * The plan with the cast version the run was given (runs.cast_version) applied; the plan as it is when the run has
 * none. applyCast is idempotent, so a plan that already has the cast (a resumed run) comes back the same.
 */
export async function planWithRunCast(db: Queryable, run: { campaignId: string; castVersion?: number | null }, plan: Plan): Promise<Plan> {
	if (!run.castVersion) return plan;
	const version = await getCastVersion(db, run.campaignId, run.castVersion);
	return version ? applyCast(plan, version.cast).plan : plan;
}
