import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { sceneVideoKey } from '../../shared/keys';
import type { StandardKey } from '../../shared/outputKey';
import { muxNarration } from '../lib/mux';
import {
	download,
	inputJson,
	localName,
	outputKeyField,
	progressLog,
	readNumber,
	readOptionalRef,
	readOutputKey,
	readRef,
	refField,
	uploadMedia,
	withMedia,
} from './common';

/** Where the result goes when Output Key is empty. */
const standard: StandardKey = { what: 'the scene video', scene: sceneVideoKey };

export const description: INodeProperties[] = [
	refField('mux', 'video', 'Video', '={{ $json.clip }}', 'Reference of the clip; its video is copied as it is'),
	refField(
		'mux',
		'audio',
		'Audio',
		'={{ $json.narration }}',
		'Reference of the narration track. Empty gives a silent track of the right length.',
		false,
	),
	{
		displayName: 'Duration',
		name: 'duration',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0, numberPrecision: 3 },
		description:
			'Length of the scene video in seconds; 0 = the video length. Narration is padded with silence or cut to it.',
		displayOptions: { show: { operation: ['mux'] } },
	},
	{
		displayName: 'Loudness Target',
		name: 'loudnessTarget',
		type: 'number',
		default: 0,
		typeOptions: { minValue: -70, maxValue: 0, numberPrecision: 1 },
		description:
			"Integrated loudness in LUFS to bring the narration to (true peak held under −3 dBTP, room for the join); 0 = keep the narration's level. Scenes made at the delivery loudness join into a video that Loudness only has to measure.",
		displayOptions: { show: { operation: ['mux'] } },
	},
	outputKeyField('mux', standard),
];

/** Narration onto a clip: video copied, AAC 48 kHz stereo audio of exactly the video length. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const video = readRef.call(this, itemIndex, 'video', 'Video', "the previous node's clip field");
	const audio = readOptionalRef.call(this, itemIndex, 'audio', 'Audio', "the Text to Speech node's narration field");
	const duration = readNumber.call(this, itemIndex, 'duration', 'Duration', { min: 0 });
	const loudnessTarget = readNumber.call(this, itemIndex, 'loudnessTarget', 'Loudness Target', { min: -70, max: 0 });
	const outputKey = readOutputKey.call(this, itemIndex, standard);

	const sceneVideo = await withMedia(this, async (storage, path) => {
		const videoFile = await download.call(this, itemIndex, storage, video, path(localName('video', video)), 'Video');
		const audioFile = audio
			? await download.call(this, itemIndex, storage, audio, path(localName('audio', audio)), 'Audio')
			: null;
		const output = path('scene.mp4');
		const { gainDb } = await muxNarration({
			video: videoFile,
			audio: audioFile,
			output,
			duration,
			loudness: loudnessTarget < 0 ? { target: loudnessTarget } : undefined,
			onProgress: progressLog.call(this, itemIndex, 'mux'),
			known: { video: video.media, audio: audio?.media },
		});
		const ref = await uploadMedia(storage, output, outputKey);
		// What the sound was brought to, which ffprobe cannot tell: the join then need not measure it (null = silent).
		if (loudnessTarget < 0 && ref.media?.audio) ref.media.audio.loudness = gainDb === null ? null : loudnessTarget;
		return ref;
	});
	return [{ json: { ...inputJson.call(this, itemIndex), sceneVideo: sceneVideo as unknown as IDataObject } }];
}
