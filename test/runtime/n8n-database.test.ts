import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { ensureEncryptionKey, ensureN8nDatabase, n8nDatabaseUrl } from '../../initialization/n8n-database';
import { startPostgres, type TestPostgres } from '../helpers/postgres';

/**
 * n8n's own database follows the data folder's n8n user folder: a restart keeps it, a fresh folder (its key is new,
 * so nothing encrypted in a leftover database could be read) gets a fresh one. On real Postgres.
 */
describe("n8n's database", () => {
	let postgres: TestPostgres;
	let root: string;

	beforeAll(async () => {
		postgres = await startPostgres();
		root = await mkdtemp(join(tmpdir(), 'rs-n8n-db-'));
	});

	afterAll(async () => {
		await postgres?.stop();
		if (root) await rm(root, { recursive: true, force: true });
	});

	/** Rows of a marker table in n8n's database, or undefined when the table does not exist there. */
	async function marker(): Promise<string[] | undefined> {
		const client = new pg.Client({ connectionString: n8nDatabaseUrl(postgres.url) });
		await client.connect();
		try {
			const { rows } = await client.query<{ exists: boolean }>("select to_regclass('public.marker') is not null as exists");
			if (!rows[0].exists) return undefined;
			return (await client.query<{ note: string }>('select note from marker')).rows.map((row) => row.note);
		} finally {
			await client.end();
		}
	}

	async function writeMarker(note: string): Promise<void> {
		const client = new pg.Client({ connectionString: n8nDatabaseUrl(postgres.url) });
		await client.connect();
		try {
			await client.query('create table if not exists marker (note text)');
			await client.query('insert into marker values ($1)', [note]);
		} finally {
			await client.end();
		}
	}

	test('a first start creates it beside the store; a restart on the same folder keeps what it holds', async () => {
		const folder = join(root, 'first', 'n8n');
		const first = await ensureN8nDatabase(postgres.url, folder);
		assert.equal(first.created, true);
		assert.equal(first.database, `${new URL(postgres.url).pathname.slice(1)}_n8n`);
		await ensureEncryptionKey(folder);
		await writeMarker('workflows of the first folder');

		const again = await ensureN8nDatabase(postgres.url, folder);
		assert.equal(again.created, false, 'nothing to import again');
		assert.deepEqual(await marker(), ['workflows of the first folder']);
	});

	test('a fresh data folder on the same server starts with an empty n8n database', async () => {
		const logged: string[] = [];
		const fresh = await ensureN8nDatabase(postgres.url, join(root, 'second', 'n8n'), (line) => logged.push(line));
		assert.equal(fresh.created, true);
		assert.equal(await marker(), undefined, 'what the earlier folder left is gone');
		assert.match(logged.join('\n'), /dropping the n8n database ".*_n8n" left from an earlier one/);
	});

	test('a leftover database still in use by another n8n is not dropped: the error says what to do', async () => {
		const folder = join(root, 'third', 'n8n');
		await ensureN8nDatabase(postgres.url, folder);
		await ensureEncryptionKey(folder);
		await writeMarker('in use');
		const other = new pg.Client({ connectionString: n8nDatabaseUrl(postgres.url) });
		await other.connect();
		try {
			await assert.rejects(ensureN8nDatabase(postgres.url, join(root, 'fourth', 'n8n')), /still in use .*Stop the n8n that uses it, or point DATABASE_URL at another database/);
		} finally {
			await other.end();
		}
		assert.deepEqual(await marker(), ['in use']);
	});
});
