import type { validateRunRequest } from '../../lib/request';
import { setCampaignBudget } from '../../store/campaigns';
import { recordEvent } from '../../store/events';
import { insertRun, type Run } from '../../store/runs';
import type { Queryable } from '../../transport/db';

type Valid = Extract<ReturnType<typeof validateRunRequest>, { ok: true }>;

/** Queues one checked run request in the caller's transaction (Accept, Create Batch): the run row and its first event. */
export async function queueRun(client: Queryable, campaignId: string, check: Valid, batch?: { id: string; row: number }): Promise<Run> {
	const { request, options, plan } = check;
	if (request.campaignBudget !== null) await setCampaignBudget(client, campaignId, request.campaignBudget);
	const inserted = await insertRun(client, { campaignId, priority: request.priority, request, options, batchId: batch?.id, batchRow: batch?.row });
	await recordEvent(client, {
		runId: inserted.id,
		stage: 'run',
		status: 'queued',
		message:
			`Accepted: ${plan.scenes.length} scene(s), priority ${request.priority}` +
			(request.budget !== null ? `, budget $${request.budget.toFixed(2)}` : '') +
			(options.approval ? ', storyboard approval required' : '') +
			(batch ? `, row ${batch.row} of batch ${batch.id}` : '') +
			'.',
		data: { scenes: plan.scenes.length, format: plan.format, ...(batch ? { batchId: batch.id, batchRow: batch.row } : {}) },
	});
	return inserted;
}
