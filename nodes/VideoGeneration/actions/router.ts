import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { runOperations, type OperationHandler } from '../../shared/router';
import { providerOrder } from '../providers';
import { openGate } from './fetchGate';
import * as generate from './generate.operation';

export const operations: Record<string, OperationHandler> = {
	generate: generate.execute,
};

/**
 * Items waiting for a paid provider's render hold no CPU, and its Provider Concurrency already bounds them: they run
 * on top of Options → Concurrency, which then bounds the downloads and fits. So a scene submits as soon as an earlier task finishes at the provider, while
 * that one is still downloaded and fitted, instead of waiting for it (item 0's first provider decides).
 */
export function itemsAtOnce(ctx: IExecuteFunctions): number {
	const options = ctx.getNodeParameter('options', 0, {}) as { concurrency?: number; providerConcurrency?: number };
	const concurrency = Math.max(1, Math.floor(Number(options.concurrency ?? 3)) || 1);
	let first;
	try {
		first = providerOrder(String(ctx.getNodeParameter('provider', 0, 'auto') ?? '') || 'auto', [])[0];
	} catch {
		return concurrency;
	}
	const attached = ctx.getNode().credentials;
	if (!first.credential || (attached && !attached[first.credential])) return concurrency;
	// Every item may wait for the provider; the download and fit after it take turns within Concurrency (fetchGate).
	return Math.max(concurrency + (Number(options.providerConcurrency) || first.concurrency || 0), ctx.getInputData().length);
}

/** Renders are slow and independent: items run `itemsAtOnce` at a time, errors stay per item. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	if (this.getInputData().length === 0) return [[]];
	const options = this.getNodeParameter('options', 0, {}) as { concurrency?: number };
	openGate(this, Math.max(1, Math.floor(Number(options.concurrency ?? 3)) || 1));
	return runOperations.call(this, operations, 1, itemsAtOnce(this));
}
