import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { recordEvent } from '../../store/events';
import { isUuid } from '../../../shared/store/rows';
import { failRun } from '../../../shared/store/runState';
import { findRunByExecutionId, getRun } from '../../store/runs';
import { withTransaction } from '../../transport/db';
import { getDb, inputJson, readableMessage, unknownRunMessage } from '../common';
import { runSummary } from './summary';

const show = { resource: ['run'], operation: ['fail'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Run ID',
		name: 'runId',
		type: 'string',
		default: '={{ $json.runId ?? "" }}',
		description: 'ID of the run; leave empty to find it by Execution ID (in an error workflow)',
		displayOptions: { show },
	},
	{
		displayName: 'Execution ID',
		name: 'executionId',
		type: 'string',
		default: '={{ $json.execution?.id ?? "" }}',
		description: 'The failed n8n execution (the Error Trigger gives it); used when Run ID is empty',
		displayOptions: { show },
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 3 },
		default:
			'={{ ($json.execution?.lastNodeExecuted ? $json.execution.lastNodeExecuted + ": " : "") + ($json.execution?.error?.message ?? $json.error ?? "The run failed.") }}',
		description: 'What went wrong, for a person; stack traces are removed',
		displayOptions: { show },
	},
];

/** Marks a run failed with a readable message. A run that already completed is left as it is. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const db = await getDb.call(this);
	const runId = String(this.getNodeParameter('runId', itemIndex, '') ?? '').trim();
	const executionId = String(this.getNodeParameter('executionId', itemIndex, '') ?? '').trim();
	const message = readableMessage(this.getNodeParameter('message', itemIndex, ''));

	const run = runId
		? isUuid(runId)
			? await getRun(db, runId)
			: null
		: executionId
			? await findRunByExecutionId(db, executionId)
			: null;
	if (!run) {
		const why = runId
			? unknownRunMessage(runId)
			: executionId
				? `No run was started by execution ${executionId}. Check that the pipeline's "Start" step records $execution.id, or set Run ID.`
				: 'Both "Run ID" and "Execution ID" are empty. Set one of them to say which run failed.';
		throw new NodeOperationError(this.getNode(), why, { itemIndex });
	}

	const failed = await withTransaction(db, async (client) => {
		const row = await failRun(client, run.id, message);
		if (row) await recordEvent(client, { runId: run.id, stage: 'run', status: 'failed', message, data: { stage: run.stage } });
		return row;
	});
	return [{ json: { ...inputJson.call(this, itemIndex), run: runSummary(failed ?? run), failed: failed !== null } }];
}
