import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import models from '../../shared/data/claudeModels.json';
import { claudeCostUsd } from '../../shared/prices';
import type { Critique, Plan } from '../../shared/plan';
import { readCritique, readPlan } from '../../shared/screenplay/validate';
import type { Usage } from '../../shared/transport/anthropic';

function perMTok(model: string, side: 'input' | 'output'): number {
	return claudeCostUsd(model, { input_tokens: side === 'input' ? 1e6 : 0, output_tokens: side === 'output' ? 1e6 : 0 });
}

/** Parameters every operation shares: the model and how patiently to call it. */
export const modelParameters: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'options',
		options: models.models.map((model) => ({
			name: model.name,
			value: model.id,
			description: `$${perMTok(model.id, 'input')} / $${perMTok(model.id, 'output')} per million input / output tokens`,
		})),
		default: 'claude-sonnet-4-6',
		description: 'The Claude model to call; the cost on each item uses its price from the Reelsmith price table',
	},
	{
		displayName: 'Max Tokens',
		name: 'maxTokens',
		type: 'number',
		default: 8192,
		typeOptions: { minValue: 256 },
		description: 'Longest answer Claude may write; raise it for long plans',
	},
	{
		displayName: 'Max Retries',
		name: 'maxRetries',
		type: 'number',
		// The one retry policy's attempts minus the first request (nodes/shared/data/retry.json; n8n wants a literal,
		// test/transport/http.test.ts keeps the two in step).
		default: 3,
		typeOptions: { minValue: 0 },
		description:
			'How often to retry on rate limits (429), overload (529) and server errors, waiting as Anthropic asks. Refused keys, bad requests and a reached spend limit are never retried.',
	},
	{
		displayName: 'Timeout (Seconds)',
		name: 'timeout',
		type: 'number',
		// The retry policy's timeoutMs in seconds (kept in step like Max Retries).
		default: 120,
		typeOptions: { minValue: 1 },
		description: 'How long to wait for one answer',
	},
];

export function show(operations: string[]) {
	return { show: { operation: operations } };
}

export function planParameter(operations: string[]): INodeProperties {
	return {
		displayName: 'Plan',
		name: 'plan',
		type: 'json',
		default: '={{ $json.plan }}',
		required: true,
		description: 'The plan (from Screenplay → Parse or Claude → Plan), as an object or JSON text',
		displayOptions: show(operations),
	};
}

export function targetParameters(operations: string[]): INodeProperties[] {
	return [
		{
			displayName: 'Target Duration (Seconds)',
			name: 'targetDuration',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0 },
			description: "Total length the video should have. 0 uses the plan's own target, or none.",
			displayOptions: show(operations),
		},
		{
			displayName: 'Clip Limit (Seconds)',
			name: 'clipLimit',
			type: 'number',
			default: 10,
			typeOptions: { minValue: 1 },
			description: 'Longest clip the video provider renders (Kling and Runway: 10, local: 20)',
			displayOptions: show(operations),
		},
	];
}

export { fill } from '../../shared/text';

export function positiveOrNull(value: unknown): number | null {
	const number = Number(value);
	return value !== null && value !== '' && Number.isFinite(number) && number > 0 ? number : null;
}

export function asJson(value: object): IDataObject {
	return value as unknown as IDataObject;
}

export function usageJson(usage: Usage): IDataObject {
	return { ...usage };
}

/** What the call cost, in the shape every paid node reports (`cost` on the item). */
export function costJson(usage: Usage): IDataObject {
	return {
		provider: 'anthropic',
		model: usage.model,
		units: usage.inputTokens + usage.outputTokens,
		unit: 'token',
		amountUsd: usage.costUsd,
	};
}

/** `usage` and `cost` for the output item. */
export function paidJson(usage: Usage): IDataObject {
	return { usage: usageJson(usage), cost: costJson(usage) };
}

export function getPlan(this: IExecuteFunctions, itemIndex: number): Plan {
	const read = readPlan(this.getNodeParameter('plan', itemIndex, undefined));
	if (read.value) return read.value;
	throw new NodeOperationError(this.getNode(), `The "Plan" parameter is not a Reelsmith plan: ${read.problem}.`, {
		itemIndex,
		description: 'Plan defaults to {{ $json.plan }}: the item must carry a plan (Screenplay → Parse or Claude → Plan).',
	});
}

export function getCritique(this: IExecuteFunctions, itemIndex: number): Critique {
	const read = readCritique(this.getNodeParameter('critique', itemIndex, undefined));
	if (read.value) return read.value;
	throw new NodeOperationError(this.getNode(), `The "Critique" parameter is not a critique: ${read.problem}.`, {
		itemIndex,
		description: 'Critique defaults to {{ $json.critique }}: run a Critique on the plan first.',
	});
}

/** The plan without the fields computed from it, to keep prompts short. */
export function planForPrompt(plan: Plan): string {
	return JSON.stringify({
		title: plan.title,
		scenes: plan.scenes,
		characters: plan.characters.map(({ name, description }) => ({ name, description })),
		settings: plan.settings.map(({ name, interior, timeOfDay, description }) => ({ name, interior, timeOfDay, description })),
	});
}
