/**
 * R4 · access: every dashboard route without a session, with an expired one and with another manager's; artifact
 * keys of other runs and outside runs/ (plain, `..`, `%2e%2e`); cross-site requests; the session cookie's flags;
 * webhook tokens; and, after the paid-fake runs, no secret in n8n's files, logs, the events table or storage.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Storage } from '../../nodes/shared/transport/storage';
import { createUser } from '../../ui/server/index';
import { post, type SuiteEnv } from './env';
import { newRow, type Row } from './table';

const PASSWORD = 'reliability-manager-1';
/** Routes anyone may call: logging in and out, health, and the API document with its page (access 'public' in ui/server/openapi.ts). */
const PUBLIC = /^\/api\/(login|logout|health|openapi\.json|docs)(\/|$)|^\/healthz$/;

async function login(base: string, email: string, password: string): Promise<string> {
	const response = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
	return (response.headers.get('set-cookie') ?? '').split(';')[0];
}

async function call(base: string, method: string, path: string, cookie = '', origin?: string) {
	const response = await fetch(`${base}${path}`, {
		method,
		headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}), origin: origin ?? base },
		body: method === 'GET' || method === 'HEAD' ? undefined : '{}',
		redirect: 'manual',
	});
	// Event streams stay open: read no body from them.
	const text = (response.headers.get('content-type') ?? '').includes('event-stream') ? '' : await response.text();
	if (!text) await response.body?.cancel().catch(() => {});
	return { status: response.status, text, headers: response.headers };
}

export async function access(env: SuiteEnv): Promise<Row> {
	const row = newRow('R4 access', 'every check holds', false);
	const base = env.dashboard.url;
	const check = (ok: boolean, what: string) => {
		row.trials += 1;
		if (ok) row.completed += 1;
		else row.problems.push(what);
	};

	// Two managers: Ann sees the campaign with the suite's runs, Ben a campaign of his own.
	const { rows: campaigns } = await env.db.query<{ id: string }>("select id from campaigns where name = 'Reliability'");
	const { rows: runs } = await env.db.query<{ id: string }>(
		"select r.id from runs r join campaigns c on c.id = r.campaign_id where c.name = 'Reliability' order by r.created_at limit 1",
	);
	const { rows: keys } = await env.db.query<{ key: string }>(
		"select r.final_key as key from runs r join campaigns c on c.id = r.campaign_id where c.name = 'Reliability' and r.final_key is not null limit 1",
	);
	if (!campaigns[0] || !runs[0]) {
		row.problems.push('no Reliability campaign or run to check access against (run R1 or R2 first)');
		return row;
	}
	const campaignId = campaigns[0].id;
	const runId = runs[0].id;
	const ann = await createUser(env.db, { email: `ann-${Date.now()}@reliability.test`, password: PASSWORD });
	const ben = await createUser(env.db, { email: `ben-${Date.now()}@reliability.test`, password: PASSWORD });
	await env.db.query('insert into campaign_members (campaign_id, user_id) values ($1, $2)', [campaignId, ann.id]);
	const annCookie = await login(base, ann.email, PASSWORD);
	const benCookie = await login(base, ben.email, PASSWORD);
	check(Boolean(annCookie && benCookie), 'the managers could log in');
	// A third session, then expired: sessions are stored as the sha256 of the cookie's token.
	const expired = await login(base, ben.email, PASSWORD);
	const token = decodeURIComponent(expired.split('=')[1] ?? '');
	await env.db.query("update sessions set expires_at = now() - interval '1 minute' where token_hash = $1", [createHash('sha256').update(token).digest('hex')]);
	check((await call(base, 'GET', '/api/me', expired)).status === 401, 'an expired session is refused');

	const fill = (path: string) =>
		path
			.replace(/^\/api\/campaigns\/:id/, `/api/campaigns/${campaignId}`)
			.replace(/:id|:runId/g, runId)
			.replace(/\/\*$/, `/runs/${runId}/final.mp4`)
			.replace(/:[a-zA-Z]+/g, 'x');
	for (const route of env.dashboard.routes) {
		if (!route.path.startsWith('/api') || PUBLIC.test(route.path)) continue;
		const path = fill(route.path);
		const anonymous = await call(base, route.method, path);
		check(anonymous.status === 401, `${route.method} ${route.path} without a session: ${anonymous.status}, expected 401`);
		const stale = await call(base, route.method, path, expired);
		check(stale.status === 401, `${route.method} ${route.path} with an expired session: ${stale.status}, expected 401`);
		const other = await call(base, route.method, path, benCookie);
		const leaks = other.status < 300 && (other.text.includes(runId) || other.text.includes(campaignId));
		const ownsNothing = /:id|\*/.test(route.path) ? other.status >= 400 && other.status < 500 : true;
		check(!leaks && ownsNothing, `${route.method} ${route.path} as another manager: ${other.status}${leaks ? ', shows the other campaign' : ''}`);
		check(other.status < 500, `${route.method} ${route.path} as another manager: ${other.status} ${other.text.slice(0, 120)}`);
	}

	// Artifact keys: another manager's run, traversal in every spelling, keys outside runs/.
	const key = keys[0]?.key ?? `runs/${runId}/final.mp4`;
	for (const path of [
		`/api/artifacts/${key}`,
		`/api/artifacts/runs/${runId}/../../secrets.json`,
		`/api/artifacts/runs/${runId}/%2e%2e/%2e%2e/secrets.json`,
		`/api/artifacts/runs%2f${runId}%2f..%2f..%2fsecrets.json`,
		'/api/artifacts/campaigns/x.json',
		'/api/artifacts/%2e%2e%2fetc%2fpasswd',
	]) {
		const answer = await call(base, 'GET', path, benCookie);
		check(answer.status >= 400 && answer.status < 500, `GET ${path} as another manager: ${answer.status}`);
	}
	const own = await call(base, 'GET', `/api/artifacts/${key}`, annCookie);
	check(!keys[0] || own.status < 400, `GET the run's own video as its manager: ${own.status}`);

	// Cross-site: a state-changing request naming another origin is refused even with a valid session.
	const csrf = await call(base, 'POST', `/api/runs/${runId}/cancel`, annCookie, 'https://evil.example');
	check(csrf.status === 403, `cross-site POST with a session: ${csrf.status}, expected 403`);
	const loginAnswer = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ann.email, password: PASSWORD }) });
	const cookie = loginAnswer.headers.get('set-cookie') ?? '';
	check(/HttpOnly/i.test(cookie) && /SameSite=(Lax|Strict)/i.test(cookie) && /Path=\//.test(cookie), `session cookie flags: ${cookie.replace(/=[^;]+;/, '=…;')}`);

	// Webhooks: no token, a wrong one, one that differs only in the last character.
	for (const token of ['', 'wrong', `${env.stack.webhookToken.slice(0, -1)}x`]) {
		for (const path of ['reelsmith/runs', 'reelsmith/resume']) {
			const answer = await post(env, path, { script: 'INT. A - DAY\n\nx\n', runId }, { 'x-reelsmith-token': token });
			check(answer.status === 401, `POST ${path} with token "${token.slice(0, 6)}…": ${answer.status}, expected 401`);
		}
	}

	// Secrets: none in n8n's files (database, execution data, logs), the events table or storage.
	const places: Array<{ name: string; bytes: Buffer }> = [];
	for (const file of await filesUnder(join(env.dataDir, 'n8n'))) places.push({ name: file, bytes: await readFile(file) });
	places.push({ name: 'n8n log', bytes: await readFile(env.stack.n8nLogFile).catch(() => Buffer.alloc(0)) });
	const events = await env.db.query('select coalesce(string_agg(message || coalesce(data::text, \'\'), E\'\\n\'), \'\') as text from events');
	places.push({ name: 'events table', bytes: Buffer.from(events.rows[0].text) });
	const storage = new Storage(env.stack.s3);
	for (const objectKey of await storage.listKeys('')) {
		places.push({ name: `s3://${objectKey}`, bytes: await storage.downloadBuffer({ bucket: env.stack.s3.bucket, key: objectKey }) });
	}
	for (const secret of env.secrets) {
		const found = places.filter((place) => place.bytes.includes(secret)).map((place) => place.name.replace(env.dataDir, '<data>'));
		check(found.length === 0, `a secret (${secret.slice(0, 4)}…) is stored in plain text in: ${found.slice(0, 5).join(', ')}`);
	}
	return row;
}

async function filesUnder(dir: string): Promise<string[]> {
	const out: string[] = [];
	for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) {
			// n8n's own installed packages are code, not data.
			if (entry.name === 'node_modules') continue;
			out.push(...(await filesUnder(path)));
		} else if (entry.isFile() && (await stat(path)).size < 200 * 1024 * 1024) out.push(path);
	}
	return out;
}
