import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { runConcurrently, type OperationHandler } from '../../shared/router';
import * as generate from './generate.operation';

export const operations: Record<string, OperationHandler> = {
	generate: generate.execute,
};

/** Renders are slow and independent: items run `Options → Concurrency` at a time, errors stay per item. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return runConcurrently.call(this, operations);
}
