import type { Queryable } from '../transport/db';
import { fromRow } from '../../shared/store/rows';

export type AssetKind = 'plan' | 'clip' | 'line' | 'narration' | 'scene' | 'final' | 'subtitles' | 'thumbnail' | 'work';
export const ASSET_KINDS: AssetKind[] = ['plan', 'clip', 'line', 'narration', 'scene', 'final', 'subtitles', 'thumbnail', 'work'];

export interface Asset {
	id: string;
	runId: string;
	sceneNumber: number | null;
	kind: AssetKind;
	bucket: string;
	key: string;
	bytes: number | null;
	contentType: string | null;
	duration: number | null;
	createdAt: string;
}

/** Records (or refreshes) the object at bucket/key as an artifact of the run; re-rendering a scene overwrites. */
export async function recordAsset(
	db: Queryable,
	asset: {
		runId: string;
		kind: AssetKind;
		bucket: string;
		key: string;
		sceneNumber?: number | null;
		bytes?: number | null;
		contentType?: string | null;
		duration?: number | null;
	},
): Promise<Asset> {
	const { rows } = await db.query(
		`insert into assets (run_id, scene_number, kind, bucket, key, bytes, content_type, duration)
		 values ($1, $2, $3, $4, $5, $6, $7, $8)
		 on conflict (bucket, key) do update
		   set run_id = excluded.run_id, scene_number = excluded.scene_number, kind = excluded.kind,
		       bytes = coalesce(excluded.bytes, assets.bytes), content_type = coalesce(excluded.content_type, assets.content_type),
		       duration = coalesce(excluded.duration, assets.duration), created_at = now()
		 returning *`,
		[
			asset.runId,
			asset.sceneNumber ?? null,
			asset.kind,
			asset.bucket,
			asset.key,
			asset.bytes ?? null,
			asset.contentType ?? null,
			asset.duration ?? null,
		],
	);
	return fromRow<Asset>(rows[0]);
}

export async function listAssets(db: Queryable, runId: string): Promise<Asset[]> {
	const { rows } = await db.query(
		'select * from assets where run_id = $1 order by scene_number nulls first, kind, key',
		[runId],
	);
	return rows.map((row) => fromRow<Asset>(row));
}
