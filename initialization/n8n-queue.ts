/**
 * n8n's queue mode on one machine (`REELSMITH_WORKERS=N npm start`): n8n main takes the webhooks and the schedule
 * and puts every execution on a Bull queue in Redis; N `n8n worker` processes take jobs from it. What every process
 * must share (n8n's database, see n8n-database.ts, the Redis queue and its prefix, the encryption key, binary data in the
 * database) is set here once, and docker-compose.yml sets the same (test/runtime/compose.test.ts compares them).
 */
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { n8nDatabaseEnvironment, type N8nDatabase } from './n8n-database';

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

/**
 * The settings every n8n process of a queue-mode installation shares (main, workers, the import CLI). The same
 * names are set in docker-compose.yml's x-n8n-env.
 */
export function queueModeEnvironment(queue: { redis: RedisSettings; prefix: string }, database: N8nDatabase, encryptionKey: string): Record<string, string> {
	const env: Record<string, string> = {
		EXECUTIONS_MODE: 'queue',
		...n8nDatabaseEnvironment(database),
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
