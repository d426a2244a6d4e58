/**
 * U+0000 in JSON text: valid JSON, but Postgres text and jsonb cannot store it, so a body holding one would fail
 * deep inside a write. Both doors (the run webhook, the dashboard API) refuse it first, naming the field.
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

