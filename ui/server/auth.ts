/**
 * Accounts and sessions: scrypt password hashes with a salt per user, an HTTP-only session cookie whose token is stored
 * only as its sha256, and a login rate limit kept in Postgres (holds across several API processes).
 */
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Pool } from 'pg';
import * as z from 'zod/v4';
import { audit } from './audit';
import type { AppEnv, Deps, SessionUser } from './context';
import { ApiError, badRequest } from './errors';
import { jsonBody } from './http';

export const SESSION_COOKIE = 'rs_session';
const SESSION_DAYS = 7;
// Failed logins allowed in the window before the email (or the client address) is locked until the window passes.
export const LOGIN_WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;

// ───────────────────────────── password hashes ─────────────────────────────

// scrypt$N$r$p$salt$hash (base64), as migration 002 describes. N=2^15 costs ~50 ms and 32 MB per check.
const SCRYPT = { N: 32768, r: 8, p: 1, keyLength: 64 };

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
	return new Promise((resolve, reject) =>
		scryptCallback(password, salt, keyLength, { ...options, maxmem: 128 * options.N! * options.r! * 2 }, (error, key) =>
			error ? reject(error) : resolve(key),
		),
	);
}

export async function hashPassword(password: string): Promise<string> {
	const salt = randomBytes(16);
	const key = await scrypt(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
	return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const [scheme, n, r, p, salt, hash] = stored.split('$');
	if (scheme !== 'scrypt' || !salt || !hash) return false;
	const expected = Buffer.from(hash, 'base64');
	const key = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
	return key.length === expected.length && timingSafeEqual(key, expected);
}

// Checked when the email is unknown, so a wrong email takes as long as a wrong password (no account probing by timing).
let dummyHash: Promise<string> | undefined;

// ───────────────────────────── users ─────────────────────────────

export function normaliseEmail(value: unknown): string {
	return typeof value === 'string' ? value.trim().toLowerCase() : '';
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export async function createUser(
	db: Pick<Pool, 'query'>,
	user: { email: string; password: string; role?: 'admin' | 'manager'; name?: string | null },
): Promise<{ id: string; email: string; role: string; name: string | null }> {
	const email = normaliseEmail(user.email);
	if (!EMAIL.test(email) || email.length > 320) throw badRequest('email', `"${user.email}" is not an email address. Use the form name@example.com.`);
	if (typeof user.password !== 'string' || user.password.length < 8) {
		throw badRequest('password', 'The password must have at least 8 characters.');
	}
	const role = user.role ?? 'manager';
	if (role !== 'admin' && role !== 'manager') throw badRequest('role', 'role must be "admin" or "manager".');
	try {
		const { rows } = await db.query(
			'insert into users (email, name, password_hash, role) values ($1, $2, $3, $4) returning id, email, role, name',
			[email, user.name ?? null, await hashPassword(user.password), role],
		);
		return rows[0];
	} catch (error) {
		if ((error as { code?: string }).code === '23505') throw new ApiError(409, `A user with the email ${email} already exists.`, { field: 'email' });
		throw error;
	}
}

export interface FirstAdmin {
	email: string;
	/** Set only when it was generated now (print it once). */
	generatedPassword?: string;
	/** Where a generated password was saved. */
	passwordFile?: string;
	created: boolean;
}

/**
 * The first admin, when the users table is empty: from REELSMITH_ADMIN_EMAIL / REELSMITH_ADMIN_PASSWORD, else (when a
 * file is given, as npm start does) admin@reelsmith.local with a random password saved to that file (mode 0600).
 * Returns undefined when users exist already or nothing could be created (the caller says how to fix it).
 */
export async function ensureFirstAdmin(
	db: Pool,
	options: { email?: string; password?: string; passwordFile?: string },
): Promise<FirstAdmin | undefined> {
	const { rows } = await db.query<{ email: string }>("select email from users where role = 'admin' order by created_at limit 1");
	const existing = await db.query('select 1 from users limit 1');
	if (existing.rowCount) return rows[0] ? { email: rows[0].email, created: false } : undefined;
	if (options.email && options.password) {
		const user = await createUser(db, { email: options.email, password: options.password, role: 'admin', name: 'Admin' });
		return { email: user.email, created: true };
	}
	if (!options.passwordFile) return undefined;
	const email = normaliseEmail(options.email) || 'admin@reelsmith.local';
	const password = randomBytes(12).toString('base64url');
	await mkdir(dirname(options.passwordFile), { recursive: true });
	await writeFile(options.passwordFile, `${email}\n${password}\n`, { mode: 0o600 });
	await chmod(options.passwordFile, 0o600);
	const user = await createUser(db, { email, password, role: 'admin', name: 'Admin' });
	return { email: user.email, generatedPassword: password, passwordFile: options.passwordFile, created: true };
}

// ───────────────────────────── sessions ─────────────────────────────

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Session lookups are cached for a few seconds: every API call and every SSE heartbeat needs one, and the answer
 * rarely changes. Logout and membership changes in this process clear the entry at once.
 */
const CACHE_MS = 5_000;

export class Sessions {
	private cache = new Map<string, { user: SessionUser; until: number }>();

	constructor(private db: Pool) {}

	async create(userId: string): Promise<{ token: string; maxAge: number }> {
		const token = randomBytes(32).toString('base64url');
		const maxAge = SESSION_DAYS * 24 * 3600;
		await this.db.query(
			"insert into sessions (token_hash, user_id, expires_at) values ($1, $2, now() + make_interval(secs => $3))",
			[sha256(token), userId, maxAge],
		);
		await this.db.query('delete from sessions where expires_at < now()');
		return { token, maxAge };
	}

	async lookup(token: string | undefined): Promise<SessionUser | null> {
		if (!token || token.length > 100) return null;
		const tokenHash = sha256(token);
		const cached = this.cache.get(tokenHash);
		if (cached && cached.until > Date.now()) return cached.user;
		const { rows } = await this.db.query(
			`with s as (
			   update sessions set last_seen_at = now()
			    where token_hash = $1 and expires_at > now()
			    returning user_id)
			 select u.id, u.email, u.name, u.role,
			        case when u.role = 'admin' then null
			             else array(select m.campaign_id::text from campaign_members m where m.user_id = u.id) end as campaign_ids
			   from s join users u on u.id = s.user_id`,
			[tokenHash],
		);
		if (!rows[0]) {
			this.cache.delete(tokenHash);
			return null;
		}
		const row = rows[0];
		const user: SessionUser = { id: row.id, email: row.email, name: row.name, role: row.role, campaignIds: row.campaign_ids, tokenHash };
		if (this.cache.size > 10_000) this.cache.clear();
		this.cache.set(tokenHash, { user, until: Date.now() + CACHE_MS });
		return user;
	}

	async destroy(tokenHash: string): Promise<void> {
		this.cache.delete(tokenHash);
		await this.db.query('delete from sessions where token_hash = $1', [tokenHash]);
	}

	/** After a user's campaign memberships changed: their next request reads them again. */
	forgetUser(userId: string): void {
		for (const [hash, entry] of this.cache) if (entry.user.id === userId) this.cache.delete(hash);
	}
}

// ───────────────────────────── rate limit ─────────────────────────────

/** Seconds until the email or address may try again, or 0. */
async function lockedFor(db: Pool, email: string, address: string): Promise<number> {
	// The lock lasts until the failure that reached the limit leaves the window (the Nth newest one).
	const { rows } = await db.query<{ seconds: number | null }>(
		`select greatest(
		   (select ceil(extract(epoch from (at + make_interval(mins => $3) - now())))
		      from login_attempts where email = $1 and at > now() - make_interval(mins => $3)
		     order by at desc offset $4 - 1 limit 1),
		   (select ceil(extract(epoch from (at + make_interval(mins => $3) - now())))
		      from login_attempts where address = $2 and at > now() - make_interval(mins => $3)
		     order by at desc offset $5 - 1 limit 1)) as seconds`,
		[email, address, LOGIN_WINDOW_MINUTES, MAX_FAILURES_PER_EMAIL, MAX_FAILURES_PER_ADDRESS],
	);
	return Math.max(0, Number(rows[0]?.seconds ?? 0));
}

function clientAddress(c: Context, trustProxy: boolean): string {
	if (trustProxy) {
		const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
		if (forwarded) return forwarded;
	}
	try {
		return getConnInfo(c).remote.address ?? 'unknown';
	} catch {
		return 'unknown';
	}
}

// ───────────────────────────── routes ─────────────────────────────

export const publicUser = (user: { id: string; email: string; name: string | null; role: string }) => ({
	id: user.id,
	email: user.email,
	name: user.name,
	role: user.role,
});

export function cookieOptions(deps: Deps, c: Context) {
	const secure = deps.secureCookie || c.req.header('x-forwarded-proto') === 'https' || c.req.url.startsWith('https:');
	return { httpOnly: true, sameSite: 'Lax' as const, path: '/', secure };
}

export function authRoutes(deps: Deps, sessions: Sessions) {
	const app = new Hono<AppEnv>();

	app.post('/login', jsonBody(loginForm, LOGIN_LIMIT), async (c) => {
		const body = c.req.valid('json');
		const email = normaliseEmail(body.email);
		const address = clientAddress(c, deps.trustProxy);
		const wait = await lockedFor(deps.db, email, address);
		if (wait > 0) {
			const minutes = Math.ceil(wait / 60);
			throw new ApiError(
				429,
				`Too many failed logins. Wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again, or ask an admin to check your account.`,
				{ retryAfterSeconds: wait },
				{ 'Retry-After': String(wait) },
			);
		}
		const { rows } = await deps.db.query('select id, email, name, role, password_hash from users where email = $1', [email]);
		const user = rows[0];
		dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
		const ok = await verifyPassword(body.password, user?.password_hash ?? (await dummyHash));
		if (!user || !ok) {
			await deps.db.query('insert into login_attempts (email, address) values ($1, $2)', [email, address]);
			throw new ApiError(401, 'Wrong email or password. Check both and try again.');
		}
		await deps.db.query('delete from login_attempts where email = $1', [email]);
		await deps.db.query('update users set last_login_at = now() where id = $1', [user.id]);
		const { token, maxAge } = await sessions.create(user.id);
		setCookie(c, SESSION_COOKIE, token, { ...cookieOptions(deps, c), maxAge });
		return c.json({ user: publicUser(user) });
	});

	app.post('/logout', async (c) => {
		const token = getCookie(c, SESSION_COOKIE);
		if (token) await sessions.destroy(sha256(token));
		deleteCookie(c, SESSION_COOKIE, cookieOptions(deps, c));
		return c.json({ ok: true });
	});

	return app;
}

/** Every /api route except login/logout: 401 without a valid session. */
export function requireSession(sessions: Sessions): MiddlewareHandler<AppEnv> {
	return async (c, next) => {
		const user = await sessions.lookup(getCookie(c, SESSION_COOKIE));
		if (!user) throw new ApiError(401, 'Log in first.');
		c.set('user', user);
		await next();
	};
}

/** Admin-only routes. */
export function requireAdmin(c: Context<AppEnv>): void {
	if (c.get('user').role !== 'admin') throw new ApiError(403, 'Only an admin can do this. Ask an admin of this dashboard.');
}

/** A text field: missing → `missing`; sent as another type → says what came and that text is wanted. */
function text(field: string, missing: string) {
	return z.string({
		error: (issue) => (issue.input === undefined || issue.input === null ? missing : `"${field}" must be text, not ${describe(issue.input)}. Send it as a JSON string.`),
	});
}

function describe(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'number') return `the number ${value}`;
	if (typeof value === 'boolean') return `${value}`;
	return `a ${typeof value}`;
}

const loginForm = z.object({
	email: text('email', 'Enter your email address.').trim().min(1, 'Enter your email address.'),
	password: text('password', 'Enter your password.').min(1, 'Enter your password.'),
});
// An email and a password are well under a kilobyte; a bigger body is not a login.
const LOGIN_LIMIT = { maxBytes: 8 * 1024, hint: 'Send only your email and password.' };

const newUser = z.object({
	email: text('email', 'Give the user\'s email address, e.g. name@example.com.'),
	password: text('password', 'The password must have at least 8 characters.'),
	role: z.enum(['admin', 'manager'], { error: 'role must be "admin" or "manager".' }).default('manager'),
	name: z.string({ error: 'The name must be text.' }).nullish(),
	campaignIds: z.array(z.uuid({ error: 'campaignIds must be a list of campaign ids.' }), { error: 'campaignIds must be a list of campaign ids.' }).optional(),
});

/** Users (admin only): list and create managers, give them campaigns. */
export function userRoutes(deps: Deps, sessions: Sessions) {
	const app = new Hono<AppEnv>();
	app.get('/me', (c) => {
		const user = c.get('user');
		return c.json({ user: publicUser(user) });
	});
	app.get('/users', async (c) => {
		requireAdmin(c);
		const { rows } = await deps.db.query(
			`select u.id, u.email, u.name, u.role, u.last_login_at,
			        array(select m.campaign_id::text from campaign_members m where m.user_id = u.id) as campaign_ids
			   from users u order by u.email`,
		);
		return c.json({
			users: rows.map((row) => ({ ...publicUser(row), lastLoginAt: row.last_login_at?.toISOString() ?? null, campaignIds: row.campaign_ids })),
		});
	});
	// Admin first, so a manager is refused whatever the body holds.
	const adminOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
		requireAdmin(c);
		await next();
	};
	app.post('/users', adminOnly, jsonBody(newUser, { maxBytes: 64 * 1024, hint: 'Send the user\'s email, password, role, name and campaigns only.' }), async (c) => {
		const body = c.req.valid('json');
		const campaignIds = [...new Set((body.campaignIds ?? []).map((id) => id.toLowerCase()))];
		// One transaction: a user is created with all the campaigns asked for, or not at all.
		const client = await deps.db.connect();
		let user: Awaited<ReturnType<typeof createUser>>;
		try {
			await client.query('begin');
			const { rows: known } = await client.query<{ id: string }>('select id from campaigns where id = any($1::uuid[])', [campaignIds]);
			const unknown = campaignIds.filter((id) => !known.some((row) => row.id === id));
			if (unknown.length) {
				throw badRequest('campaignIds', `No campaign has the id ${unknown.map((id) => `"${id}"`).join(', ')}. Use ids from GET /api/campaigns.`);
			}
			// createUser checks the email's form and the password's length (it also serves the admin seeding).
			user = await createUser(client, { email: body.email, password: body.password, role: body.role, name: body.name ?? null });
			if (campaignIds.length) {
				await client.query('insert into campaign_members (campaign_id, user_id) select unnest($1::uuid[]), $2 on conflict do nothing', [
					campaignIds,
					user.id,
				]);
			}
			await audit(client, c.get('user'), {
				action: 'user.create',
				subjectType: 'user',
				subjectId: user.id,
				after: { email: user.email, name: user.name, role: user.role, campaignIds },
			});
			await client.query('commit');
		} catch (error) {
			await client.query('rollback').catch(() => {});
			throw error;
		} finally {
			client.release();
		}
		sessions.forgetUser(user.id);
		return c.json({ user: publicUser(user) }, 201);
	});
	return app;
}
