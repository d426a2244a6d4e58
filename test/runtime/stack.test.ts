import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { PACKAGE_NAME } from '../../initialization/n8n-package';
import { postgresDataDirectory } from '../../initialization/services/postgres';
import { buildPackage, ensureInstalled, startStack, type Stack } from '../../initialization/stack';
import { FAKE_API_KEY, startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic';

/**
 * The stack on its own, with a one-purpose workflow instead of the Reelsmith pipeline (the end-to-end test covers
 * that): n8n loads the package as a community package, the credentials are stored without leaving secrets behind,
 * and a second start skips the import steps and still serves the webhook.
 */
/** The POST trigger both test workflows start with (each its own node and webhook id, so both can be active). */
function webhookNode(id: string, webhookId: string, path: string, responseMode: 'responseNode' | 'lastNode') {
	return {
		id,
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId,
		parameters: { httpMethod: 'POST', path, responseMode, options: {} },
	};
}

const workflow = {
	id: 'rsRuntimeTest001',
	name: 'Runtime test · parse a script',
	nodes: [
		webhookNode('b1b1b1b1-0000-4000-8000-000000000001', 'b1b1b1b1-0000-4000-8000-0000000000aa', 'runtime-test/parse', 'responseNode'),
		{
			id: 'b1b1b1b1-0000-4000-8000-000000000002',
			name: 'Screenplay',
			type: `${PACKAGE_NAME}.screenplay`,
			typeVersion: 1,
			position: [220, 0],
			parameters: { operation: 'parse', script: '={{ $json.body.script }}' },
		},
		{
			id: 'b1b1b1b1-0000-4000-8000-000000000003',
			name: 'Respond',
			type: 'n8n-nodes-base.respondToWebhook',
			typeVersion: 1.1,
			position: [440, 0],
			parameters: {
				respondWith: 'json',
				responseBody: '={{ JSON.stringify({ scenes: $json.plan.scenes.length, headings: $json.plan.scenes.map(s => s.heading) }) }}',
				options: {},
			},
		},
	],
	connections: {
		Webhook: { main: [[{ node: 'Screenplay', type: 'main', index: 0 }]] },
		Screenplay: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
	},
	settings: { executionOrder: 'v1' },
};

/** A Claude node on the paid credential npm start creates (rsAnthropic00001): shows which key n8n hands it. */
const claudeWorkflow = {
	id: 'rsRuntimeTest002',
	name: 'Runtime test · Claude key',
	nodes: [
		webhookNode('b1b1b1b1-0000-4000-8000-000000000011', 'b1b1b1b1-0000-4000-8000-0000000000bb', 'runtime-test/claude', 'lastNode'),
		{
			id: 'b1b1b1b1-0000-4000-8000-000000000012',
			name: 'Claude',
			type: `${PACKAGE_NAME}.claude`,
			typeVersion: 1,
			position: [220, 0],
			onError: 'continueRegularOutput',
			parameters: { operation: 'plan', source: 'brief', brief: 'A kettle boils.', maxRetries: 0 },
			credentials: { reelsmithAnthropicApi: { id: 'rsAnthropic00001', name: 'Reelsmith Anthropic' } },
		},
	],
	connections: { Webhook: { main: [[{ node: 'Claude', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};

const SCRIPT = 'INT. KITCHEN - NIGHT\n\nAlice stirs the soup.\n\nALICE\nIs the kettle on?\n\nEXT. GARDEN - DAY\n\nBob waves a key.\n';

async function filesUnder(folder: string, found: string[] = []): Promise<string[]> {
	for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
		const path = join(folder, entry.name);
		if (entry.isDirectory()) await filesUnder(path, found);
		else if (entry.isFile()) found.push(path);
	}
	return found;
}

describe('the local stack', { timeout: 10 * 60_000 }, () => {
	let root: string;
	let dataDir: string;
	let workflowsDir: string;
	let stack: Stack | undefined;
	const token = `runtime-test-token-${Date.now()}`;
	let anthropic: FakeAnthropic;

	/** What the Claude step answers, and the API keys the fake saw. */
	async function claudeThroughN8n(current: Stack) {
		const seen = anthropic.requests.length;
		const response = await fetch(`${current.webhookBase}/runtime-test/claude`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
		const text = await response.text();
		const keys = anthropic.requests.slice(seen).map((r) => r.headers['x-api-key'] ?? String(r.headers.authorization ?? '').replace(/^Bearer /, ''));
		return { text, keys };
	}

	beforeAll(async () => {
		await ensureInstalled(() => {});
		await buildPackage(() => {});
		root = await mkdtemp(join(tmpdir(), 'reelsmith-runtime-'));
		// As root, Postgres runs as the postgres user, which must be able to enter the folders above its data.
		await chmod(root, 0o755);
		dataDir = join(root, 'data');
		workflowsDir = join(root, 'workflows');
		await mkdir(workflowsDir);
		await writeFile(join(workflowsDir, 'parse.json'), JSON.stringify(workflow));
		await writeFile(join(workflowsDir, 'claude.json'), JSON.stringify(claudeWorkflow));
		anthropic = await startFakeAnthropic();
	});

	afterAll(async () => {
		await stack?.stop();
		await anthropic?.close();
		if (root) await rm(root, { recursive: true, force: true });
	});

	async function parseThroughN8n(current: Stack) {
		const response = await fetch(`${current.webhookBase}/runtime-test/parse`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ script: SCRIPT }),
		});
		const text = await response.text();
		assert.equal(response.status, 200, text);
		return JSON.parse(text);
	}

	test('a webhook runs a Reelsmith node inside n8n, loaded as a community package', async () => {
		stack = await startStack({ dataDir, workflowsDir, webhookToken: token, log: () => {} });
		assert.match(stack.n8nUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
		assert.deepEqual(await parseThroughN8n(stack), { scenes: 2, headings: ['INT. KITCHEN - NIGHT', 'EXT. GARDEN - DAY'] });
		const installed = join(dataDir, 'n8n', '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
		assert.ok(existsSync(join(installed, 'dist', 'nodes', 'Screenplay', 'Screenplay.node.js')));
		assert.ok(existsSync(join(installed, 'dist', 'nodes', 'Screenplay', 'screenplay.svg')), 'icons are installed');
		assert.ok(existsSync(join(installed, 'dist', 'nodes', 'Screenplay', 'Screenplay.node.json')), 'codex is installed');
		assert.ok(!existsSync(join(installed, 'node_modules', 'n8n-workflow')), 'no private copy of n8n-workflow');
	});

	test("n8n keeps its own database on the stack's Postgres, not in a SQLite file", async () => {
		assert.ok(stack);
		assert.deepEqual((await filesUnder(join(dataDir, 'n8n'))).filter((file) => /sqlite/.test(file)), []);
		const n8nDb = new pg.Client({ connectionString: stack.n8nDatabaseUrl });
		await n8nDb.connect();
		try {
			const { rows } = await n8nDb.query<{ id: string }>('select id from workflow_entity order by id');
			assert.deepEqual(rows.map((row) => row.id), [workflow.id, claudeWorkflow.id]);
		} finally {
			await n8nDb.end();
		}
	});

	test('credentials are stored encrypted and the import file is gone', async () => {
		assert.ok(stack);
		const files = await filesUnder(dataDir);
		assert.deepEqual(files.filter((file) => file.includes('reelsmith-credentials')), []);
		// The webhook token is kept in secrets.json (0600) and nowhere else in clear text, n8n's database included.
		const n8nDb = new pg.Client({ connectionString: stack.n8nDatabaseUrl });
		await n8nDb.connect();
		try {
			const { rows } = await n8nDb.query<{ id: string; data: string }>('select id, data from credentials_entity');
			assert.ok(rows.some((row) => row.id === 'rsWebhookToken01'), 'the token credential is in n8n\'s database');
			assert.deepEqual(rows.filter((row) => row.data.includes(token)).map((row) => row.id), [], 'stored encrypted');
		} finally {
			await n8nDb.end();
		}
		const secrets = join(dataDir, 'secrets.json');
		const holders: string[] = [];
		for (const file of files.filter((f) => !f.startsWith(join(dataDir, 'postgres')) && !f.startsWith(join(dataDir, 's3')))) {
			if ((await readFile(file)).includes(token)) holders.push(file);
		}
		assert.deepEqual(holders, []);
		if (existsSync(secrets)) assert.equal((await stat(secrets)).mode & 0o777, 0o600);
		const log = await readFile(stack.n8nLogFile, 'utf8');
		assert.ok(!log.includes(token), 'n8n log does not contain the token');
	});

	test('the paid provider credentials exist from the first start, with empty keys = not configured', async () => {
		assert.ok(stack);
		const { text, keys } = await claudeThroughN8n(stack);
		assert.match(text, /Claude has no API key/);
		assert.deepEqual(keys, [], 'nothing was sent');
	});

	test('keys from the environment are written; a later start without them keeps them', async () => {
		await stack?.stop();
		stack = await startStack({
			dataDir,
			workflowsDir,
			webhookToken: token,
			log: () => {},
			providerKeys: { anthropic: { apiKey: FAKE_API_KEY, baseUrl: anthropic.baseUrl } },
		});
		assert.ok(stack.timings.paidCredentials !== undefined, 'the Anthropic credential was written');
		assert.deepEqual((await claudeThroughN8n(stack)).keys, [FAKE_API_KEY], 'Claude called the endpoint with the key');
		await stack.stop();
		// No keys in the environment now (a user may have typed theirs in the editor): nothing is overwritten.
		stack = await startStack({ dataDir, workflowsDir, webhookToken: token, log: () => {}, providerKeys: {} });
		assert.equal(stack.timings.paidCredentials, undefined, 'the paid credentials were left alone');
		assert.deepEqual((await claudeThroughN8n(stack)).keys, [FAKE_API_KEY], 'the key is still there');
	});

	test('a second start skips the import steps and serves the same webhook', async () => {
		await stack?.stop();
		stack = await startStack({ dataDir, workflowsDir, webhookToken: token, log: () => {} });
		assert.equal(stack.timings.credentials, undefined, 'credentials unchanged: not imported again');
		assert.equal(stack.timings.importWorkflows, undefined, 'workflows unchanged: not imported again');
		assert.equal((await parseThroughN8n(stack)).scenes, 2);
	});

	test('n8n can be killed and started again on its own', async () => {
		assert.ok(stack);
		await stack.killN8n('SIGKILL');
		await assert.rejects(fetch(`${stack.n8nUrl}/healthz`));
		await stack.startN8n();
		assert.equal((await parseThroughN8n(stack)).scenes, 2);
	});

	test('as root, Postgres data moves out of a folder the postgres user cannot enter', async ({ skip }) => {
		if (process.getuid?.() !== 0) return skip('only relevant when running as root');
		const closed = await mkdtemp(join(tmpdir(), 'reelsmith-closed-')); // 0700
		try {
			const inside = join(closed, 'data');
			assert.match(await postgresDataDirectory(inside), /^\/var\/lib\/reelsmith\/postgres-[0-9a-f]{12}\/data$/);
			assert.equal(await postgresDataDirectory(dataDir), join(dataDir, 'postgres'));
		} finally {
			await rm(closed, { recursive: true, force: true });
		}
	});

	test('stop ends n8n, object storage and Postgres', async () => {
		assert.ok(stack);
		const current = stack;
		stack = undefined;
		await current.stop();
		await assert.rejects(fetch(`${current.n8nUrl}/healthz`));
		await assert.rejects(fetch(current.s3.endpoint));
		await current.stop(); // twice is fine
	});
});
