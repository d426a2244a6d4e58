/**
 * The steps of a first start (install, build, boot, sample run) as one line each with its time, instead of the
 * output of the tools behind them (that goes to log files). Used by install-n8n.ts, start.ts and
 * bench/first-start.ts, which reads these lines back.
 */
import type { Log } from './install-n8n';

export interface StepTime {
	step: string;
	ms: number;
}

/** "0.4 s", "42 s", "4 min 05 s". */
export function formatDuration(ms: number): string {
	const seconds = ms / 1000;
	if (seconds < 10) return `${seconds.toFixed(1)} s`;
	if (seconds < 60) return `${Math.floor(seconds)} s`;
	const minutes = Math.floor(seconds / 60);
	return `${minutes} min ${String(Math.floor(seconds - minutes * 60)).padStart(2, '0')} s`;
}

/** `[install] n8n packages         4 min 05 s  n8n 2.40.7 …`: the step's one line (bench/first-start.ts parses it). */
export function stepLine(prefix: string, step: StepTime, note?: string): string {
	return `${prefix} ${step.step.padEnd(16)} ${formatDuration(step.ms).padStart(10)}${note ? `  ${note}` : ''}`;
}

/** `[start] to the first MP4: 6 min 40 s = Node 24 12 s + …`: the total and every step's time. */
export function totalLine(prefix: string, steps: StepTime[]): string {
	const total = steps.reduce((sum, step) => sum + step.ms, 0);
	return `${prefix} ${formatDuration(total)} = ${steps.map((step) => `${step.step} ${formatDuration(step.ms)}`).join(' + ')}`;
}

export interface StepOptions {
	log: Log;
	/**
	 * A terminal: while the step runs, its elapsed time ticks on one line, replaced by the step's line at the end.
	 * Only for steps that print nothing else meanwhile (the install steps).
	 */
	live?: NodeJS.WriteStream;
	/** Where the step's time is recorded. */
	times?: StepTime[];
}

/**
 * Runs one step and prints its one line when it ends (`note` says what it did). On failure it prints the step's
 * line with "failed" and rethrows: the error carries what went wrong (for npm, the log's tail and path).
 */
export async function timedStep<T>(
	prefix: string,
	name: string,
	options: StepOptions,
	run: () => Promise<T>,
	note: (result: T) => string | undefined = () => undefined,
): Promise<T> {
	const started = Date.now();
	const live = options.live?.isTTY ? options.live : undefined;
	const draw = () => live?.write(`\r${prefix} ${name.padEnd(16)} ${formatDuration(Date.now() - started).padStart(10)} …\x1b[K`);
	draw();
	const ticker = live ? setInterval(draw, 1000) : undefined;
	const finish = () => {
		if (ticker) clearInterval(ticker);
		live?.write('\r\x1b[K');
		const step = { step: name, ms: Date.now() - started };
		options.times?.push(step);
		return step;
	};
	try {
		const result = await run();
		options.log(stepLine(prefix, finish(), note(result)));
		return result;
	} catch (error) {
		options.log(stepLine(prefix, finish(), 'FAILED'));
		throw error;
	}
}
