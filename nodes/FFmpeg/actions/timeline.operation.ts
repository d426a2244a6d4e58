import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { narrationKey, timelineKey } from '../../shared/keys';
import { CLIP_FORMAT } from '../../shared/presets';
import { getStorage } from '../../shared/storageNode';
import { buildEdl, buildOtio, type TimelineClip, type TimelineCue, type TimelineMusic } from '../lib/timeline';
import { fail, inputJson, readChoice, readNumber, readRefList, transitionFields, uploadText } from './common';

const show = { show: { operation: ['timeline'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Clips',
		name: 'clips',
		type: 'json',
		default: '={{ $json.clips }}',
		description: 'The scene videos in order, as Join Scenes took them ([{bucket, key, duration, sceneNumber}], Campaign → Scene → List)',
		displayOptions: show,
	},
	...transitionFields('timeline', {
		none: 'Join Scenes cut from one scene to the next',
		crossfade: 'Join Scenes dissolved into every scene after the first',
		duration: 'Seconds each dissolve lasts, as Join Scenes made it',
	}),
	{
		displayName: 'Subtitle Cues',
		name: 'cues',
		type: 'json',
		default: '={{ $json.cues }}',
		description: 'Cues on the final timeline ([{start, end, text}]); they become markers',
		displayOptions: show,
	},
	{
		displayName: 'Subtitles',
		name: 'subtitles',
		type: 'json',
		default: '={{ $json.subtitles }}',
		description: 'The SRT the Subtitles operation stored ({bucket, key}), referenced from the timeline',
		displayOptions: show,
	},
	{
		displayName: 'Music',
		name: 'music',
		type: 'json',
		default: '={{ $json.music }}',
		description: 'What Mix Music laid under the narration ({stored: {bucket, key}, volume, gain, ducked}); it becomes a music track. Empty = no music track.',
		displayOptions: show,
	},
];

const s3Url = (bucket: string, key: string) => `s3://${bucket}/${key}`;

/** Writes the run's timeline as final/timeline.otio and final/timeline.edl, next to the final video. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const json = inputJson.call(this, itemIndex);
	const runId = typeof json.runId === 'string' ? json.runId : '';
	if (!runId) return fail.call(this, itemIndex, 'The item has no runId: Export Timeline writes the timeline of a run. Connect it after the assembly of a run.');
	const refs = readRefList.call(this, itemIndex, 'clips', 'Clips', 'Campaign → Scene → List (clips)');
	const raw = this.getNodeParameter('clips', itemIndex, []) as IDataObject[];
	const transition = readChoice(this, itemIndex, 'transition', 'Transition', ['none', 'crossfade'], 'none');
	const fade = readNumber.call(this, itemIndex, 'transitionDuration', 'Transition Duration', { min: 0.01, fallback: 0.5 });
	const storage = await getStorage.call(this);
	const clips: TimelineClip[] = refs.map((ref, index) => {
		const entry = raw[index] ?? {};
		const duration = Number(entry.duration);
		const sceneNumber = Number(entry.sceneNumber ?? index + 1);
		if (!(duration > 0)) {
			return fail.call(this, itemIndex, `Clip ${index + 1} of "Clips" has no duration. Map the clips from Campaign → Scene → List, which gives each one.`);
		}
		const bucket = ref.bucket || storage.bucket;
		// A brand intro or outro (Add Intro and Outro) carries its own sound: no narration file.
		if (entry.role === 'intro' || entry.role === 'outro') return { sceneNumber: 0, role: entry.role, url: s3Url(bucket, ref.key), duration };
		return { sceneNumber, url: s3Url(bucket, ref.key), duration, narrationUrl: s3Url(bucket, narrationKey(runId, sceneNumber)) };
	});
	const cueValue = this.getNodeParameter('cues', itemIndex, []) as unknown;
	const cues = (Array.isArray(cueValue) ? cueValue : []).filter(
		(cue): cue is TimelineCue => !!cue && Number.isFinite(cue.start) && Number.isFinite(cue.end) && typeof cue.text === 'string',
	);
	const subtitles = this.getNodeParameter('subtitles', itemIndex, null) as { bucket?: string; key?: string } | null;
	const mixed = this.getNodeParameter('music', itemIndex, null) as IDataObject | null;
	const kept = mixed && typeof mixed === 'object' ? (mixed.stored as { bucket?: string; key?: string } | null) : null;
	const music: TimelineMusic | undefined = kept?.key
		? { url: s3Url(kept.bucket || storage.bucket, kept.key), volume: Number(mixed?.volume), gain: Number(mixed?.gain), ducked: mixed?.ducked === true }
		: undefined;
	const input = {
		name: typeof json.title === 'string' && json.title ? json.title : `Reelsmith run ${runId}`,
		fps: CLIP_FORMAT.fps,
		clips,
		transition,
		fade,
		cues,
		music,
		subtitlesUrl: subtitles?.key ? s3Url(subtitles.bucket || storage.bucket, subtitles.key) : undefined,
	};
	const otio = await uploadText(storage, `${JSON.stringify(buildOtio(input), null, 2)}\n`, timelineKey(runId, 'otio'));
	const edl = await uploadText(storage, buildEdl(input), timelineKey(runId, 'edl'));
	return [{ json: { ...json, timeline: { otio, edl } as unknown as IDataObject } }];
}
