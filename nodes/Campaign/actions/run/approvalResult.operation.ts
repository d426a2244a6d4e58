import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { recordEvent } from '../../store/events';
import { cancelRun, continueApprovedRun, type RunRecord } from '../../../shared/store/runState';
import { planWithRunCast } from '../../store/cast';
import { latestPlanVersion } from '../../store/planVersions';
import { getRun } from '../../store/runs';
import { listTakes } from '../../../shared/store/planTakes';
import { withTransaction } from '../../transport/db';
import { cancelMessage, getDb, jsonParameter, keepLease, leaseClaim, requireRun, runIdField } from '../common';
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
	{
		displayName: 'Wait Timed Out',
		name: 'timedOut',
		type: 'boolean',
		default: false,
		description:
			'Whether the Wait node ended because its time limit passed (no one posted a decision). A Wait resumed by webhook outputs the request (with headers); one that timed out passes its input on, so an item without headers means the time ran out.',
		displayOptions: { show },
	},
];

export const APPROVAL_TIMEOUT_MESSAGE = 'No storyboard decision within 7 days; start the run again or resume it.';

/**
 * Reads the storyboard decision from the run (runs.approval, set by the dashboard before it resumes the Wait node;
 * the posted body is not trusted). Outputs: Approved (the run is running again, with the approved plan: the take the
 * manager picked, else the best-scored one), Stopped (rejected → cancelled with
 * "Storyboard rejected: <note>", or cancelled meanwhile, or the Wait timed out without a decision) and Still Waiting
 * (resumed by someone without a decision: wait again).
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[][]> {
	const db = await getDb.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	const runItem = jsonParameter.call(this, 'runItem', itemIndex, null) as Record<string, unknown> | null;
	const item = { ...(runItem && typeof runItem === 'object' ? runItem : this.getInputData()[itemIndex]?.json ?? {}), runId: run.id };
	const stopped = (message: string, row: RunRecord = run) => [[], [{ json: { runId: run.id, error: message, run: runSummary(row) } }], []];

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
		// The execution that goes on (on any worker, in queue mode) leases the run again.
		const lease = leaseClaim.call(this, itemIndex);
		// The storyboard approved is the chosen plan version: with several takes, the manager may have picked another.
		const approved = await latestPlanVersion(db, run.id);
		const takeCount = (await listTakes(db, run.id)).length;
		const which = approved && takeCount > 1 ? ` (take ${approved.take} of ${takeCount})` : '';
		// A manager's edit on the approval screen is a manual version: say that the run makes the edited storyboard.
		const edited = approved?.source === 'manual' ? ` as edited on the approval screen (plan v${approved.version})` : '';
		const goesOn = await withTransaction(db, async (client) => {
			const continued = await continueApprovedRun(client, run.id, lease);
			if (!continued) return null;
			keepLease.call(this, db, run.id, lease);
			await recordEvent(client, {
				runId: run.id,
				stage: 'approval',
				status: 'finished',
				message: `Storyboard approved${which}${edited}${run.approvalBy ? ` by ${run.approvalBy}` : ''}${run.approvalNote ? `: ${run.approvalNote}` : ''}.`,
				// Which process goes on with the run (in queue mode, the worker n8n gave the resumed execution).
				data: { madeBy: lease.owner },
			});
			return continued;
		});
		// Not waiting any more (the decision was carried out without this execution: it went back in the queue, or
		// ended): another execution makes the run, so this one stops here instead of making it a second time.
		if (!goesOn) {
			const now = (await getRun(db, run.id)) ?? run;
			return stopped(`Run ${run.id} is ${now.status}: this execution no longer makes it.`, now);
		}
		// Another take picked on approval was planned before the cast was applied: it gets the run's cast version too.
		const plan = approved
			? { plan: { ...(await planWithRunCast(db, run, approved.plan)) }, planVersion: approved.version, planScore: approved.score, take: approved.take }
			: {};
		return [[{ json: { ...item, ...plan, approval: 'approved' } }], [], []];
	}
	// The Wait's time limit passed with no decision recorded: end the run instead of waiting forever.
	if (this.getNodeParameter('timedOut', itemIndex, false) === true) {
		const row = await withTransaction(db, async (client) => {
			const cancelled = await cancelRun(client, run.id, APPROVAL_TIMEOUT_MESSAGE);
			if (cancelled) await recordEvent(client, { runId: run.id, stage: 'approval', status: 'failed', message: APPROVAL_TIMEOUT_MESSAGE });
			return cancelled;
		});
		return stopped(APPROVAL_TIMEOUT_MESSAGE, row ?? (await getRun(db, run.id)) ?? run);
	}
	// Resumed while still pending (someone called the URL without deciding): wait again.
	return [[], [], [{ json: { ...item, approval: run.approval } }]];
}
