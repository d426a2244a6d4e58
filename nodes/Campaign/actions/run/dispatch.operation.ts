import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { claimQueuedRuns } from '../../../shared/store/runState';
import { withTransaction } from '../../transport/db';
import { getDb, leaseSeconds } from '../common';
import { maxRunningField, maxRunningOf } from './webhook';

const show = { resource: ['run'], operation: ['dispatch'] };

export const description: INodeProperties[] = [
	maxRunningField(show, 'How many runs may be starting or running at once; queued runs are claimed only into the slots left free'),
];

/** Claims queued runs (priority, then arrival) into free slots; one item per claimed run, none when all slots are busy. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const maxRunning = maxRunningOf.call(this, itemIndex);
	const seconds = leaseSeconds.call(this, itemIndex);
	const db = await getDb.call(this);
	const runs = await withTransaction(db, (client) => claimQueuedRuns(client, maxRunning, seconds));
	return runs.map((run) => ({ json: { runId: run.id, campaignId: run.campaignId, priority: run.priority } }));
}
