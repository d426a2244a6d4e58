import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { runOperations } from '../../shared/router';
import * as critique from './critique.operation';
import * as parse from './parse.operation';
import * as refine from './refine.operation';
import * as take from './take.operation';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return runOperations.call(this, {
		parse: parse.execute,
		critique: critique.execute,
		refine: refine.execute,
		take: take.execute,
	});
}
