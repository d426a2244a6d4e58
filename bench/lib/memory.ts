/**
 * Resident memory of n8n's processes, read from /proc (Linux): one place for the benchmarks and the reliability
 * suite. A role is "n8n main" or "worker N", with " task runner" for the node processes it started.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { basename } from 'node:path';

/** Resident memory (MiB) of every node process in n8n's process trees (main or workers, and their task runners). */
export async function n8nMemory(rootPids: number[]): Promise<Map<string, number>> {
	const parents = new Map<number, number>();
	for (const entry of await readdir('/proc').catch(() => [] as string[])) {
		if (!/^\d+$/.test(entry)) continue;
		const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
		const match = /^\d+ \((.*)\) \S (\d+)/.exec(stat);
		if (match) parents.set(Number(entry), Number(match[2]));
	}
	const result = new Map<string, number>();
	for (const [index, root] of rootPids.entries()) {
		const tree = [root];
		for (let at = 0; at < tree.length; at++) for (const [pid, parent] of parents) if (parent === tree[at]) tree.push(pid);
		for (const pid of tree) {
			// By the binary, not the process name: Node 24 names its main thread "MainThread", which /proc reports.
			if (basename(await readlink(`/proc/${pid}/exe`).catch(() => '')) !== 'node') continue;
			const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
			const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
			const role = `${index === 0 ? 'n8n main' : `worker ${index}`}${pid === root ? '' : ' task runner'}`;
			result.set(role, Math.max(result.get(role) ?? 0, kib / 1024));
		}
	}
	return result;
}

export interface MemorySample {
	at: number;
	memory: Map<string, number>;
}

/** Samples n8nMemory every `intervalMs` until stopped; `rootPids` is asked each time (a process may be restarted). */
export function sampleMemory(rootPids: () => number[], intervalMs = 500) {
	const samples: MemorySample[] = [];
	let sampling = true;
	const loop = (async () => {
		while (sampling) {
			samples.push({ at: Date.now(), memory: await n8nMemory(rootPids()) });
			await new Promise((resolve) => setTimeout(resolve, intervalMs));
		}
	})();
	return {
		samples,
		/** Stops sampling; resolves with every sample taken. */
		async stop(): Promise<MemorySample[]> {
			sampling = false;
			await loop;
			return samples;
		},
	};
}

/** Highest RSS (MiB) per role over the samples that pass `filter`. */
export function peaks(samples: MemorySample[], filter: (sample: MemorySample) => boolean = () => true): Map<string, number> {
	const result = new Map<string, number>();
	for (const sample of samples.filter(filter)) {
		for (const [role, mib] of sample.memory) result.set(role, Math.max(result.get(role) ?? 0, mib));
	}
	return result;
}
