import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { critiquePlan } from '../lib/critique';
import { asJson, clipLimitFor, getPlan, limitParameters, planParameters, positiveOrNull } from './common';

export const description: INodeProperties[] = [...planParameters('critique'), ...limitParameters('critique')];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const plan = getPlan.call(this, itemIndex);
	const critique = critiquePlan(plan, {
		targetDuration: positiveOrNull(this.getNodeParameter('targetDuration', itemIndex, 0)),
		clipLimit: clipLimitFor.call(this, itemIndex),
	});
	return [{ json: { ...this.getInputData()[itemIndex].json, critique: asJson(critique) } }];
}
