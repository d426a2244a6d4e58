/**
 * Terminal looks for the New Run form: the choices of terminalLooks.json, and one preview picture per look. A
 * preview is rendered once by the local renderer and kept in the object store by a hash of the look; later
 * requests read it from there.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import * as z from 'zod/v4';
import looks from '../../nodes/shared/data/terminalLooks.json';
import { terminalPreviewKey } from '../../nodes/shared/keys';
import type { Scene } from '../../nodes/shared/plan';
import { renderStill } from '../../nodes/shared/render';
import type { AppEnv, Deps } from './context';
import { ApiError, badRequest } from './errors';
import { describeRoute, errorSchema } from './openapi';

/** The picture's scene and size: a heading and two typed lines, small enough for a card. */
const PREVIEW_SCENE = {
	number: 1,
	heading: 'INT. SERVER ROOM - NIGHT',
	action: '',
	visualDescription: '',
	narration: '',
	dialogue: [
		{ speaker: 'ADA', text: 'Deploying the fix now.' },
		{ speaker: 'LIN', text: 'Tests are green.' },
	],
	characters: ['ADA', 'LIN'],
	duration: 4,
} as unknown as Scene;
const PREVIEW_SIZE = { width: 480, height: 270 };
/** Part of every hash: a change of the picture's scene or size makes new pictures. */
const PREVIEW_VERSION = 1;

const choices = (list: Record<string, unknown>, label: (entry: any, name: string) => string) =>
	Object.entries(list).map(([name, entry]) => ({
		name,
		label: label(entry, name),
	}));

const choiceSchema = z.object({ name: z.string(), label: z.string() });
const looksSchema = z.object({
	schemes: z.array(choiceSchema.extend({ background: z.string(), text: z.string() })),
	cursors: z.array(choiceSchema.extend({ character: z.string() })),
	chromes: z.array(choiceSchema),
	prompts: z.array(choiceSchema.extend({ text: z.string() })),
	effects: z.array(choiceSchema),
	defaults: z.object({
		scheme: z.string(),
		cursor: z.string(),
		chrome: z.string(),
		prompt: z.string(),
	}),
});

export const previewQuerySchema = z.object({
	cursor: z.enum(Object.keys(looks.cursors.list) as [string, ...string[]]).optional(),
	chrome: z.enum(Object.keys(looks.chromes.list) as [string, ...string[]]).optional(),
	prompt: z.enum(Object.keys(looks.prompts.list) as [string, ...string[]]).optional(),
});

function looksAnswer(): z.infer<typeof looksSchema> {
	return {
		schemes: Object.entries(looks.schemes.list).map(([name, scheme]) => ({
			name,
			label: scheme.label,
			background: scheme.background,
			text: scheme.text,
		})),
		cursors: Object.entries(looks.cursors.list).map(([name, character]) => ({
			name,
			label: name[0].toUpperCase() + name.slice(1),
			character,
		})),
		chromes: choices(looks.chromes.list, (entry) => entry.label),
		prompts: Object.entries(looks.prompts.list).map(([name, prompt]) => ({
			name,
			label: prompt.label,
			text: prompt.text,
		})),
		effects: choices(looks.effects.list, (entry) => entry.label),
		defaults: {
			scheme: looks.schemes.default,
			cursor: looks.cursors.default,
			chrome: looks.chromes.default,
			prompt: looks.prompts.default,
		},
	};
}

/** A query value that is one of `list`'s names, the default when empty; else a 400 naming the field. */
function pick(list: Record<string, unknown>, value: string | undefined, fallback: string, field: string): string {
	const name = value || fallback;
	if (!Object.prototype.hasOwnProperty.call(list, name)) {
		throw badRequest(field, `"${field}" must be one of ${Object.keys(list).join(', ')} (got "${name}").`);
	}
	return name;
}

export function terminalRoutes(deps: Deps) {
	const app = new Hono<AppEnv>();

	app.get(
		'/terminal/looks',
		describeRoute({
			tag: 'Terminal',
			summary: "The terminal style's looks",
			description: 'Colour schemes, cursors, window chromes, prompts and effects a run request may name (nodes/shared/data/terminalLooks.json).',
			responses: {
				200: {
					description: 'Every choice with its label, and the defaults.',
					schema: looksSchema,
					example: looksAnswer(),
				},
			},
		}),
		(c) => c.json(looksAnswer()),
	);

	app.get(
		'/terminal/previews/:scheme',
		describeRoute({
			tag: 'Terminal',
			summary: 'A picture of a terminal look',
			description:
				'A PNG of the terminal style in the scheme (path) with the cursor, chrome and prompt (query; the defaults when left out), rendered once by the local renderer and kept at terminal-previews/<hash>.png in the object store.',
			query: previewQuerySchema,
			responses: {
				200: { description: 'The picture (480×270 PNG).', type: 'image/png' },
				400: {
					description: 'A scheme, cursor, chrome or prompt that terminalLooks.json does not have.',
					schema: errorSchema,
				},
			},
		}),
		async (c) => {
			const scheme = pick(looks.schemes.list, c.req.param('scheme'), looks.schemes.default, 'scheme');
			const cursor = pick(looks.cursors.list, c.req.query('cursor'), looks.cursors.default, 'cursor');
			const chrome = pick(looks.chromes.list, c.req.query('chrome'), looks.chromes.default, 'chrome');
			const prompt = pick(looks.prompts.list, c.req.query('prompt'), looks.prompts.default, 'prompt');
			const hash = createHash('sha256').update(JSON.stringify({ PREVIEW_VERSION, scheme, cursor, chrome, prompt })).digest('hex').slice(0, 32);
			const ref = {
				bucket: deps.storage.bucket,
				key: terminalPreviewKey(hash),
			};
			const storeDown = (error: Error): never => {
				deps.log(`[dashboard] object store: ${error.message}`);
				throw new ApiError(502, 'The object store did not answer. Check that it is running (S3_ENDPOINT), then try again.');
			};
			let png: Buffer;
			if (await deps.storage.stat(ref).catch(storeDown)) {
				png = await deps.storage.downloadBuffer(ref).catch(storeDown);
			} else {
				const directory = await mkdtemp(join(tmpdir(), 'reelsmith-terminal-preview-'));
				try {
					const file = await renderStill(
						{
							scene: PREVIEW_SCENE,
							style: 'terminal',
							preset: 'preview',
							fps: 30,
							duration: 4,
							...PREVIEW_SIZE,
							terminalScheme: scheme,
							terminalCursor: cursor,
							terminalChrome: chrome,
							terminalPrompt: prompt,
						},
						directory,
					);
					png = await readFile(file);
				} finally {
					await rm(directory, { recursive: true, force: true });
				}
				await deps.storage.uploadBuffer(png, ref.key, 'image/png').catch(storeDown);
			}
			return c.body(new Uint8Array(png), 200, {
				'content-type': 'image/png',
				'cache-control': 'private, max-age=3600',
				'x-preview-key': ref.key,
			});
		},
	);
	return app;
}
