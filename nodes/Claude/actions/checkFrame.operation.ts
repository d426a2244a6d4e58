import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { z } from 'zod/v4';
import prompts from '../../shared/data/prompts.json';
import { textParameter } from '../../shared/parameters';
import { ledgerHooks } from '../../shared/claudeLedger';
import { PARSE_OPTIONS } from '../lib/schema';
import { callStructured, type Tool, type Validator } from '../../shared/transport/anthropic';
import { fill, show, paidJson } from './common';

const on = ['checkFrame'];
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;

export const description: INodeProperties[] = [
	{
		displayName: 'Input Binary Field',
		name: 'binaryProperty',
		type: 'string',
		default: 'data',
		description: 'Binary field of the item that holds the frame (JPEG, PNG, GIF or WebP)',
		displayOptions: show(on),
	},
	{
		displayName: 'Expected Content',
		name: 'expected',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '={{ $json.visualDescription }}',
		description: "What the frame should show, usually the scene's visual description",
		displayOptions: show(on),
	},
	{
		displayName: 'Minimum Score',
		name: 'minScore',
		type: 'number',
		default: 70,
		typeOptions: { minValue: 0, maxValue: 100 },
		description: 'Score from which the frame passes',
		displayOptions: show(on),
	},
];

const frameTool: Tool = {
	name: 'submit_frame_check',
	description: 'Submit how well the frame matches',
	input_schema: {
		type: 'object',
		properties: {
			score: { type: 'integer', minimum: 0, maximum: 100 },
			reasons: { type: 'array', items: { type: 'string' } },
		},
		required: ['score', 'reasons'],
	},
};

const frameSchema = z.object({
	score: z.number().min(0, 'must be 0 or more').max(100, 'must be 100 or less'),
	reasons: z.array(z.string()).min(1, 'is empty'),
});

const validate: Validator<{ score: number; reasons: string[] }> = (input) => {
	const parsed = frameSchema.safeParse(input, PARSE_OPTIONS);
	if (parsed.success) return { value: { score: Math.round(parsed.data.score), reasons: parsed.data.reasons } };
	return { problems: parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'the input'} ${issue.message}`) };
};

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const item = this.getInputData()[itemIndex];
	const property = textParameter(this, 'binaryProperty', itemIndex) || 'data';
	const binary = item.binary?.[property];
	if (!binary) {
		throw new NodeOperationError(this.getNode(), `The item has no binary field "${property}" with a frame to check.`, {
			itemIndex,
			description: 'Set "Input Binary Field" to the field that holds the image (e.g. from FFmpeg → Extract Frame).',
		});
	}
	const mediaType = (binary.mimeType || '').toLowerCase() as (typeof IMAGE_TYPES)[number];
	if (!IMAGE_TYPES.includes(mediaType)) {
		throw new NodeOperationError(
			this.getNode(),
			`The frame in "${property}" is ${binary.mimeType || 'of unknown type'}; Claude reads JPEG, PNG, GIF or WebP images.`,
			{ itemIndex },
		);
	}
	const expected = textParameter(this, 'expected', itemIndex);
	if (!expected) {
		throw new NodeOperationError(this.getNode(), '"Expected Content" is empty: there is nothing to compare the frame with.', { itemIndex });
	}
	const data = (await this.helpers.getBinaryDataBuffer(itemIndex, property)).toString('base64');
	const { value, usage } = await callStructured(this, itemIndex, {
		system: prompts.checkFrame.system,
		content: [
			{ type: 'image', source: { type: 'base64', media_type: mediaType, data } },
			{ type: 'text', text: fill(prompts.checkFrame.user, { expected }) },
		],
		tool: frameTool,
		validate,
		what: 'frame check',
	}, await ledgerHooks(this, itemIndex, 'checkFrame'));
	const minScore = Number(this.getNodeParameter('minScore', itemIndex, 70));
	return [
		{
			json: { ...item.json, frameCheck: { ...value, passed: value.score >= minScore }, ...paidJson(usage) },
			binary: item.binary,
		},
	];
}
