import { SIGNATURE_HEADER, signBody } from '../../lib/auth';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { recordEvent } from '../../store/events';
import { unclaimRun } from '../../../shared/store/runState';
import { withTransaction } from '../../transport/db';
import { getDb, leaseSeconds, readableMessage, requireRun, runIdField } from '../common';
import { webhookCredentials } from './webhook';

const show = { resource: ['run'], operation: ['startPipeline'] };

/** The Webhook path of the Pipeline workflow (workflows/pipeline.json), under n8n's /webhook/. */
export const PIPELINE_WEBHOOK_PATH = 'reelsmith/pipeline';

export const description: INodeProperties[] = [
	runIdField('run', 'startPipeline'),
	{
		displayName: 'Pipeline URL',
		name: 'pipelineUrl',
		type: 'string',
		default: '',
		placeholder: 'http://n8n:5678/webhook/reelsmith/pipeline',
		description: `The Pipeline workflow's webhook. Empty = REELSMITH_PIPELINE_URL, else this n8n's own address + /webhook/${PIPELINE_WEBHOOK_PATH}. Every process (main and workers) must reach it.`,
		displayOptions: { show },
	},
];

/**
 * Hands a claimed run to the Pipeline workflow by calling its webhook, so the run becomes an execution of its own:
 * in queue mode main puts it on n8n's queue and any free worker makes it (an Execute Workflow node would run it in
 * this process instead). The webhook answers on receipt. When n8n does not take the call, the run goes back in the
 * queue at its place and the watchdog dispatches it again.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const db = await getDb.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	const credentials = await webhookCredentials.call(this, itemIndex);
	const url = pipelineUrl.call(this, itemIndex);
	try {
		// Signed, not the token: n8n stores the headers of every webhook call in its execution data.
		const body = JSON.stringify({ runId: run.id });
		await this.helpers.httpRequest({
			method: 'POST',
			url,
			headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(credentials.token, body) },
			body,
			timeout: 30_000,
		});
		return [{ json: { runId: run.id, campaignId: run.campaignId, status: 'starting', pipelineUrl: url } }];
	} catch (error) {
		const reason = readableMessage((error as Error).message);
		const message = `n8n did not take the run's start at ${url} (${reason}); it is back in the queue, and the watchdog dispatches it again within about ${leaseSeconds.call(this, itemIndex)} s.`;
		await withTransaction(db, async (client) => {
			if (await unclaimRun(client, run.id)) {
				await recordEvent(client, { runId: run.id, stage: 'run', status: 'info', message, data: { pipelineUrl: url, reason } });
			}
		});
		return [{ json: { runId: run.id, campaignId: run.campaignId, status: 'queued', error: message, pipelineUrl: url } }];
	}
}

function pipelineUrl(this: IExecuteFunctions, itemIndex: number): string {
	const given = String(this.getNodeParameter('pipelineUrl', itemIndex, '') ?? '').trim() || process.env.REELSMITH_PIPELINE_URL?.trim();
	if (given) return given;
	return `${this.getInstanceBaseUrl().replace(/\/?$/, '/')}webhook/${PIPELINE_WEBHOOK_PATH}`;
}
