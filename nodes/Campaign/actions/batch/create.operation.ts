import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { describeProblem, MAX_BATCH_BYTES, MAX_BATCH_ROWS, validateBatch, type GoodRow, type RowProblem } from '../../lib/batch';
import { foreignMediaProblem } from '../../lib/campaignMedia';
import { queuePosition } from '../../../shared/store/runState';
import { campaignIdByName, ensureCampaign } from '../../store/campaigns';
import { insertBatch } from '../../store/batches';
import { withTransaction } from '../../transport/db';
import { getDb } from '../common';
import { queueRun } from '../run/queue';
import { voiceMapCheck } from '../run/voiceCheck';
import { maxRunningField, maxRunningOf, QUEUE_POSITION_LIMIT, rawBodyField, rejected, requestBody, tokenCheckFields, webhookTokenCheck } from '../run/webhook';

const show = { resource: ['batch'], operation: ['create'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Batch',
		name: 'body',
		type: 'json',
		default: '={{ $json.body }}',
		description: `The batch: {"campaign", "defaults", "rows": [run requests]}, {"campaign", "csv": "(CSV text)"}, or CSV text with a header row of run request fields. At most ${MAX_BATCH_ROWS} rows and ${MAX_BATCH_BYTES / 1024 / 1024} MB.`,
		displayOptions: { show },
	},
	{
		displayName: 'Campaign',
		name: 'campaign',
		type: 'string',
		default: "={{ $json.query.campaign || '' }}",
		description: "Campaign of every run in the batch; empty = the batch's own \"campaign\" (or the default campaign). A CSV sent to the webhook names it with ?campaign=.",
		displayOptions: { show },
	},
	...tokenCheckFields(show, 'Whether to check the webhook token header (on for the webhook; off when the batch comes from another node)'),
	rawBodyField(show),
	maxRunningField(show, QUEUE_POSITION_LIMIT),
];

const problems = (list: RowProblem[]) => list.map(describeProblem).join(' ');

/**
 * Checks every row of a batch on its own (the run request's rules), then queues the good rows and the batch row in one
 * transaction: a database failure midway leaves no batch and no run. Output 1 (Accepted) gets the batch with each run's
 * id and queue position and the refused rows by number and field; output 2 (Rejected) gets `{ statusCode, body }` when
 * nothing could be queued.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[][]> {
	const body = await requestBody.call(this, itemIndex, 'body');
	const signed = Buffer.isBuffer(body) ? body : JSON.stringify(body ?? '');
	const auth = await webhookTokenCheck.call(this, itemIndex, signed);
	if (!auth.ok) return [[], [rejected(auth.status, 'unauthorized', auth.field, auth.message)]];

	const headers = (this.getNodeParameter('headers', itemIndex, {}) ?? {}) as Record<string, unknown>;
	const contentType = String(headers['content-type'] ?? '');
	const check = validateBatch(body, contentType, String(this.getNodeParameter('campaign', itemIndex, '') ?? ''));
	if (!check.ok) return [[], [rejected(check.status, check.status === 413 ? 'too_large' : 'invalid_request', check.field, check.message)]];
	const rejectedRows = [...check.rejected];
	const good: GoodRow[] = [];
	const db = await getDb.call(this);
	const existingCampaign = await campaignIdByName(db, check.campaign);
	for (const row of check.good) {
		const problem = (await voiceMapCheck.call(this, itemIndex, row.options)) ?? foreignMediaProblem(row.options, existingCampaign);
		if (problem) rejectedRows.push({ row: row.row, field: problem.field, message: problem.message });
		else good.push(row);
	}
	rejectedRows.sort((a, b) => a.row - b.row);
	if (good.length === 0) {
		const answer = rejected(400, 'invalid_request', 'rows', `No row of the batch could be queued; fix these rows and send it again. ${problems(rejectedRows)}`);
		return [[], [{ json: { ...answer.json, body: { ...(answer.json.body as object), rejected: rejectedRows } } }]];
	}

	const maxRunning = maxRunningOf.call(this, itemIndex);
	const { batch, campaignId, runs } = await withTransaction(db, async (client) => {
		const campaign = await ensureCampaign(client, check.campaign);
		const inserted = await insertBatch(client, { campaignId: campaign.id, source: check.source, total: check.total, rejected: rejectedRows });
		const queued = [];
		for (const row of good) queued.push({ row: row.row, run: await queueRun(client, campaign.id, row, { id: inserted.id, row: row.row }) });
		return { batch: inserted, campaignId: campaign.id, runs: queued };
	});
	const answered = [];
	for (const { row, run } of runs) answered.push({ row, runId: run.id, status: run.status, queuePosition: await queuePosition(db, run.id, maxRunning) });
	return [
		[
			{
				json: {
					batchId: batch.id,
					campaignId,
					campaign: check.campaign,
					rows: check.total,
					queued: answered.length,
					runs: answered,
					rejected: rejectedRows,
				},
			},
		],
		[],
	];
}
