import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { recordEvent } from '../../store/events';
import { isUuid } from '../../../shared/store/rows';
import { failRun, HOLDING_A_SLOT } from '../../../shared/store/runState';
import { findRunByExecutionId, getRun } from '../../store/runs';
import { withTransaction } from '../../transport/db';
import { jsonParameter as readJsonParameter } from '../../../shared/parameters';
import { getDb, inputJson, leaseSeconds, readableMessage, unknownRunMessage } from '../common';
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
	{
		displayName: 'n8n Error',
		name: 'executionError',
		type: 'json',
		default: '={{ $json.execution?.error ?? "" }}',
		description:
			"The failed execution's error as the Error Trigger gives it. When it is n8n's report that the execution's process died (a crash, or a queue job whose worker vanished), the run is not failed: the watchdog recovers it once its lease expires.",
		displayOptions: { show },
	},
];

/**
 * n8n's own words when an execution's process died rather than a step failing: a restarted n8n marks what it was
 * running as crashed (WorkflowCrashedError), and main fails a queue job whose worker stopped renewing its lock
 * (MaxStalledCountError). Both reach the error workflow.
 */
const CRASH_REPORTS = [/Workflow did not finish, possible out-of-memory issue/i, /failed to be processed too many times/i];

export function isCrashReport(error: unknown): boolean {
	const message = typeof error === 'string' ? error : String((error as { message?: unknown } | null)?.message ?? '');
	return CRASH_REPORTS.some((pattern) => pattern.test(message));
}

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
	// n8n's report may come as the error object or only inside the message the workflow built from it.
	const executionError = readJsonParameter(this, 'executionError', 'n8n Error', itemIndex, { optional: true });
	const crashed = isCrashReport(executionError) || isCrashReport(message);
	if (!run && crashed) {
		// A crash report for an execution whose run another execution already took over: nothing to record.
		return [{ json: { ...inputJson.call(this, itemIndex), failed: false, crashed: true } }];
	}
	if (!run) {
		const why = runId
			? unknownRunMessage(runId)
			: executionId
				? `No run was started by execution ${executionId}. Check that the pipeline's "Start" step records $execution.id, or set Run ID.`
				: 'Both "Run ID" and "Execution ID" are empty. Set one of them to say which run failed.';
		throw new NodeOperationError(this.getNode(), why, { itemIndex });
	}

	if (crashed && HOLDING_A_SLOT.includes(run.status)) {
		const note =
			`n8n reports that execution ${executionId || run.executionId} died (${readableMessage((executionError as { message?: string } | undefined)?.message ?? message)}). ` +
			`The run is not failed: the watchdog puts it back in the queue once its lease expires (within about ${leaseSeconds.call(this, itemIndex) + 20} s), and it resumes from its completed scenes.`;
		await recordEvent(db, { runId: run.id, stage: 'run', status: 'info', message: note, data: { crashReport: true, executionId } });
		return [{ json: { ...inputJson.call(this, itemIndex), run: runSummary(run), failed: false, crashed: true } }];
	}
	const failed = await withTransaction(db, async (client) => {
		const row = await failRun(client, run.id, message);
		if (row) await recordEvent(client, { runId: run.id, stage: 'run', status: 'failed', message, data: { stage: run.stage } });
		return row;
	});
	return [{ json: { ...inputJson.call(this, itemIndex), run: runSummary(failed ?? run), failed: failed !== null } }];
}
