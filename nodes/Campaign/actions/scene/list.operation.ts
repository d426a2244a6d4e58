import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { clipKey, sceneVideoKey } from '../../../shared/keys';
import { mediaFacts } from '../../../shared/refs';
import { getStorage } from '../../../shared/storageNode';
import { latestPlanVersion } from '../../store/planVersions';
import type { Run } from '../../store/runs';
import { listScenes, type SceneRecord } from '../../../shared/store/scenes';
import { getDb, jsonParameter, requireRun, runIdField } from '../common';

const show = { resource: ['scene'], operation: ['list'] };

export const description: INodeProperties[] = [
	runIdField('scene', 'list'),
	{
		displayName: 'Output',
		name: 'mode',
		type: 'options',
		options: [
			{
				name: 'Assembly Input (One Item)',
				value: 'assembly',
				description: 'Completed scenes in order as clips, subtitle cues on the final timeline, the thumbnail time, and the scenes that did not complete',
			},
			{
				name: 'One Scene Item per Scene',
				value: 'each',
				description: 'A scene item per scene (as Prepare gives) with its status, attempts and stored clip/narration/scene video',
			},
		],
		default: 'assembly',
		displayOptions: { show },
	},
	{
		displayName: 'Scene Numbers',
		name: 'sceneNumbers',
		type: 'json',
		default: '',
		description: 'Only these scenes, e.g. [2, 3] (empty = all)',
		displayOptions: { show: { ...show, mode: ['each'] } },
	},
];

const round = (seconds: number) => Math.round(seconds * 1000) / 1000;

/**
 * Seconds before the end of the first scene the thumbnail is taken: the local renderer types a scene's text while it
 * is spoken, and a clip lasts at least 0.5 s past its narration, so its last frames show the whole text.
 */
const THUMBNAIL_BEFORE_SCENE_END = 0.2;

/** The run's scenes, either as the assembly input or as one scene item per scene (validation, regeneration). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const db = await getDb.call(this);
	const storage = await getStorage.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	const scenes = await listScenes(db, run.id);
	const mode = this.getNodeParameter('mode', itemIndex, 'assembly') as string;
	if (mode !== 'each') return [{ json: assemblyInput(run, scenes, storage.bucket) }];

	const wanted = jsonParameter.call(this, 'sceneNumbers', itemIndex, null) as unknown;
	if (wanted !== null && (!Array.isArray(wanted) || wanted.some((n) => !Number.isInteger(Number(n))))) {
		throw new NodeOperationError(this.getNode(), '"Scene Numbers" must be a list of scene numbers, e.g. [2, 3], or empty for all.', {
			itemIndex,
		});
	}
	const only = wanted === null ? null : new Set((wanted as unknown[]).map(Number));
	// The plan's scene and characters make each item a full scene item, so it can be generated again.
	const plan = (await latestPlanVersion(db, run.id))?.plan ?? null;
	return scenes
		.filter((scene) => only === null || only.has(scene.number))
		.map((record) => ({ json: sceneItem(run, record, plan, storage.bucket) }));
}

function sceneItem(run: Run, record: SceneRecord, plan: { scenes: { number: number }[]; characters: unknown[] } | null, bucket: string): IDataObject {
	const n = record.number;
	return {
		runId: run.id,
		campaignId: run.campaignId,
		sceneNumber: n,
		scene: (plan?.scenes.find((scene) => scene.number === n) ?? null) as IDataObject | null,
		characters: (plan?.characters ?? []) as IDataObject[],
		options: run.options as unknown as IDataObject,
		// The number the next attempt will have; `attempts` is how many were made so far.
		attempt: record.attempts + 1,
		attempts: record.attempts,
		status: record.status,
		heading: record.heading,
		duration: record.duration,
		error: record.error,
		provider: record.provider,
		// Where the files are, or where they would be: a check on a scene never made reports "missing from storage".
		clip: { bucket, key: record.clipKey ?? clipKey(run.id, n) },
		sceneVideo: {
			bucket,
			key: record.sceneKey ?? sceneVideoKey(run.id, n),
			duration: record.duration,
			...(record.sceneKey && mediaFacts(record.sceneMedia) ? { media: record.sceneMedia as unknown as IDataObject } : {}),
		},
		narration: record.narrationKey
			? { bucket, key: record.narrationKey, lines: (record.narration ?? []) as unknown as IDataObject[] }
			: null,
	};
}

/**
 * Scenes are concatenated back to back, so each scene starts where the previous one ended: cue times are the
 * scene's offset plus the line's own start/end. A crossfade keeps these times too: it dissolves over a hold of the
 * previous scene's last frame, so every scene still starts at its offset (nodes/FFmpeg/lib/concat.ts).
 */
export function assemblyInput(run: Pick<Run, 'id' | 'campaignId' | 'options'>, scenes: SceneRecord[], bucket: string): IDataObject {
	let offset = 0;
	const clips: IDataObject[] = [];
	const cues: IDataObject[] = [];
	for (const scene of scenes.filter((s) => s.status === 'completed')) {
		const duration = scene.duration ?? 0;
		// With the facts Mux learned of the scene video, Join scenes has complete references and probes none of them.
		const media = scene.sceneKey ? mediaFacts(scene.sceneMedia) : null;
		clips.push({ bucket, key: scene.sceneKey ?? scene.clipKey, duration, sceneNumber: scene.number, ...(media ? { media: media as unknown as IDataObject } : {}) });
		for (const line of scene.narration ?? []) {
			if (!line.text) continue;
			const end = (at: number) => round(offset + Math.min(at, duration || at));
			cues.push({
				start: round(offset + line.start),
				end: end(line.end),
				text: line.text,
				speaker: line.speaker ?? null,
				// Real word times (ElevenLabs) let the subtitles cut cues where the voice does.
				...(Array.isArray(line.words) && line.words.length
					? { words: line.words.map((word) => ({ text: word.text, start: round(offset + word.start), end: end(word.end) })) }
					: {}),
			});
		}
		offset += duration;
	}
	const failedScenes = scenes
		.filter((scene) => scene.status !== 'completed')
		.map((scene) => ({ number: scene.number, status: scene.status, error: scene.error }));
	return {
		runId: run.id,
		campaignId: run.campaignId,
		options: run.options as unknown as IDataObject,
		clips,
		cues,
		totalDuration: round(offset),
		// The end of the first scene, where its text is complete (a few frames before the cut or the crossfade).
		thumbnailTime: round(Math.max(0, (Number(clips[0]?.duration) || 0) - THUMBNAIL_BEFORE_SCENE_END)),
		// All scenes of the run; clips holds the completed ones.
		sceneCount: scenes.length,
		// Scenes that did not complete (failed after their attempts, or never made): the workflow decides.
		failedScenes,
		// What the run fails with when not every scene was made, for a person; empty when every scene was.
		failureMessage: scenes.length
			? failedScenes.map((scene) => `Scene ${scene.number}: ${scene.error || 'not made'}`).join('; ')
			: 'The plan has no scenes to make.',
	};
}
