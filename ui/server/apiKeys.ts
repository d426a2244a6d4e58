/**
 * Dashboard API keys for other apps (admins only): made for a set of campaigns, shown once, revocable.
 *
 * A key is `rsk_` + 32 random bytes (256 bits) and only its sha256 is stored. bcrypt or scrypt exist to slow down
 * guessing a low-entropy password from its hash; nobody can guess 256 random bits, so a fast hash protects the key
 * as well, and every API call can check it in microseconds instead of ~50 ms.
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import type { Pool } from 'pg';
import * as z from 'zod/v4';
import { withTransaction } from '../../nodes/shared/transport/postgres';
import { knownCampaignIds } from './access';
import { audit } from './audit';
import { adminOnly, API_KEY_PREFIX, sha256, type Sessions } from './auth';
import type { AppEnv, Deps } from './context';
import { iso, isUuid } from './db';
import { conflict, notFound } from './errors';
import { jsonBody } from './http';
import { describeRoute, errorSchema } from './openapi';

const NAME = 'Give the key a name that says which app uses it (1 to 200 characters).';
const newKey = z.object({
	name: z.string({ error: NAME }).trim().min(1, NAME).max(200, NAME),
	campaignIds: z
		.array(z.uuid({ error: 'campaignIds must be a list of campaign ids.' }), {
			error: 'Choose the campaigns the key may use: campaignIds, a list of campaign ids.',
		})
		.min(1, 'Choose at least one campaign the key may use.'),
});

const keyLine = z.object({
	id: z.uuid(),
	name: z.string(),
	/** The token's first characters, to tell keys apart. */
	prefix: z.string(),
	campaignIds: z.array(z.uuid()),
	createdBy: z.string().nullable(),
	createdAt: z.string(),
	lastUsedAt: z.string().nullable(),
	revokedAt: z.string().nullable(),
});
const EXAMPLE_KEY = {
	id: '9c0b7d2e-5f3a-4e61-8b9d-1a2c3e4f5a6b',
	name: 'CMS publisher',
	prefix: 'rsk_Q2xh',
	campaignIds: ['0d5f3d4e-2a61-4b8c-9a3e-5c1f7e9b2d10'],
	createdBy: 'admin@example.com',
	createdAt: '2026-12-01T09:30:00.000Z',
	lastUsedAt: null,
	revokedAt: null,
};

const KEY_LINES = `
	select k.id, k.name, k.prefix, k.created_at, k.last_used_at, k.revoked_at, u.email as created_by,
	       array(select c.campaign_id::text from api_key_campaigns c where c.key_id = k.id) as campaign_ids
	  from api_keys k left join users u on u.id = k.user_id`;

const toLine = (row: Record<string, any>): z.infer<typeof keyLine> => ({
	id: row.id,
	name: row.name,
	prefix: row.prefix,
	campaignIds: row.campaign_ids,
	createdBy: row.created_by,
	createdAt: iso(row.created_at)!,
	lastUsedAt: iso(row.last_used_at),
	revokedAt: iso(row.revoked_at),
});

async function keyLineOf(db: Pool, id: string) {
	const { rows } = await db.query(`${KEY_LINES} where k.id = $1`, [id]);
	return rows[0] ? toLine(rows[0]) : null;
}

const keyNotFound = (id: string) => notFound(`There is no API key ${id}. Reload the users page.`);

export function apiKeyRoutes(deps: Deps, sessions: Sessions) {
	const app = new Hono<AppEnv>();

	app.get(
		'/',
		describeRoute({
			tag: 'API keys',
			access: 'admin',
			summary: 'List API keys',
			description: 'Revoked keys stay listed (with revokedAt) so their use can be traced.',
			responses: {
				200: {
					description: 'Every key, newest first.',
					schema: z.object({ keys: z.array(keyLine) }),
					example: { keys: [EXAMPLE_KEY] },
				},
			},
		}),
		adminOnly,
		async (c) => {
			const { rows } = await deps.db.query(`${KEY_LINES} order by k.created_at desc, k.id`);
			return c.json({ keys: rows.map(toLine) });
		},
	);

	app.post(
		'/',
		describeRoute({
			tag: 'API keys',
			access: 'admin',
			summary: 'Make an API key',
			description:
				'Answers the key once (`token`); only its hash is kept. Send it as `Authorization: Bearer <token>`: it acts for you, within its campaigns only, until revoked or until you are disabled.',
			responses: {
				201: {
					description: 'Made.',
					schema: z.object({
						key: keyLine,
						token: z.string().startsWith(API_KEY_PREFIX),
					}),
					example: {
						key: EXAMPLE_KEY,
						token: 'rsk_Q2xhcmEgZ2F2ZSB0aGlzIGtleSBhIGdvb2QgbmFtZQ',
					},
				},
			},
		}),
		adminOnly,
		jsonBody(newKey, {
			maxBytes: 64 * 1024,
			hint: 'Send only "name" and "campaignIds".',
		}),
		async (c) => {
			const body = c.req.valid('json');
			const token = API_KEY_PREFIX + randomBytes(32).toString('base64url');
			const id = await withTransaction(deps.db, async (client) => {
				const campaignIds = await knownCampaignIds(client, body.campaignIds);
				const { rows } = await client.query<{ id: string }>(
					'insert into api_keys (name, token_hash, prefix, user_id) values ($1, $2, $3, $4) returning id',
					[body.name, sha256(token), token.slice(0, API_KEY_PREFIX.length + 4), c.get('user').id],
				);
				await client.query('insert into api_key_campaigns (key_id, campaign_id) select $1, unnest($2::uuid[])', [rows[0].id, campaignIds]);
				await audit(client, c.get('user'), {
					action: 'key.create',
					subjectType: 'key',
					subjectId: rows[0].id,
					after: { name: body.name, campaignIds },
				});
				return rows[0].id;
			});
			return c.json({ key: (await keyLineOf(deps.db, id))!, token }, 201);
		},
	);

	app.post(
		'/:id/revoke',
		describeRoute({
			tag: 'API keys',
			access: 'admin',
			summary: 'Revoke an API key',
			description: 'The key is refused (401) from its next request on.',
			responses: {
				200: {
					description: 'Revoked.',
					schema: z.object({ key: keyLine }),
					example: {
						key: { ...EXAMPLE_KEY, revokedAt: '2026-12-02T10:00:00.000Z' },
					},
				},
				404: {
					description: 'No such key.',
					schema: errorSchema,
					example: {
						error: 'There is no API key 9c0b7d2e-5f3a-4e61-8b9d-1a2c3e4f5a6b. Reload the users page.',
					},
				},
				409: {
					description: 'Already revoked.',
					schema: errorSchema,
					example: {
						error: 'This key was revoked at 2026-12-02T10:00:00.000Z already.',
					},
				},
			},
		}),
		adminOnly,
		async (c) => {
			const id = c.req.param('id');
			if (!isUuid(id)) throw keyNotFound(id);
			const { rows } = await deps.db.query<{ token_hash: string }>(
				'update api_keys set revoked_at = now() where id = $1 and revoked_at is null returning token_hash',
				[id],
			);
			if (!rows[0]) {
				const line = await keyLineOf(deps.db, id);
				if (!line) throw keyNotFound(id);
				throw conflict(`This key was revoked at ${line.revokedAt} already.`);
			}
			await sessions.forgetToken(rows[0].token_hash);
			await audit(deps.db, c.get('user'), { action: 'key.revoke', subjectType: 'key', subjectId: id });
			return c.json({ key: (await keyLineOf(deps.db, id))! });
		},
	);

	return app;
}
