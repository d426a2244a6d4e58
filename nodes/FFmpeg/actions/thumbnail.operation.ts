import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { frameCheckKey, thumbnailKey } from '../../shared/keys';
import { exampleKey, type StandardKey } from '../../shared/outputKey';
import { PRESETS } from '../../shared/presets';
import { extractThumbnail } from '../lib/thumbnail';
import { inputJson, outputKeyField, presetField, readChoice, readNumber, readOutputKey, readPreset, readVideo, renderVideo, videoField } from './common';

const show = { operation: ['thumbnail'] };
const thumbnailSizes = Object.entries(PRESETS)
	.map(([name, preset]) => `${name} ${preset.thumbnail.width}×${preset.thumbnail.height}`)
	.join(', ');

/** Where the JPEG goes when Output Key is empty, by Frame For. */
const standard: Record<string, StandardKey> = {
	run: { what: 'the thumbnail', run: thumbnailKey },
	scene: { what: "the scene's frame check", scene: frameCheckKey },
};

export const description: INodeProperties[] = [
	videoField('thumbnail', 'Reference of the video to take the frame from'),
	{
		displayName: 'Time',
		name: 'time',
		type: 'number',
		default: 0.5,
		typeOptions: { minValue: 0, numberPrecision: 2 },
		description:
			"Seconds into the video; past the end, the last frame is used. The assembly takes the scene list's thumbnailTime: the end of the first scene, where its text is complete.",
		displayOptions: { show },
	},
	presetField(
		'thumbnail',
		`Export preset whose thumbnail size the JPEG gets (${thumbnailSizes}); a frame of another shape is fitted and padded`,
	),
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

/** One JPEG frame at the preset's thumbnail size. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const video = readVideo.call(this, itemIndex);
	const time = readNumber.call(this, itemIndex, 'time', 'Time', { min: 0, fallback: 0.5 });
	const size = readPreset.call(this, itemIndex).preset.thumbnail;
	const frameFor = readChoice(this, itemIndex, 'frameFor', 'Frame For', ['run', 'scene'], 'run');
	const outputKey = readOutputKey.call(this, itemIndex, standard[frameFor]);

	const { ref: thumbnail } = await renderVideo(
		this,
		itemIndex,
		{ video, outputKey, outputName: 'thumbnail.jpg', what: 'thumbnail' },
		({ input, output, known }) => extractThumbnail({ input, output, time, size, known }),
	);
	return [{ json: { ...inputJson.call(this, itemIndex), thumbnail: thumbnail as unknown as IDataObject } }];
}
