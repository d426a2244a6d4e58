/**
 * `npm run bench`: every speed and memory benchmark of issue 12, one after another, each printing its own table of
 * ours, the baseline, the ratio and its target (MISSED when missed). Ends with one line per benchmark.
 *
 *   node --import tsx bench/all.ts [--quick] [--with-first-start]
 *
 * --quick passes each benchmark's quick settings where it has them (fewer scenes and repeats); the first-start
 * benchmark (a fresh clone with an empty npm cache, ~20 minutes, downloads n8n) runs only with --with-first-start.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { load } from './ratio';

const quick = process.argv.includes('--quick');
const BENCHES: { name: string; file: string; args: string[]; quickArgs: string[] }[] = [
	{ name: 'P2 assembly', file: 'assembly.ts', args: [], quickArgs: ['--scenes', '4', '--no-reencode'] },
	{ name: 'speech', file: 'speech.ts', args: [], quickArgs: [] },
	{ name: 'render', file: 'render.ts', args: [], quickArgs: [] },
	{ name: 'probe once', file: 'probe.ts', args: [], quickArgs: [] },
	{ name: 'P1 P3 P4 P6 pipeline', file: 'pipeline.ts', args: [], quickArgs: ['--quick'] },
];
if (process.argv.includes('--with-first-start')) BENCHES.push({ name: 'P0 first start', file: 'first-start.ts', args: [], quickArgs: [] });

const results: string[] = [];
console.log(`[bench] ${BENCHES.length} benchmarks${quick ? ' (quick)' : ''}; load ${load()}`);
for (const bench of BENCHES) {
	console.log(`\n[bench] ── ${bench.name} (bench/${bench.file}) ──`);
	const started = Date.now();
	const child = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, bench.file), ...(quick ? bench.quickArgs : bench.args)], { stdio: 'inherit' });
	const minutes = ((Date.now() - started) / 60_000).toFixed(1);
	results.push(`${bench.name.padEnd(22)} ${child.status === 0 ? 'ran' : `exit ${child.status ?? child.signal}`} in ${minutes} min`);
}
console.log(`\n[bench] done; load ${load()}\n${results.map((line) => `  ${line}`).join('\n')}`);
console.log('[bench] targets met or MISSED are in each table above.');
