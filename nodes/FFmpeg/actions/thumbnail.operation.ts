import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { PRESETS, presetByName } from '../../shared/presets';
import { extractThumbnail } from '../lib/thumbnail';
import {
	download,
	fail,
	inputJson,
	localName,
	outputKeyField,
	readNumber,
	readOutputKey,
	readRef,
	refField,
	uploadMedia,
	withMedia,
} from './common';

const show = { operation: ['thumbnail'] };

export const description: INodeProperties[] = [
	refField('thumbnail', 'video', 'Video', '={{ $json.video }}', 'Reference of the video to take the frame from'),
	{
		displayName: 'Time',
		name: 'time',
		type: 'number',
		default: 0.5,
		typeOptions: { minValue: 0, numberPrecision: 2 },
		description: 'Seconds into the video; past the end, the last frame is used',
		displayOptions: { show },
	},
	{
		displayName: 'Preset',
		name: 'preset',
		type: 'options',
		options: Object.entries(PRESETS).map(([value, preset]) => ({ name: preset.label, value })),
		default: 'youtube',
		description: "Export preset whose width the thumbnail gets (height follows the video's aspect ratio)",
		displayOptions: { show },
	},
	outputKeyField('thumbnail', "={{ 'runs/' + $json.runId + '/final/thumbnail.jpg' }}", 'the JPEG'),
];

/** One JPEG frame, scaled to the preset width. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const video = readRef.call(this, itemIndex, 'video', 'Video', "the previous node's video field");
	const time = readNumber.call(this, itemIndex, 'time', 'Time', { min: 0, fallback: 0.5 });
	const presetName = String(this.getNodeParameter('preset', itemIndex, 'youtube'));
	let width: number;
	try {
		width = presetByName(presetName).width;
	} catch (error) {
		return fail.call(this, itemIndex, `The "Preset" parameter: ${(error as Error).message}`);
	}
	const outputKey = readOutputKey.call(this, itemIndex);

	const thumbnail = await withMedia(this, async (storage, path) => {
		const input = await download.call(this, itemIndex, storage, video, path(localName('video', video)), 'Video');
		const output = path('thumbnail.jpg');
		await extractThumbnail({ input, output, time, width });
		return uploadMedia(storage, output, outputKey);
	});
	return [{ json: { ...inputJson.call(this, itemIndex), thumbnail: thumbnail as unknown as IDataObject } }];
}
