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
import type { AppEnv, Deps, SessionUser } from './context';
import { ApiError, badRequest } from './errors';
import { jsonBody } from './http';
import { describeRoute, errorSchema } from './openapi';
import { AUTH_CHANNEL } from './events';

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
	const key = await scrypt(password, salt, SCRYPT.keyLength, {
		N: SCRYPT.N,
		r: SCRYPT.r,
		p: SCRYPT.p,
	});
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
	user: {
		email: string;
		password: string;
		role?: 'admin' | 'manager';
		name?: string | null;
	},
): Promise<{ id: string; email: string; role: string; name: string | null }> {
	const email = normaliseEmail(user.email);
	if (!EMAIL.test(email) || email.length > 320) throw badRequest('email', `"${user.email}" is not an email address. Use the form name@example.com.`);
	if (typeof user.password !== 'string' || user.password.length < 8) {
		throw badRequest('password', 'The password must have at least 8 characters.');
	}
	const role = user.role ?? 'manager';
	if (role !== 'admin' && role !== 'manager') throw badRequest('role', 'role must be "admin" or "manager".');
	try {
		const { rows } = await db.query('insert into users (email, name, password_hash, role) values ($1, $2, $3, $4) returning id, email, role, name', [
			email,
			user.name ?? null,
			await hashPassword(user.password),
			role,
		]);
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
		const user = await createUser(db, {
			email: options.email,
			password: options.password,
			role: 'admin',
			name: 'Admin',
		});
		return { email: user.email, created: true };
	}
	if (!options.passwordFile) return undefined;
	const email = normaliseEmail(options.email) || 'admin@reelsmith.local';
	const password = randomBytes(12).toString('base64url');
	await mkdir(dirname(options.passwordFile), { recursive: true });
	await writeFile(options.passwordFile, `${email}\n${password}\n`, {
		mode: 0o600,
	});
	await chmod(options.passwordFile, 0o600);
	const user = await createUser(db, {
		email,
		password,
		role: 'admin',
		name: 'Admin',
	});
	return {
		email: user.email,
		generatedPassword: password,
		passwordFile: options.passwordFile,
		created: true,
	};
}

// ───────────────────────────── sessions ─────────────────────────────

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Every dashboard API key starts so: a key pasted in the wrong place is recognisable (and secret scanners find it). */
export const API_KEY_PREFIX = 'rsk_';

/** The token of `Authorization: Bearer <token>`, or undefined when the request sends none. */
export function bearerToken(header: string | undefined): string | undefined {
	const match = /^Bearer\s+(\S*)\s*$/i.exec(header ?? '');
	return match ? match[1] : undefined;
}

function readCookie(header: string, name: string): string | undefined {
	const match = new RegExp(`(?:^|;\\s*)${name}=([^;]+)`).exec(header);
	if (!match) return undefined;
	try {
		return decodeURIComponent(match[1]);
	} catch {
		return undefined;
	}
}

/**
 * Session lookups are cached for a few seconds: every API call and every SSE heartbeat needs one, and the answer
 * rarely changes. Logout, revoked keys and membership changes clear the entry at once in every dashboard process
 * (announced on AUTH_CHANNEL); the few seconds only matter if that notification is lost.
 */
const CACHE_MS = 5_000;

export class Sessions {
	private cache = new Map<string, { user: SessionUser; until: number }>();

	constructor(private db: Pool) {}

	async create(userId: string): Promise<{ token: string; maxAge: number }> {
		const token = randomBytes(32).toString('base64url');
		const maxAge = SESSION_DAYS * 24 * 3600;
		await this.db.query('insert into sessions (token_hash, user_id, expires_at) values ($1, $2, now() + make_interval(secs => $3))', [
			sha256(token),
			userId,
			maxAge,
		]);
		await this.db.query('delete from sessions where expires_at < now()');
		return { token, maxAge };
	}

	async lookup(token: string | undefined): Promise<SessionUser | null> {
		if (!token || token.length > 100) return null;
		const tokenHash = sha256(token);
		return this.cached(tokenHash, async () => {
			const { rows } = await this.db.query(
				`with s as (
				   update sessions set last_seen_at = now()
				    where token_hash = $1 and expires_at > now()
				    returning user_id)
				 select u.id, u.email, u.name, u.role,
				        case when u.role = 'admin' then null
				             else array(select m.campaign_id::text from campaign_members m where m.user_id = u.id) end as campaign_ids
				   from s join users u on u.id = s.user_id
				  where u.disabled_at is null`,
				[tokenHash],
			);
			const row = rows[0];
			return row ? { id: row.id, email: row.email, name: row.name, role: row.role, campaignIds: row.campaign_ids, tokenHash } : null;
		});
	}

	/**
	 * An API key (`Authorization: Bearer rsk_…`): it acts for the admin who made it, as a manager of the key's
	 * campaigns only, while it is not revoked and that admin not disabled. Its last use is recorded (at most once per
	 * cache period).
	 */
	async lookupKey(token: string | undefined): Promise<SessionUser | null> {
		if (!token || !token.startsWith(API_KEY_PREFIX) || token.length > 100) return null;
		const tokenHash = sha256(token);
		return this.cached(tokenHash, async () => {
			const { rows } = await this.db.query(
				`with k as (
				   update api_keys k set last_used_at = now()
				     from users u
				    where k.token_hash = $1 and k.revoked_at is null and u.id = k.user_id and u.disabled_at is null
				   returning k.id, k.name, u.id as user_id, u.email)
				 select k.*, array(select c.campaign_id::text from api_key_campaigns c where c.key_id = k.id) as campaign_ids from k`,
				[tokenHash],
			);
			const row = rows[0];
			if (!row) return null;
			return {
				id: row.user_id,
				email: row.email,
				name: `API key "${row.name}"`,
				role: 'manager',
				campaignIds: row.campaign_ids,
				tokenHash,
				apiKeyId: row.id,
			};
		});
	}

	/** The cached caller of a token hash, else `read` (and cache what it found). */
	private async cached(tokenHash: string, read: () => Promise<SessionUser | null>): Promise<SessionUser | null> {
		const entry = this.cache.get(tokenHash);
		if (entry && entry.until > Date.now()) return entry.user;
		const user = await read();
		if (!user) {
			this.cache.delete(tokenHash);
			return null;
		}
		if (this.cache.size > 10_000) this.cache.clear();
		this.cache.set(tokenHash, { user, until: Date.now() + CACHE_MS });
		return user;
	}

	/** The caller of a request: its bearer key when it sends one (the cookie is then ignored), else its session. */
	authenticate(headers: { cookie?: string; authorization?: string }): Promise<SessionUser | null> {
		const bearer = bearerToken(headers.authorization);
		return bearer !== undefined ? this.lookupKey(bearer) : this.lookup(readCookie(headers.cookie ?? '', SESSION_COOKIE));
	}

	/** A revoked key stops at once, in this process and (through Postgres) in every other dashboard process. */
	async forgetToken(tokenHash: string): Promise<void> {
		this.cache.delete(tokenHash);
		await this.announce({ tokenHash });
	}

	async destroy(tokenHash: string): Promise<void> {
		this.cache.delete(tokenHash);
		await this.db.query('delete from sessions where token_hash = $1', [tokenHash]);
		await this.announce({ tokenHash });
	}

	/** After a user's campaign memberships changed (or they were disabled): their next request, and their keys', read them again. */
	async forgetUser(userId: string): Promise<void> {
		this.dropUser(userId);
		await this.announce({ userId });
	}

	/** A change another process announced on AUTH_CHANNEL (events.ts listens): drop what it names. */
	applyAnnounced(payload: string): void {
		let change: { tokenHash?: unknown; userId?: unknown };
		try {
			change = JSON.parse(payload);
		} catch {
			return;
		}
		if (typeof change.tokenHash === 'string') this.cache.delete(change.tokenHash);
		if (typeof change.userId === 'string') this.dropUser(change.userId);
	}

	private dropUser(userId: string): void {
		for (const [hash, entry] of this.cache) if (entry.user.id === userId) this.cache.delete(hash);
	}

	// Best effort: if it is lost (no listener, Postgres away), other processes still drop the entry after CACHE_MS.
	private async announce(change: { tokenHash?: string; userId?: string }): Promise<void> {
		await this.db.query('select pg_notify($1, $2)', [AUTH_CHANNEL, JSON.stringify(change)]).catch(() => {});
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

	app.post(
		'/login',
		describeRoute({
			tag: 'Sessions',
			access: 'public',
			summary: 'Log in',
			description: `Sets the HTTP-only session cookie rs_session (${SESSION_DAYS} days). After ${MAX_FAILURES_PER_EMAIL} wrong passwords for an email (or ${MAX_FAILURES_PER_ADDRESS} from an address) in ${LOGIN_WINDOW_MINUTES} minutes, 429 until the window passes.`,
			responses: {
				200: {
					description: 'Logged in.',
					schema: z.object({ user: publicUserSchema }),
					example: { user: EXAMPLE_USER },
				},
				401: {
					description: 'Wrong email or password.',
					schema: errorSchema,
					example: {
						error: 'Wrong email or password. Check both and try again.',
					},
				},
				403: {
					description: 'The account is disabled.',
					schema: errorSchema,
					example: {
						error: 'This account is disabled. Ask an admin of this dashboard to enable it.',
					},
				},
				429: {
					description: 'Too many failed logins; Retry-After says how long to wait.',
					schema: errorSchema,
					example: {
						error: 'Too many failed logins. Wait 15 minutes and try again, or ask an admin to check your account.',
						retryAfterSeconds: 900,
					},
				},
			},
		}),
		jsonBody(loginForm, LOGIN_LIMIT),
		async (c) => {
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
			const { rows } = await deps.db.query('select id, email, name, role, password_hash, disabled_at from users where email = $1', [email]);
			const user = rows[0];
			dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
			const ok = await verifyPassword(body.password, user?.password_hash ?? (await dummyHash));
			if (!user || !ok) {
				await deps.db.query('insert into login_attempts (email, address) values ($1, $2)', [email, address]);
				throw new ApiError(401, 'Wrong email or password. Check both and try again.');
			}
			// Said only to whoever knows the password: it reveals nothing to someone guessing.
			if (user.disabled_at) throw new ApiError(403, 'This account is disabled. Ask an admin of this dashboard to enable it.');
			await deps.db.query('delete from login_attempts where email = $1', [email]);
			await deps.db.query('update users set last_login_at = now() where id = $1', [user.id]);
			const { token, maxAge } = await sessions.create(user.id);
			setCookie(c, SESSION_COOKIE, token, {
				...cookieOptions(deps, c),
				maxAge,
			});
			return c.json({ user: publicUser(user) });
		},
	);

	app.post(
		'/logout',
		describeRoute({
			tag: 'Sessions',
			access: 'public',
			summary: 'Log out',
			description: 'Ends the session of the cookie sent, if any, and clears the cookie.',
			responses: {
				200: {
					description: 'Logged out.',
					schema: z.object({ ok: z.literal(true) }),
					example: { ok: true },
				},
			},
		}),
		async (c) => {
			const token = getCookie(c, SESSION_COOKIE);
			if (token) await sessions.destroy(sha256(token));
			deleteCookie(c, SESSION_COOKIE, cookieOptions(deps, c));
			return c.json({ ok: true as const });
		},
	);

	return app;
}

/** Every /api route except login/logout and the API document: 401 without a valid session or API key. */
export function requireSession(sessions: Sessions): MiddlewareHandler<AppEnv> {
	return async (c, next) => {
		const authorization = c.req.header('authorization');
		const user = await sessions.authenticate({
			cookie: c.req.header('cookie'),
			authorization,
		});
		if (!user) {
			if (bearerToken(authorization) !== undefined) {
				throw new ApiError(401, 'This API key is not valid: it was revoked, its admin was disabled, or it was mistyped. Ask an admin for a new key.');
			}
			throw new ApiError(401, 'Log in first.');
		}
		c.set('user', user);
		await next();
	};
}

/** Admin-only routes. */
export function requireAdmin(c: Context<AppEnv>): void {
	if (c.get('user').role !== 'admin') throw new ApiError(403, 'Only an admin can do this. Ask an admin of this dashboard.');
}

/** requireAdmin as route middleware, put before the body check so a manager is refused whatever the body holds. */
export const adminOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
	requireAdmin(c);
	await next();
};

export const publicUserSchema = z.object({
	id: z.uuid(),
	email: z.string(),
	name: z.string().nullable(),
	role: z.enum(['admin', 'manager']),
});
export const EXAMPLE_USER = {
	id: '2b7e1d7c-93a4-4d0b-8a8e-3f0f6f4c9a01',
	email: 'anna@example.com',
	name: 'Anna',
	role: 'manager',
};

/** A text field: missing → `missing`; sent as another type → says what came and that text is wanted. */
export function text(field: string, missing: string) {
	return z.string({
		error: (issue) =>
			issue.input === undefined || issue.input === null
				? missing
				: `"${field}" must be text, not ${describe(issue.input)}. Send it as a JSON string.`,
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
const LOGIN_LIMIT = {
	maxBytes: 8 * 1024,
	hint: 'Send only your email and password.',
};
