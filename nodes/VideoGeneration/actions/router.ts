import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { runOperations } from '../../shared/router';
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
	return runOperations.call(this, operations, 1, Number(options.concurrency ?? 3));
}
