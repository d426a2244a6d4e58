import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { finalKey } from '../../shared/keys';
import type { StandardKey } from '../../shared/outputKey';
import { exportForPreset } from '../lib/export';
import { inputJson, outputKeyField, presetField, readOutputKey, readPreset, readVideo, renderVideo, videoField } from './common';

/** Where the video goes when Output Key is empty: the run's final video for the preset. */
const standard = (preset: string): StandardKey => ({ what: 'the exported video', run: (runId) => finalKey(runId, preset) });

export const description: INodeProperties[] = [
	videoField('export', 'Reference of the finished video'),
	presetField('export', 'Delivery format: H.264 yuv420p + AAC with faststart, at the preset size (scaled to fit and padded)'),
	outputKeyField('export', standard('<preset>')),
];

/** Delivers the video in a preset: remux when it already conforms, else scale + pad + re-encode. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const video = readVideo.call(this, itemIndex);
	const { name: presetName, preset } = readPreset.call(this, itemIndex);
	const outputKey = readOutputKey.call(this, itemIndex, standard(presetName));

	const { ref, result } = await renderVideo(
		this,
		itemIndex,
		{ video, outputKey, outputName: 'export.mp4', what: 'export' },
		({ input, output, onProgress, known }) => exportForPreset({ input, output, preset, onProgress, known }),
	);
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
