import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { runOperations } from '../../shared/router';
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
	return runOperations.call(this, operations, 1, Number(options.concurrency ?? 3));
}
