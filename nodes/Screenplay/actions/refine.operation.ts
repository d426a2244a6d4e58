import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { refinePlan } from '../lib/refine';
import { asJson, clipLimitFor, getCritique, getPlan, limitParameters, maxScenesFor, maxScenesParameter, planParameters, positiveOrNull } from './common';

export const description: INodeProperties[] = [
	...planParameters('refine'),
	{
		displayName: 'Critique',
		name: 'critique',
		type: 'json',
		default: '={{ $json.critique }}',
		required: true,
		description: 'The critique from Screenplay → Critique; only the issues it lists are fixed',
		displayOptions: { show: { operation: ['refine'] } },
	},
	...limitParameters('refine'),
	maxScenesParameter('refine'),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const plan = getPlan.call(this, itemIndex);
	const critique = getCritique.call(this, itemIndex);
	const { plan: refined, changes } = refinePlan(plan, critique, {
		targetDuration: positiveOrNull(this.getNodeParameter('targetDuration', itemIndex, 0)),
		clipLimit: clipLimitFor.call(this, itemIndex),
		maxScenes: maxScenesFor.call(this, itemIndex),
	});
	return [{ json: { ...this.getInputData()[itemIndex].json, plan: asJson(refined), changes } }];
}
