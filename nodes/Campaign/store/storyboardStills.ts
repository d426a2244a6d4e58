import type { Queryable } from '../transport/db';
import { fromRow } from '../../shared/store/rows';

/** One scene's storyboard still in one plan version (migration 020): drawn, with its key, or failed, with why. */
export interface StoryboardStill {
	runId: string;
	version: number;
	sceneNumber: number;
	status: 'drawn' | 'failed';
	painter: string;
	stillKey: string | null;
	error: string | null;
	prompt: string | null;
	createdAt: string;
}

/** Records (or replaces) what became of a scene's still. */
export async function saveStill(
	db: Queryable,
	still: Pick<StoryboardStill, 'runId' | 'version' | 'sceneNumber' | 'status' | 'painter' | 'stillKey' | 'error' | 'prompt'>,
): Promise<void> {
	await db.query(
		`insert into storyboard_stills (run_id, version, scene_number, status, painter, still_key, error, prompt)
		 values ($1, $2, $3, $4, $5, $6, $7, $8)
		 on conflict (run_id, version, scene_number) do update
		   set status = excluded.status, painter = excluded.painter, still_key = excluded.still_key,
		       error = excluded.error, prompt = excluded.prompt, created_at = now()`,
		[still.runId, still.version, still.sceneNumber, still.status, still.painter, still.stillKey, still.error, still.prompt],
	);
}

/** The stills of the given plan versions of a run, by version then scene. */
export async function listStills(db: Queryable, runId: string, versions: number[]): Promise<StoryboardStill[]> {
	const { rows } = await db.query(`select * from storyboard_stills where run_id = $1 and version = any($2::int[]) order by version, scene_number`, [
		runId,
		versions,
	]);
	return rows.map((row) => fromRow<StoryboardStill>(row));
}
