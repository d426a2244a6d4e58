/**
 * Users (admins only, but /me): list them, add a manager or an admin, give a manager their campaigns, reset a
 * password, disable and enable. Disabling ends the user's sessions and stops their API keys at once.
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import type { Pool } from 'pg';
import { withTransaction, type Queryable } from '../../nodes/shared/transport/postgres';
import * as z from 'zod/v4';
import { knownCampaignIds } from './access';
import { audit } from './audit';
import { adminOnly, createUser, EXAMPLE_USER, hashPassword, publicUser, publicUserSchema, text, type Sessions } from './auth';
import type { AppEnv, Deps } from './context';
import { isUuid } from './db';
import { badRequest, notFound } from './errors';
import { jsonBody } from './http';
import { describeRoute, errorSchema } from './openapi';

const campaignIdsField = z.array(z.uuid({ error: 'campaignIds must be a list of campaign ids.' }), {
	error: 'campaignIds must be a list of campaign ids.',
});

const newUser = z.object({
	email: text('email', "Give the user's email address, e.g. name@example.com."),
	password: text('password', 'The password must have at least 8 characters.'),
	role: z.enum(['admin', 'manager'], { error: 'role must be "admin" or "manager".' }).default('manager'),
	name: z.string({ error: 'The name must be text.' }).nullish(),
	campaignIds: campaignIdsField.optional(),
});

const userChange = z
	.object({
		name: z.string({ error: 'The name must be text.' }).max(200, 'Use at most 200 characters for the name.').nullish(),
		campaignIds: campaignIdsField.optional(),
		disabled: z
			.boolean({
				error: '"disabled" must be true (disable the user) or false (enable them).',
			})
			.optional(),
	})
	.refine(
		(body) => body.name !== undefined || body.campaignIds !== undefined || body.disabled !== undefined,
		'Send "name", "campaignIds" and/or "disabled" to change.',
	);

const passwordReset = z.object({
	password: text('password', 'The password must have at least 8 characters.').min(8, 'The password must have at least 8 characters.').optional(),
});

const userLine = publicUserSchema.extend({
	campaignIds: z.array(z.uuid()),
	lastLoginAt: z.string().nullable(),
	disabledAt: z.string().nullable(),
});
const EXAMPLE_LINE = {
	...EXAMPLE_USER,
	campaignIds: ['0d5f3d4e-2a61-4b8c-9a3e-5c1f7e9b2d10'],
	lastLoginAt: '2026-12-01T09:30:00.000Z',
	disabledAt: null,
};

const USER_LINES = `
	select u.id, u.email, u.name, u.role, u.last_login_at, u.disabled_at,
	       array(select m.campaign_id::text from campaign_members m where m.user_id = u.id) as campaign_ids
	  from users u`;

const toLine = (row: Record<string, any>) => ({
	...publicUser(row as { id: string; email: string; name: string | null; role: string }),
	campaignIds: row.campaign_ids as string[],
	lastLoginAt: row.last_login_at?.toISOString() ?? null,
	disabledAt: row.disabled_at?.toISOString() ?? null,
});

async function userLineOf(db: Pool, id: string) {
	const { rows } = await db.query(`${USER_LINES} where u.id = $1`, [id]);
	return rows[0] ? toLine(rows[0]) : null;
}

const userNotFound = (id: string) => notFound(`There is no user ${id}. Reload the users page.`);

export function userRoutes(deps: Deps, sessions: Sessions) {
	const app = new Hono<AppEnv>();

	app.get(
		'/me',
		describeRoute({
			tag: 'Users',
			summary: 'Who is calling',
			description: 'For an API key: the admin it acts for, as role manager (a key works only within its campaigns).',
			responses: {
				200: {
					description: 'The user.',
					schema: z.object({ user: publicUserSchema }),
					example: { user: EXAMPLE_USER },
				},
			},
		}),
		(c) => c.json({ user: publicUser(c.get('user')) }),
	);

	app.get(
		'/users',
		describeRoute({
			tag: 'Users',
			access: 'admin',
			summary: 'List users',
			responses: {
				200: {
					description: 'Every user, by email.',
					schema: z.object({ users: z.array(userLine) }),
					example: { users: [EXAMPLE_LINE] },
				},
			},
		}),
		adminOnly,
		async (c) => {
			const { rows } = await deps.db.query(`${USER_LINES} order by u.email`);
			return c.json({ users: rows.map(toLine) });
		},
	);

	app.post(
		'/users',
		describeRoute({
			tag: 'Users',
			access: 'admin',
			summary: 'Add a user',
			description: 'A manager sees the campaigns in campaignIds (and those they create); an admin sees all.',
			responses: {
				201: {
					description: 'Created.',
					schema: z.object({ user: publicUserSchema }),
					example: { user: EXAMPLE_USER },
				},
				409: {
					description: 'The email is taken.',
					schema: z.object({ error: z.string(), field: z.string() }),
					example: {
						error: 'A user with the email anna@example.com already exists.',
						field: 'email',
					},
				},
			},
		}),
		adminOnly,
		jsonBody(newUser, {
			maxBytes: 64 * 1024,
			hint: "Send the user's email, password, role, name and campaigns only.",
		}),
		async (c) => {
			const body = c.req.valid('json');
			// One transaction: a user is created with all the campaigns asked for, or not at all.
			const user = await withTransaction(deps.db, async (client) => {
				const campaignIds = await knownCampaignIds(client, body.campaignIds ?? []);
				// createUser checks the email's form and the password's length (it also serves the admin seeding).
				const created = await createUser(client, {
					email: body.email,
					password: body.password,
					role: body.role,
					name: body.name ?? null,
				});
				if (campaignIds.length) {
					await client.query('insert into campaign_members (campaign_id, user_id) select unnest($1::uuid[]), $2 on conflict do nothing', [
						campaignIds,
						created.id,
					]);
				}
				await audit(client, c.get('user'), {
					action: 'user.create',
					subjectType: 'user',
					subjectId: created.id,
					after: { email: created.email, name: created.name, role: created.role, campaignIds },
				});
				return created;
			});
			await sessions.forgetUser(user.id);
			return c.json({ user: publicUser(user) }, 201);
		},
	);

	app.patch(
		'/users/:id',
		describeRoute({
			tag: 'Users',
			access: 'admin',
			summary: 'Change a user: name, campaigns, disabled',
			description:
				"campaignIds replaces the manager's campaigns. disabled: true ends their sessions and stops their API keys at once; false lets them log in again.",
			responses: {
				200: {
					description: 'The user as now.',
					schema: z.object({ user: userLine }),
					example: { user: EXAMPLE_LINE },
				},
				404: {
					description: 'No such user.',
					schema: errorSchema,
					example: {
						error: 'There is no user 2b7e1d7c-93a4-4d0b-8a8e-3f0f6f4c9a01. Reload the users page.',
					},
				},
			},
		}),
		adminOnly,
		jsonBody(userChange, {
			maxBytes: 64 * 1024,
			hint: 'Send only "name", "campaignIds" and "disabled".',
		}),
		async (c) => {
			const id = c.req.param('id');
			if (!isUuid(id)) throw userNotFound(id);
			const body = c.req.valid('json');
			if (body.disabled === true && id === c.get('user').id) {
				throw badRequest('disabled', 'You cannot disable your own account. Ask another admin, or log out instead.');
			}
			await withTransaction(deps.db, async (client) => {
				const { rowCount } = await client.query('select 1 from users where id = $1 for update', [id]);
				if (!rowCount) throw userNotFound(id);
				const before = await auditedUser(client, id);
				if (body.name !== undefined) await client.query('update users set name = $2 where id = $1', [id, body.name?.trim() || null]);
				if (body.campaignIds !== undefined) {
					const campaignIds = await knownCampaignIds(client, body.campaignIds);
					await client.query('delete from campaign_members where user_id = $1 and not (campaign_id = any($2::uuid[]))', [id, campaignIds]);
					await client.query('insert into campaign_members (campaign_id, user_id) select unnest($1::uuid[]), $2 on conflict do nothing', [
						campaignIds,
						id,
					]);
				}
				if (body.disabled === true) {
					await client.query('update users set disabled_at = coalesce(disabled_at, now()) where id = $1', [id]);
					await client.query('delete from sessions where user_id = $1', [id]);
				}
				if (body.disabled === false) await client.query('update users set disabled_at = null where id = $1', [id]);
				await audit(client, c.get('user'), {
					action: 'user.update',
					subjectType: 'user',
					subjectId: id,
					before,
					after: await auditedUser(client, id),
				});
			});
			await sessions.forgetUser(id);
			return c.json({ user: await userLineOf(deps.db, id) });
		},
	);

	app.post(
		'/users/:id/password',
		describeRoute({
			tag: 'Users',
			access: 'admin',
			summary: 'Reset a password',
			description: "Sets the password sent, or a generated one that is answered once. Ends the user's sessions.",
			responses: {
				200: {
					description: 'Changed; generatedPassword is null when you sent the password.',
					schema: z.object({
						user: userLine,
						generatedPassword: z.string().nullable(),
					}),
					example: {
						user: EXAMPLE_LINE,
						generatedPassword: 'r2V9mQ0bXc1sLw8d',
					},
				},
			},
		}),
		adminOnly,
		jsonBody(passwordReset, {
			maxBytes: 8 * 1024,
			hint: 'Send only "password", or nothing to generate one.',
		}),
		async (c) => {
			const id = c.req.param('id');
			if (!isUuid(id)) throw userNotFound(id);
			const body = c.req.valid('json');
			const generated = body.password === undefined ? randomBytes(12).toString('base64url') : null;
			const hash = await hashPassword(body.password ?? generated!);
			await withTransaction(deps.db, async (client) => {
				const { rowCount } = await client.query('update users set password_hash = $2 where id = $1', [id, hash]);
				if (!rowCount) throw userNotFound(id);
				await client.query('delete from sessions where user_id = $1', [id]);
				// Never the password itself: only that it was reset, and how.
				await audit(client, c.get('user'), { action: 'user.password', subjectType: 'user', subjectId: id, after: { generated: generated !== null } });
			});
			await sessions.forgetUser(id);
			return c.json({
				user: await userLineOf(deps.db, id),
				generatedPassword: generated,
			});
		},
	);
	return app;
}

/** What the audit trail keeps of a user before and after a change (never a password). */
async function auditedUser(db: Queryable, id: string) {
	const { rows } = await db.query(
		`select u.name, u.disabled_at is not null as disabled,
		        array(select m.campaign_id::text from campaign_members m where m.user_id = u.id order by 1) as campaign_ids
		   from users u where u.id = $1`,
		[id],
	);
	return rows[0] ? { name: rows[0].name, disabled: rows[0].disabled, campaignIds: rows[0].campaign_ids } : null;
}
