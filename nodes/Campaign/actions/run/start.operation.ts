import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { recordEvent } from '../../store/events';
import { planWithRunCast } from '../../store/cast';
import { latestPlanVersion } from '../../store/planVersions';
import { startRun } from '../../../shared/store/runState';
import type { Run } from '../../store/runs';
import { completedSceneNumbers } from '../../../shared/store/scenes';
import { executionOf } from '../../../shared/store/lease';
import { tokenCheckFields, webhookTokenCheck } from './webhook';
import { getDb, keepLease, leaseClaim, requireRun, runIdField } from '../common';

const show = { resource: ['run'], operation: ['start'] };

export const description: INodeProperties[] = [
	runIdField('run', 'start', '={{ $json.body?.runId ?? $json.runId }}'),
	...tokenCheckFields(show, "Whether to check the token header (the Pipeline workflow's webhook is reached by the dispatcher with the Reelsmith webhook token); turn off only when the run does not come from a webhook"),
	{
		displayName: 'Execution ID',
		name: 'executionId',
		type: 'string',
		default: '={{ $execution.id }}',
		description: 'The n8n execution working on the run; the error workflow uses it to find the run',
		displayOptions: { show },
	},
];

/**
 * Marks the run running and hands the workflow what it needs to go on: the request, the options, and on a resume
 * the latest plan and the scenes already completed, so finished stages and scenes are skipped.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	// The dispatcher signs the body it sent, {"runId": "…"}, which is rebuilt here the same way.
	const runIdSent = String(this.getNodeParameter('runId', itemIndex, '') ?? '').trim();
	const auth = await webhookTokenCheck.call(this, itemIndex, JSON.stringify({ runId: runIdSent }));
	if (!auth.ok) throw new NodeOperationError(this.getNode(), auth.message, { itemIndex });
	const db = await getDb.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	const executionId = String(this.getNodeParameter('executionId', itemIndex, '') ?? '') || null;
	const lease = leaseClaim.call(this, itemIndex, executionId ?? '');
	const started = await startRun<Run>(db, run.id, executionId, lease);
	if (!started) {
		const now = (await requireRun.call(this, db, itemIndex)) ?? run;
		const heldBy = executionOf(now.leaseOwner);
		const message =
			(now.status === 'running' || now.status === 'starting') && heldBy
				? `Run ${run.id} is already being made by n8n execution ${heldBy} (its lease runs until ${now.leaseExpiresAt}); this execution stops so the run is not made twice.`
				: `Run ${run.id} is ${now.status}; only queued, starting or running runs can start. Resume it first if it failed.`;
		throw new NodeOperationError(this.getNode(), message, { itemIndex });
	}
	keepLease.call(this, db, run.id, lease);
	const [planVersion, completedScenes] = await Promise.all([
		latestPlanVersion(db, run.id),
		completedSceneNumbers(db, run.id),
	]);
	await recordEvent(db, {
		runId: run.id,
		stage: 'run',
		status: 'started',
		message: started.resumed
			? `Resumed with ${completedScenes.length} completed scene(s)${planVersion ? ` and plan v${planVersion.version}` : ''}.`
			: 'Started.',
		// Which process makes the run (in queue mode: which worker), as its lease names it.
		data: { executionId, madeBy: lease.owner },
	});
	return [
		{
			json: {
				runId: run.id,
				campaignId: run.campaignId,
				request: { ...started.run.request },
				options: { ...started.run.options },
				// A take picked on approval has no cast version of its own: the run's cast is applied again (idempotent).
				plan: planVersion ? { ...(await planWithRunCast(db, started.run, planVersion.plan)) } : null,
				planVersion: planVersion?.version ?? null,
				planScore: planVersion?.score ?? null,
				completedScenes,
				resumed: started.resumed,
			},
		},
	];
}
