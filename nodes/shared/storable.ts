/**
 * Text that is valid JSON but that Postgres cannot store, so a body holding it would fail deep inside a write (n8n's
 * 500 "Error in workflow"). Both doors (the run webhook, the dashboard API) deal with it first:
 * - U+0000 is refused, naming the field: it is never part of real text, so it means the wrong file was pasted;
 * - a lone surrogate (`"\ud800"` written as an escape) becomes U+FFFD, as invalid UTF-8 bytes already do when the
 *   body is decoded: jsonb refuses it, and it stands for no character anyway.
 */
/** The first field (a top-level name) whose text, or a key or text inside it, holds U+0000, with the 400 to answer. */
export function nulProblem(body: Record<string, unknown>): { field: string; message: string } | null {
	const found = fieldWithNul(body);
	if (!found) return null;
	return {
		field: found.field,
		message: `"${found.field}" holds a NUL character (\\u0000)${found.where}, which cannot be stored. Remove it (text copied from a binary file often brings them) and send again.`,
	};
}

function fieldWithNul(body: Record<string, unknown>): { field: string; where: string } | null {
	const holds = (value: unknown, depth: number): boolean => {
		if (typeof value === 'string') return value.includes('\u0000');
		if (!value || typeof value !== 'object' || depth > 20) return false;
		return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || holds(inner, depth + 1));
	};
	for (const [field, value] of Object.entries(body)) {
		if (field.includes('\u0000')) return { field: JSON.stringify(field).slice(1, -1), where: ' in its name' };
		if (!holds(value, 0)) continue;
		const line = typeof value === 'string' ? value.slice(0, value.indexOf('\u0000')).split('\n').length : 0;
		return { field, where: line ? ` on line ${line}` : '' };
	}
	return null;
}


/** `value` with every string (and key) made well-formed: lone surrogates become U+FFFD. */
export function wellFormed<T>(value: T): T {
	if (typeof value === 'string') return value.toWellFormed() as T;
	if (Array.isArray(value)) return value.map(wellFormed) as T;
	// Plain objects only: other instances (the request's OversizedNumber) are kept as they are.
	if (value && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
		const entries = Object.entries(value).map(([key, inner]) => [key.toWellFormed(), wellFormed(inner)]);
		return Object.fromEntries(entries) as T;
	}
	return value;
}
