import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { hydrateEmbeddedPostgres } from '../../initialization/install-n8n';
import { startEmbeddedPostgres, type LocalPostgres } from '../../initialization/services/postgres';
import { PatientPool } from '../../nodes/shared/transport/postgres';

/**
 * The store's connections while Postgres is away (issue 14, infrastructure faults): a restarted database refuses
 * connections for a few seconds, and the steps of a run wait that out instead of failing the run.
 */
let dir: string;
let server: LocalPostgres;
let port: number;

beforeAll(async () => {
	await hydrateEmbeddedPostgres(() => {});
	dir = await mkdtemp(join(tmpdir(), 'reelsmith-outage-'));
	server = await startEmbeddedPostgres({ directory: join(dir, 'data') });
	port = Number(new URL(server.url).port);
});

afterAll(async () => {
	await server.stop().catch(() => {});
	await rm(dir, { recursive: true, force: true });
});

const config = () => ({ connectionString: server.url, max: 2, connectionTimeoutMillis: 2000 });

describe('the store while Postgres restarts', () => {
	test('a query sent while the server is down waits for it and runs once it is back', async () => {
		const pool = new PatientPool(config(), `127.0.0.1:${port}`, 20_000);
		pool.on('error', () => {});
		try {
			assert.equal((await pool.query('select 1 as one')).rows[0].one, 1);
			await server.stop();
			const started = Date.now();
			const waiting = pool.query('select 2 as two');
			await new Promise((resolve) => setTimeout(resolve, 2000));
			server = await startEmbeddedPostgres({ directory: join(dir, 'data'), port });
			assert.equal((await waiting).rows[0].two, 2);
			assert.ok(Date.now() - started >= 2000, 'it waited for the restart');
		} finally {
			await pool.end();
		}
	});

	test('down for longer than the wait: the step fails saying the database was unreachable and that resume finishes the run', async () => {
		const pool = new PatientPool(config(), `127.0.0.1:${port}`, 1500);
		pool.on('error', () => {});
		await server.stop();
		try {
			await assert.rejects(
				pool.query('select 1'),
				new RegExp(`The Reelsmith database \\(Postgres at 127\\.0\\.0\\.1:${port}\\) could not be reached for 2 s \\([a-z ]+\\)\\. Check that it is running; once it is back, resume the run`),
			);
		} finally {
			server = await startEmbeddedPostgres({ directory: join(dir, 'data'), port });
			await pool.end();
		}
	});

	test('a wrong password is not waited on: it fails at once with Postgres\'s own reason', async () => {
		const url = new URL(server.url);
		url.password = 'wrong';
		const pool = new PatientPool({ connectionString: url.toString(), max: 1 }, `127.0.0.1:${port}`, 20_000);
		pool.on('error', () => {});
		const started = Date.now();
		try {
			await assert.rejects(pool.query('select 1'), /password authentication failed/);
			assert.ok(Date.now() - started < 5000);
		} finally {
			await pool.end();
		}
	});
});
