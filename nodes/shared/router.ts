import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { Ledger, runIdOf } from './ledger';
import { inCallScope, type CallScope } from './store/aiCalls';

export type OperationHandler = (
	this: IExecuteFunctions,
	itemIndex: number,
) => Promise<INodeExecutionData[] | INodeExecutionData[][]>;

type Outcome = { outputs: INodeExecutionData[][] } | { error: Error } | { skipped: true };

/**
 * The item loop every Reelsmith node shares: runs the chosen operation per item (up to `concurrency` at once, for
 * slow media work), keeps item order, stamps pairedItem, honours Continue On Fail, and turns plain errors into
 * NodeOperationError with the item index. An operation may return INodeExecutionData[][] to write to several
 * outputs (e.g. Accepted / Rejected). Without Continue On Fail no new item starts after a failure, and the first
 * failing item's error is thrown.
 */
export async function runOperations(
	this: IExecuteFunctions,
	operations: Record<string, OperationHandler>,
	outputCount = 1,
	concurrency = 1,
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const continueOnFail = this.continueOnFail();
	let stopped = false;

	const outcomes = await mapWithConcurrency<INodeExecutionData, Outcome>(
		items,
		Math.max(1, Math.floor(concurrency) || 1),
		async (_item, itemIndex) => {
			if (stopped) return { skipped: true };
			try {
				const operation = this.getNodeParameter('operation', itemIndex) as string;
				const handler = operations[operation];
				if (!handler) {
					throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`, {
						itemIndex,
					});
				}
				const result = await inCallScope(callScope(this, itemIndex, operation), () => handler.call(this, itemIndex));
				return { outputs: isMultiOutput(result) ? result : [result] };
			} catch (error) {
				if (!continueOnFail) stopped = true;
				return { error: error as Error };
			}
		},
	);

	const outputs: INodeExecutionData[][] = Array.from({ length: outputCount }, () => []);
	for (let itemIndex = 0; itemIndex < outcomes.length; itemIndex++) {
		const outcome = outcomes[itemIndex];
		if ('skipped' in outcome) continue;
		if ('outputs' in outcome) {
			outcome.outputs.forEach((outputItems, outputIndex) => {
				for (const item of outputItems) {
					outputs[outputIndex].push({ ...item, pairedItem: item.pairedItem ?? { item: itemIndex } });
				}
			});
			continue;
		}
		const { error } = outcome;
		if (continueOnFail) {
			outputs[0].push(failedItem.call(this, items[itemIndex], itemIndex, error));
			continue;
		}
		if (error instanceof NodeOperationError) {
			if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
			throw error;
		}
		throw nodeError(this, error, itemIndex);
	}
	return outputs;
}

/**
 * A NodeOperationError that keeps our message. n8n swaps any message that merely mentions a system code (ENOENT,
 * ECONNREFUSED, …) for a generic sentence of its own ("The service refused the connection - perhaps it is
 * offline"), which drops what we said about which service and what to do. A raw system error (it has a code) gets
 * n8n's sentence, which is better than its bare code.
 */
function nodeError(context: IExecuteFunctions, error: Error, itemIndex: number): NodeOperationError {
	const wrapped = new NodeOperationError(context.getNode(), error, { itemIndex });
	if (!(error as { code?: unknown }).code && error.message) wrapped.message = error.message;
	return wrapped;
}

/**
 * The item a failed operation leaves when Continue On Fail is on: the input json plus `error` (a message a person
 * can read), and the error object on `item.error` so that n8n's "Continue (using error output)" routes it to the
 * node's error output. n8n then keeps only `{ error }` in the json; workflows reach the scene's fields through the
 * paired item (`$('Node').item`).
 */
export function failedItem(
	this: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	error: Error,
): INodeExecutionData {
	return {
		json: { ...item.json, error: error.message },
		error: error instanceof NodeOperationError ? error : nodeError(this, error, itemIndex),
		pairedItem: { item: itemIndex },
	};
}

/** The run an item works for (its runId and sceneNumber): its provider calls go to the AI-call record. */
/** Operations whose provider calls belong to no run (voice previews and lists) and are still recorded. */
const RUNLESS_OPERATIONS = new Set(['previewVoice', 'listVoices']);

function callScope(ctx: IExecuteFunctions, itemIndex: number, operation: string): CallScope | undefined {
	const json = ctx.getInputData()[itemIndex]?.json ?? {};
	const runId = runIdOf(json.runId) ?? null;
	if (!runId && !RUNLESS_OPERATIONS.has(operation)) return undefined;
	const scene = Number(json.sceneNumber);
	return {
		runId,
		sceneNumber: Number.isInteger(scene) && scene > 0 ? scene : null,
		operation,
		store: async () => (await Ledger.fromNode(ctx, itemIndex))?.db,
	};
}

function isMultiOutput(
	result: INodeExecutionData[] | INodeExecutionData[][],
): result is INodeExecutionData[][] {
	return result.length > 0 && Array.isArray(result[0]);
}

/**
 * Runs `fn` over `items` with at most `limit` in flight, keeping order. Used by nodes whose work per item is slow.
 * Not p-limit: its current major is ESM-only, a runtime dependency in every n8n install for these few lines.
 */
export async function mapWithConcurrency<T, R>(
	items: T[],
	limit: number,
	fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
	const results: R[] = new Array(items.length);
	let next = 0;
	const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
		while (next < items.length) {
			const index = next++;
			results[index] = await fn(items[index], index);
		}
	});
	await Promise.all(workers);
	return results;
}

/**
 * The item loop of the slow nodes (voicing, rendering): items run `Options → Concurrency` at a time (item 0's
 * setting, default 3), errors stay per item.
 */
export async function runConcurrently(
	this: IExecuteFunctions,
	operations: Record<string, OperationHandler>,
): Promise<INodeExecutionData[][]> {
	if (this.getInputData().length === 0) return [[]];
	const options = this.getNodeParameter('options', 0, {}) as { concurrency?: number };
	return runOperations.call(this, operations, 1, Number(options.concurrency ?? 3));
}
