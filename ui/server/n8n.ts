/** The one place that calls n8n: the start and resume webhooks (token header) and a Wait node's resume URL. */
import { SIGNATURE_HEADER, signBody } from '../../nodes/Campaign/lib/auth';
import { ApiError } from './errors';

export interface WebhookAnswer {
	status: number;
	body: Record<string, any>;
}

const TIMEOUT_MS = 30_000;

export async function postJson(
	url: string,
	body: unknown,
	headers: Record<string, string> | ((text: string) => Record<string, string>) = {},
	timeoutMs = TIMEOUT_MS,
): Promise<WebhookAnswer> {
	let response: Response;
	const sent = JSON.stringify(body);
	try {
		response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...(typeof headers === 'function' ? headers(sent) : headers) },
			body: sent,
			signal: AbortSignal.timeout(timeoutMs),
		});
	} catch (error) {
		const timedOut = (error as Error).name === 'TimeoutError';
		throw new ApiError(
			502,
			timedOut
				? `n8n did not answer within ${Math.round(timeoutMs / 1000)} s. It may be busy; check its executions list, then try again.`
				: 'n8n is not reachable. Check that n8n is running (npm start, or the n8n service in docker compose), then try again.',
		);
	}
	const text = await response.text();
	let parsed: Record<string, any> = {};
	try {
		const value = JSON.parse(text);
		if (value && typeof value === 'object') parsed = value;
	} catch {
		parsed = { message: text.slice(0, 300) };
	}
	return { status: response.status, body: parsed };
}

export function webhookUrl(base: string, path: string): string {
	return `${base.replace(/\/+$/, '')}/${path}`;
}

/**
 * POSTs one of our webhooks and turns n8n's failures into plain answers. 2xx, 400 and 409 come back to the caller
 * (the workflow's own answers); 401 means the dashboard's token differs from n8n's credential; 404 means the
 * workflow is not published.
 */
export async function callWebhook(base: string, token: string, path: string, body: unknown, timeoutMs?: number): Promise<WebhookAnswer> {
	// Signed: the token itself would be stored in n8n's execution data with the call's headers.
	const answer = await postJson(webhookUrl(base, path), body, (text) => ({ [SIGNATURE_HEADER]: signBody(token, text) }), timeoutMs);
	if (answer.status === 401 || answer.status === 403) {
		throw new ApiError(
			502,
			'n8n refused the dashboard\'s webhook token. Give the dashboard the same REELSMITH_WEBHOOK_TOKEN as the "Reelsmith Webhook Token" credential in n8n.',
		);
	}
	if (answer.status === 404 && !answer.body.field) {
		throw new ApiError(502, `n8n has no active webhook ${path}. Publish the Reelsmith workflows in n8n (npm start does it), then try again.`);
	}
	if (answer.status >= 500) {
		throw new ApiError(502, `n8n failed while handling the request (${answer.status}). Open n8n's executions list to see why, then try again.`);
	}
	return answer;
}
