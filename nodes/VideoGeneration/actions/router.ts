import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { runItemsConcurrently } from '../../shared/concurrentItems';
import type { OperationHandler } from '../../shared/router';
import * as generate from './generate.operation';

export const operations: Record<string, OperationHandler> = {
	generate: generate.execute,
};

/** Renders are slow and independent: items run `Options → Concurrency` at a time, errors stay per item. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return [[]];
	const options = this.getNodeParameter('options', 0, {}) as { concurrency?: number };
	return runItemsConcurrently.call(this, operations, Number(options.concurrency ?? 3));
}
