import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { runOperations } from '../../shared/router';
import * as checkFrame from './checkFrame.operation';
import * as critique from './critique.operation';
import * as metadata from './metadata.operation';
import * as plan from './plan.operation';
import * as refine from './refine.operation';
import * as videoPrompts from './videoPrompts.operation';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return runOperations.call(this, {
		plan: plan.execute,
		critique: critique.execute,
		checkFrame: checkFrame.execute,
		refine: refine.execute,
		videoPrompts: videoPrompts.execute,
		metadata: metadata.execute,
	});
}
