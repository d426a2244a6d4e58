import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { recordEvent } from '../../store/events';
import { executionOf, RECOVERY_REASON, requeueExpiredRuns } from '../../../shared/store/lease';
import { withTransaction } from '../../transport/db';
import { getDb } from '../common';

export const description: INodeProperties[] = [];

/**
 * The watchdog's step: every starting or running run whose lease expired (the n8n process making it died or hung)
 * goes back in the queue at its place, with an event saying why; Dispatch then resumes it from its completed
 * scenes. One item always: how many were recovered and which.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const db = await getDb.call(this);
	const recovered = await withTransaction(db, async (client) => {
		const runs = await requeueExpiredRuns(client);
		for (const run of runs) {
			const holder = executionOf(run.leaseOwner);
			await recordEvent(client, {
				runId: run.id,
				stage: 'run',
				status: 'queued',
				message:
					`Recovered: the n8n process making it stopped renewing its lease (${holder && holder !== 'dispatch' ? `execution ${holder}` : 'its start was never taken'}, expired ${run.leaseExpiredAt}). ` +
					'Back in the queue; it resumes from its completed scenes.',
				data: { reason: RECOVERY_REASON, previousStatus: run.previousStatus, leaseOwner: run.leaseOwner, leaseExpiredAt: run.leaseExpiredAt, recoveries: run.recoveries },
			});
		}
		return runs;
	});
	return [{ json: { recovered: recovered.length, runs: recovered.map((run) => ({ ...run })) } }];
}
