import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { usd } from '../../lib/estimate';
import { recordEvent } from '../../store/events';
import { awaitApproval } from '../../../shared/store/runState';
import { getDb, inputJson, requireRun, runIdField, stopIfCancelled } from '../common';

const show = { resource: ['run'], operation: ['awaitApproval'] };

export const description: INodeProperties[] = [
	runIdField('run', 'awaitApproval'),
	{
		displayName: 'Resume URL',
		name: 'resumeUrl',
		type: 'string',
		default: '={{ $execution.resumeUrl }}',
		description:
			'Where the decision is posted: the resume URL of the Wait node that follows (n8n gives it as $execution.resumeUrl). The dashboard POSTs it after approving or rejecting.',
		displayOptions: { show },
	},
];

/**
 * For a run started with approval: true (runs.approval = 'pending'), marks it 'awaiting_approval' with the Wait
 * node's resume URL, so the dashboard can show the storyboard and the estimate and post the decision. Outputs:
 * Wait For Approval (connect a Wait node resumed by webhook) and No Approval Needed (approved already, or not asked).
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[][]> {
	const db = await getDb.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	await stopIfCancelled.call(this, db, run, 'approval', itemIndex);
	const item = { ...inputJson.call(this, itemIndex), runId: run.id };
	if (run.approval !== 'pending') return [[], [{ json: { ...item, approval: run.approval } }]];
	const resumeUrl = String(this.getNodeParameter('resumeUrl', itemIndex, '') ?? '').trim();
	if (!/^https?:\/\//.test(resumeUrl)) {
		throw new NodeOperationError(
			this.getNode(),
			`"Resume URL" must be the Wait node's resume URL ({{ $execution.resumeUrl }}), got "${resumeUrl.slice(0, 80)}".`,
			{ itemIndex },
		);
	}
	const waiting = await awaitApproval(db, run.id, resumeUrl);
	if (!waiting) {
		throw new NodeOperationError(this.getNode(), `Run ${run.id} is ${run.status}; only a running run can wait for approval.`, { itemIndex });
	}
	await recordEvent(db, {
		runId: run.id,
		stage: 'approval',
		status: 'started',
		message: `Waiting for storyboard approval${run.costEstimate !== null ? ` (estimate ${usd(run.costEstimate)})` : ''}.`,
	});
	return [[{ json: { ...item, approval: 'pending' } }], []];
}
