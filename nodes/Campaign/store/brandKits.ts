import type { BrandKit } from '../lib/brandKit';
import type { Queryable } from '../transport/db';

/** One saved version of a campaign's brand kit (migration 016). */
export interface BrandKitVersion {
	campaignId: string;
	version: number;
	kit: BrandKit;
	createdBy: string | null;
	createdAt: string;
}

const toVersion = (row: Record<string, unknown>): BrandKitVersion => ({
	campaignId: String(row.campaign_id),
	version: Number(row.version),
	kit: row.kit as BrandKit,
	createdBy: (row.created_by as string | null) ?? null,
	createdAt: new Date(row.created_at as string).toISOString(),
});

/**
 * Saves the kit as the campaign's next version (1 for the first). Two saves at once both read the same highest
 * version; the second one's insert then hits the primary key and is tried again with the number after.
 */
export async function saveBrandKit(db: Queryable, campaignId: string, kit: BrandKit, createdBy: string | null = null): Promise<BrandKitVersion> {
	for (let attempt = 0; ; attempt++) {
		try {
			const { rows } = await db.query(
				`insert into campaign_brand_versions (campaign_id, version, kit, created_by)
				 select $1, coalesce(max(version), 0) + 1, $2, $3 from campaign_brand_versions where campaign_id = $1
				 returning *`,
				[campaignId, JSON.stringify(kit), createdBy],
			);
			return toVersion(rows[0]);
		} catch (error) {
			// Inside a caller's transaction a failed statement ends it: only a lone statement is tried again.
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- store code: the operation that called it wraps it with the item index
			if ((error as { code?: string }).code !== '23505' || attempt >= 4 || (await inTransaction(db))) throw error;
		}
	}
}

async function inTransaction(db: Queryable): Promise<boolean> {
	try {
		const { rows } = await db.query('select now() <> statement_timestamp() as inside');
		return Boolean(rows[0]?.inside);
	} catch {
		return true;
	}
}

/** The campaign's newest kit, or null before its first save. */
export async function latestBrandKit(db: Queryable, campaignId: string): Promise<BrandKitVersion | null> {
	const { rows } = await db.query('select * from campaign_brand_versions where campaign_id = $1 order by version desc limit 1', [campaignId]);
	return rows[0] ? toVersion(rows[0]) : null;
}

export async function brandKitVersion(db: Queryable, campaignId: string, version: number): Promise<BrandKitVersion | null> {
	const { rows } = await db.query('select * from campaign_brand_versions where campaign_id = $1 and version = $2', [campaignId, version]);
	return rows[0] ? toVersion(rows[0]) : null;
}

/** Every version, newest first. */
export async function brandKitVersions(db: Queryable, campaignId: string): Promise<BrandKitVersion[]> {
	const { rows } = await db.query('select * from campaign_brand_versions where campaign_id = $1 order by version desc', [campaignId]);
	return rows.map(toVersion);
}
