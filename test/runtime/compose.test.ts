import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../initialization/install-n8n';

const run = promisify(execFile);

/** `docker compose` (v2 plugin) when present, else Debian's `docker-compose`; undefined when neither exists. */
async function composeCommand(): Promise<string[] | undefined> {
	for (const command of [['docker', 'compose'], ['docker-compose']]) {
		try {
			await run(command[0], [...command.slice(1), 'version']);
			return command;
		} catch {
			// try the next one
		}
	}
	return undefined;
}

/** The environment without anything a developer may have exported for compose. */
function cleanEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
	return env;
}

test('docker-compose.yml passes `docker compose config`, with and without a .env', async ({ skip }) => {
	const compose = await composeCommand();
	if (!compose) return skip('neither `docker compose` nor `docker-compose` is installed');
	const [bin, ...pre] = compose;
	const file = join(REPO_ROOT, 'docker-compose.yml');
	await run(bin, [...pre, '-f', file, 'config', '-q'], { cwd: REPO_ROOT, env: cleanEnv() });
	await run(bin, [...pre, '-f', file, '--env-file', join(REPO_ROOT, 'initialization/docker/.env.example'), 'config', '-q'], {
		cwd: REPO_ROOT,
		env: cleanEnv(),
	});
	const services = (await run(bin, [...pre, '-f', file, 'config', '--services'], { cwd: REPO_ROOT, env: cleanEnv() })).stdout
		.trim()
		.split('\n')
		.sort();
	assert.deepEqual(services, ['createbuckets', 'dashboard', 'init', 'minio', 'n8n', 'n8n-worker', 'postgres', 'redis']);
});

test('a secret set in .env reaches every n8n process, and n8n waits for init', async ({ skip }) => {
	const compose = await composeCommand();
	if (!compose) return skip('neither `docker compose` nor `docker-compose` is installed');
	const [bin, ...pre] = compose;
	const dir = await mkdtemp(join(tmpdir(), 'reelsmith-compose-'));
	try {
		const env = (await readFile(join(REPO_ROOT, 'initialization/docker/.env.example'), 'utf8')).replace(
			/^N8N_ENCRYPTION_KEY=.*$/m,
			'N8N_ENCRYPTION_KEY=test-key-0123456789',
		);
		await writeFile(join(dir, '.env'), env);
		const { stdout } = await run(
			bin,
			[...pre, '-f', join(REPO_ROOT, 'docker-compose.yml'), '--env-file', join(dir, '.env'), 'config'],
			{ cwd: REPO_ROOT, env: cleanEnv() },
		);
		// main, worker and init share the key (3 occurrences) and the same image build.
		assert.equal(stdout.match(/N8N_ENCRYPTION_KEY: test-key-0123456789/g)?.length, 3, stdout);
		assert.match(stdout, /EXECUTIONS_MODE: queue/);
		assert.match(stdout, /service_completed_successfully/);
		assert.match(stdout, /initialization\/docker\/Dockerfile/);
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
});

test('the dashboard service gets the store, the webhook token and the first admin from .env, and waits for init', async ({ skip }) => {
	const compose = await composeCommand();
	if (!compose) return skip('neither `docker compose` nor `docker-compose` is installed');
	const [bin, ...pre] = compose;
	const dir = await mkdtemp(join(tmpdir(), 'reelsmith-compose-'));
	try {
		const env = (await readFile(join(REPO_ROOT, 'initialization/docker/.env.example'), 'utf8'))
			.replace(/^REELSMITH_WEBHOOK_TOKEN=.*$/m, 'REELSMITH_WEBHOOK_TOKEN=token-0123456789')
			.replace(/^REELSMITH_ADMIN_PASSWORD=.*$/m, 'REELSMITH_ADMIN_PASSWORD=admin-secret-42')
			.replace(/^POSTGRES_PASSWORD=.*$/m, 'POSTGRES_PASSWORD=pg-secret-42');
		await writeFile(join(dir, '.env'), env);
		const { stdout } = await run(bin, [...pre, '-f', join(REPO_ROOT, 'docker-compose.yml'), '--env-file', join(dir, '.env'), 'config'], {
			cwd: REPO_ROOT,
			env: cleanEnv(),
		});
		// The dashboard block: from its key to the next service at the same indentation (YAML text of v1 and v2 alike).
		const block = /\n  dashboard:\n([\s\S]*?)(?=\n  [a-z][\w-]*:\n|\n[a-z]|$)/.exec(stdout)?.[1] ?? '';
		assert.ok(block, stdout);
		assert.match(block, /\/opt\/reelsmith\/ui\/server\/main\.js/);
		assert.match(block, /DATABASE_URL: postgres:\/\/reelsmith:pg-secret-42@postgres:5432\/reelsmith/);
		assert.match(block, /REELSMITH_WEBHOOK_TOKEN: token-0123456789/);
		assert.match(block, /REELSMITH_ADMIN_PASSWORD: admin-secret-42/);
		assert.match(block, /N8N_URL: http:\/\/n8n:5678/);
		assert.match(block, /REELSMITH_DASHBOARD_HOST: 0\.0\.0\.0/);
		assert.match(block, /init:\s+condition: service_completed_successfully/);
		assert.match(block, /5680/);
		assert.match(block, /healthz/);
		assert.match(block, /initialization\/docker\/Dockerfile/);
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
});
