import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Pool, type PoolClient, type QueryResult, type QueryResultRow } from 'pg';
import { unreachableReason } from './unreachable';

/** Fields of the `reelsmithPostgresApi` credential. */
export interface PostgresCredentials {
	host: string;
	port: number;
	database: string;
	user: string;
	password: string;
	ssl: 'disable' | 'require';
}

/** A pool or a client inside a transaction: every store function takes one, so callers choose the transaction. */
export interface Queryable {
	query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

export function toPostgresCredentials(data: ICredentialDataDecryptedObject): PostgresCredentials {
	return {
		host: String(data.host || '127.0.0.1'),
		port: Number(data.port || 5432),
		database: String(data.database || 'reelsmith'),
		user: String(data.user || 'postgres'),
		password: String(data.password ?? ''),
		ssl: data.ssl === 'require' ? 'require' : 'disable',
	};
}

function connectionConfig(credentials: PostgresCredentials) {
	return {
		host: credentials.host,
		port: credentials.port,
		database: credentials.database,
		user: credentials.user,
		password: credentials.password,
		// "require" means encrypted, like libpq's sslmode=require: no certificate check.
		ssl: credentials.ssl === 'require' ? { rejectUnauthorized: false } : undefined,
		connectionTimeoutMillis: 10_000,
	};
}

/** How long a connection is waited for while Postgres is away (a restart, a failover) before a step fails. */
export const DATABASE_WAIT_MS = 30_000;

/** Errors of connecting, before any statement ran: safe to try again. A wrong host or password is not one. */
function couldNotConnect(error: unknown): boolean {
	const { code, message } = (error ?? {}) as { code?: string; message?: string };
	// 57P03: the server is starting up or shutting down; 57P01: it was shut down under the new connection.
	if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P03', '57P01'].includes(String(code))) return true;
	return /Connection terminated|timeout exceeded when trying to connect/i.test(String(message));
}

/**
 * A pool whose connect waits out a short database outage: a restarted Postgres refuses connections for a few
 * seconds, and a run should not fail for that. Only connecting is tried again, never a statement (one that may
 * have run must not run twice). pg's own query() connects through connect(), so it waits too.
 */
export class PatientPool extends Pool {
	constructor(
		config: ConstructorParameters<typeof Pool>[0],
		private readonly where: string,
		private readonly waitMs = DATABASE_WAIT_MS,
	) {
		super(config);
	}

	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's overloads (promise or callback) in one body
	override connect(callback?: (...args: any[]) => void): any {
		const connected = this.connectPatiently();
		if (!callback) return connected;
		connected.then(
			(client) => callback(undefined, client, (error?: Error | boolean) => client.release(error)),
			(error) => callback(error, undefined, () => {}),
		);
	}

	private async connectPatiently(): Promise<PoolClient> {
		const deadline = Date.now() + this.waitMs;
		for (let wait = 250; ; wait = Math.min(wait * 2, 4000)) {
			try {
				return await super.connect();
			} catch (error) {
				if (!couldNotConnect(error)) throw error;
				if (Date.now() + wait > deadline) {
					throw new Error(
						`The Reelsmith database (Postgres at ${this.where}) could not be reached for ${Math.round(this.waitMs / 1000)} s (${unreachableReason(error)}). Check that it is running; once it is back, resume the run to finish it.`,
					);
				}
				await sleep(wait);
			}
		}
	}
}

const pools = new Map<string, Pool>();

/** One pool per distinct credential, kept for the life of the n8n process (executions come and go). */
export function poolFor(credentials: PostgresCredentials): Pool {
	const id = JSON.stringify(credentials);
	let pool = pools.get(id);
	if (!pool) {
		pool = new PatientPool({ ...connectionConfig(credentials), max: 5, idleTimeoutMillis: 30_000 }, `${credentials.host}:${credentials.port}`);
		// An idle client losing its connection must not crash n8n; the next query reconnects.
		pool.on('error', () => {});
		pools.set(id, pool);
	}
	return pool;
}

/** Closes every cached pool (tests, shutdown). */
export async function closePools(): Promise<void> {
	const all = [...pools.values()];
	pools.clear();
	await Promise.all(all.map((pool) => pool.end()));
}

export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
	const client = await pool.connect();
	try {
		await client.query('begin');
		const result = await fn(client);
		await client.query('commit');
		return result;
	} catch (error) {
		await client.query('rollback').catch(() => {});
		// Callers' errors pass through unchanged; the router wraps them with the node and item.
		throw error;
	} finally {
		client.release();
	}
}

/** The credential test: reachable, and migrated. A fresh client so a bad credential never lands in the pool cache. */
export async function checkConnection(credentials: PostgresCredentials): Promise<{ ok: boolean; message: string }> {
	const client = new Client(connectionConfig(credentials));
	try {
		await client.connect();
		await client.query('select 1');
		const { rows } = await client.query<{ runs: string | null }>("select to_regclass('public.runs')::text as runs");
		if (!rows[0].runs) {
			return {
				ok: false,
				message: 'Connected, but the Reelsmith tables are missing: run the migrations (npm start does it)',
			};
		}
		return { ok: true, message: 'Connection successful' };
	} catch (error) {
		return { ok: false, message: `Could not connect to Postgres: ${(error as Error).message}` };
	} finally {
		await client.end().catch(() => {});
	}
}

/** `testedBy` method for nodes that take the Reelsmith Postgres credential (Campaign, and paid nodes optionally). */
export async function testPostgresCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const result = await checkConnection(toPostgresCredentials(credential.data ?? {}));
	return { status: result.ok ? 'OK' : 'Error', message: result.message };
}
