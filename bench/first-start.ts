/**
 * P0 first start (issue 12): what a new user waits for. A fresh clone of this checkout's HEAD in a temp folder, an
 * empty npm cache (`npm_config_cache=<temp>`), then `npm install` and `npm start` until the sample's MP4 is
 * finished; prints each step's time (from the step lines npm start prints, see initialization/steps.ts) and the total.
 *
 *   npm run bench:first-start            (network and CPU heavy: n8n is ~2.8 GB; one run takes many minutes)
 *   npm run bench:first-start -- --keep  (keep the temp folder: the clone, its logs, the npm cache)
 *
 * One run, no baseline: the cost is the install itself. Issue 12 sets no target for it, so none is printed as met.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanNpmEnv, REPO_ROOT } from '../initialization/install-n8n';
import { formatDuration } from '../initialization/steps';

const KEEP = process.argv.includes('--keep');
const START_TIMEOUT_MS = 90 * 60_000;

const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');

/** "4 min 05 s" / "42 s" / "0.4 s" back to milliseconds (the inverse of formatDuration). */
function parseDuration(text: string): number {
	const minutes = /^(\d+) min (\d+) s$/.exec(text);
	if (minutes) return (Number(minutes[1]) * 60 + Number(minutes[2])) * 1000;
	return Number(text.replace(/ s$/, '')) * 1000;
}

/** A step line of npm start: `[install] n8n packages     4 min 05 s  note`. */
const STEP_LINE = /^\[(?:install|start)\] (\S[^:=]*?)\s+(\d+ min \d\d s|\d+(?:\.\d)? s)(?: {2}(.*))?$/;

function environment(cache: string): NodeJS.ProcessEnv {
	const env = cleanNpmEnv();
	// The defaults a new user gets: embedded Postgres, the local S3 store, regular mode.
	for (const key of ['DATABASE_URL', 'S3_ENDPOINT', 'REELSMITH_DATA_DIR', 'REELSMITH_WORKERS', 'REELSMITH_NO_SAMPLE', 'N8N_PORT', 'NODE_OPTIONS']) delete env[key];
	for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key.startsWith('TSX_')) delete env[key];
	return { ...env, npm_config_cache: cache, CI: 'true' };
}

function runLogged(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string }): Promise<{ code: number | null; output: string }> {
	return new Promise((resolve, reject) => {
		const log = createWriteStream(options.logFile);
		const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (log.write(chunk), (output += chunk)));
		child.on('error', reject);
		child.on('close', (code) => log.end(() => resolve({ code, output })));
	});
}

async function main(): Promise<void> {
	const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
	if (dirty) console.log('[bench] note: uncommitted changes are not in the clone (it is of HEAD).');
	const root = await mkdtemp(join(tmpdir(), 'rs-first-start-'));
	// As root, embedded Postgres runs as the postgres user, which must be able to enter the clone's data folder.
	await chmod(root, 0o755);
	const clone = join(root, 'reelsmith');
	const env = environment(join(root, 'npm-cache'));
	const rows: { step: string; ms: number; note?: string }[] = [];
	const loadBefore = load();
	let failed = '';
	try {
		execFileSync('git', ['clone', '--quiet', REPO_ROOT, clone]);
		console.log(`[bench] fresh clone of ${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: clone, encoding: 'utf8' }).trim()} in ${clone}, empty npm cache; load average ${loadBefore}`);

		let started = Date.now();
		const install = await runLogged('npm', ['install'], { cwd: clone, env, logFile: join(root, 'npm-install.log') });
		const warnings = install.output.split('\n').filter((line) => /^npm warn/i.test(line)).length;
		rows.push({ step: 'root install', ms: Date.now() - started, note: `the user's own \`npm install\` (${warnings} npm warn lines)` });
		console.log(`[bench] npm install: ${formatDuration(rows[0].ms)}, exit ${install.code}`);
		if (install.code !== 0) throw new Error(`npm install failed:\n${install.output.slice(-2000)}`);

		started = Date.now();
		const npm = spawn('npm', ['start'], { cwd: clone, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		const startLog = createWriteStream(join(root, 'npm-start.log'));
		let output = '';
		const done = new Promise<string>((resolve) => {
			let buffer = '';
			const onData = (chunk: Buffer) => {
				startLog.write(chunk);
				output += chunk;
				buffer += chunk;
				const lines = buffer.split('\n');
				buffer = lines.pop() ?? '';
				for (const line of lines) {
					const step = STEP_LINE.exec(line);
					if (step) {
						rows.push({ step: step[1], ms: parseDuration(step[2]), note: step[3] });
						console.log(`[bench] ${line}`);
					}
					if (/^\[start\] (to the first MP4|all steps \(no MP4\))/.test(line)) resolve(line);
				}
			};
			npm.stdout!.on('data', onData);
			npm.stderr!.on('data', onData);
			npm.on('exit', (code) => resolve(`npm start exited (${code})`));
			setTimeout(() => resolve(`no MP4 after ${formatDuration(START_TIMEOUT_MS)}`), START_TIMEOUT_MS).unref();
		});
		const end = await done;
		const wall = Date.now() - started;
		if (!end.startsWith('[start] to the first MP4')) failed = `${end}\n${output.slice(-3000)}`;
		rows.push({ step: 'npm start, wall', ms: wall, note: 'from `npm start` to the line that reports the MP4' });
		// Stop as a user does (Ctrl-C reaches npm start's supervisor, which stops n8n, storage, Postgres in order).
		if (npm.exitCode === null) {
			const exited = new Promise((resolve) => npm.once('exit', resolve));
			process.kill(npm.pid!, 'SIGINT');
			const timer = setTimeout(() => process.kill(-npm.pid!, 'SIGKILL'), 90_000);
			await exited;
			clearTimeout(timer);
		}
		startLog.end();
	} catch (error) {
		failed = (error as Error).message;
	} finally {
		const steps = rows.filter((row) => row.step !== 'npm start, wall');
		const total = steps.reduce((sum, row) => sum + row.ms, 0);
		const width = Math.max(...rows.map((row) => row.step.length), 5);
		console.log(`\nP0 first start: fresh clone, empty npm cache, \`npm install && npm start\` to the first MP4 (load average ${loadBefore} before, ${load()} after)`);
		console.log(`${'step'.padEnd(width)}  ${'time'.padStart(11)}  what`);
		for (const row of rows) console.log(`${row.step.padEnd(width)}  ${formatDuration(row.ms).padStart(11)}  ${row.note ?? ''}`);
		console.log(`${'total'.padEnd(width)}  ${formatDuration(total).padStart(11)}  root install + the steps npm start reported; target: none set in issue 12`);
		if (failed) console.log(`\nMISSED: npm start did not report a finished MP4: ${failed}`);
		if (KEEP || failed) console.log(`[bench] kept ${root} (npm-install.log, npm-start.log, the clone)`);
		else await rm(root, { recursive: true, force: true }).catch((error: Error) => console.log(`[bench] could not remove ${root}: ${error.message}`));
	}
	if (failed) process.exit(1);
}

main().catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
