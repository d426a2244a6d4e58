/**
 * Own media of a campaign on the dashboard: a manager uploads a clip, a still, a voice-over or music once and names
 * it by key in a run's sceneMedia or music. Stored under campaigns/<id>/media/<kind>/ (nodes/shared/keys.ts); only
 * people who see the campaign may upload or read it, and the pipeline refuses a run that names another campaign's
 * uploads (nodes/Campaign/lib/campaignMedia.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as z from 'zod/v4';
import { campaignMediaKey, campaignOfKey, MEDIA_KINDS, type MediaKind } from '../../nodes/shared/keys';
import { probeStreams } from '../../nodes/shared/probe';
import { campaignNotFound, canSeeCampaign } from './access';
import { LINK_SECONDS } from './artifacts';
import type { AppEnv, Deps } from './context';
import { isUuid } from './db';
import { ApiError, badRequest, notFound } from './errors';
import { describeRoute, errorSchema } from './openapi';

const MB = 1024 * 1024;

/** What each kind takes: the extensions (the stored key keeps one), the largest file, and what its content must be. */
export const MEDIA_RULES: Record<MediaKind, { extensions: string[]; maxBytes: number; what: string; needs: 'video' | 'audio' | 'image' }> = {
	clip: { extensions: ['mp4', 'mov', 'webm', 'mkv'], maxBytes: 200 * MB, what: 'a video (MP4, MOV, WebM, MKV)', needs: 'video' },
	// Kling and Runway animate stills sent as data URIs of at most 5 MB; the local renderer takes bigger ones.
	still: { extensions: ['png', 'jpg', 'jpeg', 'webp'], maxBytes: 10 * MB, what: 'a PNG, JPEG or WebP image', needs: 'image' },
	voiceOver: {
		extensions: ['wav', 'mp3', 'm4a', 'aac', 'ogg', 'opus', 'flac'],
		maxBytes: 50 * MB,
		what: 'an audio file (WAV, MP3, M4A, OGG, FLAC)',
		needs: 'audio',
	},
	music: {
		extensions: ['wav', 'mp3', 'm4a', 'aac', 'ogg', 'opus', 'flac'],
		maxBytes: 50 * MB,
		what: 'an audio file (WAV, MP3, M4A, OGG, FLAC)',
		needs: 'audio',
	},
};
const LARGEST = Math.max(...Object.values(MEDIA_RULES).map((rule) => rule.maxBytes));
const CONTENT_TYPES: Record<string, string> = {
	mp4: 'video/mp4',
	mov: 'video/quicktime',
	webm: 'video/webm',
	mkv: 'video/x-matroska',
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	webp: 'image/webp',
	wav: 'audio/wav',
	mp3: 'audio/mpeg',
	m4a: 'audio/mp4',
	aac: 'audio/aac',
	ogg: 'audio/ogg',
	opus: 'audio/ogg',
	flac: 'audio/flac',
};

const CAMPAIGN_ID = '0d5f3d4e-2a61-4b8c-9a3e-5c1f7e9b2d10';
const EXAMPLE_KEY = `campaigns/${CAMPAIGN_ID}/media/still/5b0e8c1a-7d2f-4e3a-9b6c-1d2e3f4a5b6c.png`;
const uploadSchema = z.object({
	key: z.string().meta({ description: 'Use it in sceneMedia[n].clip/still/voiceOver {"key": …} or music {"key": …} of a run of this campaign.' }),
	kind: z.enum(MEDIA_KINDS),
	bytes: z.number().int(),
	duration: z.number().nullable().meta({ description: 'Seconds, for a clip, a voice-over or music; null for a still.' }),
	url: z.string().meta({ description: 'A presigned link to look at it, valid 10 minutes.' }),
});
const formSchema = z.object({
	kind: z.enum(MEDIA_KINDS).meta({ description: 'What the file is for: clip, still, voiceOver or music.' }),
	file: z.string().meta({
		format: 'binary',
		description: `The file: a clip up to 200 MB, a still up to 10 MB, a voice-over or music up to 50 MB.`,
	}),
});

const isImage = (bytes: Buffer) =>
	bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47])) ||
	(bytes[0] === 0xff && bytes[1] === 0xd8) ||
	(bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP');

/** What the bytes are, read by ffprobe (a name says nothing): the duration, or why the file is not of its kind. */
async function checkContent(bytes: Buffer, kind: MediaKind, extension: string): Promise<{ duration: number | null } | { problem: string }> {
	const rule = MEDIA_RULES[kind];
	if (rule.needs === 'image') return isImage(bytes) ? { duration: null } : { problem: `is not ${rule.what}` };
	const dir = await mkdtemp(join(tmpdir(), 'reelsmith-upload-'));
	try {
		const file = join(dir, `upload.${extension}`);
		await writeFile(file, bytes);
		const facts = await probeStreams(file).catch(() => null);
		const stream = rule.needs === 'video' ? facts?.video : facts?.audio;
		const duration = (rule.needs === 'video' ? facts?.video?.duration : facts?.audio?.duration) ?? facts?.duration ?? 0;
		if (!stream || !(duration > 0))
			return { problem: `is not ${rule.what} ffmpeg can read${rule.needs === 'video' ? ' (no video in it)' : ' (no sound in it)'}` };
		return { duration: Math.round(duration * 1000) / 1000 };
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

type Ctx = Context<AppEnv>;

export function mediaRoutes(deps: Deps) {
	const app = new Hono<AppEnv>();
	const visibleCampaign = async (c: Ctx) => {
		const id = (c.req.param('id') ?? '').toLowerCase();
		if (!isUuid(id) || !canSeeCampaign(c.get('user'), id)) throw campaignNotFound(c.req.param('id') ?? '');
		const { rows } = await deps.db.query('select id from campaigns where id = $1', [id]);
		if (!rows[0]) throw campaignNotFound(id);
		return id;
	};
	const link = (key: string) => deps.presigner.presignedGetUrl({ bucket: deps.presigner.bucket, key }, LINK_SECONDS);

	app.post(
		'/campaigns/:id/media',
		describeRoute({
			tag: 'Own media',
			summary: 'Upload a clip, still, voice-over or music of your own',
			description:
				'A multipart/form-data body with `kind` and `file`. Stored under campaigns/<id>/media/<kind>/; the answered key goes into a run of this campaign: sceneMedia[n].clip, .still or .voiceOver as {"key": …}, or music {"key": …}. Runs of other campaigns cannot use it.',
			form: formSchema,
			responses: {
				201: {
					description: 'Stored.',
					schema: uploadSchema,
					example: {
						key: EXAMPLE_KEY,
						kind: 'still',
						bytes: 48213,
						duration: null,
						url: 'https://s3.example/reelsmith/campaigns/…png?X-Amz-Signature=…',
					},
				},
				400: {
					description: '`kind` or `file` is missing or wrong: not of its kind, an unknown extension, or too big. `field` names which.',
					schema: errorSchema,
					example: {
						error: '"file" is not a PNG, JPEG or WebP image. Upload the still as a PNG, JPEG or WebP image of at most 10 MB.',
						field: 'file',
					},
				},
				404: { description: 'No campaign with that id that the caller can see.', schema: errorSchema },
				413: { description: 'The body is larger than the largest upload (200 MB).', schema: errorSchema },
			},
		}),
		// Also a body sent without Content-Length (chunked) stops being read past the largest upload.
		bodyLimit({
			maxSize: LARGEST + MB,
			onError: () => {
				throw new ApiError(413, 'The upload is larger than the largest file taken (a clip of 200 MB). Send a shorter or smaller file.');
			},
		}),
		async (c) => {
			const id = await visibleCampaign(c);
			const length = Number(c.req.header('content-length') ?? 0);
			if (length > LARGEST + MB)
				throw new ApiError(
					413,
					`The upload is ${Math.ceil(length / MB)} MB; the largest file taken is a clip of 200 MB. Send a shorter or smaller file.`,
				);
			if (!/^multipart\/form-data/i.test(c.req.header('content-type') ?? '')) {
				throw badRequest('file', 'Send the file as multipart/form-data with the fields "kind" (clip, still, voiceOver or music) and "file".');
			}
			const form = await c.req.parseBody().catch(() => {
				throw badRequest('file', 'The upload could not be read as multipart/form-data. Send the fields "kind" and "file" again.');
			});
			const kind = form.kind;
			if (typeof kind !== 'string' || !(MEDIA_KINDS as readonly string[]).includes(kind)) {
				throw badRequest(
					'kind',
					`"kind" must be one of ${MEDIA_KINDS.join(', ')}: what the file is for (got ${typeof kind === 'string' ? `"${kind.slice(0, 40)}"` : 'nothing'}).`,
				);
			}
			const rule = MEDIA_RULES[kind as MediaKind];
			const file = form.file;
			const fix = `Upload the ${kind === 'voiceOver' ? 'voice-over' : kind} as ${rule.what} of at most ${rule.maxBytes / MB} MB.`;
			if (!(file instanceof File)) throw badRequest('file', `"file" is missing: send the file itself in the "file" field. ${fix}`);
			const extension = (/\.([a-z0-9]{1,5})$/i.exec(file.name)?.[1] ?? '').toLowerCase();
			if (!rule.extensions.includes(extension)) {
				throw badRequest(
					'file',
					`"file" is named "${file.name.slice(0, 80)}"; a ${kind} must end in ${rule.extensions.map((ext) => `.${ext}`).join(', ')}. ${fix}`,
				);
			}
			if (file.size > rule.maxBytes) {
				throw badRequest('file', `"file" is ${(file.size / MB).toFixed(1)} MB; a ${kind} may be at most ${rule.maxBytes / MB} MB. ${fix}`);
			}
			if (file.size === 0) throw badRequest('file', `"file" is empty. ${fix}`);
			const bytes = Buffer.from(await file.arrayBuffer());
			const content = await checkContent(bytes, kind as MediaKind, extension);
			if ('problem' in content) throw badRequest('file', `"file" ${content.problem}. ${fix}`);
			const stored = extension === 'jpeg' ? 'jpg' : extension;
			const key = campaignMediaKey(id, kind as MediaKind, randomUUID(), stored);
			await deps.storage.uploadBuffer(bytes, key, CONTENT_TYPES[extension] ?? 'application/octet-stream');
			deps.log(`[dashboard] ${c.get('user').email} uploaded a ${kind} (${bytes.length} bytes) to campaign ${id}`);
			return c.json({ key, kind, bytes: bytes.length, duration: content.duration, url: await link(key) }, 201);
		},
	);

	app.get(
		'/campaigns/:id/media/link',
		describeRoute({
			tag: 'Own media',
			summary: 'A link to look at an upload of this campaign',
			query: z.object({ key: z.string().meta({ description: 'The key the upload answered.' }) }),
			responses: {
				200: {
					description: 'A presigned link, valid 10 minutes.',
					schema: z.object({ key: z.string(), url: z.string() }),
					example: { key: EXAMPLE_KEY, url: 'https://s3.example/reelsmith/campaigns/…png?X-Amz-Signature=…' },
				},
				404: { description: 'No such campaign or upload that the caller can see.', schema: errorSchema },
			},
		}),
		async (c) => {
			const id = await visibleCampaign(c);
			const key = c.req.query('key') ?? '';
			// Only this campaign's uploads: its id in the key is what a manager of another campaign does not have.
			if (campaignOfKey(key) !== id || !key.startsWith(`campaigns/${id}/media/`) || key.split('/').includes('..')) {
				throw notFound(`Campaign ${id} has no upload "${key.slice(0, 120)}". Upload the file on the New Run form and use the key it answers.`);
			}
			return c.json({ key, url: await link(key) });
		},
	);

	return app;
}
