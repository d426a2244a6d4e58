import { readdir, readFile } from 'node:fs/promises';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { migrate, MIGRATIONS_DIR, RENAMED_MIGRATIONS } from '../../initialization/migrate';
import { startPostgres, type TestPostgres } from '../helpers/postgres';

const root = join(__dirname, '..', '..');

describe('migrations', () => {
	let pg: TestPostgres;
	let url: string;
	let client: Client;

	/** A database of our own, so "fresh" really is fresh even with REELSMITH_TEST_DATABASE_URL. */
	async function freshDatabase(name: string): Promise<string> {
		const admin = new Client({ connectionString: pg.url });
		await admin.connect();
		await admin.query(`drop database if exists ${name}`);
		await admin.query(`create database ${name}`);
		await admin.end();
		const parsed = new URL(pg.url);
		parsed.pathname = `/${name}`;
		return parsed.toString();
	}

	beforeAll(async () => {
		pg = await startPostgres();
		url = await freshDatabase('reelsmith_migrate_test');
		client = new Client({ connectionString: url });
		await client.connect();
	});

	afterAll(async () => {
		await client?.end();
		await pg?.stop();
	});

	it('apply once even when two processes start together, then are idempotent', async () => {
		const files = (await readdir(join(__dirname, '..', '..', 'initialization', 'migrations')))
			.filter((file) => /^\d+_.+\.sql$/.test(file))
			.map((file) => file.replace(/\.sql$/, ''))
			.sort();
		assert.ok(files.includes('001_initial') && files.includes('003_runs'), files.join(', '));
		const [a, b] = await Promise.all([migrate(url, { seed: true }), migrate(url, { seed: true })]);
		assert.deepEqual([...a, ...b].sort(), files, 'each migration applied by exactly one of the two');
		assert.deepEqual(await migrate(url, { seed: true }), []);
		const { rows } = await client.query('select version from schema_migrations order by version');
		assert.deepEqual(rows.map((r) => r.version), files);
	});

	it('are numbered 001, 002, … without gaps', async () => {
		const numbers = (await readdir(MIGRATIONS_DIR)).filter((file) => file.endsWith('.sql')).map((file) => file.slice(0, 4)).sort();
		assert.deepEqual(numbers, numbers.map((_, index) => `${String(index + 1).padStart(3, '0')}_`));
	});

	it('do not run again on a database that applied them under their old names', async () => {
		// History as the previous release wrote it: 001, 002, 004_runs, 005_dashboard.
		const oldUrl = await freshDatabase('reelsmith_migrate_old_names');
		const old = new Client({ connectionString: oldUrl });
		await old.connect();
		try {
			await old.query('create table schema_migrations (version text primary key, applied_at timestamptz not null default now())');
			// The previous release had the migrations up to 004_dashboard (then named 005_dashboard).
			const previousRelease = (name: string) => name.endsWith('.sql') && name <= '004_dashboard.sql';
			for (const file of (await readdir(MIGRATIONS_DIR)).filter(previousRelease).sort()) {
				const version = file.replace(/\.sql$/, '');
				await old.query(await readFile(join(MIGRATIONS_DIR, file), 'utf8'));
				await old.query("insert into schema_migrations (version, applied_at) values ($1, '2026-11-01')", [RENAMED_MIGRATIONS[version] ?? version]);
			}
			const before_ = (await old.query('select version from schema_migrations order by version')).rows.map((r) => r.version);
			assert.deepEqual(before_, ['001_initial', '002_providers_budgets_dashboard', '004_runs', '005_dashboard']);

			assert.deepEqual(await migrate(oldUrl, { seed: true }), ['005_leases', '006_task_keys', '007_task_rendered', '008_callbacks', '010_ai_calls_audit'], 'nothing applied again, only what is new');
			const { rows } = await old.query("select version, applied_at = '2026-11-01' as kept from schema_migrations order by version");
			assert.deepEqual(
				rows.map((r) => `${r.version}${r.kept ? '' : ' (new date)'}`),
				['001_initial', '002_providers_budgets_dashboard', '003_runs', '004_dashboard', '004_runs', '005_dashboard', '005_leases (new date)', '006_task_keys (new date)', '007_task_rendered (new date)', '008_callbacks (new date)', '010_ai_calls_audit (new date)'],
				'new names recorded with the old dates, old names kept for processes of the previous release',
			);
			assert.deepEqual(await migrate(oldUrl), [], 'and the next start is a no-op too');
		} finally {
			await old.end();
		}
	});

	it('create every table of the store', async () => {
		const { rows } = await client.query(
			"select table_name from information_schema.tables where table_schema = 'public' order by table_name",
		);
		const tables = rows.map((r) => r.table_name);
		for (const table of ['assets', 'campaigns', 'costs', 'events', 'plan_versions', 'runs', 'scenes', 'schema_migrations', 'provider_tasks', 'callback_deliveries', 'callback_attempts']) {
			assert.ok(tables.includes(table), `${table} exists (have ${tables.join(', ')})`);
		}
	});

	it('seed exactly one sample campaign', async () => {
		const { rows } = await client.query("select count(*)::int as n from campaigns where name = 'Sample campaign'");
		assert.equal(rows[0].n, 1);
	});

	it('refuse statuses outside the lists', async () => {
		const { rows } = await client.query("select id from campaigns where name = 'Sample campaign'");
		await assert.rejects(
			client.query("insert into runs (campaign_id, status, request, options) values ($1, 'done', '{}', '{}')", [rows[0].id]),
			/runs_status_check/,
		);
	});

	it('keep updated_at current', async () => {
		const before = await client.query("select updated_at from campaigns where name = 'Sample campaign'");
		await new Promise((resolve) => setTimeout(resolve, 20));
		await client.query("update campaigns set name = name where name = 'Sample campaign'");
		const after_ = await client.query("select updated_at from campaigns where name = 'Sample campaign'");
		assert.ok(after_.rows[0].updated_at > before.rows[0].updated_at);
	});

	it('notify reelsmith_events listeners of new events and run status changes', async () => {
		const listener = new Client({ connectionString: url });
		await listener.connect();
		const payloads: Record<string, unknown>[] = [];
		listener.on('notification', (message) => payloads.push(JSON.parse(message.payload ?? '{}')));
		await listener.query('listen reelsmith_events');
		const campaign = await client.query("select id from campaigns where name = 'Sample campaign'");
		const run = await client.query("insert into runs (campaign_id, request, options) values ($1, '{}', '{}') returning id", [
			campaign.rows[0].id,
		]);
		const runId = run.rows[0].id;
		await client.query("update runs set status = 'running' where id = $1", [runId]);
		await client.query("insert into events (run_id, stage, status) values ($1, 'run', 'started')", [runId]);
		for (let i = 0; i < 50 && payloads.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 20));
		await listener.end();
		assert.deepEqual(
			payloads.map((p) => [p.type, p.runId, p.status]),
			[
				['run', runId, 'queued'],
				['run', runId, 'running'],
				['event', runId, 'started'],
			],
		);
	});

	it('run from the command line with DATABASE_URL', async () => {
		const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'initialization/migrate.ts'], {
			cwd: root,
			env: { ...process.env, DATABASE_URL: url },
		});
		assert.match(stdout, /Database schema is up to date/);
	});
});
