import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { optionsCollection } from '../../shared/description';
import { watermarkedKey } from '../../shared/keys';
import type { StandardKey } from '../../shared/outputKey';
import { addWatermark, WATERMARK_POSITIONS } from '../lib/watermark';
import { download, fail, inputJson, localName, outputKeyField, readChoice, readOutputKey, readRef, readVideo, refField, renderVideo, videoField } from './common';

const show = { operation: ['watermark'] };

/** Where the result goes when Output Key is empty. */
const standard: StandardKey = { what: 'the marked video', run: watermarkedKey };

export const description: INodeProperties[] = [
	videoField('watermark', 'Reference of the video to mark'),
	{
		displayName: 'Watermark',
		name: 'source',
		type: 'options',
		options: [
			{ name: 'Text', value: 'text' },
			{ name: 'Image', value: 'image' },
		],
		default: 'text',
		displayOptions: { show },
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		default: '',
		placeholder: '© My Channel',
		description: 'Text to draw; any characters are safe (emoji the font cannot draw are left out)',
		displayOptions: { show: { operation: ['watermark'], source: ['text'] } },
	},
	{
		...refField('watermark', 'image', 'Image', '', 'Reference of a PNG (transparency is kept) or JPEG logo'),
		displayOptions: { show: { operation: ['watermark'], source: ['image'] } },
	},
	{
		displayName: 'Position',
		name: 'position',
		type: 'options',
		options: [
			{ name: 'Bottom Left', value: 'bottomLeft' },
			{ name: 'Bottom Right', value: 'bottomRight' },
			{ name: 'Center', value: 'center' },
			{ name: 'Top Left', value: 'topLeft' },
			{ name: 'Top Right', value: 'topRight' },
		],
		default: 'bottomRight',
		displayOptions: { show },
	},
	optionsCollection({ show }, [
		{
			displayName: 'Opacity',
			name: 'opacity',
			type: 'number',
			default: 0.8,
			typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
		},
		{
			displayName: 'Margin',
			name: 'margin',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0 },
			description: 'Pixels from the edges; 0 = 3% of the video height',
		},
		{
			displayName: 'Font Size',
			name: 'fontSize',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0 },
			description: 'Text size in pixels; 0 = 5% of the video height',
		},
		{
			displayName: 'Pass Through Without Mark',
			name: 'passThrough',
			type: 'boolean',
			default: false,
			description:
				"Whether an empty Text or Image passes the video on unchanged instead of failing (assembly's Brand logo step: a campaign whose brand kit has no logo)",
		},
		{
			displayName: 'Image Width',
			name: 'imageScale',
			type: 'number',
			default: 0.15,
			typeOptions: { minValue: 0.01, maxValue: 1, numberPrecision: 2 },
			description: 'Image width as a share of the video width',
		},
	]),
	outputKeyField('watermark', standard),
];

/** Whether the Text or Image parameter holds a mark at all (an empty text, '', null or {} do not). */
function markGiven(value: unknown): boolean {
	if (value === null || value === undefined) return false;
	if (typeof value === 'string') return value.trim() !== '' && value.trim() !== '{}';
	return typeof value !== 'object' || Object.keys(value).length > 0;
}

/** Text or image mark in a corner; video re-encoded, audio and soft subtitles copied. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const video = readVideo.call(this, itemIndex);
	const source = this.getNodeParameter('source', itemIndex, 'text') as string;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	if (options.passThrough === true && !markGiven(this.getNodeParameter(source === 'image' ? 'image' : 'text', itemIndex, '') as unknown)) {
		return [{ json: inputJson.call(this, itemIndex) }];
	}
	const position = readChoice(this, itemIndex, 'position', 'Position', WATERMARK_POSITIONS, 'bottomRight');
	const text = source === 'text' ? String(this.getNodeParameter('text', itemIndex, '') ?? '') : undefined;
	if (source === 'text' && !text?.trim()) {
		fail.call(this, itemIndex, 'The "Text" parameter is empty. Type the watermark text, or choose an image watermark.');
	}
	const image =
		source === 'image' ? readRef.call(this, itemIndex, 'image', 'Image', 'a stored logo, e.g. {"key": "brand/logo.png"}') : null;
	const positive = (value: unknown) => (typeof value === 'number' && value > 0 ? value : undefined);
	const outputKey = readOutputKey.call(this, itemIndex, standard);

	const { ref } = await renderVideo(
		this,
		itemIndex,
		{ video, outputKey, outputName: 'watermarked.mp4', what: 'watermark' },
		async ({ input, output, path, storage, onProgress, known }) =>
			addWatermark({
				input,
				output,
				text,
				image: image ? await download.call(this, itemIndex, storage, image, path(localName('image', image)), 'Image') : undefined,
				position,
				opacity: typeof options.opacity === 'number' ? options.opacity : undefined,
				margin: positive(options.margin),
				fontSize: positive(options.fontSize),
				imageScale: positive(options.imageScale),
				onProgress,
				known,
			}),
	);
	return [{ json: { ...inputJson.call(this, itemIndex), video: ref as unknown as IDataObject } }];
}
