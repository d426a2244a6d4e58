import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { planTakes } from '../../shared/screenplay/takes';
import { asJson, clipLimitFor, clipParameters, getPlan, planParameters } from './common';

const show = { show: { operation: ['take'] } };

export const description: INodeProperties[] = [
	...planParameters('take'),
	{
		displayName: 'Take',
		name: 'take',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 1 },
		description: 'Which take to make: 1 is the script as written; later takes open on a different line or merge scenes',
		displayOptions: show,
	},
	{
		displayName: 'Takes',
		name: 'takes',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 1, maxValue: 5 },
		description: 'How many takes the run plans (its "variations"); the output says how many the script allows',
		displayOptions: show,
	},
	...clipParameters('take'),
];

/**
 * One take of the parsed plan (shared/screenplay/takes.ts). Outputs the item with `plan` = the take, `take`, `takeCount`
 * (how many different takes this script gives, at most the Takes asked for) and `changes` = what makes it different
 * (none when there is one take).
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const plan = getPlan.call(this, itemIndex);
	const take = Math.floor(Number(this.getNodeParameter('take', itemIndex, 1)));
	const wanted = Math.floor(Number(this.getNodeParameter('takes', itemIndex, 1)));
	if (!(take >= 1) || !(wanted >= 1)) {
		throw new NodeOperationError(this.getNode(), `"Take" and "Takes" must be whole numbers from 1 (got ${take} of ${wanted}).`, { itemIndex });
	}
	const takes = planTakes(plan, Math.max(take, wanted), { clipLimit: clipLimitFor.call(this, itemIndex) });
	const made = takes[take - 1];
	if (!made) {
		throw new NodeOperationError(this.getNode(), `This script gives ${takes.length} different take(s); there is no take ${take}.`, {
			itemIndex,
			description: 'Ask for fewer variations, or check "Another take?" stops at the output\'s `takeCount`.',
		});
	}
	return [
		{
			json: {
				...this.getInputData()[itemIndex].json,
				plan: asJson(made.plan),
				take,
				takeCount: Math.min(wanted, takes.length),
				// A run of one take keeps its plan versions as before: nothing to tell apart.
				changes: Math.min(wanted, takes.length) > 1 ? [made.description] : [],
			},
		},
	];
}
