import Anthropic from '@anthropic-ai/sdk';
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import models from '../data/models.json';
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

/** Checks a tool input: the value, or the problems in words (sent back to the model once, then shown to the user). */
export type Validator<T> = (input: unknown) => { value: T; problems?: undefined } | { value?: undefined; problems: string[] };

export interface StructuredRequest<T> {
	system: string;
	content: Anthropic.ContentBlockParam[] | string;
	tool: Tool;
	validate: Validator<T>;
	/** What the node was asked for, for the error message ("a plan", "a critique"). */
	what: string;
}

const SPEND_LIMIT = 'enforced_spend_limit_reached';

/** Price of a call from data/models.json; unknown models cost 0 (the id is still reported). */
export function costOf(model: string, inputTokens: number, outputTokens: number): number {
	const entry = models.models.find((candidate) => candidate.id === model);
	if (!entry) return 0;
	const usd = (inputTokens * entry.inputPerMTok + outputTokens * entry.outputPerMTok) / 1_000_000;
	return Math.round(usd * 1_000_000) / 1_000_000;
}

/**
 * fetch for the SDK: a 429 that says the organisation's spend limit is reached gets `x-should-retry: false`, so the
 * SDK (which otherwise retries every 429) gives up at once; waiting does not raise a spend limit.
 */
const fetchWithSpendLimit: typeof fetch = async (input, init) => {
	const response = await fetch(input, init);
	if (response.status !== 429) return response;
	const body = await response.text();
	const headers = new Headers(response.headers);
	if (body.includes(SPEND_LIMIT)) headers.set('x-should-retry', 'false');
	return new Response(body, { status: response.status, statusText: response.statusText, headers });
};

async function clientFor(context: IExecuteFunctions, itemIndex: number): Promise<Anthropic> {
	const credentials = await context.getCredentials('reelsmithAnthropicApi', itemIndex);
	const baseURL = String(credentials.baseUrl || 'https://api.anthropic.com').replace(/\/+$/, '');
	const maxRetries = Number(context.getNodeParameter('maxRetries', itemIndex, 2));
	const timeoutSeconds = Number(context.getNodeParameter('timeout', itemIndex, 120));
	return new Anthropic({
		apiKey: String(credentials.apiKey ?? ''),
		baseURL,
		maxRetries: Number.isFinite(maxRetries) && maxRetries >= 0 ? Math.floor(maxRetries) : 2,
		timeout: (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds : 120) * 1000,
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
 * One structured answer from Claude: the tool is forced (tool_choice), its input is validated, and an invalid input
 * is sent back once with the problems (a tool_result marked as an error) before the node gives up.
 * Returns the value and the usage of all calls made (model, tokens, cost from data/models.json).
 */
export async function callStructured<T>(
	context: IExecuteFunctions,
	itemIndex: number,
	request: StructuredRequest<T>,
): Promise<{ value: T; usage: Usage }> {
	const client = await clientFor(context, itemIndex);
	const model = String(context.getNodeParameter('model', itemIndex, models.default) || models.default);
	const maxTokens = Number(context.getNodeParameter('maxTokens', itemIndex, 8192)) || 8192;
	const usage: Usage = { model, inputTokens: 0, outputTokens: 0, costUsd: 0 };
	const messages: Anthropic.MessageParam[] = [{ role: 'user', content: request.content }];

	let problems: string[] = [];
	for (let attempt = 0; attempt < 2; attempt++) {
		let response: Anthropic.Message;
		try {
			response = await client.messages.create({
				model,
				max_tokens: maxTokens,
				system: request.system,
				messages,
				tools: [request.tool as Anthropic.Tool],
				tool_choice: { type: 'tool', name: request.tool.name },
			});
		} catch (error) {
			const { message, description } = explain(error, client.maxRetries, client.baseURL);
			throw new NodeOperationError(context.getNode(), message, { itemIndex, description });
		}
		usage.inputTokens += response.usage?.input_tokens ?? 0;
		usage.outputTokens += response.usage?.output_tokens ?? 0;
		usage.costUsd = costOf(model, usage.inputTokens, usage.outputTokens);

		const block = response.content.find(
			(candidate): candidate is Anthropic.ToolUseBlock => candidate.type === 'tool_use' && candidate.name === request.tool.name,
		);
		if (!block) {
			problems = [
				response.stop_reason === 'max_tokens'
					? 'the answer was cut off at Max Tokens'
					: `Claude did not call the ${request.tool.name} tool (stop reason: ${response.stop_reason ?? 'none'})`,
			];
			if (response.stop_reason === 'max_tokens' || response.stop_reason === 'refusal') break;
			messages.push({ role: 'assistant', content: response.content as Anthropic.ContentBlockParam[] });
			messages.push({ role: 'user', content: prompts.repair.replace('{{problems}}', problems.join('; ')) });
			continue;
		}
		const checked = request.validate(block.input);
		if (checked.value !== undefined) return { value: checked.value, usage };
		problems = checked.problems ?? [];
		messages.push({ role: 'assistant', content: response.content as Anthropic.ContentBlockParam[] });
		messages.push({
			role: 'user',
			content: [
				{
					type: 'tool_result',
					tool_use_id: block.id,
					is_error: true,
					content: prompts.repair.replace('{{problems}}', problems.join('; ')),
				},
			],
		});
	}
	const shown = problems.slice(0, 5).join('; ') + (problems.length > 5 ? ` (and ${problems.length - 5} more)` : '');
	throw new NodeOperationError(context.getNode(), `Claude did not return a valid ${request.what}: ${shown}`, {
		itemIndex,
		description: 'The answer was sent back once with these problems and the second answer was still invalid. Try again, or raise Max Tokens.',
	});
}
