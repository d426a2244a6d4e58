import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import limits from '../data/metadata.json';
import prompts from '../../shared/data/prompts.json';
import { PRESETS } from '../../shared/presets';
import { textParameter } from '../../shared/parameters';
import { metadataTool, metadataValidator } from '../lib/schema';
import { callStructured } from '../../shared/transport/anthropic';
import { asJson, fill, getPlan, planForPrompt, planParameter, positiveOrNull, show, paidJson } from './common';
import { ledgerHooks } from '../../shared/claudeLedger';

const on = ['metadata'];

export const description: INodeProperties[] = [
	planParameter(on),
	{
		displayName: 'Video Duration (Seconds)',
		name: 'videoDuration',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description: "Length of the final video (the exported video's duration); 0 uses the plan's total duration",
		displayOptions: show(on),
	},
	{
		displayName: 'Preset',
		name: 'preset',
		type: 'options',
		options: [
			{ name: 'Not Known', value: '' },
			...Object.entries(PRESETS).map(([value, preset]) => ({ name: preset.label, value })),
		],
		default: '',
		description: 'Where the video goes, so the title and text fit it (e.g. a vertical Short)',
		displayOptions: show(on),
	},
];

/** Title, description, tags and thumbnail text for the export, from the plan and the final cut's length. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const plan = getPlan.call(this, itemIndex);
	const duration = positiveOrNull(this.getNodeParameter('videoDuration', itemIndex, 0)) ?? plan.totalDuration;
	const preset = PRESETS[textParameter(this, 'preset', itemIndex)];
	const { value: metadata, usage } = await callStructured(
		this,
		itemIndex,
		{
			system: prompts.metadata.system,
			content: fill(prompts.metadata.user, {
				preset: preset ? `${preset.label}, aspect ratio ${preset.aspectRatio}` : 'not known',
				duration: duration ? `${Math.round(duration)} seconds` : 'not known',
				...Object.fromEntries(Object.entries(limits).map(([key, value]) => [key, String(value)])),
				plan: planForPrompt(plan),
			}),
			tool: metadataTool(limits),
			validate: metadataValidator(limits),
			what: 'metadata',
		},
		await ledgerHooks(this, itemIndex, 'metadata'),
	);
	return [{ json: { ...this.getInputData()[itemIndex].json, metadata: asJson(metadata), ...paidJson(usage) } }];
}
