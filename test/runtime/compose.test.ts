import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../initialization/install-n8n';
import { queueModeEnvironment, workerEnvironment } from '../../initialization/n8n-queue';

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

type Service = {
	image?: string;
	build?: unknown;
	environment?: Record<string, string>;
	depends_on?: Record<string, { condition: string }> | string[];
	healthcheck?: { test: string[] | string };
};

/** `docker compose config` (with the given .env) parsed; undefined when no compose is installed. */
async function composeConfig(envFile?: string): Promise<{ services: Record<string, Service> } | undefined> {
	const compose = await composeCommand();
	if (!compose) return undefined;
	const [bin, ...pre] = compose;
	const args = [...pre, '-f', join(REPO_ROOT, 'docker-compose.yml'), ...(envFile ? ['--env-file', envFile] : []), 'config'];
	return parse((await run(bin, args, { cwd: REPO_ROOT, env: cleanEnv() })).stdout);
}

/** The services that run n8n itself and must share its settings. */
const N8N_SERVICES = ['init', 'n8n', 'n8n-worker'];

test('init waits for Redis (n8n CLI calls in queue mode need it) and n8n main waits for init to have published', async ({ skip }) => {
	const config = await composeConfig();
	if (!config) return skip('neither `docker compose` nor `docker-compose` is installed');
	assert.deepEqual(config.services.init.depends_on, {
		postgres: { condition: 'service_healthy' },
		redis: { condition: 'service_healthy' },
		createbuckets: { condition: 'service_completed_successfully' },
	});
	for (const name of ['n8n', 'n8n-worker']) {
		const dependsOn = config.services[name].depends_on as Record<string, { condition: string }>;
		assert.equal(dependsOn.init?.condition, 'service_completed_successfully', name);
		assert.equal(dependsOn.redis?.condition, 'service_healthy', name);
	}
});

test('the worker serves /healthz on its health-check port and has a healthcheck that asks it', async ({ skip }) => {
	const config = await composeConfig();
	if (!config) return skip('neither `docker compose` nor `docker-compose` is installed');
	const worker = config.services['n8n-worker'];
	assert.equal(worker.environment?.QUEUE_HEALTH_CHECK_ACTIVE, 'true');
	const port = worker.environment?.QUEUE_HEALTH_CHECK_PORT;
	assert.match(String(port), /^\d+$/);
	const command = [worker.healthcheck?.test ?? []].flat().join(' ');
	assert.match(command, new RegExp(`wget -qO- http://127\\.0\\.0\\.1:${port}/healthz`), command);
});

test('every n8n process keeps binary data in the database and shares the Bull prefix and Redis DB from .env', async ({ skip }) => {
	const defaults = await composeConfig();
	if (!defaults) return skip('neither `docker compose` nor `docker-compose` is installed');
	const dir = await mkdtemp(join(tmpdir(), 'reelsmith-compose-'));
	try {
		const env = (await readFile(join(REPO_ROOT, 'initialization/docker/.env.example'), 'utf8'))
			.replace(/^QUEUE_BULL_PREFIX=.*$/m, 'QUEUE_BULL_PREFIX=test-prefix')
			.replace(/^QUEUE_BULL_REDIS_DB=.*$/m, 'QUEUE_BULL_REDIS_DB=7');
		await writeFile(join(dir, '.env'), env);
		const custom = await composeConfig(join(dir, '.env'));
		for (const name of N8N_SERVICES) {
			const environment: Record<string, string> = defaults.services[name].environment ?? {};
			assert.equal(environment.EXECUTIONS_MODE, 'queue', name);
			assert.equal(environment.N8N_DEFAULT_BINARY_DATA_MODE, 'database', name);
			assert.equal(environment.QUEUE_BULL_PREFIX, 'reelsmith', name);
			assert.equal(String(environment.QUEUE_BULL_REDIS_DB), '0', name);
			assert.equal(custom?.services[name].environment?.QUEUE_BULL_PREFIX, 'test-prefix', name);
			assert.equal(String(custom?.services[name].environment?.QUEUE_BULL_REDIS_DB), '7', name);
		}
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
});

test('one Max Running from .env reaches every n8n process and the dashboard', async ({ skip }) => {
	const defaults = await composeConfig();
	if (!defaults) return skip('neither `docker compose` nor `docker-compose` is installed');
	const dir = await mkdtemp(join(tmpdir(), 'reelsmith-compose-'));
	try {
		const env = (await readFile(join(REPO_ROOT, 'initialization/docker/.env.example'), 'utf8')).replace(
			/^REELSMITH_MAX_RUNNING=.*$/m,
			'REELSMITH_MAX_RUNNING=5',
		);
		await writeFile(join(dir, '.env'), env);
		const custom = await composeConfig(join(dir, '.env'));
		for (const name of [...N8N_SERVICES, 'dashboard']) {
			assert.equal(String(defaults.services[name].environment?.REELSMITH_MAX_RUNNING), '2', name);
			assert.equal(String(custom?.services[name].environment?.REELSMITH_MAX_RUNNING), '5', name);
		}
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
});

test('.env.example lists every variable docker-compose.yml reads', async () => {
	const composeFile = await readFile(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
	const example = await readFile(join(REPO_ROOT, 'initialization/docker/.env.example'), 'utf8');
	// `$${X}` is the container's own variable (escaped for compose), not one compose reads.
	const read = [...new Set([...composeFile.matchAll(/(?<!\$)\$\{(\w+)/g)].map((match) => match[1]))];
	assert.ok(read.length > 20, `only ${read.length} variables found`);
	const listed = new Set([...example.matchAll(/^(\w+)=/gm)].map((match) => match[1]));
	assert.deepEqual(read.filter((name) => !listed.has(name)), []);
});

test('every image is pinned to an exact version: compose services and the Dockerfile stages', async ({ skip }) => {
	const config = await composeConfig();
	if (!config) return skip('neither `docker compose` nor `docker-compose` is installed');
	// An exact release, not a major that moves: x.y(.z) with an optional variant (postgres 16.10 is a patch release,
	// its versions have two parts), or a dated release (MinIO).
	const exact = (tag: string) => /^\d+\.\d+(\.\d+)?(-[a-z][\w.]*)?$/.test(tag);
	const dated = (tag: string) => /^RELEASE\.\d{4}-\d\d-\d\dT/.test(tag);
	for (const [name, service] of Object.entries(config.services)) {
		const [, tag] = /^[^:]+:(.+)$/.exec(service.image ?? '') ?? [];
		assert.ok(tag && tag !== 'latest', `${name}: image ${service.image} has no tag or uses latest`);
		// The image built from the Dockerfile is named by REELSMITH_IMAGE_TAG; what it is built from is checked below.
		if (!service.build) assert.ok(exact(tag) || dated(tag), `${name}: image ${service.image} is not an exact release`);
	}
	const dockerfile = await readFile(join(REPO_ROOT, 'initialization/docker/Dockerfile'), 'utf8');
	const n8nVersion = /^ARG N8N_VERSION=(\S+)$/m.exec(dockerfile)?.[1];
	assert.match(String(n8nVersion), /^\d+\.\d+\.\d+$/);
	for (const name of N8N_SERVICES) {
		assert.equal((config.services[name].build as { args?: Record<string, string> }).args?.N8N_VERSION, n8nVersion, name);
	}
	const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((match) => match[1].replace('${N8N_VERSION}', String(n8nVersion)));
	assert.equal(stages.length, 4);
	for (const stage of stages) {
		const [, tag] = /^[^:]+:(.+)$/.exec(stage) ?? [];
		assert.ok(tag && /^\d+\.\d+\.\d+(-[a-z][\w.-]*)?$/.test(tag), `Dockerfile: FROM ${stage} is not an exact release`);
	}
});

test('docker compose runs n8n with the settings of the tested local queue mode (npm start with REELSMITH_WORKERS)', async ({ skip }) => {
	const config = await composeConfig();
	if (!config) return skip('neither `docker compose` nor `docker-compose` is installed');
	const database = { host: 'db', port: 5432, database: 'reelsmith_n8n', user: 'u', password: 'p' };
	const shared = queueModeEnvironment({ redis: { host: 'redis', port: 6379, db: 0 }, prefix: 'reelsmith' }, database, 'key');
	const worker = workerEnvironment(5678);
	// Settings whose value is the same everywhere (the rest are addresses, names and secrets of one deployment).
	const fixed = ['EXECUTIONS_MODE', 'DB_TYPE', 'N8N_DEFAULT_BINARY_DATA_MODE', 'OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS'];
	const queueSetting = (name: string) => /^(EXECUTIONS_|QUEUE_|DB_|OFFLOAD_|N8N_DEFAULT_BINARY)/.test(name);
	for (const name of N8N_SERVICES) {
		const environment: Record<string, string> = config.services[name].environment ?? {};
		const expected = name === 'n8n-worker' ? { ...shared, ...worker } : shared;
		assert.deepEqual(Object.keys(expected).filter((key) => !(key in environment)), [], `${name} lacks settings local queue mode sets`);
		for (const key of fixed) assert.equal(String(environment[key]), expected[key], `${name}: ${key}`);
		assert.deepEqual(
			Object.keys(environment).filter((key) => queueSetting(key) && !(key in expected)),
			[],
			`${name} has queue settings local queue mode does not test`,
		);
		for (const key of ['REELSMITH_MAX_RUNNING', 'REELSMITH_LEASE_SECONDS', 'REELSMITH_PIPELINE_URL']) assert.ok(environment[key], `${name}: ${key}`);
	}
	assert.equal(String(config.services['n8n-worker'].environment?.QUEUE_HEALTH_CHECK_ACTIVE), 'true');
});
