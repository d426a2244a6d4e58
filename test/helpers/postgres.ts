import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { hydrateEmbeddedPostgres } from '../../initialization/install-n8n';
import { startEmbeddedPostgres } from '../../initialization/services/postgres';

/**
 * Waits (up to 3 s) until no other client is connected. pg's Pool.end() resolves before its connections have
 * closed; stopping the server then (a fast shutdown) makes it terminate them, and pg raises that on a client that
 * no longer has an error listener: an uncaught exception in the test file.
 */
async function connectionsClosed(url: string): Promise<void> {
	const client = new Client({ connectionString: url });
	client.on('error', () => {});
	try {
		await client.connect();
		for (let tries = 0; tries < 30; tries++) {
			const { rows } = await client.query(
				"select count(*)::int as n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()",
			);
			if (rows[0].n === 0) return;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	} catch {
		// The server is already unreachable: nothing to wait for.
	} finally {
		await client.end().catch(() => {});
	}
}

export interface TestPostgres {
	url: string;
	stop(): Promise<void>;
}

/**
 * A real Postgres for a test file: REELSMITH_TEST_DATABASE_URL when set, else an embedded Postgres on a free port
 * in a temp folder. Migrations are applied by the caller (initialization/migrate.ts) so tests see what npm start sees.
 */
export async function startPostgres(): Promise<TestPostgres> {
	if (process.env.REELSMITH_TEST_DATABASE_URL) {
		return { url: process.env.REELSMITH_TEST_DATABASE_URL, stop: async () => {} };
	}
	// After a plain `npm ci` (scripts off) the server's library links are missing; a test file run alone needs them.
	await hydrateEmbeddedPostgres(() => {});
	const dir = await mkdtemp(join(tmpdir(), 'reelsmith-pg-'));
	const server = await startEmbeddedPostgres({ directory: join(dir, 'data') });
	return {
		url: server.url,
		async stop() {
			await connectionsClosed(server.url);
			await server.stop();
			await rm(dir, { recursive: true, force: true });
		},
	};
}
