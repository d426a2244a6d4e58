import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { runConcurrently, type OperationHandler } from '../../shared/router';
import * as listVoices from './listVoices.operation';
import * as previewVoice from './previewVoice.operation';
import * as synthesize from './synthesize.operation';
import * as synthesizeScene from './synthesizeScene.operation';

export const operations: Record<string, OperationHandler> = {
	synthesizeScene: synthesizeScene.execute,
	synthesize: synthesize.execute,
	listVoices: listVoices.execute,
	previewVoice: previewVoice.execute,
};

/** Scenes are voiced `Options → Concurrency` at a time; errors stay per item. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return runConcurrently.call(this, operations);
}
