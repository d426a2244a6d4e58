/**
 * A campaign's cast on the dashboard: read and save it (every save is a new version), its versions, reference image
 * uploads, and a run's characters the cast does not have yet ("Add to cast" on the run page). The cast is checked by
 * nodes/Campaign/lib/cast.ts and stored by nodes/Campaign/store/cast.ts, the same code the pipeline reads it with.
 */
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import * as z from 'zod/v4';
import { applyCast, CastSchema, EMPTY_CAST, validateCast, type Cast } from '../../nodes/Campaign/lib/cast';
import { REFERENCE_DATA_URI_LIMIT, referenceProblem } from '../../nodes/Campaign/lib/request';
import { getCastVersion, latestCast, listCastVersions, saveCast } from '../../nodes/Campaign/store/cast';
import { castImageKey } from '../../nodes/shared/keys';
import type { Plan } from '../../nodes/shared/plan';
import { withTransaction } from '../../nodes/shared/transport/postgres';
import { campaignNotFound, canSeeCampaign, visibleRun } from './access';
import { LINK_SECONDS } from './artifacts';
import type { AppEnv, Deps } from './context';
import { isUuid } from './db';
import { badRequest, conflict, notFound } from './errors';
import { jsonBody } from './http';
import { describeRoute, errorSchema, type ResponseDoc } from './openapi';

const time = z.string().meta({ description: 'ISO 8601' });
const CAMPAIGN_ID = '0d5f3d4e-2a61-4b8c-9a3e-5c1f7e9b2d10';
const EXAMPLE_KEY = `campaigns/${CAMPAIGN_ID}/cast/5b0e8c1a-7d2f-4e3a-9b6c-1d2e3f4a5b6c.png`;
export const EXAMPLE_CAST: Cast = {
	characters: [
		{
			name: 'Zoë',
			aliases: ['Zoe Martin'],
			description: 'a tall woman in her thirties, red wool coat, short black hair',
			images: [EXAMPLE_KEY],
			voice: { provider: 'espeak', voice: 'en-gb+f3', language: 'en' },
		},
	],
	settings: [
		{
			name: 'Café du Monde',
			aliases: [],
			description: 'a narrow Paris café with brass lamps',
			image: null,
		},
	],
	narrator: { provider: 'espeak', voice: 'en-gb+m3', settings: { rate: 150, pitch: 45 }, language: 'en' },
};
/** A saved cast as the routes answer it. */
const EXAMPLE_SAVED = {
	campaignId: CAMPAIGN_ID,
	version: 3,
	cast: EXAMPLE_CAST,
	createdBy: 'anna@example.com',
	createdAt: '2026-12-01T09:05:00.000Z',
	images: {},
};

const castAnswerSchema = z.object({
	campaignId: z.uuid(),
	version: z.number().int().meta({
		description: 'The newest version; 0 while the campaign has no cast.',
	}),
	cast: CastSchema,
	createdBy: z.string().nullable(),
	createdAt: time.nullable(),
	images: z.record(z.string(), z.string()).meta({
		description: 'Image key → presigned link to show it, valid 10 minutes.',
	}),
});
const castPutSchema = CastSchema.extend({
	version: z.number().int().min(0).optional().meta({
		description: "The version the edit started from; when the cast has a newer one the save answers 409 (nobody's change is lost).",
	}),
});
const imageSchema = z.object({
	image: z.string().meta({
		description: 'The image as a PNG, JPEG or WebP data URI of at most 5 MB (data:image/png;base64,…).',
	}),
});
const CAMPAIGN_NOT_FOUND: ResponseDoc = {
	description: 'No campaign with that id that the caller can see.',
	schema: errorSchema,
	example: {
		error: `There is no campaign ${CAMPAIGN_ID} that you can see. Go back to the campaign list.`,
	},
};
const newMemberSchema = z.object({
	name: z.string().trim().min(1, '"name" is required: the character\'s name as the run wrote it.').max(100, '"name" must be at most 100 characters.'),
	description: z.string().trim().max(2000, '"description" must be at most 2000 characters.').default(''),
});

type Ctx = Context<AppEnv>;

export function castRoutes(deps: Deps) {
	const app = new Hono<AppEnv>();

	const visibleCampaign = async (c: Ctx) => {
		const id = c.req.param('id') ?? '';
		if (!isUuid(id) || !canSeeCampaign(c.get('user'), id)) throw campaignNotFound(id);
		const { rows } = await deps.db.query('select id from campaigns where id = $1', [id]);
		if (!rows[0]) throw campaignNotFound(id);
		return id;
	};
	/** Links to show every image of the cast (the bucket is never public). */
	const imageLinks = async (cast: Cast) => {
		const keys = [
			...cast.characters.flatMap((character) => character.images),
			...cast.settings.flatMap((setting) => (setting.image ? [setting.image] : [])),
		];
		const links: Record<string, string> = {};
		for (const key of new Set(keys)) links[key] = await deps.presigner.presignedGetUrl({ bucket: deps.presigner.bucket, key }, LINK_SECONDS);
		return links;
	};
	const answer = async (campaignId: string, version: Awaited<ReturnType<typeof latestCast>>) => ({
		campaignId,
		version: version?.version ?? 0,
		cast: version?.cast ?? EMPTY_CAST,
		createdBy: version?.createdBy ?? null,
		createdAt: version?.createdAt ?? null,
		images: await imageLinks(version?.cast ?? EMPTY_CAST),
	});
	const save = async (c: Ctx, campaignId: string, cast: Cast, startedFrom: number | undefined) => {
		return withTransaction(deps.db, async (client) => {
			const newest = await latestCast(client, campaignId);
			if (startedFrom !== undefined && (newest?.version ?? 0) !== startedFrom) {
				throw conflict(
					`The cast was saved as version ${newest?.version} since you opened version ${startedFrom}. Reload the Cast page and make your change again.`,
				);
			}
			return saveCast(client, campaignId, cast, c.get('user').email);
		});
	};

	app.get(
		'/campaigns/:id/cast',
		describeRoute({
			tag: 'Cast',
			summary: "The campaign's cast (its newest version)",
			description:
				'Characters (look, reference images, voice, aliases) and settings that every run of the campaign is matched to by name, without case or accents.',
			responses: {
				200: {
					description: 'The cast; version 0 and empty lists while there is none.',
					schema: castAnswerSchema,
					example: {
						campaignId: CAMPAIGN_ID,
						version: 2,
						cast: EXAMPLE_CAST,
						createdBy: 'anna@example.com',
						createdAt: '2026-12-01T09:00:00.000Z',
						images: {
							[EXAMPLE_KEY]: 'https://s3.example/reelsmith/campaigns/…png?X-Amz-Signature=…',
						},
					},
				},
				404: CAMPAIGN_NOT_FOUND,
			},
		}),
		async (c) => {
			const id = await visibleCampaign(c);
			return c.json(await answer(id, await latestCast(deps.db, id)));
		},
	);

	app.put(
		'/campaigns/:id/cast',
		describeRoute({
			tag: 'Cast',
			summary: 'Save the cast as a new version',
			description: 'Runs whose plan is chosen from now on use the new version; runs already planned keep the one they recorded (runs.cast_version).',
			responses: {
				200: {
					description: 'Saved: the new version.',
					schema: castAnswerSchema,
					example: EXAMPLE_SAVED,
				},
				400: {
					description: 'A field is wrong; `field` is its path, e.g. characters.1.voice.voice.',
					schema: errorSchema,
					example: {
						error:
							'"characters.1.voice.voice" must be a voice name such as "en-us+f3" (espeak-ng), "21m00Tcm4TlvDq8ikWAM" (ElevenLabs) or "en-US-Neural2-F" (Google).',
						field: 'characters.1.voice.voice',
					},
				},
				404: CAMPAIGN_NOT_FOUND,
				409: {
					description: 'Someone saved a newer version since `version`.',
					schema: errorSchema,
				},
			},
		}),
		jsonBody(z.looseObject({}), { documentedAs: castPutSchema }),
		async (c) => {
			const id = await visibleCampaign(c);
			const { version, ...body } = c.req.valid('json') as Record<string, unknown>;
			if (version !== undefined && !(Number.isInteger(version) && (version as number) >= 0)) {
				throw badRequest('version', '"version" must be the whole version number the edit started from (0 for a new cast), or left out.');
			}
			const checked = validateCast(body, id);
			if (!checked.ok) throw badRequest(checked.field, checked.message);
			const saved = await save(c, id, checked.cast, version as number | undefined);
			deps.log(`[dashboard] ${c.get('user').email} saved cast v${saved.version} of campaign ${id}`);
			return c.json(await answer(id, saved));
		},
	);

	app.get(
		'/campaigns/:id/cast/versions',
		describeRoute({
			tag: 'Cast',
			summary: "The cast's versions, newest first",
			responses: {
				200: {
					description: 'Every version with who saved it and how many characters and settings it had.',
					schema: z.object({
						versions: z.array(
							z.object({
								version: z.number().int(),
								createdBy: z.string().nullable(),
								createdAt: time,
								characters: z.number().int(),
								settings: z.number().int(),
							}),
						),
					}),
					example: {
						versions: [
							{
								version: 2,
								createdBy: 'anna@example.com',
								createdAt: '2026-12-01T09:00:00.000Z',
								characters: 3,
								settings: 1,
							},
						],
					},
				},
				404: CAMPAIGN_NOT_FOUND,
			},
		}),
		async (c) => {
			const id = await visibleCampaign(c);
			return c.json({ versions: await listCastVersions(deps.db, id) });
		},
	);

	app.get(
		'/campaigns/:id/cast/versions/:version',
		describeRoute({
			tag: 'Cast',
			summary: 'One version of the cast',
			responses: {
				200: {
					description: 'That version.',
					schema: castAnswerSchema,
					example: {
						campaignId: CAMPAIGN_ID,
						version: 1,
						cast: EXAMPLE_CAST,
						createdBy: 'anna@example.com',
						createdAt: '2026-11-30T09:00:00.000Z',
						images: {},
					},
				},
				404: {
					description: 'No such campaign, or no such version of its cast.',
					schema: errorSchema,
				},
			},
		}),
		async (c) => {
			const id = await visibleCampaign(c);
			const number = Number(c.req.param('version'));
			const version = Number.isInteger(number) && number > 0 ? await getCastVersion(deps.db, id, number) : null;
			if (!version)
				throw notFound(`The cast of campaign ${id} has no version "${c.req.param('version')}". GET /api/campaigns/${id}/cast/versions lists them.`);
			return c.json(await answer(id, version));
		},
	);

	app.post(
		'/campaigns/:id/cast/images',
		describeRoute({
			tag: 'Cast',
			summary: 'Upload a reference image for the cast',
			description:
				"Stored in the bucket under campaigns/<id>/cast/; put the answered key in a character's images or a setting's image and save the cast. Kling and Runway animate it (image-to-video) in every scene of that character.",
			responses: {
				201: {
					description: 'Stored.',
					schema: z.object({
						key: z.string(),
						url: z.string(),
						bytes: z.number().int(),
					}),
					example: {
						key: EXAMPLE_KEY,
						url: 'https://s3.example/reelsmith/campaigns/…png?X-Amz-Signature=…',
						bytes: 48213,
					},
				},
				400: {
					description: 'Not a PNG, JPEG or WebP data URI, or over 5 MB.',
					schema: errorSchema,
				},
				404: CAMPAIGN_NOT_FOUND,
			},
		}),
		jsonBody(imageSchema, {
			maxBytes: REFERENCE_DATA_URI_LIMIT + 1024,
			hint: 'Send an image of at most 5 MB.',
		}),
		async (c) => {
			const id = await visibleCampaign(c);
			const { image } = c.req.valid('json');
			const problem = image.startsWith('data:') ? referenceProblem(image) : 'must be a data URI such as data:image/png;base64,...';
			if (problem) throw badRequest('image', `"image" ${problem}. Send a PNG, JPEG or WebP image.`);
			const [, type, data] = /^data:image\/(png|jpeg|webp);base64,(.*)$/.exec(image)!;
			const bytes = Buffer.from(data, 'base64');
			// The bytes must be the image the data URI says, not anything with an image label.
			const magic = {
				png: bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47])),
				jpeg: bytes[0] === 0xff && bytes[1] === 0xd8,
				webp: bytes.subarray(8, 12).toString('latin1') === 'WEBP',
			};
			if (!magic[type as keyof typeof magic])
				throw badRequest('image', `"image" says image/${type}, but its bytes are not a ${type.toUpperCase()} image. Send the image file itself.`);
			const key = castImageKey(id, randomUUID(), type === 'jpeg' ? 'jpg' : type);
			await deps.storage.uploadBuffer(bytes, key, `image/${type}`);
			const url = await deps.presigner.presignedGetUrl({ bucket: deps.presigner.bucket, key }, LINK_SECONDS);
			return c.json({ key, url, bytes: bytes.length }, 201);
		},
	);

	app.get(
		'/runs/:id/cast',
		describeRoute({
			tag: 'Cast',
			summary: "A run's characters and settings against its campaign's cast",
			description:
				'Which of the run plan\'s characters the cast has, and which it does not ("Add to cast" on the run page), against the newest cast.',
			responses: {
				200: {
					description: 'The match. `castVersion` is the version the run used (null when it had none).',
					schema: z.object({
						campaignId: z.uuid(),
						castVersion: z.number().int().nullable(),
						latestVersion: z.number().int(),
						characters: z.array(z.object({ name: z.string(), cast: z.string() })),
						newCharacters: z.array(z.object({ name: z.string(), description: z.string() })),
						newSettings: z.array(z.object({ name: z.string(), description: z.string() })),
					}),
					example: {
						campaignId: CAMPAIGN_ID,
						castVersion: 2,
						latestVersion: 2,
						characters: [{ name: 'ZOË', cast: 'Zoë' }],
						newCharacters: [
							{
								name: 'MIRA',
								description: 'a girl of ten in a yellow raincoat',
							},
						],
						newSettings: [],
					},
				},
				404: {
					description: 'No run with that id that the caller can see.',
					schema: errorSchema,
				},
			},
		}),
		async (c) => {
			const runId = c.req.param('id');
			const { campaignId } = await visibleRun(deps.db, c.get('user'), runId);
			const { rows } = await deps.db.query<{
				cast_version: number | null;
				plan: Plan | null;
			}>(
				`select r.cast_version,
				        (select plan from plan_versions p where p.run_id = r.id order by chosen desc, version desc limit 1) as plan
				   from runs r where r.id = $1`,
				[runId],
			);
			const latest = await latestCast(deps.db, campaignId);
			const plan = rows[0]?.plan;
			const match =
				plan && Array.isArray(plan.characters)
					? applyCast(
							{
								...plan,
								settings: plan.settings ?? [],
								scenes: plan.scenes ?? [],
							},
							latest?.cast ?? EMPTY_CAST,
						).match
					: null;
			const described = (
				names: string[],
				list: Array<{
					name: string;
					description?: string;
					offScreen?: boolean;
				}>,
			) =>
				names.map((name) => ({
					name,
					description: list.find((member) => member.name === name)?.description ?? '',
				}));
			return c.json({
				campaignId,
				castVersion: rows[0]?.cast_version ?? null,
				latestVersion: latest?.version ?? 0,
				characters: match?.characters ?? [],
				newCharacters: match ? described(match.newCharacters, plan!.characters) : [],
				newSettings: match ? described(match.newSettings, plan!.settings ?? []) : [],
			});
		},
	);

	app.post(
		'/campaigns/:id/cast/characters',
		describeRoute({
			tag: 'Cast',
			summary: 'Add one character to the cast (a new version)',
			description:
				'What "Add to cast" on a run page does: the newest cast with this character added, saved as the next version. Add images and a voice on the Cast page.',
			responses: {
				201: {
					description: 'Saved: the new version.',
					schema: castAnswerSchema,
					example: EXAMPLE_SAVED,
				},
				400: {
					description: 'No name, or the cast already has a character answering to it.',
					schema: errorSchema,
				},
				404: CAMPAIGN_NOT_FOUND,
			},
		}),
		jsonBody(newMemberSchema),
		async (c) => {
			const id = await visibleCampaign(c);
			const { name, description } = c.req.valid('json');
			const newest = await latestCast(deps.db, id);
			const cast = newest?.cast ?? EMPTY_CAST;
			const checked = validateCast({ ...cast, characters: [...cast.characters, { name, description }] }, id);
			if (!checked.ok) {
				const field = checked.field.startsWith(`characters.${cast.characters.length}.`) ? 'name' : checked.field;
				throw badRequest(field, checked.message.replace(`characters.${cast.characters.length}.name`, 'name'));
			}
			const saved = await save(c, id, checked.cast, newest?.version ?? 0);
			deps.log(`[dashboard] ${c.get('user').email} added ${name} to the cast of campaign ${id} (v${saved.version})`);
			return c.json(await answer(id, saved), 201);
		},
	);

	return app;
}
