import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { recordEvent } from '../../store/events';
import { latestPlanVersion } from '../../store/planVersions';
import { startRun } from '../../../shared/store/runState';
import type { Run } from '../../store/runs';
import { completedSceneNumbers } from '../../../shared/store/scenes';
import { getDb, requireRun, runIdField } from '../common';

const show = { resource: ['run'], operation: ['start'] };

export const description: INodeProperties[] = [
	runIdField('run', 'start'),
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
	const db = await getDb.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	const executionId = String(this.getNodeParameter('executionId', itemIndex, '') ?? '') || null;
	const started = await startRun<Run>(db, run.id, executionId);
	if (!started) {
		throw new NodeOperationError(
			this.getNode(),
			`Run ${run.id} is ${run.status}; only queued, starting or running runs can start. Resume it first if it failed.`,
			{ itemIndex },
		);
	}
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
		data: { executionId },
	});
	return [
		{
			json: {
				runId: run.id,
				campaignId: run.campaignId,
				request: { ...started.run.request },
				options: { ...started.run.options },
				plan: planVersion ? { ...planVersion.plan } : null,
				planVersion: planVersion?.version ?? null,
				planScore: planVersion?.score ?? null,
				completedScenes,
				resumed: started.resumed,
			},
		},
	];
}
