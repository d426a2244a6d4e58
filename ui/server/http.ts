import type { Context } from 'hono';
import { ApiError, badRequest } from './errors';

const MAX_BODY_BYTES = 512 * 1024;

/** The request's JSON object body; a plain 400 when it is missing, too big or not JSON. */
export async function readJson(c: Context): Promise<Record<string, unknown>> {
	const text = await c.req.text();
	if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
		throw new ApiError(413, `The request body is larger than ${MAX_BODY_BYTES / 1024} KB. Send a shorter script.`);
	}
	if (!text.trim()) return {};
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw badRequest('body', 'The request body is not valid JSON. Send a JSON object.');
	}
	if (!value || typeof value !== 'object' || Array.isArray(value)) throw badRequest('body', 'The request body must be a JSON object.');
	return value as Record<string, unknown>;
}

/** A whole number query parameter within bounds (limit, offset, days), or a 400 naming it. */
export function intParam(c: Context, name: string, fallback: number, min: number, max: number): number {
	const raw = c.req.query(name);
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < min || value > max) {
		throw badRequest(name, `"${name}" must be a whole number from ${min} to ${max} (got "${raw}").`);
	}
	return value;
}
