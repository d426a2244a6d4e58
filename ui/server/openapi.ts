/**
 * The API contract (OpenAPI 3.1), built from what the app really registers: every route carries a `describeRoute`
 * marker among its handlers, and every JSON body the `jsonBody` schema it is validated with, so the document and the
 * checks cannot drift apart. createApp refuses to start with a route that has no description.
 * Served at /api/openapi.json and rendered at /api/docs (no login).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import * as z from 'zod/v4';
import { FIELD_RULES, RequestSchema } from '../../nodes/Campaign/lib/request';
import { SIGNATURE_HEADER } from '../../nodes/Campaign/lib/auth';
import { MAX_BATCH_BYTES, MAX_BATCH_ROWS } from '../../nodes/Campaign/lib/batch';
import { ResumeRequestSchema, WaitDecisionSchema } from '../../nodes/Campaign/lib/resume';
import { EXAMPLE_PREVIEW, EXAMPLE_VOICE } from './schemas';
import {
	voiceChoiceSchema,
	VoiceListRequestSchema,
	VoicePreviewRequestSchema,
	voicePreviewSchema,
} from '../../nodes/TextToSpeech/lib/preview';

export interface ResponseDoc {
	description: string;
	/** The JSON body; omit for a redirect or a body that is not JSON (then give `type`). */
	schema?: z.ZodType;
	/** Validated against `schema` by test/dashboard/openapi.test.ts. */
	example?: unknown;
	/** Media type when not JSON, e.g. text/event-stream. */
	type?: string;
}

export interface RouteDoc {
	summary: string;
	description?: string;
	tag: string;
	/** Who may call it; default 'session' (a logged-in user or an API key). */
	access?: 'public' | 'session' | 'admin';
	/** Query parameters (documentation only: handlers read them with intParam and friends). */
	query?: z.ZodObject;
	/** A multipart/form-data body (an upload; documentation only: the handler reads and checks it). */
	form?: z.ZodObject;
	/** The main answers; the error answers of the access level and the body checks are added by themselves. */
	responses: Record<number, ResponseDoc>;
}

interface BodyDoc {
	schema: z.ZodType;
	maxBytes: number;
}

const routeDocs = new WeakMap<object, RouteDoc>();
const bodyDocs = new WeakMap<object, BodyDoc>();

/**
 * Put first among a route's handlers: `app.get('/x', describeRoute({ ... }), handler)`. It does nothing at request
 * time; the document reads it from app.routes.
 */
export function describeRoute(doc: RouteDoc): MiddlewareHandler {
	const marker: MiddlewareHandler = async (_c, next) => {
		await next();
	};
	routeDocs.set(marker, doc);
	return marker;
}

/** Called by jsonBody: the schema a route's body is checked with is the one documented. */
export function registerBody(middleware: object, body: BodyDoc): void {
	bodyDocs.set(middleware, body);
}

/** The `{ error }` answer every failure has; `field` names the request field at fault (400). */
export const errorSchema = z.object({
	error: z.string().meta({ description: 'What happened and what to do, in plain words.' }),
	field: z.string().optional().meta({ description: 'The request field at fault (400, 409).' }),
	retryAfterSeconds: z.number().int().optional().meta({ description: 'Seconds to wait (429).' }),
});

/** The webhooks' rejection (n8n's Respond to Webhook), relayed as-is by POST /api/campaigns/{id}/runs as `error`. */
export const webhookRejectionSchema = z.object({
	error: z.enum(['invalid_request', 'unauthorized', 'not_found', 'conflict', 'over_budget']).or(z.string()),
	field: z.string(),
	message: z.string(),
});

const errorAnswer = (description: string, example: string): ResponseDoc => ({
	description,
	schema: errorSchema,
	example: { error: example },
});

const ACCESS_ERRORS: Record<NonNullable<RouteDoc['access']>, Record<number, ResponseDoc>> = {
	public: {},
	session: {
		401: errorAnswer('No session cookie and no valid API key (or the user was disabled, or the key revoked).', 'Log in first.'),
	},
	admin: {
		401: errorAnswer('No session cookie and no valid API key.', 'Log in first.'),
		403: errorAnswer('The caller is not an admin (API keys never are).', 'Only an admin can do this. Ask an admin of this dashboard.'),
	},
};

// ───────────────────────────── the n8n webhooks ─────────────────────────────

const runAccepted = z.object({
	runId: z.uuid(),
	status: z.enum(['queued', 'starting', 'running']),
	queuePosition: z.number().int().min(0).nullable().meta({ description: '0 = starts now; N = N runs start before it.' }),
});

/** A refused row of a batch, and the answer to a batch: the webhook's, and (with the batch line) the dashboard's upload. */
export const rowProblemSchema = z.object({ row: z.number().int(), line: z.number().int().optional(), field: z.string(), message: z.string() });
export const batchAnswerSchema = z
	.object({
		batchId: z.uuid(),
		campaign: z.string(),
		rows: z.number().int(),
		queued: z.number().int(),
		runs: z.array(z.object({ row: z.number().int(), runId: z.uuid(), status: z.string(), queuePosition: z.number().int().nullable() })),
		rejected: z.array(rowProblemSchema),
	})
	.loose();

export interface WebhookDoc {
	/** As in the workflow's Webhook node (path) or `{executionId}` for a Wait node's resume URL. */
	path: string;
	workflow: string;
	summary: string;
	description: string;
	body: z.ZodType;
	example: unknown;
	responses: Record<number, ResponseDoc>;
}

const rejection = (description: string, example: { error: string; field: string; message: string }): ResponseDoc => ({
	description,
	schema: webhookRejectionSchema,
	example,
});

const unauthorized = rejection('No token header and no signature, or one that does not match.', {
	error: 'unauthorized',
	field: 'x-reelsmith-token',
	message: 'The "x-reelsmith-token" header is missing. Send the Reelsmith webhook token in it, or sign the body (header "x-reelsmith-signature").',
});

/** Every webhook of workflows/*.json; test/dashboard/openapi.test.ts checks the workflows hold no other. */
export const WEBHOOKS: WebhookDoc[] = [
	{
		path: '/webhook/reelsmith/runs',
		workflow: 'start-run.json',
		summary: 'Request a run',
		description:
			'Checks the request (nodes/Campaign/lib/request.ts), records the run as queued and answers at once; the dispatcher starts it when a slot is free. Every field but `script` is optional; `null` means the default.',
		body: RequestSchema,
		example: {
			script: 'INT. KITCHEN - NIGHT\n\nALICE\nIs anyone there?',
			campaign: 'Spring launch',
			preset: 'shorts',
			budget: 2,
		},
		responses: {
			202: {
				description: 'Accepted and queued.',
				schema: runAccepted,
				example: {
					runId: '6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11',
					status: 'queued',
					queuePosition: 0,
				},
			},
			400: rejection('A field is wrong: `field` names it and `message` says what to send.', {
				error: 'invalid_request',
				field: 'preset',
				message: '"preset" must be one of youtube, shorts, square (got "tiktok"). Fix "preset" in the request or leave it out to use the default.',
			}),
			401: unauthorized,
		},
	},
	{
		path: '/webhook/reelsmith/batches',
		workflow: 'start-batch.json',
		summary: 'Request a batch of runs',
		description: `JSON {campaign, defaults, rows} (each row a run request over the defaults), {campaign, csv}, or a text/csv body with ?campaign=. Every row is checked on its own with the run request's rules (nodes/Campaign/lib/batch.ts); the good ones are queued in one transaction. At most ${MAX_BATCH_ROWS} rows and ${MAX_BATCH_BYTES / 1024 / 1024} MB.`,
		body: z.object({
			campaign: z.string().optional(),
			defaults: z.record(z.string(), z.unknown()).optional(),
			rows: z.array(z.record(z.string(), z.unknown())).optional().meta({ description: 'Run requests; "body" is another name for "script".' }),
			csv: z.string().optional().meta({ description: 'CSV text: a header row of run request fields, then one row per run.' }),
		}),
		example: {
			campaign: 'Spring launch',
			defaults: { preset: 'shorts' },
			rows: [
				{ title: 'Teaser', script: 'INT. LAB - DAY\n\nMAYA\nIt works.' },
				{ body: 'A post about the launch.', format: 'post' },
			],
		},
		responses: {
			202: {
				description: 'The good rows are queued; the refused ones are listed by row, CSV line and field.',
				schema: batchAnswerSchema,
				example: {
					batchId: '9c4b2f3e-1d5a-4e6b-8c7d-2a1b3c4d5e6f',
					campaign: 'Spring launch',
					rows: 2,
					queued: 1,
					runs: [{ row: 1, runId: '6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11', status: 'queued', queuePosition: 0 }],
					rejected: [{ row: 2, field: 'format', message: '"format" must be one of auto, fountain, screenplay, markdown, post (got "blog").' }],
				},
			},
			400: {
				description: 'No row could be queued, or the batch itself is wrong (columns, too many rows); nothing was written.',
				schema: webhookRejectionSchema.loose(),
			},
			401: unauthorized,
			413: { description: 'The body is over the batch limit: split it.', schema: webhookRejectionSchema.loose() },
		},
	},
	{
		path: '/webhook/reelsmith/resume',
		workflow: 'resume-run.json',
		summary: 'Resume a failed or interrupted run',
		description: 'Puts the run back in the queue; its completed scenes are kept and skipped.',
		body: ResumeRequestSchema,
		example: { runId: '6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11' },
		responses: {
			202: {
				description: 'Back in the queue.',
				schema: runAccepted,
				example: {
					runId: '6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11',
					status: 'queued',
					queuePosition: 1,
				},
			},
			400: rejection('No run id.', {
				error: 'invalid_request',
				field: 'runId',
				message: 'Send {"runId": "<id from the webhook answer>"} to resume a run.',
			}),
			401: unauthorized,
			404: rejection('No such run.', {
				error: 'not_found',
				field: 'runId',
				message: 'There is no run 6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11.',
			}),
			409: rejection('The run is not resumable (completed, queued, or still held by a live execution).', {
				error: 'conflict',
				field: 'runId',
				message: 'Run 6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11 is already completed; nothing to resume. Post a new run to make it again.',
			}),
		},
	},
	{
		path: '/webhook/reelsmith/voices',
		workflow: 'voice-list.json',
		summary: "A speech provider's voices",
		description: "espeak-ng's own voices (`espeak-ng --voices`), or the ElevenLabs account's and Google's, asked with n8n's credentials.",
		body: VoiceListRequestSchema,
		example: { provider: 'espeak', language: 'en', q: 'scot' },
		responses: {
			200: {
				description: 'The voices, sorted by name.',
				schema: z.object({ provider: z.string(), count: z.number().int(), voices: z.array(voiceChoiceSchema) }),
				example: {
					provider: 'espeak',
					count: 1,
					voices: [EXAMPLE_VOICE],
				},
			},
			400: rejection('The provider is not configured, or the language is no BCP 47 tag.', {
				error: 'invalid_request',
				field: 'body',
				message: 'Google Text-to-Speech is not configured: add its credential (with an API key) to the node to list its voices.',
			}),
			401: unauthorized,
		},
	},
	{
		path: '/webhook/reelsmith/voices/preview',
		workflow: 'voice-preview.json',
		summary: 'Speak one line in a voice',
		description:
			'Stores the WAV under voice-previews/<provider>/<hash of provider, model, voice, settings and text>.wav; the same preview again is read from storage (`cached: true`, cost 0) without calling the provider.',
		body: VoicePreviewRequestSchema,
		example: { provider: 'espeak', voice: 'en-us+f3', text: 'The lighthouse keeper counts the ships.', settings: { rate: 170 } },
		responses: {
			200: {
				description: 'The stored preview.',
				schema: voicePreviewSchema,
				example: EXAMPLE_PREVIEW,
			},
			400: rejection('A field is wrong, or the provider could not speak it (unknown voice, not configured).', {
				error: 'invalid_request',
				field: 'text',
				message: '"text" has 412 characters; a preview speaks at most 300. Shorten the line.',
			}),
			401: unauthorized,
		},
	},
	{
		path: '/webhook/reelsmith/trailer',
		workflow: 'trailer.json',
		summary: "A trailer of a plan (the approval screen's)",
		description:
			"A 15–30 s cut of the plan's most telling moments (data/trailer.json's rules, or `moments` chosen elsewhere) from the local renderer's stills, with a title card and the run's music; costs nothing. Stored under runs/<runId>/trailer/v<planVersion>.mp4. The dashboard calls it for POST /api/runs/{id}/trailer with the take's plan and the run's options.",
		body: z
			.object({
				runId: z.string(),
				planVersion: z.number().int().min(1),
				plan: z.object({ title: z.string(), scenes: z.array(z.unknown()).min(1) }).loose(),
				options: z
					.object({ preset: z.string(), style: z.string(), brand: z.unknown(), music: z.unknown(), loudnessTarget: z.number() })
					.partial()
					.optional(),
				moments: z.array(z.object({ scene: z.number().int(), line: z.number().int().nullable() })).optional(),
			})
			.loose(),
		example: {
			runId: '6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11',
			planVersion: 2,
			plan: { title: 'The Late Train', scenes: [{ number: 1, heading: 'INT. STATION HALL - NIGHT', dialogue: [{ speaker: 'MAYA', text: "It's late again." }] }] },
			options: { preset: 'youtube', style: 'titleCard', music: null, loudnessTarget: -14 },
		},
		responses: {
			200: {
				description: 'The stored trailer: its key, length, size and moments.',
				example: { key: 'runs/6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11/trailer/v2.mp4', duration: 15.1, width: 1920, height: 1080, chosenBy: 'rules', cost: 0 },
			},
			400: rejection('The plan has no scenes, or a field is wrong.', {
				error: 'invalid_request',
				field: 'Plan',
				message: '"Plan" is not a plan with scenes. Send the take\'s plan (a plan version\'s "plan") as "plan".',
			}),
			401: unauthorized,
		},
	},
	{
		path: '/webhook/reelsmith/pipeline',
		workflow: 'pipeline.json',
		summary: 'Start a claimed run (internal)',
		description:
			'Called by the dispatcher (workflows/dispatch.json) for each run it claimed, signed with the webhook token. Not for clients: post to /webhook/reelsmith/runs instead.',
		body: z.object({ runId: z.uuid() }).loose(),
		example: { runId: '6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11' },
		responses: {
			202: {
				description: 'n8n took the call; the pipeline runs in its own execution.',
			},
		},
	},
	{
		path: '/webhook-waiting/{executionId}',
		workflow: 'pipeline.json',
		summary: "Resume a run's storyboard wait (internal)",
		description:
			"The Wait node of a run started with `approval: true`; its address is the run's approval URL. The dashboard writes the decision to the run first and then posts here (POST /api/runs/{id}/approval): the pipeline reads the decision from the run, so use the dashboard route, not this one.",
		body: WaitDecisionSchema,
		example: {
			runId: '6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11',
			decision: 'approve',
		},
		responses: {
			200: { description: 'The waiting execution goes on.' },
			409: {
				description: 'The execution has finished (decided, cancelled or past the 7-day limit).',
			},
		},
	},
];

// ───────────────────────────── the document ─────────────────────────────

interface RegisteredRoute {
	method: string;
	path: string;
	handler: object;
}

/** Hono's `/api/runs/:id` and `/api/artifacts/*` as OpenAPI paths. */
export function openApiPath(path: string): string {
	return path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}').replace(/\/\*$/, '/{path}');
}

/** Each (method, path) the app registered, with its description and body schema, in registration order. */
export function documentedRoutes(routes: RegisteredRoute[]): Array<{ method: string; path: string; doc?: RouteDoc; body?: BodyDoc }> {
	const found = new Map<string, { method: string; path: string; doc?: RouteDoc; body?: BodyDoc }>();
	for (const route of routes) {
		if (route.method === 'ALL') continue; // middleware (app.use) and the API's 404
		const key = `${route.method} ${route.path}`;
		const entry = found.get(key) ?? { method: route.method, path: route.path };
		// Hono wraps a sub-app's handler when that app has its own error handler; the original stays reachable.
		const handler = (route.handler as Record<symbol, object>)[Symbol.for('composedHandler')] ?? route.handler;
		entry.doc ??= routeDocs.get(handler) ?? routeDocs.get(route.handler);
		entry.body ??= bodyDocs.get(handler) ?? bodyDocs.get(route.handler);
		found.set(key, entry);
	}
	return [...found.values()];
}

/** The routes that lack a describeRoute marker, as "GET /api/x" lines. */
export function undocumented(routes: RegisteredRoute[]): string[] {
	return documentedRoutes(routes)
		.filter((route) => !route.doc)
		.map((route) => `${route.method} ${route.path}`);
}

type JsonSchema = Record<string, unknown>;

/** Each property of an object schema gets its rule in words (the webhook's FIELD_RULES) as its description. */
function withFieldRules(schema: JsonSchema, rules: Record<string, string>): JsonSchema {
	const properties = schema.properties as Record<string, JsonSchema> | undefined;
	if (properties) for (const [name, rule] of Object.entries(rules)) if (properties[name]) properties[name].description ??= rule;
	return schema;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
	const result = z.toJSONSchema(schema, {
		io,
		// z.custom checks (reference images) have no JSON Schema: the field's description says the rule.
		unrepresentable: 'any',
		target: 'draft-2020-12',
	}) as JsonSchema;
	delete result.$schema;
	if (schema === RequestSchema) withFieldRules(result, FIELD_RULES);
	return result;
}

/** Shapes used by many routes: one component each, referenced. */
const COMPONENTS = new Map<z.ZodType, string>([
	[errorSchema, 'Error'],
	[webhookRejectionSchema, 'WebhookRejection'],
	[RequestSchema, 'RunRequest'],
]);

function refOrInline(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>): JsonSchema {
	const id = COMPONENTS.get(schema);
	if (!id) return jsonSchema(schema, io);
	components[id] ??= jsonSchema(schema, io);
	return { $ref: `#/components/schemas/${id}` };
}

function content(answer: ResponseDoc, components: Record<string, JsonSchema>) {
	if (!answer.schema && !answer.type) return undefined;
	const media: JsonSchema = {};
	if (answer.schema) media.schema = refOrInline(answer.schema, 'output', components);
	if (answer.example !== undefined) media.example = answer.example;
	return { [answer.type ?? 'application/json']: media };
}

function responsesOf(answers: Record<number, ResponseDoc>, components: Record<string, JsonSchema>) {
	return Object.fromEntries(
		Object.entries(answers)
			.sort(([a], [b]) => Number(a) - Number(b))
			.map(([status, answer]) => {
				const body = content(answer, components);
				return [
					status,
					{
						description: answer.description,
						...(body ? { content: body } : {}),
					},
				];
			}),
	);
}

function pathParameters(path: string) {
	return [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
		name,
		in: 'path',
		required: true,
		schema: { type: 'string' },
		description:
			name === 'path'
				? 'The rest of the address (for /api/artifacts: an object key under runs/<runId>/, as the run page links it).'
				: name === 'id'
					? 'A uuid.'
					: undefined,
	}));
}

function queryParameters(query: z.ZodObject | undefined) {
	if (!query) return [];
	const schema = jsonSchema(query, 'input');
	const required = new Set((schema.required as string[] | undefined) ?? []);
	return Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>).map(([name, property]) => {
		const { description, ...rest } = property;
		return {
			name,
			in: 'query',
			required: required.has(name),
			schema: rest,
			...(description ? { description } : {}),
		};
	});
}

export interface DocumentOptions {
	/** The dashboard's own address as the browser reached it (servers[0]). */
	dashboardUrl?: string;
	/** n8n's public webhook base, e.g. http://127.0.0.1:5678/webhook (the webhooks' server). */
	webhookBase?: string;
}

export function openApiDocument(routes: RegisteredRoute[], options: DocumentOptions = {}) {
	const components: Record<string, JsonSchema> = {};
	const paths: Record<string, Record<string, unknown>> = {};
	for (const route of documentedRoutes(routes)) {
		if (!route.doc) continue;
		const path = openApiPath(route.path);
		const doc = route.doc;
		const access = doc.access ?? 'session';
		const answers: Record<number, ResponseDoc> = { ...ACCESS_ERRORS[access] };
		if (route.body) {
			answers[400] = errorAnswer('A field is wrong: `field` names it.', 'The request body is not valid JSON. Send a JSON object.');
			answers[413] = errorAnswer(
				`The body is over ${Math.ceil(route.body.maxBytes / 1024)} KB.`,
				'The request body is 600 KB; this takes at most 512 KB. Send less.',
			);
			answers[415] = errorAnswer('The body was not sent as JSON.', 'Send the request body as JSON, with the header Content-Type: application/json.');
		}
		Object.assign(answers, doc.responses);
		const operation: Record<string, unknown> = {
			tags: [doc.tag],
			summary: doc.summary,
			...(doc.description ? { description: doc.description } : {}),
			operationId: `${route.method.toLowerCase()}${path.replace(/\{(\w+)\}/g, 'By$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
			security: access === 'public' ? [] : [{ session: [] }, { apiKey: [] }],
			parameters: [...pathParameters(path), ...queryParameters(doc.query)],
			responses: responsesOf(answers, components),
		};
		if (route.body) {
			operation.requestBody = {
				required: true,
				content: {
					'application/json': {
						schema: refOrInline(route.body.schema, 'input', components),
					},
				},
			};
		}
		if (doc.form) {
			operation.requestBody = {
				required: true,
				content: { 'multipart/form-data': { schema: refOrInline(doc.form, 'input', components) } },
			};
		}
		(paths[path] ??= {})[route.method.toLowerCase()] = operation;
	}
	const webhookServer = {
		url: (options.webhookBase ?? 'http://127.0.0.1:5678/webhook').replace(/\/webhook\/?$/, ''),
		description: 'n8n',
	};
	for (const hook of WEBHOOKS) {
		paths[hook.path] = {
			servers: [webhookServer],
			post: {
				tags: ['n8n webhooks'],
				summary: hook.summary,
				description: `${hook.description} (workflows/${hook.workflow})`,
				operationId: `webhook${hook.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
				security: hook.path.startsWith('/webhook-waiting/') ? [] : [{ webhookToken: [] }, { webhookSignature: [] }],
				parameters: pathParameters(hook.path),
				requestBody: {
					required: true,
					content: {
						'application/json': {
							schema: refOrInline(hook.body, 'input', components),
							example: hook.example,
						},
					},
				},
				responses: responsesOf(hook.responses, components),
			},
		};
	}
	return {
		openapi: '3.1.0',
		info: {
			title: 'Reelsmith',
			version: '1',
			description:
				'The dashboard API (a session cookie from POST /api/login, or `Authorization: Bearer <API key>`) and the n8n webhooks (the webhook token, or an HMAC signature). Every error is JSON `{ error }` in plain words; a 400 names the `field`.',
		},
		servers: [{ url: options.dashboardUrl ?? '/', description: 'the dashboard' }],
		tags: [...new Set(Object.values(paths).flatMap((item) => Object.values(item).flatMap((op) => (op as { tags?: string[] }).tags ?? [])))].map(
			(name) => ({ name }),
		),
		paths,
		components: {
			schemas: components,
			securitySchemes: {
				session: {
					type: 'apiKey',
					in: 'cookie',
					name: 'rs_session',
					description: 'Set by POST /api/login.',
				},
				apiKey: {
					type: 'http',
					scheme: 'bearer',
					description: 'A dashboard API key (admins make them on the Users page); works only within its campaigns.',
				},
				webhookToken: {
					type: 'apiKey',
					in: 'header',
					name: 'x-reelsmith-token',
					description: "The Reelsmith Webhook credential's token (header name as set there).",
				},
				webhookSignature: {
					type: 'apiKey',
					in: 'header',
					name: SIGNATURE_HEADER,
					description:
						't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the webhook token>; keeps the token out of n8n\'s execution data.',
				},
			},
		},
	};
}

/** The rendered page: Swagger UI from the swagger-ui-dist package (served from here: the machine may have no internet). */
export const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Reelsmith API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body></html>`;

// A file of its own, not inline: the page may then run under a script-src 'self' policy.
export const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#docs', deepLinking: true });`;

// ───────────────────────────── the routes that serve it ─────────────────────────────

const SWAGGER_FILES: Record<string, string> = {
	'swagger-ui.css': 'text/css; charset=utf-8',
	'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

function swaggerDir(): string | null {
	try {
		return dirname(require.resolve('swagger-ui-dist/package.json'));
	} catch {
		return null;
	}
}

/** A plain list of the operations, when swagger-ui-dist is not installed. */
function plainPage(document: ReturnType<typeof openApiDocument>): string {
	const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
	const rows = Object.entries(document.paths).flatMap(([path, item]) =>
		Object.entries(item)
			.filter(([method]) => method !== 'servers')
			.map(
				([method, op]) =>
					`<li><code>${method.toUpperCase()} ${escape(path)}</code> ${escape(String((op as { summary?: string }).summary ?? ''))}</li>`,
			),
	);
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Reelsmith API</title></head><body style="font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto"><h1>Reelsmith API</h1><p>The whole contract: <a href="/api/openapi.json">/api/openapi.json</a>.</p><ul>${rows.join('')}</ul></body></html>`;
}

/** /api/openapi.json and /api/docs, without a login. `routes` is read per request: the app's, complete by then. */
export function docsRoutes(routes: () => RegisteredRoute[], options: DocumentOptions = {}) {
	const app = new Hono();
	const document = (c: Context) =>
		openApiDocument(routes(), {
			...options,
			dashboardUrl: options.dashboardUrl ?? new URL(c.req.url).origin,
		});
	app.get(
		'/openapi.json',
		describeRoute({
			tag: 'API contract',
			access: 'public',
			summary: 'This document (OpenAPI 3.1)',
			responses: {
				200: { description: 'The document.', type: 'application/json' },
			},
		}),
		(c) => c.json(document(c)),
	);
	app.get(
		'/docs',
		describeRoute({
			tag: 'API contract',
			access: 'public',
			summary: 'This document, rendered',
			responses: { 200: { description: 'An HTML page.', type: 'text/html' } },
		}),
		(c) => c.html(swaggerDir() ? DOCS_PAGE : plainPage(document(c))),
	);
	app.get(
		'/docs/:file',
		describeRoute({
			tag: 'API contract',
			access: 'public',
			summary: "The rendered page's script and style",
			responses: {
				200: {
					description: 'swagger-ui-dist files, and init.js.',
					type: 'text/javascript',
				},
				404: { description: 'No such file.', schema: errorSchema },
			},
		}),
		async (c) => {
			const file = c.req.param('file');
			if (file === 'init.js')
				return c.body(DOCS_INIT, 200, {
					'content-type': 'text/javascript; charset=utf-8',
				});
			const dir = swaggerDir();
			if (!dir || !SWAGGER_FILES[file]) return c.json({ error: `There is no file ${file} here. Open /api/docs.` }, 404);
			return c.body(await readFile(join(dir, file)), 200, {
				'content-type': SWAGGER_FILES[file],
				'cache-control': 'public, max-age=86400',
			});
		},
	);
	return app;
}
