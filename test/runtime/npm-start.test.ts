import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { REPO_ROOT } from '../../initialization/install-n8n';
import { Storage } from '../../nodes/shared/transport/storage';

/**
 * `npm start` as a user runs it, in a data folder of its own (no sample run): the banner says where the data is,
 * with commands that work; the webhooks answer a GET without n8n's internals; and a signal sent to npm itself
 * (not to the terminal's process group) stops every process the start made.
 */

interface Started {
	npm: ChildProcess;
	output: () => string;
}

let dataDir = '';

beforeAll(async () => {
	dataDir = await mkdtemp(join(tmpdir(), 'rs-npm-start-'));
});

afterAll(async () => {
	if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Runs `npm start` in a process group of its own, so the signal of a test reaches npm alone. */
async function npmStart(): Promise<Started> {
	let output = '';
	const env: NodeJS.ProcessEnv = { ...process.env, REELSMITH_DATA_DIR: dataDir, REELSMITH_NO_SAMPLE: '1' };
	for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'NODE_ENV' || key.startsWith('npm_')) delete env[key];
	const npm = spawn('npm', ['start'], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	npm.stdout!.on('data', (chunk) => (output += chunk));
	npm.stderr!.on('data', (chunk) => (output += chunk));
	// A first boot imports and publishes every workflow (an n8n boot per CLI call): minutes on a busy 2-core machine.
	const deadline = Date.now() + 8 * 60_000;
	while (!output.includes('Press Ctrl-C to stop.')) {
		if (npm.exitCode !== null) throw new Error(`npm start exited (${npm.exitCode}):\n${output.slice(-3000)}`);
		if (Date.now() > deadline) {
			// Stop what it started, or its Postgres keeps the data folder locked for the next test.
			const exited = new Promise((resolve) => npm.once('exit', resolve));
			process.kill(npm.pid!, 'SIGTERM');
			await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 90_000))]);
			throw new Error(`npm start did not print its banner in 8 minutes:\n${output.slice(-3000)}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	return { npm, output: () => output };
}

/** Every process below `root` now (n8n and its task runner, Postgres and its workers, the stack's node process). */
function descendants(root: number): number[] {
	const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
		.trim()
		.split('\n')
		.map((line) => line.trim().split(/\s+/).map(Number));
	const found: number[] = [];
	const walk = (parent: number) => {
		for (const [pid, ppid] of table) {
			if (ppid === parent && !found.includes(pid)) {
				found.push(pid);
				walk(pid);
			}
		}
	};
	walk(root);
	return found;
}

const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

/** Sends `signal` to npm's pid only and waits until npm and every process it had started are gone. */
async function stopWith(started: Started, signal: NodeJS.Signals): Promise<void> {
	const npmPid = started.npm.pid!;
	const processes = descendants(npmPid);
	assert.ok(processes.length >= 4, `npm start runs its processes below npm (found ${processes.length})`);
	const exited = new Promise<number | null>((resolve) => started.npm.once('exit', (code) => resolve(code)));
	process.kill(npmPid, signal);
	const deadline = Date.now() + 90_000;
	while ((alive(npmPid) || processes.some(alive)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
	const left = processes.filter(alive);
	if (left.length) for (const pid of left) process.kill(pid, 'SIGKILL');
	assert.deepEqual(left, [], `${signal} to npm left processes running:\n${started.output().slice(-2000)}`);
	assert.equal(await exited, 0, 'npm start exits 0 after an orderly stop');
	assert.match(started.output(), /\[stop\] stopped\. Data is kept for the next start\./);
}

function bannerLine(output: string, label: string): string {
	const line = output.split('\n').find((l) => l.startsWith(` ${label}`));
	assert.ok(line, `the banner has a "${label}" line:\n${output.slice(-3000)}`);
	return line;
}

describe('npm start', () => {
	test('the banner says where Postgres and the object store are, with commands that work', async () => {
		const started = await npmStart();
		try {
			const output = started.output();
			// One line per step with its time (n8n is installed already: the build and the first boot run here).
			assert.match(output, /^\[start\] first boot +\d+(\.\d)? s$|^\[start\] first boot +\d+ min \d\d s$/m);
			assert.match(bannerLine(output, 'Steps:'), /^ Steps: +build [\d.]+ s, first boot \d/);
			assert.doesNotMatch(output, /^npm (warn|WARN)/m, 'none of npm\'s warnings');
			assert.match(bannerLine(output, 'n8n database:'), /Postgres database reelsmith_n8n on 127\.0\.0\.1:\d+/);
			// The psql command printed under the Postgres line, run as printed.
			const lines = output.split('\n');
			const psqlLine = lines[lines.indexOf(bannerLine(output, 'Postgres:')) + 1].trim();
			assert.match(psqlLine, /^psql /);
			const table = execFileSync('sh', ['-c', psqlLine], { encoding: 'utf8' });
			assert.match(table, /id\s+\|\s+status\s+\|\s+stage\s+\|\s+created_at/);
			assert.match(table, /\(0 rows\)/, 'a new data folder has no runs yet');

			const store = bannerLine(output, 'Object store:').match(/S3 endpoint (\S+), bucket (\S+), region (\S+)/);
			assert.ok(store, 'the object store line names endpoint, bucket and region');
			const keys = lines[lines.indexOf(bannerLine(output, 'Object store:')) + 1].match(/access key (\S+), secret (\S+),/);
			assert.ok(keys, 'the local store says its keys');
			const storage = new Storage({ endpoint: store[1], bucket: store[2], region: store[3], accessKey: keys[1], secretKey: keys[2], forcePathStyle: true });
			await storage.uploadBuffer('hello', 'npm-start-test/hello.txt', 'text/plain');
			assert.deepEqual(await storage.listKeys('npm-start-test/'), ['npm-start-test/hello.txt']);

			// A browser or a health check trying the webhook with GET: a short JSON answer, no stack trace or paths.
			const webhook = bannerLine(output, 'Webhook:').match(/POST (\S+)/)![1];
			for (const url of [webhook, webhook.replace(/runs$/, 'no-such-hook')]) {
				const answer = await fetch(url);
				const body = await answer.text();
				assert.equal(answer.status, 404, `${url}: ${body}`);
				assert.match(answer.headers.get('content-type') ?? '', /application\/json/);
				assert.doesNotMatch(body, /stacktrace|node_modules|\/dist\/|at [A-Za-z.]+ \(/, `${url} shows no internals: ${body}`);
				assert.ok(body.length < 400, `${url}: a short answer (${body.length} bytes)`);
			}
			const wrongMethod = await (await fetch(webhook)).json();
			assert.equal(wrongMethod.message, 'This webhook is not registered for GET requests. Did you mean to make a POST request?');
		} finally {
			await stopWith(started, 'SIGINT');
		}
	});

	test('SIGTERM sent to npm itself, as a process manager does, stops everything too', async () => {
		// The second start on the same data folder: skips the imports, same stop.
		const started = await npmStart();
		assert.match(started.output(), /^\[start\] boot +\d/m, 'not a first boot: n8n\'s database and content are kept');
		assert.doesNotMatch(started.output(), /importing \d+ workflows/);
		await stopWith(started, 'SIGTERM');
	});
});
