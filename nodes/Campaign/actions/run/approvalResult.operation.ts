import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { recordEvent } from '../../store/events';
import { cancelRun, continueApprovedRun, getRun } from '../../store/runs';
import { withTransaction } from '../../transport/db';
import { cancelMessage, getDb, jsonParameter, requireRun, runIdField } from '../common';
import { runSummary } from './summary';

const show = { resource: ['run'], operation: ['approvalResult'] };

export const description: INodeProperties[] = [
	runIdField('run', 'approvalResult'),
	{
		displayName: 'Run Item',
		name: 'runItem',
		type: 'json',
		default: '',
		description:
			'The item to continue with after approval, e.g. the JSON of the item that reached Await Approval; empty = the incoming item',
		displayOptions: { show },
	},
];

/**
 * Reads the storyboard decision from the run (runs.approval, set by the dashboard before it resumes the Wait node;
 * the posted body is not trusted). Outputs: Approved (the run is running again), Stopped (rejected → cancelled with
 * "Storyboard rejected: <note>", or cancelled meanwhile) and Still Waiting (resumed without a decision: wait again).
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[][]> {
	const db = await getDb.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	const runItem = jsonParameter.call(this, 'runItem', itemIndex, null) as Record<string, unknown> | null;
	const item = { ...(runItem && typeof runItem === 'object' ? runItem : this.getInputData()[itemIndex]?.json ?? {}), runId: run.id };
	const stopped = (message: string, row = run) => [[], [{ json: { runId: run.id, error: message, run: runSummary(row) } }], []];

	if (run.status === 'cancelled') return stopped(run.error || cancelMessage(run, 'approval'));
	if (run.cancelRequestedAt || run.approval === 'rejected') {
		const message = run.cancelRequestedAt
			? cancelMessage(run, 'approval')
			: `Storyboard rejected${run.approvalBy ? ` by ${run.approvalBy}` : ''}: ${run.approvalNote?.trim() || 'no reason given'}.`;
		const row = await withTransaction(db, async (client) => {
			const cancelled = await cancelRun(client, run.id, message);
			if (cancelled) await recordEvent(client, { runId: run.id, stage: 'approval', status: 'failed', message });
			return cancelled;
		});
		return stopped(message, row ?? (await getRun(db, run.id)) ?? run);
	}
	if (run.approval === 'approved') {
		await withTransaction(db, async (client) => {
			await continueApprovedRun(client, run.id);
			await recordEvent(client, {
				runId: run.id,
				stage: 'approval',
				status: 'finished',
				message: `Storyboard approved${run.approvalBy ? ` by ${run.approvalBy}` : ''}${run.approvalNote ? `: ${run.approvalNote}` : ''}.`,
			});
		});
		return [[{ json: { ...item, approval: 'approved' } }], [], []];
	}
	// Resumed while still pending (someone called the URL without deciding): wait again.
	return [[], [], [{ json: { ...item, approval: run.approval } }]];
}
