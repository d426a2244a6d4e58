import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { recordEvent } from '../../store/events';
import { validateResumeRequest } from '../../lib/resume';
import { releaseUnansweredCreates } from '../../../shared/ledger';
import { executionOf } from '../../../shared/store/lease';
import { HOLDING_A_SLOT, queuePosition, requeueRun, RESUMABLE } from '../../../shared/store/runState';
import { getRun } from '../../store/runs';
import { completedSceneNumbers } from '../../../shared/store/scenes';
import { withTransaction } from '../../transport/db';
import { getDb, unknownRunMessage } from '../common';
import { maxRunningField, maxRunningOf, QUEUE_POSITION_LIMIT, rawBodyField, rejected, requestBody, tokenCheckFields, webhookTokenCheck } from './webhook';

const show = { resource: ['run'], operation: ['resume'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Run ID',
		name: 'runId',
		type: 'string',
		default: '={{ $json.body?.runId ?? $json.runId }}',
		description: 'The run to resume (the resume webhook body carries it); read from the raw body file when there is one',
		displayOptions: { show },
	},
	...tokenCheckFields(show, 'Whether to check the token header as Accept does; turn off only when the call does not come from a public webhook'),
	rawBodyField(show),
	maxRunningField(show, QUEUE_POSITION_LIMIT),
];

/**
 * Puts a failed or interrupted (starting/running with nobody working on it) run back in the queue. Completed
 * scenes stay completed, so the next start skips them. Output 1 (Resumed) or 2 (Rejected: 401/400/404/409).
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[][]> {
	const raw = await requestBody.call(this, itemIndex);
	const auth = await webhookTokenCheck.call(this, itemIndex, Buffer.isBuffer(raw) ? raw : undefined);
	if (!auth.ok) return [[], [rejected(auth.status, 'unauthorized', auth.field, auth.message)]];
	let body: unknown = { runId: String(this.getNodeParameter('runId', itemIndex, '') ?? '') };
	if (Buffer.isBuffer(raw)) {
		try {
			body = JSON.parse(raw.toString('utf8'));
		} catch (error) {
			const message = `The request body is not valid JSON (${(error as Error).message}). Send {"runId": "<id from the webhook answer>"}.`;
			return [[], [rejected(400, 'invalid_request', 'body', message)]];
		}
	}
	const check = validateResumeRequest(body);
	if (!check.ok) return [[], [rejected(400, 'invalid_request', check.field, check.message)]];
	const db = await getDb.call(this);
	const run = await getRun(db, check.runId);
	if (!run) return [[], [rejected(404, 'not_found', 'runId', unknownRunMessage(check.runId))]];

	const resumed = await withTransaction(db, async (client) => {
		const row = await requeueRun(client, run.id);
		if (row) {
			// Resuming is the person's go-ahead to send scenes whose create went unanswered to that provider again.
			await releaseUnansweredCreates(client, run.id);
			await recordEvent(client, {
				runId: run.id,
				stage: 'run',
				status: 'queued',
				message: `Resumed from ${run.status}.`,
				data: { previousStatus: run.status, previousError: run.error },
			});
		}
		return row;
	});
	if (!resumed) {
		// Re-read: the status may have changed since the first look (e.g. dispatched meanwhile).
		const now = (await getRun(db, run.id)) ?? run;
		const why =
			now.status === 'completed'
				? `Run ${run.id} is already completed; nothing to resume. Post a new run to make it again.`
				: now.status === 'queued'
					? `Run ${run.id} is already queued; it starts when a slot is free.`
					: HOLDING_A_SLOT.includes(now.status) && now.leaseExpiresAt
						? `Run ${run.id} is still ${now.status}: n8n execution ${executionOf(now.leaseOwner) || '(claimed)'} holds its lease until ${now.leaseExpiresAt}. Resume is for a run that failed or whose process stopped; one whose process stops is put back in the queue by itself once its lease expires.`
						: `Run ${run.id} is ${now.status}; only ${RESUMABLE.join(', ')} runs can be resumed.`;
		return [[], [rejected(409, 'conflict', 'runId', why)]];
	}
	const maxRunning = maxRunningOf.call(this, itemIndex);
	return [
		[
			{
				json: {
					runId: run.id,
					campaignId: run.campaignId,
					status: resumed.status,
					previousStatus: run.status,
					queuePosition: await queuePosition(db, run.id, maxRunning),
					completedScenes: await completedSceneNumbers(db, run.id),
				},
			},
		],
		[],
	];
}
