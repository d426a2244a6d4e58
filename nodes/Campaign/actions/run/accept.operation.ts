import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { checkToken } from '../../lib/auth';
import { validateRunRequest } from '../../lib/request';
import { foreignMediaProblem } from '../../lib/campaignMedia';
import { campaignIdByName, ensureCampaign } from '../../store/campaigns';
import { queuePosition } from '../../../shared/store/runState';
import { withTransaction } from '../../transport/db';
import { getDb } from '../common';
import { queueRun } from './queue';
import { voiceMapCheck } from './voiceCheck';
import { maxRunningField, maxRunningOf, QUEUE_POSITION_LIMIT, rawBodyField, rejected, requestBody, webhookCredentials } from './webhook';

const show = { resource: ['run'], operation: ['accept'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Body',
		name: 'body',
		type: 'json',
		default: '={{ $json.body }}',
		description: 'The webhook request body: an object, or the raw JSON text',
		displayOptions: { show },
	},
	{
		displayName: 'Headers',
		name: 'headers',
		type: 'json',
		default: '={{ $json.headers }}',
		description: 'The webhook request headers; the token header named in the Reelsmith Webhook credential is checked',
		displayOptions: { show },
	},
	rawBodyField(show),
	maxRunningField(show, QUEUE_POSITION_LIMIT),
];

/**
 * Checks the token and the request, then queues the run. Output 1 (Accepted) gets the new run,
 * output 2 (Rejected) gets `{ statusCode, body }` for a Respond to Webhook node; a rejected request writes nothing.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[][]> {
	const body = await requestBody.call(this, itemIndex, 'body');
	const signed = Buffer.isBuffer(body) ? body : JSON.stringify(body ?? '');
	const auth = checkToken(this.getNodeParameter('headers', itemIndex, {}), await webhookCredentials.call(this, itemIndex), signed);
	if (!auth.ok) return [[], [rejected(auth.status, 'unauthorized', auth.field, auth.message)]];

	const check = validateRunRequest(body);
	if (!check.ok) return [[], [rejected(check.status, 'invalid_request', check.field, check.message)]];
	const voices = await voiceMapCheck.call(this, itemIndex, check.options);
	if (voices) return [[], [rejected(400, 'invalid_request', voices.field, voices.message)]];

	const maxRunning = maxRunningOf.call(this, itemIndex);
	const { request } = check;
	const db = await getDb.call(this);
	const foreign = foreignMediaProblem(check.options, await campaignIdByName(db, request.campaign));
	if (foreign) return [[], [rejected(400, 'invalid_request', foreign.field, foreign.message)]];
	const run = await withTransaction(db, async (client) => queueRun(client, (await ensureCampaign(client, request.campaign)).id, check));
	return [
		[
			{
				json: {
					runId: run.id,
					campaignId: run.campaignId,
					status: run.status,
					queuePosition: await queuePosition(db, run.id, maxRunning),
					request: { ...request },
					options: { ...run.options },
				},
			},
		],
		[],
	];
}
