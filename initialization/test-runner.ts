/**
 * `npm test`: makes sure n8n (Node 24) is installed and the package and the dashboard app are built — the
 * end-to-end and browser tests need them — then runs every test/**\/*.test.ts with Node's test runner (spec
 * reporter) and exits with its exit code.
 *
 *   npm test                                  all tests
 *   npm test -- test/ffmpeg                   a folder
 *   npm test -- test/e2e/pipeline.test.ts     a file
 *   npm test -- concat srt                    files whose path contains "concat" or "srt"
 *   npm test -- --test-name-pattern=loudness  extra flags go to `node --test`
 *
 * REELSMITH_TEST_CONCURRENCY sets how many test files run at once (default 1: the media tests use both cores).
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { buildPackage } from './build';
import { buildDashboard } from '../ui/build';
import { ensureInstalled, REPO_ROOT } from './install-n8n';

const TEST_ROOT = join(REPO_ROOT, 'test');

async function testFiles(folder: string, found: string[] = []): Promise<string[]> {
	for (const entry of await readdir(folder, { withFileTypes: true })) {
		if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
		const path = join(folder, entry.name);
		if (entry.isDirectory()) await testFiles(path, found);
		else if (entry.isFile() && entry.name.endsWith('.test.ts')) found.push(path);
	}
	return found;
}

/** Turns `npm test -- …` arguments into test files and extra `node --test` flags. */
async function selection(args: string[]): Promise<{ files: string[]; flags: string[] }> {
	const flags = args.filter((arg) => arg.startsWith('-'));
	const picks = args.filter((arg) => !arg.startsWith('-'));
	const all = (await testFiles(TEST_ROOT)).sort();
	if (!picks.length) return { files: all, flags };
	const files = new Set<string>();
	for (const pick of picks) {
		const path = resolve(pick);
		if (existsSync(path) && statSync(path).isDirectory()) (await testFiles(path)).forEach((file) => files.add(file));
		else if (existsSync(path)) files.add(path);
		else all.filter((file) => relative(REPO_ROOT, file).includes(pick)).forEach((file) => files.add(file));
	}
	if (!files.size) throw new Error(`No test file matches ${picks.join(', ')}. Test files live in test/**/*.test.ts.`);
	return { files: [...files].sort(), flags };
}

async function main(): Promise<number> {
	const started = Date.now();
	const { files, flags } = await selection(process.argv.slice(2));
	await ensureInstalled(console.log);
	await buildPackage(console.log);
	// The dashboard's browser test loads ui/dist; building it here keeps every test on the current sources.
	await buildDashboard(console.log);
	const concurrency = Number(process.env.REELSMITH_TEST_CONCURRENCY) || 1;
	console.log(`[test] ${files.length} test files, ${concurrency} at a time …\n`);
	// Node 20's runner takes no globs, so the files are listed explicitly.
	const args = ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...flags, ...files.map((file) => relative(REPO_ROOT, file))];
	const summary: string[] = [];
	const code = await new Promise<number>((resolvePromise) => {
		const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
		let buffer = '';
		child.stdout.setEncoding('utf8');
		child.stdout.on('data', (chunk: string) => {
			process.stdout.write(chunk);
			buffer += chunk;
			const lines = buffer.split('\n');
			buffer = lines.pop() ?? '';
			// The spec reporter ends with "ℹ tests N", "ℹ pass N", "ℹ fail N", … lines.
			for (const line of lines) if (/^ℹ (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(line)) summary.push(line);
		});
		child.on('close', (exitCode, signal) => resolvePromise(exitCode ?? (signal ? 1 : 0)));
		const forward = (signal: NodeJS.Signals) => child.kill(signal);
		process.on('SIGINT', forward);
		process.on('SIGTERM', forward);
	});
	console.log('\n──── test summary ────');
	console.log(summary.length ? summary.join('\n') : '(the runner printed no summary)');
	console.log(`${code === 0 ? 'PASSED' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s (exit code ${code})`);
	return code;
}

main().then(
	(code) => process.exit(code),
	(error: Error) => {
		console.error(error.message);
		process.exit(1);
	},
);
