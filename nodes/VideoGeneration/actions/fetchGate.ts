import type { IExecuteFunctions } from 'n8n-workflow';

/** The fetch gate of one node execution: at most `limit` downloads and fits at once. */
const gates = new WeakMap<IExecuteFunctions, <T>(work: () => Promise<T>) => Promise<T>>();

export function fetchGateOf(ctx: IExecuteFunctions): (<T>(work: () => Promise<T>) => Promise<T>) | undefined {
	return gates.get(ctx);
}

export function openGate(ctx: IExecuteFunctions, limit: number): void {
	gates.set(ctx, makeGate(limit));
}

function makeGate(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
	let running = 0;
	const waiting: Array<() => void> = [];
	return async (work) => {
		if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
		else running++;
		try {
			return await work();
		} finally {
			const next = waiting.shift();
			if (next) next();
			else running--;
		}
	};
}
