import { zValidator } from '@hono/zod-validator';
import type { Context } from 'hono';
import type * as z from 'zod/v4';
import { nulProblem, wellFormed } from '../../nodes/shared/storable';
import { ApiError, badRequest } from './errors';
import { registerBody } from './openapi';

const MAX_BODY_BYTES = 512 * 1024;

export interface BodyLimit {
	/** Largest body this route takes; default 512 KB (a run request holds a whole script). */
	maxBytes?: number;
	/** What to do instead, in the route's words, e.g. "Send a shorter script." */
	hint?: string;
	/** The schema the API document shows when another checks the body in full (the run request: the webhook's). */
	documentedAs?: z.ZodType;
}
// The media types Hono's validator takes as JSON (application/json, application/*+json).
const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * Route middleware for a JSON body: the handler reads it typed with `c.req.valid('json')`. The body is read here
 * first, so a body that is too big, not JSON or not an object gets these plain answers; zod-validator then checks
 * the schema, and its first problem becomes a 400 naming the field, with the message written in the schema.
 */
export function jsonBody<T extends z.ZodType>(schema: T, limit: BodyLimit = {}) {
	const validate = zValidator('json', schema, (result) => {
		if (result.success) return;
		const issue = result.error.issues[0];
		throw badRequest(issue?.path.length ? String(issue.path[0]) : 'body', issue?.message ?? 'The request body was not understood.');
	});
	const middleware: typeof validate = async (c, next) => {
		// Parsed once here; Hono's validator reads it back from the request's body cache.
		c.req.bodyCache.json = Promise.resolve(await readJsonObject(c, limit));
		return validate(c, next);
	};
	registerBody(middleware, {
		schema: limit.documentedAs ?? schema,
		maxBytes: limit.maxBytes ?? MAX_BODY_BYTES,
	});
	return middleware;
}

const kb = (bytes: number) => `${Math.ceil(bytes / 1024).toLocaleString('en')} KB`;

async function readJsonObject(c: Context, limit: BodyLimit): Promise<Record<string, unknown>> {
	const text = await c.req.text();
	const bytes = Buffer.byteLength(text);
	const max = limit.maxBytes ?? MAX_BODY_BYTES;
	if (bytes > max) {
		throw new ApiError(413, `The request body is ${kb(bytes)}; this takes at most ${kb(max)}. ${limit.hint ?? 'Send less.'}`);
	}
	if (!text.trim()) return {};
	// Hono's validator only reads bodies sent as JSON; anything else would be checked as an empty object.
	if (!JSON_TYPE.test(c.req.header('content-type') ?? '')) {
		throw new ApiError(415, 'Send the request body as JSON, with the header Content-Type: application/json.');
	}
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw badRequest('body', 'The request body is not valid JSON. Send a JSON object.');
	}
	if (!value || typeof value !== 'object' || Array.isArray(value)) throw badRequest('body', 'The request body must be a JSON object.');
	const nul = nulProblem(value as Record<string, unknown>);
	if (nul) throw badRequest(nul.field, nul.message);
	return wellFormed(value as Record<string, unknown>);
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
