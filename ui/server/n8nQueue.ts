/**
 * n8n's job queue as the dashboard reads it: in queue mode (EXECUTIONS_MODE=queue) n8n puts every execution on a
 * Bull queue named `jobs` in Redis, and its workers take them from there. This is the one place the dashboard talks
 * to Redis; it only reads.
 *
 * What is read, as Bull 4 (n8n 2.40's) lays it out (keys `<prefix>:jobs:<type>`, lib/getters.js):
 *   waiting  = LLEN wait + LLEN paused (a paused queue's waiting jobs are moved to `paused`), as getWaitingCount
 *   active   = LLEN active        delayed = ZCARD delayed        failed = ZCARD failed
 *   paused   = HEXISTS meta paused
 * Workers online: a process that runs jobs calls queue.process(), and Bull then names its blocking connection
 * (CLIENT SETNAME `<prefix>:<base64 of the queue name>`, lib/worker.js) — Bull's own getWorkers() counts those in
 * CLIENT LIST. n8n's main process only adds jobs and never names a connection, so the count is n8n workers only.
 */
import type { RedisOptions } from 'ioredis';
import type IORedis from 'ioredis';

/** The queue n8n's main process and its default workers use (n8n: DEFAULT_QUEUE_NAME). */
export const N8N_QUEUE = 'jobs';
/** n8n's default QUEUE_BULL_PREFIX. */
export const DEFAULT_PREFIX = 'bull';
/** No read waits longer than this for Redis: a monitoring probe and the System page must answer. */
const TIMEOUT_MS = 2_000;
/** Figures are read at most once per this long, however many pages and probes ask. */
const FRESH_MS = 1_000;

/** Where n8n's queue lives. Null settings mean n8n runs in regular mode (no queue). */
export interface QueueSettings {
	host: string;
	port: number;
	db: number;
	username?: string;
	password?: string;
	tls?: boolean;
	/** QUEUE_BULL_PREFIX of the n8n processes. */
	prefix: string;
}

/**
 * From the environment: REDIS_URL (redis://[user:password@]host:port[/db], rediss:// for TLS), else n8n's own
 * QUEUE_BULL_REDIS_HOST / _PORT / _DB / _USERNAME / _PASSWORD / _TLS (or their defaults when EXECUTIONS_MODE=queue),
 * with QUEUE_BULL_PREFIX. Null when none is set: n8n runs in regular mode.
 */
export function queueSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): QueueSettings | null {
	const prefix = env.QUEUE_BULL_PREFIX?.trim() || DEFAULT_PREFIX;
	const dbSetting = env.QUEUE_BULL_REDIS_DB?.trim();
	const db = dbSetting ? whole('QUEUE_BULL_REDIS_DB', dbSetting) : 0;
	const url = env.REDIS_URL?.trim();
	if (url) {
		let parsed: URL;
		try {
			parsed = new URL(url);
		} catch {
			throw new Error(`REDIS_URL "${redactUrl(url)}" is not a URL. Use e.g. redis://127.0.0.1:6379 (rediss:// for TLS), or leave it unset.`);
		}
		if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
			throw new Error(`REDIS_URL must start with redis:// or rediss:// (got ${parsed.protocol}//…).`);
		}
		const path = parsed.pathname.replace(/^\//, '');
		return {
			host: parsed.hostname || '127.0.0.1',
			port: parsed.port ? Number(parsed.port) : 6379,
			db: path ? whole('the database number in REDIS_URL', path) : db,
			username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
			password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
			tls: parsed.protocol === 'rediss:',
			prefix,
		};
	}
	const host = env.QUEUE_BULL_REDIS_HOST?.trim();
	if (!host && env.EXECUTIONS_MODE?.trim() !== 'queue') return null;
	const port = env.QUEUE_BULL_REDIS_PORT?.trim();
	return {
		host: host || 'localhost',
		port: port ? whole('QUEUE_BULL_REDIS_PORT', port) : 6379,
		db,
		username: env.QUEUE_BULL_REDIS_USERNAME || undefined,
		password: env.QUEUE_BULL_REDIS_PASSWORD || undefined,
		tls: env.QUEUE_BULL_REDIS_TLS === 'true',
		prefix,
	};
}

function whole(name: string, raw: string): number {
	const value = Number(raw);
	if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number (got "${raw}").`);
	return value;
}

const redactUrl = (url: string) => url.replace(/\/\/[^@/]*@/, '//…@');

/** host:port/db, never the password: shown on the System page and in /api/health. */
export const queueAddress = (settings: QueueSettings) => `${settings.host}:${settings.port}/${settings.db}`;

export interface QueueCounts {
	waiting: number;
	active: number;
	delayed: number;
	failed: number;
	paused: boolean;
}

export interface QueueWorker {
	/** The worker's address as Redis sees it (host:port of its connection). */
	address: string;
	connectedSeconds: number;
	idleSeconds: number;
}

export type QueueReading =
	| { ok: true; ms: number; counts: QueueCounts; workers: QueueWorker[] | null; workersError: string | null }
	| { ok: false; ms: number; error: string };

/** The error line for a Redis that does not answer, naming its address. */
export const redisDown = (address: string, reason: string) =>
	`Redis at ${address} does not answer (${reason}). Check that Redis runs and that REDIS_URL / QUEUE_BULL_REDIS_* name it as n8n uses it.`;

/** The Bull client name of the processes that run jobs of `queue` (Bull: Queue#clientName). */
export const workerClientName = (prefix: string, queue = N8N_QUEUE) => `${prefix}:${Buffer.from(queue).toString('base64')}`;

/** The workers of the queue in a CLIENT LIST answer: connections with Bull's worker name, on the queue's database. */
export function workersIn(clientList: string, prefix: string, db: number, queue = N8N_QUEUE): QueueWorker[] {
	const name = workerClientName(prefix, queue);
	const workers: QueueWorker[] = [];
	for (const line of clientList.split('\n')) {
		const fields = new Map<string, string>();
		for (const pair of line.trim().split(' ')) {
			const at = pair.indexOf('=');
			if (at > 0) fields.set(pair.slice(0, at), pair.slice(at + 1));
		}
		if (fields.get('name') !== name) continue;
		// The same prefix in another database is another n8n's queue.
		if (fields.has('db') && Number(fields.get('db')) !== db) continue;
		workers.push({
			address: fields.get('addr') ?? '',
			connectedSeconds: Number(fields.get('age') ?? 0),
			idleSeconds: Number(fields.get('idle') ?? 0),
		});
	}
	return workers;
}

/**
 * One shared Redis connection, opened on first use and never retried in the background: each read connects again
 * if needed, within TIMEOUT_MS, so an unreachable Redis makes a read fail fast with its address instead of hanging.
 */
export class N8nQueue {
	private client: IORedis | undefined;
	private connecting: Promise<IORedis> | undefined;
	private last: { at: number; reading: Promise<QueueReading> } | undefined;
	private stopped = false;
	/** What the socket last said (ECONNREFUSED …): ioredis rejects a failed connect with a plainer "Connection is closed". */
	private lastError: Error | undefined;

	constructor(readonly settings: QueueSettings | null) {}

	get mode(): 'queue' | 'regular' {
		return this.settings ? 'queue' : 'regular';
	}

	get address(): string | null {
		return this.settings ? queueAddress(this.settings) : null;
	}

	/** The queue's figures (null in regular mode), read at most once per FRESH_MS. */
	read(): Promise<QueueReading> | null {
		if (!this.settings) return null;
		const now = Date.now();
		if (!this.last || now - this.last.at >= FRESH_MS) this.last = { at: now, reading: this.readNow(this.settings) };
		return this.last.reading;
	}

	private async readNow(settings: QueueSettings): Promise<QueueReading> {
		const started = Date.now();
		const key = (type: string) => `${settings.prefix}:${N8N_QUEUE}:${type}`;
		try {
			const redis = await this.connected(settings);
			const results = await redis
				.multi()
				.llen(key('wait'))
				.llen(key('paused'))
				.llen(key('active'))
				.zcard(key('delayed'))
				.zcard(key('failed'))
				.hexists(key('meta'), 'paused')
				.exec();
			const value = (index: number) => {
				const [error, result] = results?.[index] ?? [new Error('no answer')];
				if (error) throw error;
				return Number(result);
			};
			const counts: QueueCounts = {
				waiting: value(0) + value(1),
				active: value(2),
				delayed: value(3),
				failed: value(4),
				paused: value(5) === 1,
			};
			let workers: QueueWorker[] | null = null;
			let workersError: string | null = null;
			try {
				workers = workersIn(String(await redis.client('LIST')), settings.prefix, settings.db);
			} catch (error) {
				// Managed Redis services may refuse CLIENT LIST (ACL): the counts still stand.
				workersError = `Redis refused CLIENT LIST (${(error as Error).message}), so workers online cannot be counted. Allow the command for this user.`;
			}
			return { ok: true, ms: Date.now() - started, counts, workers, workersError };
		} catch (error) {
			return { ok: false, ms: Date.now() - started, error: redisDown(queueAddress(settings), (error as Error).message) };
		}
	}

	private async connected(settings: QueueSettings): Promise<IORedis> {
		if (this.stopped) throw new Error('the dashboard is stopping');
		if (this.client?.status === 'ready') return this.client;
		this.connecting ??= this.connect(settings).finally(() => (this.connecting = undefined));
		return this.connecting;
	}

	private async connect(settings: QueueSettings): Promise<IORedis> {
		if (!this.client) {
			// Loaded only here: in regular mode the dashboard needs no Redis client at all.
			const { default: Redis } = await import('ioredis');
			const options: RedisOptions = {
				host: settings.host,
				port: settings.port,
				db: settings.db,
				username: settings.username,
				password: settings.password,
				tls: settings.tls ? {} : undefined,
				connectionName: 'reelsmith-dashboard',
				lazyConnect: true,
				connectTimeout: TIMEOUT_MS,
				commandTimeout: TIMEOUT_MS,
				// Fail at once instead of queueing commands or reconnecting in the background; the next read connects again.
				maxRetriesPerRequest: 0,
				enableOfflineQueue: false,
				retryStrategy: () => null,
			};
			this.client = new Redis(options);
			// Errors surface through the failed read; without a listener ioredis would print each one.
			this.client.on('error', (error) => (this.lastError = error));
		}
		const client = this.client;
		if (client.status !== 'ready') {
			this.lastError = undefined;
			// A connection that ended (Redis went away) is opened again; one that is half-open is dropped first.
			if (client.status !== 'wait' && client.status !== 'end') client.disconnect();
			await withTimeout(client.connect(), TIMEOUT_MS + 500, `no connection within ${TIMEOUT_MS} ms`).catch((error) => {
				client.disconnect();
				throw this.lastError ?? error;
			});
		}
		return client;
	}

	async stop(): Promise<void> {
		this.stopped = true;
		const client = this.client;
		this.client = undefined;
		if (client?.status === 'ready') await client.quit().catch(() => client.disconnect());
		else client?.disconnect();
	}
}

/** The promise, or a rejection with `message` after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(message)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
