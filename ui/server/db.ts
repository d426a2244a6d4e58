import { Pool, types } from 'pg';

// numeric and bigint arrive as strings by default (pg keeps their precision); the dashboard shows dollars and
// counts, so this pool parses them once. Per pool, not pg's global parsers: other code in the process keeps its own.
const NUMBERS = new Set<number>([types.builtins.NUMERIC, types.builtins.INT8]);
const dashboardTypes = {
	getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
		NUMBERS.has(oid) && format !== 'binary' ? (value: string) => Number(value) : types.getTypeParser(oid, format as 'text')) as typeof types.getTypeParser,
};

export type Db = Pool;

export function createPool(databaseUrl: string, max = 10): Pool {
	const pool = new Pool({ connectionString: databaseUrl, types: dashboardTypes, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 });
	// A dropped idle connection must not crash the server; the next query opens a new one.
	pool.on('error', () => {});
	return pool;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Postgres rejects a malformed uuid with a cast error; callers check first and answer "not found". */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

export const iso = (value: unknown): string | null => (value instanceof Date ? value.toISOString() : value == null ? null : String(value));

export const num = (value: unknown): number | null => (value == null ? null : Number(value));
