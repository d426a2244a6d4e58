import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { rawBodyField, rejected, requestBody, tokenCheckFields, webhookTokenCheck } from '../run/webhook';

const show = { resource: ['webhookRequest'], operation: ['check'] };

export const description: INodeProperties[] = [
	...tokenCheckFields(
		show,
		'Whether to check the token header (or the body signature) as Accept does; turn off only when the call does not come from a public webhook',
	),
	rawBodyField(show),
];

/**
 * The token check and JSON reading that Accept and Resume do, for webhooks whose work is done by another node (the
 * voice list and preview): output 1 (Accepted) gets `{ body }`, the parsed JSON object; output 2 (Rejected) gets
 * `{ statusCode, body }` (401 for the token, 400 for a body that is no JSON object) for a Respond to Webhook node.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[][]> {
	const raw = await requestBody.call(this, itemIndex);
	let body: unknown = this.getInputData()[itemIndex]?.json?.body;
	// Without the raw body file (a Webhook without "Binary File"), a signature is checked over the parsed body's JSON, as Accept does.
	const auth = await webhookTokenCheck.call(this, itemIndex, Buffer.isBuffer(raw) ? raw : JSON.stringify(body ?? ''));
	if (!auth.ok) return [[], [rejected(auth.status, 'unauthorized', auth.field, auth.message)]];
	if (Buffer.isBuffer(raw)) {
		const text = raw.toString('utf8').trim();
		try {
			body = text ? JSON.parse(text) : {};
		} catch (error) {
			return [
				[],
				[rejected(400, 'invalid_request', 'body', `The request body is not valid JSON (${(error as Error).message}). Send a JSON object.`)],
			];
		}
	}
	if (!body || typeof body !== 'object' || Array.isArray(body)) {
		return [[], [rejected(400, 'invalid_request', 'body', 'The request body must be a JSON object.')]];
	}
	return [[{ json: { body: body as never } }], []];
}
