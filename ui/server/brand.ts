/**
 * A campaign's brand kit: the newest version, every version, a save (always a new version) and the logo upload.
 * The kit is checked by the Campaign node's own schema (nodes/Campaign/lib/brandKit.ts), so a 400 names
 * brand.<field> as it would anywhere else; runs pick the newest version up when they are queued.
 */
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import * as z from 'zod/v4';
import { BrandKitSchema, checkBrandKit } from '../../nodes/Campaign/lib/brandKit';
import { brandKitVersions, latestBrandKit, saveBrandKit, type BrandKitVersion } from '../../nodes/Campaign/store/brandKits';
import { brandLogoKey } from '../../nodes/shared/keys';
import { withTransaction } from '../../nodes/shared/transport/postgres';
import { campaignNotFound, canSeeCampaign } from './access';
import { audit } from './audit';
import type { AppEnv, SessionUser } from './context';
import type { Deps } from './context';
import { isUuid } from './db';
import { badRequest } from './errors';
import { jsonBody } from './http';
import { describeRoute, errorSchema } from './openapi';

/** A logo of up to 2 MB, sent as base64 in JSON (about 2.7 MB of body). */
export const LOGO_MAX_BYTES = 2 * 1024 * 1024;
const LOGO_TYPES = { 'image/png': 'png', 'image/jpeg': 'jpg' } as const;

const versionSchema = z.object({
	version: z.number().int().meta({ description: '1 for the first save; every save adds one.' }),
	kit: BrandKitSchema,
	createdBy: z.string().nullable().meta({ description: 'The user who saved it (null: the user is gone, or an API key saved it).' }),
	createdAt: z.string(),
});
const brandAnswer = z.object({
	campaignId: z.string(),
	brand: versionSchema.nullable().meta({ description: 'The newest version, or null before the first save (runs then use the defaults).' }),
});
const EXAMPLE_KIT = {
	preset: 'shorts',
	style: 'titleCard',
	loudnessTarget: -14,
	colors: { background: '#0b1020', heading: '#ffffff', body: '#d9dcef', accent: '#f5b942', subtitles: '#ffd400' },
	fonts: { heading: 'DejaVu Serif', body: 'DejaVu Sans' },
	logo: { key: 'brand/0d5f3d4e-2a61-4b8c-9a3e-5c1f7e9b2d10/logo-3f2a9c1d0b7e.png', position: 'bottomRight', size: 0.15, opacity: 0.8 },
};
const EXAMPLE_CAMPAIGN_ID = '0d5f3d4e-2a61-4b8c-9a3e-5c1f7e9b2d10';
const EXAMPLE_VERSION = { version: 2, kit: EXAMPLE_KIT, createdBy: '5b3c0a4e-1f2d-4c6b-8e9a-7d1c2b3a4f50', createdAt: '2026-12-03T06:40:00.000Z' };
const notFoundDoc = { description: 'No campaign with that id that the caller can see.', schema: errorSchema };

const shown = (version: BrandKitVersion | null) =>
	version && { version: version.version, kit: version.kit, createdBy: version.createdBy, createdAt: version.createdAt };

function visibleCampaign(user: SessionUser, id: string): string {
	if (!isUuid(id) || !canSeeCampaign(user, id)) throw campaignNotFound(id);
	return id.toLowerCase();
}

export function brandRoutes(deps: Deps) {
	const app = new Hono<AppEnv>();

	app.get(
		'/:id/brand',
		describeRoute({
			tag: 'Brand kit',
			summary: "A campaign's brand kit (newest version)",
			description:
				'What every run of the campaign uses unless its request says otherwise: preset, style, terminal colours, loudness target (filled in when the request leaves them out), title card colours and fonts, subtitle colour, logo, and the intro and outro clips played before the first and after the last scene.',
			responses: {
				200: { description: 'The newest version.', schema: brandAnswer, example: { campaignId: EXAMPLE_CAMPAIGN_ID, brand: EXAMPLE_VERSION } },
				404: notFoundDoc,
			},
		}),
		async (c) => {
			const id = visibleCampaign(c.get('user'), c.req.param('id'));
			await campaignExists(deps, id);
			return c.json({ campaignId: id, brand: shown(await latestBrandKit(deps.db, id)) });
		},
	);

	app.get(
		'/:id/brand/versions',
		describeRoute({
			tag: 'Brand kit',
			summary: "Every version of a campaign's brand kit",
			description: 'Newest first. A run records the version it was queued with (brandVersion on GET /api/runs/{id}).',
			responses: {
				200: {
					description: 'The versions.',
					schema: z.object({ campaignId: z.string(), versions: z.array(versionSchema) }),
					example: { campaignId: EXAMPLE_CAMPAIGN_ID, versions: [EXAMPLE_VERSION] },
				},
				404: notFoundDoc,
			},
		}),
		async (c) => {
			const id = visibleCampaign(c.get('user'), c.req.param('id'));
			await campaignExists(deps, id);
			return c.json({ campaignId: id, versions: (await brandKitVersions(deps.db, id)).map(shown) });
		},
	);

	app.put(
		'/:id/brand',
		describeRoute({
			tag: 'Brand kit',
			summary: 'Save the brand kit (a new version)',
			description:
				'The whole kit: parts left out are not kept from the version before. Runs queued from now on use it; runs queued before keep theirs. A bad part is a 400 naming it as brand.<field>, e.g. brand.colors.background.',
			responses: {
				200: { description: 'The new version.', schema: brandAnswer, example: { campaignId: EXAMPLE_CAMPAIGN_ID, brand: EXAMPLE_VERSION } },
				400: {
					description: 'A part of the kit is not valid.',
					schema: errorSchema,
					example: {
						error:
							'"brand.colors.background" must be a colour as #rrggbb, e.g. "#0b1020": the colour of the title card background (top of its gradient) (got "red"). Fix it or leave it out.',
						field: 'brand.colors.background',
					},
				},
				404: notFoundDoc,
			},
		}),
		jsonBody(z.record(z.string(), z.unknown()), {
			maxBytes: 64 * 1024,
			hint: 'Send the brand kit only; upload the logo on its own.',
			documentedAs: BrandKitSchema,
		}),
		async (c) => {
			const user = c.get('user');
			const id = visibleCampaign(user, c.req.param('id'));
			const check = checkBrandKit(c.req.valid('json'));
			if (!check.ok) throw badRequest(check.field, check.message);
			const saved = await withTransaction(deps.db, async (client) => {
				// The campaign row is locked, so two saves at once get consecutive versions.
				const { rows } = await client.query('select id from campaigns where id = $1 for update', [id]);
				if (!rows[0]) throw campaignNotFound(id);
				const before = await latestBrandKit(client, id);
				const version = await saveBrandKit(client, id, check.kit, user.apiKeyId ? null : user.id);
				await audit(client, user, {
					action: 'campaign.brand',
					subjectType: 'campaign',
					subjectId: id,
					before: before ? { version: before.version, kit: before.kit } : null,
					after: { version: version.version, kit: version.kit },
				});
				return version;
			});
			return c.json({ campaignId: id, brand: shown(saved) });
		},
	);

	app.post(
		'/:id/brand/logo',
		describeRoute({
			tag: 'Brand kit',
			summary: 'Upload a logo',
			description: `A PNG (transparency is kept) or JPEG of at most ${LOGO_MAX_BYTES / 1024 / 1024} MB, as base64. It is stored under brand/<campaign id>/; save the kit with the answered key as logo.key to use it.`,
			responses: {
				201: {
					description: 'Stored.',
					schema: z.object({ key: z.string(), bytes: z.number().int(), contentType: z.string() }),
					example: { key: EXAMPLE_KIT.logo.key, bytes: 18230, contentType: 'image/png' },
				},
				404: notFoundDoc,
			},
		}),
		jsonBody(
			z.object({
				contentType: z.enum(Object.keys(LOGO_TYPES) as [keyof typeof LOGO_TYPES], { error: 'The logo must be image/png or image/jpeg.' }),
				data: z.string({ error: 'Send the image as base64 in "data".' }).min(1, 'Send the image as base64 in "data".'),
			}),
			{ maxBytes: Math.ceil((LOGO_MAX_BYTES * 4) / 3) + 1024, hint: `Send a logo of at most ${LOGO_MAX_BYTES / 1024 / 1024} MB.` },
		),
		async (c) => {
			const user = c.get('user');
			const id = visibleCampaign(user, c.req.param('id'));
			await campaignExists(deps, id);
			const { contentType, data } = c.req.valid('json');
			const bytes = Buffer.from(data.replace(/^data:[^,]*,/, ''), 'base64');
			const png = bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
			const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
			if (!(contentType === 'image/png' ? png : jpeg))
				throw badRequest('data', `"data" is not a ${contentType === 'image/png' ? 'PNG' : 'JPEG'} image. Choose a PNG or JPEG file.`);
			if (bytes.length > LOGO_MAX_BYTES)
				throw badRequest('data', `The logo is ${(bytes.length / 1024 / 1024).toFixed(1)} MB; the limit is ${LOGO_MAX_BYTES / 1024 / 1024} MB.`);
			// Named by its content: uploading the same file twice gives the same key.
			const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
			const ref = await deps.storage.uploadBuffer(bytes, brandLogoKey(id, hash, LOGO_TYPES[contentType]), contentType);
			return c.json({ key: ref.key, bytes: bytes.length, contentType }, 201);
		},
	);

	return app;
}

async function campaignExists(deps: Deps, id: string): Promise<void> {
	const { rows } = await deps.db.query('select 1 from campaigns where id = $1', [id]);
	if (!rows[0]) throw campaignNotFound(id);
}
