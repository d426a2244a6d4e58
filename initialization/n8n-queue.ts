/**
 * n8n's queue mode on one machine (`REELSMITH_WORKERS=N npm start`): n8n main takes the webhooks and the schedule
 * and puts every execution on a Bull queue in Redis; N `n8n worker` processes take jobs from it. What every process
 * must share (n8n's database on Postgres, the Redis queue and its prefix, the encryption key, binary data in the
 * database) is set here once, and docker-compose.yml sets the same (test/runtime/compose.test.ts compares them).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';

export interface RedisSettings {
	host: string;
	port: number;
	db: number;
	username?: string;
	password?: string;
}

export interface QueueOptions {
	/** How many `n8n worker` processes (at least 1). */
	workers: number;
	/** Jobs each worker runs at once (`n8n worker --concurrency`). */
	concurrency?: number;
	redis: RedisSettings;
	/** Bull key prefix: every installation sharing a Redis needs its own. */
	prefix?: string;
}

export const DEFAULT_WORKER_CONCURRENCY = 4;

/** redis://[user:password@]host[:port][/db] as n8n's QUEUE_BULL_REDIS_* settings want it. */
export function redisFromUrl(url: string): RedisSettings {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new Error(`REDIS_URL is not a URL (got "${url}"). Use redis://host:port or redis://host:port/<db index>.`);
	}
	if (parsed.protocol !== 'redis:') throw new Error(`REDIS_URL must start with redis:// (got "${url}"); TLS (rediss://) is not set up by npm start.`);
	const db = parsed.pathname.replace(/^\//, '');
	if (db && !/^\d+$/.test(db)) throw new Error(`REDIS_URL's path must be a Redis database index such as /2 (got "${parsed.pathname}").`);
	return {
		host: parsed.hostname || '127.0.0.1',
		port: Number(parsed.port || 6379),
		db: Number(db || 0),
		username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
		password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
	};
}

/** Queue mode from the environment (README: Scaling out), or undefined for regular mode (REELSMITH_WORKERS unset or 0). */
export function queueOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): QueueOptions | undefined {
	const raw = env.REELSMITH_WORKERS?.trim();
	if (!raw || raw === '0') return undefined;
	const workers = Number(raw);
	if (!Number.isInteger(workers) || workers < 0 || workers > 16) {
		throw new Error(`REELSMITH_WORKERS must be a whole number from 0 (regular mode) to 16 (got "${raw}").`);
	}
	if (!env.REDIS_URL) {
		throw new Error(`REELSMITH_WORKERS=${workers} runs n8n in queue mode, which needs Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379), or REELSMITH_WORKERS=0.`);
	}
	const concurrency = Number(env.N8N_WORKER_CONCURRENCY || DEFAULT_WORKER_CONCURRENCY);
	if (!Number.isInteger(concurrency) || concurrency < 1) {
		throw new Error(`N8N_WORKER_CONCURRENCY must be a whole number of at least 1 (got "${env.N8N_WORKER_CONCURRENCY}").`);
	}
	return { workers, concurrency, redis: redisFromUrl(env.REDIS_URL), prefix: env.QUEUE_BULL_PREFIX || undefined };
}

/** The Bull prefix of an installation: given, else one derived from its data folder (two checkouts never share jobs). */
export function queuePrefix(options: QueueOptions, dataDir: string): string {
	return options.prefix || `reelsmith-${createHash('sha256').update(dataDir).digest('hex').slice(0, 8)}`;
}

export interface N8nDatabase {
	host: string;
	port: number;
	database: string;
	user: string;
	password: string;
}

/**
 * n8n's own database for queue mode, on the Reelsmith store's Postgres server: "<store database>_n8n", created when
 * missing (queue mode needs every n8n process on one database; SQLite is a file of one process).
 */
export async function ensureN8nDatabase(databaseUrl: string): Promise<N8nDatabase> {
	const url = new URL(databaseUrl);
	const store = decodeURIComponent(url.pathname.slice(1)) || 'postgres';
	const database = `${store}_n8n`;
	const client = new pg.Client({ connectionString: databaseUrl });
	await client.connect();
	try {
		const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
		if (!rowCount) await client.query(`create database "${database.replace(/"/g, '""')}"`);
	} finally {
		await client.end();
	}
	return {
		host: url.hostname,
		port: Number(url.port || 5432),
		database,
		user: decodeURIComponent(url.username) || 'postgres',
		password: decodeURIComponent(url.password),
	};
}

/**
 * The settings every n8n process of a queue-mode installation shares (main, workers, the import CLI). The same
 * names are set in docker-compose.yml's x-n8n-env.
 */
export function queueModeEnvironment(queue: { redis: RedisSettings; prefix: string }, database: N8nDatabase, encryptionKey: string): Record<string, string> {
	const env: Record<string, string> = {
		EXECUTIONS_MODE: 'queue',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: database.host,
		DB_POSTGRESDB_PORT: String(database.port),
		DB_POSTGRESDB_DATABASE: database.database,
		DB_POSTGRESDB_USER: database.user,
		DB_POSTGRESDB_PASSWORD: database.password,
		QUEUE_BULL_REDIS_HOST: queue.redis.host,
		QUEUE_BULL_REDIS_PORT: String(queue.redis.port),
		QUEUE_BULL_REDIS_DB: String(queue.redis.db),
		QUEUE_BULL_PREFIX: queue.prefix,
		// n8n's filesystem mode is per process (workers would not see main's files); its S3 mode is a paid feature.
		N8N_DEFAULT_BINARY_DATA_MODE: 'database',
		// Manual runs from the editor go to the workers too (they have the same binaries and package).
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		N8N_ENCRYPTION_KEY: encryptionKey,
	};
	if (queue.redis.username) env.QUEUE_BULL_REDIS_USERNAME = queue.redis.username;
	if (queue.redis.password) env.QUEUE_BULL_REDIS_PASSWORD = queue.redis.password;
	return env;
}

/** A worker's own settings on top of the shared ones: its health endpoint (the compose healthcheck reads it too). */
export function workerEnvironment(healthPort: number): Record<string, string> {
	return { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(healthPort) };
}

/**
 * n8n's encryption key of this installation: the one in main's user folder (<folder>/.n8n/config, written by n8n at
 * its first start), or a new one written there now, so main, workers and the CLI all decrypt the same credentials.
 */
export async function ensureEncryptionKey(userFolder: string): Promise<string> {
	const file = join(userFolder, '.n8n', 'config');
	if (existsSync(file)) {
		const key = (JSON.parse(await readFile(file, 'utf8')) as { encryptionKey?: string }).encryptionKey;
		if (key) return key;
		throw new Error(`${file} has no encryptionKey; n8n cannot decrypt its credentials without it. Restore the file or remove the data folder.`);
	}
	const key = randomBytes(24).toString('base64');
	await mkdir(join(userFolder, '.n8n'), { recursive: true });
	await writeFile(file, JSON.stringify({ encryptionKey: key }, null, '\t'), { mode: 0o600 });
	await chmod(file, 0o600);
	return key;
}

/**
 * A worker's user folder: its own (n8n keeps an event log per folder, and a restarted worker's crash recovery reads
 * it; a shared log would let one worker mark another's executions crashed), with main's config (the encryption key)
 * and main's community packages (the same build of this package).
 */
export async function prepareWorkerFolder(mainFolder: string, workerFolder: string): Promise<void> {
	const n8nDir = join(workerFolder, '.n8n');
	await mkdir(n8nDir, { recursive: true });
	await copyFile(join(mainFolder, '.n8n', 'config'), join(n8nDir, 'config'));
	await chmod(join(n8nDir, 'config'), 0o600);
	const nodes = join(n8nDir, 'nodes');
	await rm(nodes, { recursive: true, force: true });
	await symlink(join(mainFolder, '.n8n', 'nodes'), nodes, 'dir');
}
