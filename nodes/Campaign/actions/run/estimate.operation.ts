import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Plan } from '../../../shared/plan';
import { recordEvent } from '../../store/events';
import { failRun } from '../../../shared/store/runState';
import { priceRun } from '../../store/pricing';
import { setCostEstimate } from '../../store/runs';
import { withTransaction } from '../../transport/db';
import { getDb, inputJson, jsonParameter, requireRun, runIdField, stopIfCancelled } from '../common';
import { runSummary } from './summary';

const show = { resource: ['run'], operation: ['estimate'] };

export const description: INodeProperties[] = [
	runIdField('run', 'estimate'),
	{
		displayName: 'Plan',
		name: 'plan',
		type: 'json',
		default: '={{ $json.plan }}',
		description: 'The final plan of the run, to price scene by scene',
		displayOptions: { show },
	},
];

/**
 * Prices the run before any paid generation (lib/estimate.ts) and stores it as runs.cost_estimate. When the estimate
 * does not fit what is left of the run's or the campaign's budget the run fails here, before the first video call,
 * with a message naming the estimate and the cap. Outputs: Within Budget (the item, with `estimate`) and
 * Over Budget (the failed run).
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[][]> {
	const db = await getDb.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	await stopIfCancelled.call(this, db, run, 'estimate', itemIndex);
	const plan = jsonParameter.call(this, 'plan', itemIndex, null) as Plan | null;
	const { estimate, message, stop } = await priceRun(db, run, plan);
	const failed = await withTransaction(db, async (client) => {
		await setCostEstimate(client, run.id, estimate.totalUsd);
		await recordEvent(client, { runId: run.id, stage: 'estimate', status: 'info', message, data: estimate });
		if (!stop) return null;
		const row = await failRun(client, run.id, stop);
		if (row) await recordEvent(client, { runId: run.id, stage: 'estimate', status: 'failed', message: stop, data: estimate });
		return row;
	});
	const item = inputJson.call(this, itemIndex);
	if (stop) {
		return [[], [{ json: { runId: run.id, error: stop, estimate: estimate as unknown as IDataObject, run: runSummary(failed ?? run) } }]];
	}
	return [[{ json: { ...item, runId: run.id, estimate: estimate as unknown as IDataObject } }], []];
}
