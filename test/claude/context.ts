import assert from 'node:assert/strict';
import { after, before, beforeEach } from 'node:test';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { Claude } from '../../nodes/Claude/Claude.node';
import { FAKE_API_KEY, startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic';

export type Parameters = Record<string, unknown>;

export interface RunOptions {
	continueOnFail?: boolean;
	apiKey?: string;
	/** Other credentials the node may ask for (e.g. reelsmithPostgresApi); missing ones throw as n8n does. */
	credentials?: Record<string, IDataObject>;
}

/** Just enough of n8n's execute context: items, resolved parameters per item, the credentials, Continue On Fail. */
export async function runClaude(
	fake: FakeAnthropic,
	items: (IDataObject | INodeExecutionData)[],
	parameters: (json: IDataObject) => Parameters,
	options: RunOptions = {},
): Promise<INodeExecutionData[]> {
	const input: INodeExecutionData[] = items.map((item) =>
		'json' in item && typeof item.json === 'object' ? (item as INodeExecutionData) : { json: item as IDataObject },
	);
	const context = {
		getInputData: () => input,
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			const value = parameters(input[itemIndex].json)[name];
			return value === undefined ? fallback : value;
		},
		getCredentials: async (name: string) => {
			if (name === 'reelsmithAnthropicApi') return { apiKey: options.apiKey ?? FAKE_API_KEY, baseUrl: fake.baseUrl };
			const other = options.credentials?.[name];
			if (!other) throw new Error(`Node "Claude" does not have any credentials of type "${name}" set`);
			return other;
		},
		getNode: () => ({
			id: 'claude-1',
			name: 'Claude',
			type: 'n8n-nodes-reelsmith.claude',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
			credentials: options.credentials ? Object.fromEntries(Object.keys(options.credentials).map((name) => [name, { id: name, name }])) : undefined,
		}),
		continueOnFail: () => options.continueOnFail ?? false,
		helpers: {
			getBinaryDataBuffer: async (itemIndex: number, property: string) =>
				Buffer.from(input[itemIndex].binary![property].data, 'base64'),
		},
	} as unknown as IExecuteFunctions;
	const [output] = await new Claude().execute.call(context);
	return output;
}

export const rejectsWith = (pattern: RegExp) => (error: Error) => {
	assert.equal(error.name, 'NodeOperationError');
	assert.match(error.message, pattern);
	return true;
};

/**
 * One fake Anthropic for the calling test file: started before its tests, closed after them, its request log
 * emptied before each test. Call at the top level of the file; use the answer inside tests.
 */
export function useFakeAnthropic(): FakeAnthropic {
	let started: FakeAnthropic | undefined;
	const current = () => {
		if (!started) throw new Error('The fake Anthropic starts in before(): use it inside a test or a hook.');
		return started;
	};
	before(async () => {
		started = await startFakeAnthropic();
	});
	after(() => started?.close());
	beforeEach(() => {
		current().requests.length = 0;
	});
	return {
		get baseUrl() {
			return current().baseUrl;
		},
		get requests() {
			return current().requests;
		},
		script: (...steps) => current().script(...steps),
		close: () => current().close(),
	};
}
