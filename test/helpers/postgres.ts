import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../initialization/services/postgres';

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
	const dir = await mkdtemp(join(tmpdir(), 'reelsmith-pg-'));
	const server = await startEmbeddedPostgres({ directory: join(dir, 'data') });
	return {
		url: server.url,
		async stop() {
			await server.stop();
			await rm(dir, { recursive: true, force: true });
		},
	};
}
