import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { loudnessKey } from '../../shared/keys';
import type { StandardKey } from '../../shared/outputKey';
import { normaliseLoudness } from '../lib/loudness';
import { inputJson, outputKeyField, readNumber, readOutputKey, readVideo, renderVideo, round, videoField } from './common';

const show = { operation: ['loudness'] };

/** Where the result goes when Output Key is empty. */
const standard: StandardKey = { what: 'the normalised video', run: loudnessKey };

export const description: INodeProperties[] = [
	videoField('loudness', 'Reference of the video whose audio is normalised'),
	{
		displayName: 'Target',
		name: 'target',
		type: 'number',
		default: -14,
		typeOptions: { minValue: -70, maxValue: -5, numberPrecision: 1 },
		description: 'Integrated loudness in LUFS; −14 is what YouTube, Spotify and most platforms play back at',
		displayOptions: { show },
	},
	{
		displayName: 'True Peak',
		name: 'truePeak',
		type: 'number',
		default: -1.5,
		typeOptions: { minValue: -9, maxValue: 0, numberPrecision: 1 },
		description: 'Highest allowed true peak in dBTP',
		displayOptions: { show },
	},
	outputKeyField('loudness', standard),
];

const stats = (s: { integrated: number; truePeak: number; lra: number; threshold: number }) => ({
	integrated: finite(s.integrated),
	truePeak: finite(s.truePeak),
	lra: finite(s.lra),
	threshold: finite(s.threshold),
});
// Silence measures as -inf, which JSON cannot hold.
const finite = (value: number) => (Number.isFinite(value) ? round(value, 2) : null);

/** Loudness normalised on the audio (video copied, audio fitted to the video length), then measured on the result. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const video = readVideo.call(this, itemIndex);
	const target = readNumber.call(this, itemIndex, 'target', 'Target', { min: -70, max: -5, fallback: -14 });
	const truePeak = readNumber.call(this, itemIndex, 'truePeak', 'True Peak', { min: -9, max: 0, fallback: -1.5 });
	const outputKey = readOutputKey.call(this, itemIndex, standard);

	const { ref, result } = await renderVideo(
		this,
		itemIndex,
		{ video, outputKey, outputName: 'loudness.mp4', what: 'loudness' },
		({ input, output, onProgress, known }) => normaliseLoudness({ input, output, target, truePeak, onProgress, known }),
	);
	const loudness = {
		target,
		truePeak,
		normalizationType: result.normalizationType,
		withinTarget: result.withinTarget,
		message: result.message,
		passes: result.passes,
		input: { ...stats(result.input), offset: finite(result.input.offset) },
		output: stats(result.output),
	};
	return [
		{
			json: {
				...inputJson.call(this, itemIndex),
				video: ref as unknown as IDataObject,
				loudness: loudness as unknown as IDataObject,
			},
		},
	];
}
