import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { finalKey } from '../../shared/keys';
import type { StandardKey } from '../../shared/outputKey';
import { PRESETS, presetByName, type ExportPreset } from '../../shared/presets';
import { exportForPreset } from '../lib/export';
import {
	download,
	fail,
	inputJson,
	localName,
	outputKeyField,
	progressLog,
	readOutputKey,
	readRef,
	refField,
	uploadMedia,
	withMedia,
} from './common';

/** Where the video goes when Output Key is empty: the run's final video for the preset. */
const standard = (preset: string): StandardKey => ({ what: 'the exported video', run: (runId) => finalKey(runId, preset) });

export const description: INodeProperties[] = [
	refField('export', 'video', 'Video', '={{ $json.video }}', 'Reference of the finished video'),
	{
		displayName: 'Preset',
		name: 'preset',
		type: 'options',
		options: Object.entries(PRESETS).map(([value, preset]) => ({ name: preset.label, value })),
		default: 'youtube',
		description: 'Delivery format: H.264 yuv420p + AAC with faststart, at the preset size (scaled to fit and padded)',
		displayOptions: { show: { operation: ['export'] } },
	},
	outputKeyField('export', standard('<preset>')),
];

/** Delivers the video in a preset: remux when it already conforms, else scale + pad + re-encode. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const video = readRef.call(this, itemIndex, 'video', 'Video', "the previous node's video field");
	const presetName = String(this.getNodeParameter('preset', itemIndex, 'youtube'));
	let preset: ExportPreset;
	try {
		preset = presetByName(presetName);
	} catch (error) {
		return fail.call(this, itemIndex, `The "Preset" parameter: ${(error as Error).message}`);
	}
	const outputKey = readOutputKey.call(this, itemIndex, standard(presetName));

	const { ref, result } = await withMedia(this, async (storage, path) => {
		const input = await download.call(this, itemIndex, storage, video, path(localName('video', video)), 'Video');
		const output = path('export.mp4');
		const result = await exportForPreset({ input, output, preset, onProgress: progressLog.call(this, itemIndex, 'export') });
		return { ref: await uploadMedia(storage, output, outputKey), result };
	});
	return [
		{
			json: {
				...inputJson.call(this, itemIndex),
				video: ref as unknown as IDataObject,
				export: {
					preset: presetName,
					width: result.width,
					height: result.height,
					reencoded: result.reencoded,
					reasons: result.reasons,
				},
			},
		},
	];
}
