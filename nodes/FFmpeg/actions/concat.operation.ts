import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { joinedKey } from '../../shared/keys';
import { mapWithConcurrency } from '../../shared/router';
import type { StandardKey } from '../../shared/outputKey';
import { concatClips, type ConcatMode, type Transition } from '../lib/concat';
import {
	download,
	readChoice,
	inputJson,
	localName,
	outputKeyField,
	progressLog,
	readNumber,
	readOutputKey,
	readRefList,
	transitionFields,
	uploadMedia,
	withMedia,
} from './common';

const show = { operation: ['concat'] };
const DOWNLOADS_AT_ONCE = 4;

/** Where the result goes when Output Key is empty. */
const standard: StandardKey = { what: 'the joined video', run: joinedKey };

export const description: INodeProperties[] = [
	{
		displayName: 'Clips',
		name: 'clips',
		type: 'json',
		required: true,
		default: '={{ $json.clips }}',
		description: 'List of clip references in playing order, like [{"bucket": "reelsmith", "key": "…/scene.mp4"}, …]',
		displayOptions: { show },
	},
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		options: [
			{
				name: 'Auto',
				value: 'auto',
				description: 'Stream copy when every clip has the same codec, size, frame rate, timebase and audio; else re-encode',
			},
			{ name: 'Copy', value: 'copy', description: 'Stream copy only; fails when the clips differ' },
			{ name: 'Re-Encode', value: 'reencode', description: 'Always re-encode (slow for long videos)' },
		],
		default: 'auto',
		displayOptions: { show },
	},
	...transitionFields('concat', {
		none: 'Cut from one clip to the next',
		crossfade: 'Dissolve each picture into the next (re-encodes); scenes keep their full length and the sound is joined whole',
		duration: "Seconds each crossfade lasts: the next clip fades in over the previous clip's last frame, held that long",
	}),
	{
		displayName: 'Loudness Target',
		name: 'loudnessTarget',
		type: 'number',
		default: 0,
		typeOptions: { minValue: -70, maxValue: 0, numberPrecision: 1 },
		description:
			"Integrated loudness in LUFS to bring the joined sound to in the join's own audio encode, when the clips do not say they are at it (scenes muxed at the target are); 0 = keep the level. Normalize Loudness after it then only measures, so clips from elsewhere are encoded once.",
		displayOptions: { show },
	},
	outputKeyField('concat', standard),
];

/** Joins clips; returns the video and which path was taken (copy or reencode). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const clips = readRefList.call(this, itemIndex, 'clips', 'Clips', "the scene list's clips field");
	const mode = readChoice<ConcatMode>(this, itemIndex, 'mode', 'Mode', ['auto', 'copy', 'reencode'], 'auto');
	const transition = readChoice<Transition>(this, itemIndex, 'transition', 'Transition', ['none', 'crossfade'], 'none');
	const transitionDuration =
		transition === 'crossfade'
			? readNumber.call(this, itemIndex, 'transitionDuration', 'Transition Duration', { min: 0.01, fallback: 0.5 })
			: 0;
	const loudnessTarget = readNumber.call(this, itemIndex, 'loudnessTarget', 'Loudness Target', { min: -70, max: 0 });
	const outputKey = readOutputKey.call(this, itemIndex, standard);

	const { video, concatMode } = await withMedia(this, async (storage, path) => {
		// A few downloads at a time: one after another, 20 scenes waited on 20 round trips.
		const files = await mapWithConcurrency(clips, DOWNLOADS_AT_ONCE, async (clip, index) => {
			const name = localName(`clip-${String(index + 1).padStart(3, '0')}`, clip);
			const file = await download.call(this, itemIndex, storage, clip, path(name), `Clips (entry ${index + 1})`);
			// What the clip's reference says about it spares a probe (clips made by Reelsmith nodes carry it).
			return { file, known: clip.media };
		});
		const output = path('concat.mp4');
		const result = await concatClips({
			inputs: files,
			output,
			mode,
			transition,
			transitionDuration,
			loudness: loudnessTarget < 0 ? { target: loudnessTarget } : undefined,
			onProgress: progressLog.call(this, itemIndex, 'concat'),
		});
		return { video: await uploadMedia(storage, output, outputKey), concatMode: result.mode };
	});
	return [{ json: { ...inputJson.call(this, itemIndex), video: video as unknown as IDataObject, concatMode } }];
}
