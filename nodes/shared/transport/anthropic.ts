import Anthropic from '@anthropic-ai/sdk';
import { transformJSONSchema } from '@anthropic-ai/sdk/lib/transform-json-schema';
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { claudeCostUsd } from '../prices';
import { recordCall } from '../store/aiCalls';
import { RETRY_POLICY } from './http';
import models from '../data/claudeModels.json';
import prompts from '../data/prompts.json';

export interface Usage {
	model: string;
	inputTokens: number;
	outputTokens: number;
	costUsd: number;
}

export interface Tool {
	name: string;
	description: string;
	input_schema: { type: 'object'; [key: string]: unknown };
}

/** Checks an answer: the value, or the problems in words (sent back to the model once, then shown to the user). */
export type Validator<T> = (input: unknown) => { value: T; problems?: undefined } | { value?: undefined; problems: string[] };

export interface StructuredRequest<T> {
	system: string;
	content: Anthropic.ContentBlockParam[] | string;
	/** The answer's schema: sent as a forced tool, or as output_config's JSON schema (see nodes/shared/data/claudeModels.json). */
	tool: Tool;
	validate: Validator<T>;
	/** What the node was asked for, for the error message ("plan", "critique"). */
	what: string;
}

/** One paid call, as the ledger records it. */
export interface CallCost {
	model: string;
	inputTokens: number;
	outputTokens: number;
	costUsd: number;
}

/** Hooks around every paid call (budget check before, cost record after); the ledger plugs in here. */
export interface CallHooks {
	beforeCall?(model: string): Promise<void>;
	afterCall?(cost: CallCost): Promise<void>;
}

export type StructuredOutput = 'tool' | 'jsonSchema';

const SPEND_LIMIT = 'enforced_spend_limit_reached';

/** How the model is asked for structured output (nodes/shared/data/claudeModels.json); models not in the list use a forced tool. */
export function structuredOutputOf(model: string): StructuredOutput {
	const entry = models.models.find((candidate) => candidate.id === model);
	return entry?.structuredOutput === 'jsonSchema' ? 'jsonSchema' : 'tool';
}

/** Price of tokens from the one price table (nodes/shared/data/prices.json). */
export function costOf(model: string, inputTokens: number, outputTokens: number, cacheReadTokens = 0): number {
	return claudeCostUsd(model, { input_tokens: inputTokens, output_tokens: outputTokens, cache_read_input_tokens: cacheReadTokens });
}

/**
 * fetch for the SDK: a 429 that says the organisation's spend limit is reached gets `x-should-retry: false`, so the
 * SDK (which otherwise retries every 429) gives up at once; waiting does not raise a spend limit.
 */
const fetchWithSpendLimit: typeof fetch = async (input, init) => {
	const started = performance.now();
	// Read only for the key values to take out of what is recorded.
	const sentHeaders: Record<string, string> = {};
	new Headers(init?.headers).forEach((value, name) => (sentHeaders[name] = value));
	const sent = {
		provider: 'Anthropic',
		method: init?.method ?? 'GET',
		url: input instanceof Request ? input.url : String(input),
		headers: sentHeaders,
		body: typeof init?.body === 'string' ? parsed(init.body) : undefined,
	};
	let response: Response;
	try {
		response = await fetch(input, init);
	} catch (error) {
		await recordCall({ ...sent, status: 0, ok: false, error: (error as Error).message, ms: performance.now() - started });
		// The SDK needs fetch's own error to tell a timeout from a connection failure; callStructured wraps it.
		throw error;
	}
	// The AI-call record keeps the answer: a copy is read, the SDK reads the original.
	const text = await response.clone().text().catch(() => '');
	await recordCall({ ...sent, status: response.status, ok: response.ok, answer: parsed(text), ms: performance.now() - started });
	if (response.status !== 429) return response;
	const headers = new Headers(response.headers);
	if (text.includes(SPEND_LIMIT)) headers.set('x-should-retry', 'false');
	return new Response(text, { status: response.status, statusText: response.statusText, headers });
};

function parsed(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return text || undefined;
	}
}

const NO_KEY_HELP =
	'Add the key to the Reelsmith Anthropic credential, or plan without Claude (request field planner = "rules").';

/** The SDK client; an empty key stops here, before any request (the planner falls back on that message). */
export async function clientFor(context: IExecuteFunctions, itemIndex: number): Promise<Anthropic> {
	let credentials;
	try {
		credentials = await context.getCredentials('reelsmithAnthropicApi', itemIndex);
	} catch (error) {
		throw new NodeOperationError(context.getNode(), `Claude has no API key: ${(error as Error).message}`, {
			itemIndex,
			description: NO_KEY_HELP,
		});
	}
	const apiKey = String(credentials?.apiKey ?? '').trim();
	if (!apiKey) {
		throw new NodeOperationError(context.getNode(), 'Claude has no API key: the "API Key" of the Reelsmith Anthropic credential is empty.', {
			itemIndex,
			description: NO_KEY_HELP,
		});
	}
	const baseURL = String(credentials.baseUrl || 'https://api.anthropic.com').replace(/\/+$/, '');
	// Retries and timeout default to the one retry policy (nodes/shared/data/retry.json); the SDK does the waiting
	// (Retry-After, then its own backoff, which it does not let callers tune) and retries 408/409/429/5xx.
	const retries = RETRY_POLICY.attempts - 1;
	const maxRetries = Number(context.getNodeParameter('maxRetries', itemIndex, retries));
	const timeoutSeconds = Number(context.getNodeParameter('timeout', itemIndex, RETRY_POLICY.timeoutMs / 1000));
	return new Anthropic({
		apiKey,
		baseURL,
		maxRetries: Number.isFinite(maxRetries) && maxRetries >= 0 ? Math.floor(maxRetries) : retries,
		timeout: Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds * 1000 : RETRY_POLICY.timeoutMs,
		fetch: fetchWithSpendLimit,
	});
}

function apiMessage(error: InstanceType<typeof Anthropic.APIError>): string {
	const body = error.error as { error?: { message?: unknown; type?: unknown } } | undefined;
	const message = body?.error?.message;
	return typeof message === 'string' && message ? message : error.message;
}

/** An SDK error as a sentence a person can act on. */
function explain(error: unknown, retries: number, baseURL: string): { message: string; description?: string } {
	if (error instanceof Anthropic.APIConnectionTimeoutError) {
		return { message: `Anthropic did not answer in time (${baseURL}).`, description: 'Raise "Timeout (Seconds)" or try again later.' };
	}
	if (error instanceof Anthropic.APIConnectionError) {
		return { message: `Could not reach Anthropic at ${baseURL}: ${error.message}`, description: 'Check the Base URL of the Reelsmith Anthropic credential and the network.' };
	}
	if (!(error instanceof Anthropic.APIError)) return { message: (error as Error).message };
	const detail = apiMessage(error);
	const status = error.status;
	if (status === 401) {
		return { message: 'The Anthropic API key was refused (401). Check the Reelsmith Anthropic credential.' };
	}
	if (status === 403) return { message: `The Anthropic API key may not do this (403): ${detail}` };
	if (status === 404) return { message: `Anthropic does not know this model or address (404): ${detail}`, description: 'Check the Model parameter.' };
	if (status === 400) return { message: `Anthropic refused the request (400): ${detail}` };
	if (status === 429 && JSON.stringify(error.error ?? '').includes(SPEND_LIMIT)) {
		return {
			message: `The Anthropic spend limit is reached (429): ${detail}`,
			description: 'Retrying will not help: raise the spend limit in the Anthropic console, then run again.',
		};
	}
	if (status === 429) return { message: `Anthropic is rate-limiting requests (429) and ${retries} retries did not get through: ${detail}` };
	if (status === 529) return { message: `Anthropic is overloaded (529) and ${retries} retries did not get through. Try again later.` };
	if (status !== undefined && status >= 500) return { message: `Anthropic had an error (${status}) and ${retries} retries did not get through: ${detail}` };
	return { message: `Anthropic answered ${status ?? 'with an error'}: ${detail}` };
}

/**
 * The tool's schema as a JSON-schema output format: nullable type lists become anyOf (the form Anthropic's
 * grammar compiler documents), then the SDK's transform makes it strict (additionalProperties: false, limits it
 * cannot enforce moved into descriptions; the validator still checks them).
 */
export function outputSchema(schema: Record<string, unknown>): Record<string, unknown> {
	const anyOfTypes = (node: unknown): unknown => {
		if (Array.isArray(node)) return node.map(anyOfTypes);
		if (!node || typeof node !== 'object') return node;
		const out: Record<string, unknown> = {};
		for (const [key, value] of Object.entries(node)) out[key] = key === 'enum' || key === 'const' ? value : anyOfTypes(value);
		if (Array.isArray(out.type) && out.enum === undefined) {
			const { type, description, ...rest } = out;
			return { anyOf: (type as string[]).map((entry) => ({ ...rest, type: entry })), ...(description ? { description } : {}) };
		}
		return out;
	};
	return transformJSONSchema(anyOfTypes(schema) as Record<string, unknown>);
}

/** The answer of one call, read the way its route delivers it. */
type Read = { input: unknown; toolUseId?: string } | { problem: string; final: boolean };

function readToolAnswer(response: Anthropic.Message, tool: Tool): Read {
	const block = response.content.find(
		(candidate): candidate is Anthropic.ToolUseBlock => candidate.type === 'tool_use' && candidate.name === tool.name,
	);
	if (block) return { input: block.input, toolUseId: block.id };
	if (response.stop_reason === 'max_tokens') return { problem: 'the answer was cut off at Max Tokens', final: true };
	return {
		problem: `Claude did not call the ${tool.name} tool (stop reason: ${response.stop_reason ?? 'none'})`,
		final: response.stop_reason === 'refusal',
	};
}

function readJsonAnswer(response: Anthropic.Message): Read {
	if (response.stop_reason === 'max_tokens') return { problem: 'the answer was cut off at Max Tokens', final: true };
	if (response.stop_reason === 'refusal') return { problem: 'Claude refused to answer (stop reason: refusal)', final: true };
	const text = response.content
		.filter((block): block is Anthropic.TextBlock => block.type === 'text')
		.map((block) => block.text)
		.join('')
		.trim();
	if (!text) return { problem: `the answer has no JSON text (stop reason: ${response.stop_reason ?? 'none'})`, final: false };
	try {
		return { input: JSON.parse(text) };
	} catch (error) {
		return { problem: `the answer is not valid JSON (${(error as Error).message})`, final: false };
	}
}

/**
 * One structured answer from Claude. The route comes from nodes/shared/data/claudeModels.json: a forced tool (tool_choice, read the
 * tool_use input) or JSON-schema output (output_config.format, read the JSON text). The answer is validated, and an
 * invalid one is sent back once with the problems (as an error tool_result, or a user message) before the node gives
 * up. Returns the value and the usage of all calls made; `hooks` run around every paid call (budget, cost ledger).
 */
export async function callStructured<T>(
	context: IExecuteFunctions,
	itemIndex: number,
	request: StructuredRequest<T>,
	hooks: CallHooks = {},
): Promise<{ value: T; usage: Usage }> {
	const client = await clientFor(context, itemIndex);
	const model = String(context.getNodeParameter('model', itemIndex, models.default) || models.default);
	const maxTokens = Number(context.getNodeParameter('maxTokens', itemIndex, 8192)) || 8192;
	const route = structuredOutputOf(model);
	const usage: Usage = { model, inputTokens: 0, outputTokens: 0, costUsd: 0 };
	let cacheReadTokens = 0;
	const messages: Anthropic.MessageParam[] = [{ role: 'user', content: request.content }];
	const system = `${request.system} ${prompts.answerBy[route]}`;
	const shape: Partial<Anthropic.MessageCreateParamsNonStreaming> =
		route === 'jsonSchema'
			? { output_config: { format: { type: 'json_schema', schema: outputSchema(request.tool.input_schema) } } }
			: { tools: [request.tool as Anthropic.Tool], tool_choice: { type: 'tool', name: request.tool.name } };

	let problems: string[] = [];
	let repaired = false;
	for (let attempt = 0; attempt < 2; attempt++) {
		await hooks.beforeCall?.(model);
		let response: Anthropic.Message;
		try {
			response = await client.messages.create({ model, max_tokens: maxTokens, system, messages, ...shape });
		} catch (error) {
			const { message, description } = explain(error, client.maxRetries, client.baseURL);
			throw new NodeOperationError(context.getNode(), message, { itemIndex, description });
		}
		const call = {
			inputTokens: response.usage?.input_tokens ?? 0,
			outputTokens: response.usage?.output_tokens ?? 0,
			cacheReadTokens: response.usage?.cache_read_input_tokens ?? 0,
		};
		usage.inputTokens += call.inputTokens;
		usage.outputTokens += call.outputTokens;
		cacheReadTokens += call.cacheReadTokens;
		usage.costUsd = costOf(model, usage.inputTokens, usage.outputTokens, cacheReadTokens);
		await hooks.afterCall?.({
			model,
			inputTokens: call.inputTokens,
			outputTokens: call.outputTokens,
			costUsd: costOf(model, call.inputTokens, call.outputTokens, call.cacheReadTokens),
		});

		const read = route === 'jsonSchema' ? readJsonAnswer(response) : readToolAnswer(response, request.tool);
		if ('problem' in read) {
			problems = [read.problem];
			if (read.final) break;
		} else {
			const checked = request.validate(read.input);
			if (checked.value !== undefined) return { value: checked.value, usage };
			problems = checked.problems ?? [];
		}
		if (attempt === 1) break;
		repaired = true;
		const repair = prompts.repair.replace('{{problems}}', problems.join('; '));
		// An empty assistant turn is refused by the API; the repair request then follows the question directly.
		if (response.content.length > 0) messages.push({ role: 'assistant', content: response.content as Anthropic.ContentBlockParam[] });
		if (route === 'tool' && 'toolUseId' in read && read.toolUseId) {
			messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: read.toolUseId, is_error: true, content: repair }] });
		} else {
			messages.push({ role: 'user', content: route === 'jsonSchema' ? prompts.repairJson.replace('{{problems}}', problems.join('; ')) : repair });
		}
	}
	const shown = problems.slice(0, 5).join('; ') + (problems.length > 5 ? ` (and ${problems.length - 5} more)` : '');
	throw new NodeOperationError(context.getNode(), `Claude did not return a valid ${request.what}: ${shown}`, {
		itemIndex,
		description: repaired
			? 'The answer was sent back once with these problems and the second answer was still invalid. Try again, or raise Max Tokens.'
			: 'A repair would not help here: raise Max Tokens for a cut-off answer, or change the material Claude refused.',
	});
}
