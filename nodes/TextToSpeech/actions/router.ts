import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { runItemsConcurrently } from '../../shared/concurrentItems';
import type { OperationHandler } from '../../shared/router';
import * as synthesize from './synthesize.operation';
import * as synthesizeScene from './synthesizeScene.operation';

export const operations: Record<string, OperationHandler> = {
	synthesizeScene: synthesizeScene.execute,
	synthesize: synthesize.execute,
};

/** Scenes are voiced `Options → Concurrency` at a time; errors stay per item. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return [[]];
	const options = this.getNodeParameter('options', 0, {}) as { concurrency?: number };
	return runItemsConcurrently.call(this, operations, Number(options.concurrency ?? 3));
}
