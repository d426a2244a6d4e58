import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import prompts from '../../shared/data/prompts.json';
import { refineTool, refineValidator } from '../lib/schema';
import { ledgerHooks } from '../../shared/claudeLedger';
import { callStructured } from '../../shared/transport/anthropic';
import { asJson, fill, getCritique, getPlan, planForPrompt, planParameter, positiveOrNull, targetParameters, paidJson } from './common';

export const description: INodeProperties[] = [
	planParameter(['refine']),
	{
		displayName: 'Critique',
		name: 'critique',
		type: 'json',
		default: '={{ $json.critique }}',
		required: true,
		description: 'The critique to act on (Claude → Critique or Screenplay → Critique)',
		displayOptions: { show: { operation: ['refine'] } },
	},
	...targetParameters(['refine']),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const plan = getPlan.call(this, itemIndex);
	const critique = getCritique.call(this, itemIndex);
	const target = positiveOrNull(this.getNodeParameter('targetDuration', itemIndex, 0)) ?? plan.targetDuration;
	const { value, usage } = await callStructured(this, itemIndex, {
		system: prompts.refine.system,
		content: fill(prompts.refine.user, {
			targetDuration: target ? `${target} seconds` : 'none',
			clipLimit: String(this.getNodeParameter('clipLimit', itemIndex, 10)),
			plan: planForPrompt(plan),
			critique: JSON.stringify(critique),
		}),
		tool: refineTool,
		validate: refineValidator({ format: plan.format, targetDuration: plan.targetDuration, title: plan.title }),
		what: 'revised plan',
	}, await ledgerHooks(this, itemIndex, 'refine'));
	return [
		{
			json: {
				...this.getInputData()[itemIndex].json,
				plan: asJson(value.plan),
				changes: value.changes,
				...paidJson(usage),
			},
		},
	];
}
