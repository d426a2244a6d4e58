import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback Anthropic Messages API (POST /v1/messages) for the Claude node tests. It checks the API key (`x-api-key`,
 * or `Authorization: Bearer` as SDK 1.x sends it) and that `anthropic-version` is a date, answers each request with the next scripted step, and records every request so tests can
 * count retries. Answers follow the documented shapes: a message with a `tool_use` block (forced tool), a `text` block
 * holding the JSON when the request asks for `output_config: {format: {type: 'json_schema', schema}}` (the same
 * scripted `toolInput` serves both routes), or `{type:'error', error:{type, message}, request_id}`. Like the real API,
 * a JSON schema whose objects do not all say `additionalProperties: false` is refused (400).
 */
export type Step =
	| { toolInput: unknown; usage?: { input_tokens: number; output_tokens: number }; stopReason?: string }
	| { text: string; usage?: { input_tokens: number; output_tokens: number }; stopReason?: string }
	| { status: number; type: string; message: string; headers?: Record<string, string> };

export interface RecordedRequest {
	headers: IncomingMessage['headers'];
	body: {
		model: string;
		max_tokens: number;
		system?: string;
		messages: { role: string; content: unknown }[];
		tools?: { name: string }[];
		tool_choice?: { type: string; name?: string };
		output_config?: { format?: { type: string; schema?: Record<string, unknown> } };
	};
}

export const FAKE_API_KEY = 'sk-ant-test-key';

export interface FakeAnthropic {
	baseUrl: string;
	requests: RecordedRequest[];
	/** Queue the answers to the next requests, in order. */
	script(...steps: Step[]): void;
	/**
	 * Answers frame checks (requests forcing the submit_frame_check tool) outside the queue, so checks made in any
	 * order between other scripted calls get the intended score: `text` is the request's text (the expected content).
	 * Unset (or returning undefined): frame checks take the next queued step like any other request.
	 */
	frameChecks?: (text: string, request: RecordedRequest['body']) => Step | undefined;
	close(): Promise<void>;
}

export const errors = {
	rateLimited: (retryAfter = '0.01'): Step => ({
		status: 429,
		type: 'rate_limit_error',
		message: 'Number of request tokens has exceeded your per-minute rate limit',
		headers: { 'retry-after': retryAfter },
	}),
	overloaded: (): Step => ({ status: 529, type: 'overloaded_error', message: 'Overloaded', headers: { 'retry-after': '0.01' } }),
	serverError: (): Step => ({ status: 500, type: 'api_error', message: 'Internal server error', headers: { 'retry-after': '0.01' } }),
	badRequest: (message = 'max_tokens: must be greater than or equal to 1'): Step => ({
		status: 400,
		type: 'invalid_request_error',
		message,
	}),
	spendLimit: (): Step => ({
		status: 429,
		type: 'rate_limit_error',
		message: 'enforced_spend_limit_reached: your organization has reached its monthly spend limit',
		headers: { 'retry-after': '0.01' },
	}),
};

let counter = 0;

/** Paths of object schemas without `additionalProperties: false` (the API refuses those for JSON output). */
export function looseObjects(schema: unknown, path = 'schema'): string[] {
	if (!schema || typeof schema !== 'object') return [];
	const node = schema as Record<string, unknown>;
	const found: string[] = [];
	const types = Array.isArray(node.type) ? node.type : [node.type];
	if (types.includes('object') && node.additionalProperties !== false) found.push(path);
	for (const [key, value] of Object.entries(node)) {
		if (key === 'properties' && value && typeof value === 'object') {
			for (const [name, child] of Object.entries(value)) found.push(...looseObjects(child, `${path}.${name}`));
		} else if (key === 'items' || key === 'anyOf' || key === 'allOf') {
			for (const child of Array.isArray(value) ? value : [value]) found.push(...looseObjects(child, `${path}[]`));
		}
	}
	return found;
}

export async function startFakeAnthropic(): Promise<FakeAnthropic> {
	const queue: Step[] = [];
	const requests: RecordedRequest[] = [];

	const server: Server = createServer(async (request, response) => {
		const chunks: Buffer[] = [];
		for await (const chunk of request) chunks.push(chunk as Buffer);
		const requestId = `req_fake_${++counter}`;
		const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
			response.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, ...headers });
			response.end(JSON.stringify(body));
		};
		const fail = (status: number, type: string, message: string, headers?: Record<string, string>) =>
			send(status, { type: 'error', error: { type, message }, request_id: requestId }, headers);

		if (request.method !== 'POST' || request.url?.split('?')[0] !== '/v1/messages') {
			return fail(404, 'not_found_error', `${request.method} ${request.url} is not a fake route`);
		}
		let body: RecordedRequest['body'];
		try {
			body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
		} catch {
			return fail(400, 'invalid_request_error', 'The request body is not valid JSON');
		}
		requests.push({ headers: request.headers, body });
		// The documented header is x-api-key; SDK 1.x sends the same key as `Authorization: Bearer`.
		const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
		if ((request.headers['x-api-key'] ?? bearer) !== FAKE_API_KEY) {
			return fail(401, 'authentication_error', 'invalid x-api-key');
		}
		if (!/^\d{4}-\d{2}-\d{2}$/.test(String(request.headers['anthropic-version'] ?? ''))) {
			return fail(400, 'invalid_request_error', 'anthropic-version: header is required');
		}
		const format = body.output_config?.format;
		if (format) {
			if (format.type !== 'json_schema' || !format.schema) {
				return fail(400, 'invalid_request_error', 'output_config.format: expected {type: "json_schema", schema}');
			}
			const loose = looseObjects(format.schema);
			if (loose.length) {
				return fail(
					400,
					'invalid_request_error',
					`output_config.format.schema: For 'object' type, 'additionalProperties' must be explicitly set to false (${loose[0]})`,
				);
			}
			if (body.tool_choice?.type === 'tool') {
				return fail(400, 'invalid_request_error', 'output_config.format cannot be combined with a forced tool');
			}
		}
		const frameCheck =
			(body.tool_choice?.name ?? body.tools?.[0]?.name) === 'submit_frame_check' && fake.frameChecks
				? fake.frameChecks(textOf(body), body)
				: undefined;
		const step = frameCheck ?? queue.shift();
		if (!step) return fail(500, 'api_error', 'The fake has no scripted answer left', { 'x-should-retry': 'false' });
		if ('status' in step) return fail(step.status, step.type, step.message, step.headers);

		const content =
			'toolInput' in step
				? format
					? [{ type: 'text', text: JSON.stringify(step.toolInput) }]
					: [{ type: 'tool_use', id: `toolu_fake_${counter}`, name: body.tool_choice?.name ?? body.tools?.[0]?.name, input: step.toolInput }]
				: [{ type: 'text', text: step.text }];
		send(200, {
			id: `msg_fake_${counter}`,
			type: 'message',
			role: 'assistant',
			model: body.model,
			content,
			stop_reason: step.stopReason ?? ('toolInput' in step && !format ? 'tool_use' : 'end_turn'),
			stop_sequence: null,
			usage: {
				input_tokens: step.usage ? step.usage.input_tokens : 1000,
				output_tokens: step.usage ? step.usage.output_tokens : 500,
				cache_creation_input_tokens: 0,
				cache_read_input_tokens: 0,
			},
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	const fake: FakeAnthropic = {
		baseUrl: `http://127.0.0.1:${port}`,
		requests,
		script: (...steps) => queue.push(...steps),
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
	return fake;
}

/** The text blocks of a request's messages, joined (what the prompt asked, without images). */
export function textOf(body: RecordedRequest['body']): string {
	const parts: string[] = [];
	for (const message of body.messages ?? []) {
		if (typeof message.content === 'string') parts.push(message.content);
		else if (Array.isArray(message.content)) {
			for (const block of message.content as Array<{ type?: string; text?: string }>) if (block.type === 'text' && block.text) parts.push(block.text);
		}
	}
	return parts.join('\n');
}
