import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { DEFAULT_MAX_RUNNING, maxRunningSetting } from '../../../shared/store/runState';
import { checkToken, type TokenCheck, type WebhookCredentials } from '../../lib/auth';

/** Shared by the two operations that answer a webhook (accept, resume). */

export function rejected(statusCode: number, error: string, field: string, message: string): INodeExecutionData {
	return { json: { statusCode, body: { error, field, message } } };
}

export async function webhookCredentials(this: IExecuteFunctions, itemIndex: number): Promise<WebhookCredentials> {
	const data = await this.getCredentials('reelsmithWebhookApi', itemIndex);
	const token = String(data.token ?? '');
	// An empty token would let anyone in: refuse to run instead of accepting every request.
	if (token === '') {
		throw new NodeOperationError(
			this.getNode(),
			'The Reelsmith Webhook credential has no token. Set a token in it; callers send the same value in the token header.',
			{ itemIndex },
		);
	}
	return { headerName: String(data.headerName || 'x-reelsmith-token'), token };
}

/**
 * The run limit. Dispatch enforces it; Accept and Resume count the queue position of their answer against it. All
 * three default to 0 = the REELSMITH_MAX_RUNNING setting, which the dashboard reads too, so it is set in one place.
 */
export function maxRunningField(show: Record<string, string[]>, description: string): INodeProperties {
	return {
		displayName: 'Max Running',
		name: 'maxRunning',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: `${description}. 0 = the REELSMITH_MAX_RUNNING environment variable (default ${DEFAULT_MAX_RUNNING}), which the dashboard reads too; a number here overrides it for this node only.`,
		displayOptions: { show },
	};
}

export const QUEUE_POSITION_LIMIT = 'How many runs may be starting or running at once; the queue position in the answer is counted against it';

/** The Max Running an operation works with: its parameter when set, else the REELSMITH_MAX_RUNNING setting. */
export function maxRunningOf(this: IExecuteFunctions, itemIndex: number): number {
	const value = Number(this.getNodeParameter('maxRunning', itemIndex, 0) ?? 0);
	if (!Number.isInteger(value) || value < 0) {
		throw new NodeOperationError(
			this.getNode(),
			`"Max Running" must be 0 (use REELSMITH_MAX_RUNNING) or a whole number of at least 1 (got ${value}).`,
			{ itemIndex },
		);
	}
	if (value > 0) return value;
	try {
		return maxRunningSetting();
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex });
	}
}

/**
 * The request body as the caller sent it. The bundled webhooks hand the body over as a file (Webhook "Binary
 * File" option) because n8n answers invalid JSON itself otherwise (422 with a stack trace, before the workflow
 * runs); reading the raw bytes here lets a bad body get the same 400 `{field: "body"}` answer as any other mistake.
 * Without such a file, the Body parameter (the parsed JSON) is used.
 */
export async function requestBody(this: IExecuteFunctions, itemIndex: number, bodyParameter?: string): Promise<unknown> {
	const rawField = this.getNodeParameter('rawBodyField', itemIndex, 'data') as string;
	const item = this.getInputData()[itemIndex];
	if (rawField && item?.binary?.[rawField]) {
		return await this.helpers.getBinaryDataBuffer(itemIndex, rawField);
	}
	return bodyParameter ? this.getNodeParameter(bodyParameter, itemIndex, undefined) : undefined;
}

export function rawBodyField(show: Record<string, string[]>): INodeProperties {
	return {
		displayName: 'Raw Body Field',
		name: 'rawBodyField',
		type: 'string',
		default: 'data',
		description:
			'Binary field holding the raw request body, when the Webhook receives the body as a file; read instead of Body so that invalid JSON is answered with a clear 400',
		displayOptions: { show },
	};
}

/** "Check Webhook Token" and the headers it checks, for operations that a webhook may reach (resume, start). */
export function tokenCheckFields(show: Record<string, string[]>, description: string): INodeProperties[] {
	return [
		{
			displayName: 'Check Webhook Token',
			name: 'checkToken',
			type: 'boolean',
			default: true,
			description,
			displayOptions: { show },
		},
		{
			displayName: 'Headers',
			name: 'headers',
			type: 'json',
			default: '={{ $json.headers }}',
			displayOptions: { show: { ...show, checkToken: [true] } },
		},
	];
}

/** The token check of tokenCheckFields: ok when it is turned off or the header matches. */
export async function webhookTokenCheck(this: IExecuteFunctions, itemIndex: number, signedBody?: string | Buffer): Promise<TokenCheck> {
	if (!this.getNodeParameter('checkToken', itemIndex, true)) return { ok: true };
	return checkToken(this.getNodeParameter('headers', itemIndex, {}), await webhookCredentials.call(this, itemIndex), signedBody);
}
