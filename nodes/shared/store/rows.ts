/**
 * Rows come back snake_case with numeric/bigint columns as strings (pg keeps their precision) and timestamps as Dates.
 * Items leaving n8n nodes must be plain JSON in the user's words, so every store function maps rows through here.
 */
const NUMERIC_COLUMNS = new Set(['duration', 'cost_estimate', 'cost_total', 'bytes', 'duration_ms', 'units', 'amount_usd', 'budget_usd', 'cost_usd', 'seconds']);

export function fromRow<T>(row: Record<string, unknown>): T {
	const out: Record<string, unknown> = {};
	for (const [column, value] of Object.entries(row)) {
		const name = column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
		if (value instanceof Date) out[name] = value.toISOString();
		else if (value !== null && NUMERIC_COLUMNS.has(column)) out[name] = Number(value);
		else out[name] = value;
	}
	return out as T;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Postgres rejects a malformed uuid with a cryptic cast error; callers check first and say "does not exist". */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);
