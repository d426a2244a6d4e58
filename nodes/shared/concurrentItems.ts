import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { mapWithConcurrency, type OperationHandler } from './router';

type Outcome = { items: INodeExecutionData[] } | { error: Error } | { skipped: true };

/**
 * The item loop of runOperations for slow media work: up to `concurrency` items run at once, results keep item
 * order and pairedItem, and errors stay per item (Continue On Fail gives that item `{ error }`, the others still
 * succeed). Without Continue On Fail no new item starts after a failure and the first failing item's error is thrown.
 */
export async function runItemsConcurrently(
	this: IExecuteFunctions,
	operations: Record<string, OperationHandler>,
	concurrency: number,
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const continueOnFail = this.continueOnFail();
	let failed = false;

	const outcomes = await mapWithConcurrency<INodeExecutionData, Outcome>(
		items,
		Math.max(1, Math.floor(concurrency) || 1),
		async (_item, itemIndex) => {
			if (failed) return { skipped: true };
			try {
				const operation = this.getNodeParameter('operation', itemIndex) as string;
				const handler = operations[operation];
				if (!handler) {
					throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`, { itemIndex });
				}
				const result = await handler.call(this, itemIndex);
				// Single-output nodes: an operation's items all go to output 0.
				return { items: (result as Array<INodeExecutionData | INodeExecutionData[]>).flat() };
			} catch (error) {
				if (!continueOnFail) failed = true;
				return { error: error as Error };
			}
		},
	);

	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < outcomes.length; itemIndex++) {
		const outcome = outcomes[itemIndex];
		if ('skipped' in outcome) continue;
		if ('items' in outcome) {
			for (const item of outcome.items) output.push({ ...item, pairedItem: item.pairedItem ?? { item: itemIndex } });
			continue;
		}
		const { error } = outcome;
		if (continueOnFail) {
			output.push({ json: { ...items[itemIndex].json, error: error.message }, pairedItem: { item: itemIndex } });
			continue;
		}
		if (error instanceof NodeOperationError) {
			if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
			throw error;
		}
		throw new NodeOperationError(this.getNode(), error, { itemIndex });
	}
	return [output];
}
