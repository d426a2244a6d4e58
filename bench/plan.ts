/**
 * Planning speed and memory (issue 10): parse + critique + refine of the longest screenplay in the corpus
 * (test/fixtures/scripts/corpus), beside fountain-js parsing the same text, as a ratio. A second row does the same
 * for a 200 KB script (the corpus repeated up to the webhook's script limit).
 *
 *   node --import tsx bench/plan.ts [--iterations 200]
 *
 * Each measurement runs in a fresh Node process, so peak memory is that process's own: the largest resident set
 * (maxRSS) and the largest heap seen between iterations. Time is the mean of the iterations after 20 warm-up runs.
 * Targets are checked here, never in timed tests.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const CORPUS = join(__dirname, '..', 'test', 'fixtures', 'scripts', 'corpus');
const LIMIT_BYTES = 200 * 1024;

const argument = (name: string, fallback: string) => {
	const index = process.argv.indexOf(`--${name}`);
	return index > 0 ? process.argv[index + 1] : fallback;
};

function longest(): { name: string; text: string } {
	const files = readdirSync(CORPUS).filter((name) => name.endsWith('.fountain'));
	const name = files.sort((a, b) => statSync(join(CORPUS, b)).size - statSync(join(CORPUS, a)).size)[0];
	return { name, text: readFileSync(join(CORPUS, name), 'utf8') };
}

/** The corpus scripts with headings, one after another, until the script limit. */
function big(): string {
	const parts = readdirSync(CORPUS)
		.filter((name) => name.endsWith('.fountain'))
		.map((name) => readFileSync(join(CORPUS, name), 'utf8'))
		.filter((text) => /^(INT|EXT)\./m.test(text))
		.map((text) => text.replace(/^[\s\S]*?(?=^(INT|EXT)\.)/m, ''));
	let out = '';
	for (let index = 0; Buffer.byteLength(out) < LIMIT_BYTES - 8 * 1024; index++) out += `${parts[index % parts.length]}\n\n`;
	return out;
}

interface Measure {
	ms: number;
	maxRssMb: number;
	peakHeapMb: number;
	scenes: number;
}

async function child(kind: string, input: string, iterations: number): Promise<void> {
	const text = input === 'longest' ? longest().text : big();
	let work: () => number;
	if (kind === 'fountain-js') {
		const { Fountain } = await import('fountain-js');
		work = () => new Fountain().parse(text, true).tokens.filter((token) => token.type === 'scene_heading').length;
	} else {
		const { parseScript } = await import('../nodes/shared/screenplay/parse');
		const { critiquePlan } = await import('../nodes/shared/screenplay/critique');
		const { refinePlan } = await import('../nodes/Screenplay/lib/refine');
		work = () => {
			const plan = parseScript(text, { format: 'fountain', targetDuration: 60 });
			const opts = { clipLimit: 10, targetDuration: 60 };
			const refined = refinePlan(plan, critiquePlan(plan, opts), opts).plan;
			critiquePlan(refined, opts);
			return refined.scenes.length;
		};
	}
	let scenes = 0;
	for (let index = 0; index < 20; index++) scenes = work();
	let peakHeap = 0;
	const started = process.hrtime.bigint();
	for (let index = 0; index < iterations; index++) {
		scenes = work();
		peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
	}
	const ms = Number(process.hrtime.bigint() - started) / 1e6 / iterations;
	const result: Measure = { ms, maxRssMb: process.resourceUsage().maxRSS / 1024, peakHeapMb: peakHeap / 1024 / 1024, scenes };
	process.stdout.write(JSON.stringify(result));
}

function measure(kind: string, input: string, iterations: number): Measure {
	const out = execFileSync(process.execPath, ['--import', 'tsx', __filename, '--child', kind, '--input', input, '--iterations', String(iterations)], {
		encoding: 'utf8',
	});
	return JSON.parse(out) as Measure;
}

async function main(): Promise<void> {
	const kind = argument('child', '');
	const iterations = Number(argument('iterations', '200'));
	if (kind) return child(kind, argument('input', 'longest'), iterations);

	const { name, text } = longest();
	const rows: string[] = [];
	const line = (cells: string[]) => rows.push(cells.map((cell, index) => (index === 0 ? cell.padEnd(54) : cell.padStart(14))).join(''));
	line(['', 'ms/run', 'max RSS MB', 'peak heap MB', 'scenes']);
	for (const [input, label, runs] of [
		['longest', `${name} (${(Buffer.byteLength(text) / 1024).toFixed(1)} KB)`, iterations],
		['big', `corpus repeated (${(Buffer.byteLength(big()) / 1024).toFixed(0)} KB)`, Math.max(5, Math.round(iterations / 20))],
	] as const) {
		const ours = measure('plan', input, runs);
		const baseline = measure('fountain-js', input, runs);
		line([`${label}`, '', '', '', '']);
		line(['  parse + critique + refine (+ critique)', ours.ms.toFixed(2), ours.maxRssMb.toFixed(1), ours.peakHeapMb.toFixed(1), String(ours.scenes)]);
		line(['  fountain-js parse (baseline)', baseline.ms.toFixed(2), baseline.maxRssMb.toFixed(1), baseline.peakHeapMb.toFixed(1), String(baseline.scenes)]);
		line([
			'  ratio (ours / fountain-js)',
			`${(ours.ms / baseline.ms).toFixed(2)}×`,
			`${(ours.maxRssMb / baseline.maxRssMb).toFixed(2)}×`,
			`${(ours.peakHeapMb / baseline.peakHeapMb).toFixed(2)}×`,
			'',
		]);
	}
	console.log(rows.join('\n'));
}

void main();
