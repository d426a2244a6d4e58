/**
 * What the speed benchmarks share: ours and a baseline run alternately (so a busy machine slows both alike), the
 * median of the repeats, the load average beside the figures, and a table with each target and whether it was met.
 * A missed target is printed as MISSED; nothing here fails or hides a row.
 */
import { cpus, loadavg } from 'node:os';

export const argument = (name: string, fallback: string): string => {
	const index = process.argv.indexOf(`--${name}`);
	return index > 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1] : fallback;
};

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The 1, 5 and 15 minute load averages and the core count, as one line. */
export function load(): string {
	return `${loadavg().map((value) => value.toFixed(2)).join(' ')} (${cpus().length} cores)`;
}

/** Seconds one call of `fn` takes. */
export async function seconds(fn: () => Promise<unknown>): Promise<number> {
	const start = process.hrtime.bigint();
	await fn();
	return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * Runs every contender once per round, in turn (the order rotates each round), for `repeats` rounds; returns each
 * one's seconds per round.
 */
export async function alternate(repeats: number, contenders: Record<string, () => Promise<unknown>>): Promise<Record<string, number[]>> {
	const names = Object.keys(contenders);
	const times: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
	for (let round = 0; round < repeats; round++) {
		const order = names.map((_, index) => names[(index + round) % names.length]);
		for (const name of order) times[name].push(await seconds(contenders[name]));
		process.stderr.write(`  round ${round + 1}/${repeats}: ${order.map((name) => `${name} ${times[name][round].toFixed(2)} s`).join(', ')}\n`);
	}
	return times;
}

export interface Row {
	step: string;
	/** Median seconds of ours. */
	ours: number;
	/** Median seconds of the baseline. */
	baseline: number;
	/** ours ÷ baseline (lower is better), or baseline ÷ ours (higher is better). */
	ratio: 'ours/baseline' | 'baseline/ours';
	/** The target for the ratio: at most (for ours/baseline) or at least (for baseline/ours); none = shown only. */
	target?: number;
}

/** Prints the table; returns the rows whose target was missed. */
export function printTable(title: string, rows: Row[]): Row[] {
	const missed: Row[] = [];
	console.log(`\n${title}\n`);
	console.log(`${'step'.padEnd(44)} ${'ours s'.padStart(8)} ${'baseline s'.padStart(10)}   ${'ratio'.padEnd(22)} ${'target'.padStart(7)}   result`);
	for (const row of rows) {
		const value = row.ratio === 'ours/baseline' ? row.ours / row.baseline : row.baseline / row.ours;
		const sense = row.ratio === 'ours/baseline' ? '≤' : '≥';
		const met = row.target === undefined ? null : row.ratio === 'ours/baseline' ? value <= row.target : value >= row.target;
		if (met === false) missed.push(row);
		console.log(
			`${row.step.padEnd(44)} ${row.ours.toFixed(3).padStart(8)} ${row.baseline.toFixed(3).padStart(10)}   ` +
				`${`${value.toFixed(2)} (${row.ratio})`.padEnd(22)} ${(row.target === undefined ? '—' : `${sense} ${row.target}`).padStart(7)}   ` +
				(met === null ? '(no target)' : met ? 'met' : 'MISSED'),
		);
	}
	return missed;
}
