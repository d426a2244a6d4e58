import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { frameCheckKey, thumbnailKey } from '../../shared/keys';
import { exampleKey, type StandardKey } from '../../shared/outputKey';
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

/** Where the JPEG goes when Output Key is empty, by Frame For. */
const standard: Record<string, StandardKey> = {
	run: { what: 'the thumbnail', run: thumbnailKey },
	scene: { what: "the scene's frame check", scene: frameCheckKey },
};

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
	{
		displayName: 'Frame For',
		name: 'frameFor',
		type: 'options',
		options: [
			{ name: 'Run Thumbnail', value: 'run', description: "The finished video's thumbnail" },
			{ name: 'Scene Frame Check', value: 'scene', description: "A frame of the item's scene for validation to look at" },
		],
		default: 'run',
		description: 'Which standard key the JPEG goes to when Output Key is empty',
		displayOptions: { show },
	},
	outputKeyField('thumbnail', { ...standard.run, what: 'the JPEG' }, `${exampleKey(standard.run)} or ${exampleKey(standard.scene)}`),
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
	const frameFor = String(this.getNodeParameter('frameFor', itemIndex, 'run'));
	if (!standard[frameFor]) {
		fail.call(this, itemIndex, `The "Frame For" parameter must be run or scene (got "${frameFor}").`);
	}
	const outputKey = readOutputKey.call(this, itemIndex, standard[frameFor]);

	const thumbnail = await withMedia(this, async (storage, path) => {
		const input = await download.call(this, itemIndex, storage, video, path(localName('video', video)), 'Video');
		const output = path('thumbnail.jpg');
		await extractThumbnail({ input, output, time, width });
		return uploadMedia(storage, output, outputKey);
	});
	return [{ json: { ...inputJson.call(this, itemIndex), thumbnail: thumbnail as unknown as IDataObject } }];
}
