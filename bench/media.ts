/**
 * What the media benchmarks (render.ts, probe.ts) share: timing a step with the CPU its child processes used, the
 * median of alternating repeats, the load average, and a plain table with targets and MISSED beside them.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/** Clock ticks per second of /proc (CLK_TCK, 100 on Linux). */
const TICKS = 100;

/**
 * CPU seconds (user + sys) of this process's finished children. Linux adds a child's rusage to its parent's
 * cutime/cstime when the child is reaped, so this counts ffmpeg/ffprobe (and whatever they ran) once they exit.
 */
export function childCpuSeconds(): number {
	const stat = readFileSync('/proc/self/stat', 'utf8');
	// Fields after the command name (which may hold spaces) start at field 3; cutime and cstime are fields 16 and 17.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return (Number(fields[13]) + Number(fields[14])) / TICKS;
}

export interface Sample {
	seconds: number;
	/** CPU seconds of the child processes (user + sys) divided by wall seconds: 2.0 = both cores busy throughout. */
	cores: number;
}

export async function timed(work: () => Promise<unknown>): Promise<Sample> {
	const cpu = childCpuSeconds();
	const started = process.hrtime.bigint();
	await work();
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	return { seconds, cores: (childCpuSeconds() - cpu) / seconds };
}

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs each contender once per round, in turn (so load drifts hit all of them), and returns every sample. */
export async function alternate(
	repeats: number,
	contenders: Record<string, () => Promise<unknown>>,
): Promise<Record<string, Sample[]>> {
	const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
	for (let round = 0; round < repeats; round++) {
		for (const [name, work] of Object.entries(contenders)) samples[name].push(await timed(work));
	}
	return samples;
}

export const medianOf = (samples: Sample[]) => ({
	seconds: median(samples.map((sample) => sample.seconds)),
	cores: median(samples.map((sample) => sample.cores)),
});

export function machine(): string {
	return `${cpus().length} cores, load average ${loadavg()
		.map((value) => value.toFixed(2))
		.join(' ')}`;
}

export function table(columns: string[], rows: string[][]): string {
	const widths = columns.map((column, index) => Math.max(column.length, ...rows.map((row) => row[index].length)));
	const format = (cells: string[]) => `| ${cells.map((cell, index) => cell.padEnd(widths[index])).join(' | ')} |`;
	return [format(columns), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(format)].join('\n');
}

export const argument = (name: string, fallback: number) => {
	const index = process.argv.indexOf(`--${name}`);
	return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
