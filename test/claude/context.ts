import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { Claude } from '../../nodes/Claude/Claude.node';
import { executionContext } from '../helpers/execution-context';
import { FAKE_API_KEY, startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic';

export type Parameters = Record<string, unknown>;

export interface RunOptions {
	continueOnFail?: boolean;
	apiKey?: string;
	/** Other credentials the node may ask for (e.g. reelsmithPostgresApi); missing ones throw as n8n does. */
	credentials?: Record<string, IDataObject>;
}

/** Runs the node in the shared test context: items, resolved parameters per item, the credentials, Continue On Fail. */
export async function runClaude(
	fake: FakeAnthropic,
	items: (IDataObject | INodeExecutionData)[],
	parameters: (json: IDataObject) => Parameters,
	options: RunOptions = {},
): Promise<INodeExecutionData[]> {
	const context = executionContext({
		items,
		parameters: (_itemIndex, json) => parameters(json),
		credentials: { reelsmithAnthropicApi: { apiKey: options.apiKey ?? FAKE_API_KEY, baseUrl: fake.baseUrl }, ...options.credentials },
		continueOnFail: options.continueOnFail,
		node: { id: 'claude-1', name: 'Claude', type: 'n8n-nodes-reelsmith.claude' },
	});
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
	beforeAll(async () => {
		started = await startFakeAnthropic();
	});
	afterAll(() => started?.close());
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
