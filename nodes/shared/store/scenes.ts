import type { MediaFacts } from '../refs';
import type { Queryable } from '../transport/postgres';
import { fromRow } from './rows';

/**
 * A scene's status, written only here. Any status may follow any other through updateScene (Campaign → Scene →
 * Update records what the workflow says happened, e.g. validation fails a completed scene or regenerates it);
 * upsertPendingScenes puts every scene but a completed one back to pending, so a resume never redoes finished work.
 * Run statuses are in runState.ts beside this.
 */
export type SceneStatus = 'pending' | 'generating' | 'completed' | 'failed';
export const SCENE_STATUSES: SceneStatus[] = ['pending', 'generating', 'completed', 'failed'];

/** One narration line, timed from the start of its scene (as the Text to Speech node returns it). */
export interface NarrationLine {
	speaker?: string;
	text: string;
	start: number;
	end: number;
	key?: string;
	voice?: string;
	/** Word timings from the provider's alignment (ElevenLabs), seconds from the scene start: subtitles follow them. */
	words?: WordTiming[];
}

export interface WordTiming {
	text: string;
	start: number;
	end: number;
}

export interface SceneRecord {
	id: string;
	runId: string;
	number: number;
	status: SceneStatus;
	heading: string | null;
	duration: number | null;
	clipKey: string | null;
	narrationKey: string | null;
	sceneKey: string | null;
	/** What the scene video is (MediaRef.media from Mux; migration 017), so assembly need not probe it. */
	sceneMedia: MediaFacts | null;
	narration: NarrationLine[] | null;
	attempts: number;
	provider: string | null;
	taskId: string | null;
	costUsd: number | null;
	/** Who was tried for the last generation, in order (migration 003_runs). */
	providerAttempts: ProviderAttempt[] | null;
	error: string | null;
	startedAt: string | null;
	finishedAt: string | null;
	createdAt: string;
	updatedAt: string;
}

/** One provider tried for a scene: served it, was skipped (no key), was down, or failed it. */
export interface ProviderAttempt {
	provider: string;
	outcome: string;
	message?: string;
}

export interface SceneChanges {
	status?: SceneStatus;
	clipKey?: string;
	narrationKey?: string;
	sceneKey?: string;
	/** What the scene video is; a new sceneKey without it clears the old one's. */
	sceneMedia?: MediaFacts;
	duration?: number;
	attempts?: number;
	error?: string;
	provider?: string;
	taskId?: string;
	costUsd?: number;
	providerAttempts?: ProviderAttempt[];
	narration?: NarrationLine[];
	/** Adds one to attempts (a generation attempt starts). */
	countAttempt?: boolean;
}

// The only columns scene.update may touch; names come from here, values always travel as parameters.
const COLUMNS: Record<Exclude<keyof SceneChanges, 'countAttempt'>, string> = {
	status: 'status',
	clipKey: 'clip_key',
	narrationKey: 'narration_key',
	sceneKey: 'scene_key',
	sceneMedia: 'scene_media',
	duration: 'duration',
	attempts: 'attempts',
	error: 'error',
	provider: 'provider',
	taskId: 'task_id',
	costUsd: 'cost_usd',
	providerAttempts: 'provider_attempts',
	narration: 'narration',
};

/**
 * Makes sure the plan's scenes have rows. Completed scenes are left untouched (resume must not redo them);
 * the others go back to pending with the plan's heading and duration.
 */
export async function upsertPendingScenes(
	db: Queryable,
	runId: string,
	scenes: { number: number; heading: string; duration: number }[],
): Promise<SceneRecord[]> {
	await db.query(
		`insert into scenes (run_id, number, heading, duration)
		 select $1, t.number, t.heading, t.duration
		   from unnest($2::int[], $3::text[], $4::numeric[]) as t(number, heading, duration)
		 on conflict (run_id, number) do update
		   set heading = excluded.heading, duration = excluded.duration, status = 'pending', error = null
		 where scenes.status <> 'completed'`,
		[runId, scenes.map((s) => s.number), scenes.map((s) => s.heading), scenes.map((s) => s.duration)],
	);
	return listScenes(db, runId);
}

export async function listScenes(db: Queryable, runId: string): Promise<SceneRecord[]> {
	const { rows } = await db.query('select * from scenes where run_id = $1 order by number', [runId]);
	return rows.map((row) => fromRow<SceneRecord>(row));
}

export async function completedSceneNumbers(db: Queryable, runId: string): Promise<number[]> {
	const { rows } = await db.query<{ number: number }>(
		"select number from scenes where run_id = $1 and status = 'completed' order by number",
		[runId],
	);
	return rows.map((row) => row.number);
}

/** Applies the given changes; returns null when the scene has no row yet. */
export async function updateScene(
	db: Queryable,
	runId: string,
	sceneNumber: number,
	changes: SceneChanges,
): Promise<SceneRecord | null> {
	const sets: string[] = [];
	const values: unknown[] = [runId, sceneNumber];
	for (const [field, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string][]) {
		const value = changes[field];
		if (value === undefined) continue;
		values.push(field === 'narration' || field === 'providerAttempts' || field === 'sceneMedia' ? JSON.stringify(value) : value);
		sets.push(`${column} = $${values.length}`);
	}
	// Facts of the scene video they came with, never of the one a new key replaced.
	if (changes.sceneKey !== undefined && changes.sceneMedia === undefined) sets.push('scene_media = null');
	if (changes.countAttempt) sets.push('attempts = attempts + 1');
	// Timing follows the status, so the dashboard can show how long each scene took.
	if (changes.status === 'generating') sets.push('started_at = now()', 'finished_at = null');
	if (changes.status === 'completed' || changes.status === 'failed') sets.push('finished_at = now()');
	if (changes.status === 'completed' && changes.error === undefined) sets.push('error = null');
	if (sets.length === 0) sets.push('updated_at = now()');
	const { rows } = await db.query(
		`update scenes set ${sets.join(', ')} where run_id = $1 and number = $2 returning *`,
		values,
	);
	return rows[0] ? fromRow<SceneRecord>(rows[0]) : null;
}
