import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Provider Concurrency without a Reelsmith Postgres credential: a count of running tasks per provider in this n8n
 * process (every execution of the node shares it). With the credential the limit is kept in Postgres instead
 * (Ledger.withSlot), so it also holds across n8n workers.
 */
const running = new Map<string, number>();

/** Waits for a free slot and takes it; call the returned function when the task has finished, failed or been given up. */
export async function takeSlot(provider: string, limit: number, timeoutMs: number): Promise<() => void> {
	const deadline = Date.now() + timeoutMs;
	while ((running.get(provider) ?? 0) >= Math.max(1, limit)) {
		if (Date.now() >= deadline) {
			throw new Error(
				`No free ${provider} slot: ${running.get(provider)} tasks were still running (limit ${limit}) after waiting ${Math.round(timeoutMs / 1000)} s. Raise Provider Concurrency if the account allows more, or wait for running tasks to finish.`,
			);
		}
		await sleep(100);
	}
	running.set(provider, (running.get(provider) ?? 0) + 1);
	let released = false;
	return () => {
		if (released) return;
		released = true;
		running.set(provider, Math.max(0, (running.get(provider) ?? 1) - 1));
	};
}
