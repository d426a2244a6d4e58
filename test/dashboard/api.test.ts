/**
 * The dashboard API (ui/server) against a real Postgres (migrated like npm start) and the local S3 endpoint, with a
 * loopback stand-in for n8n's webhooks that records what the API sent.
 */
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Pool } from 'pg';
import { migrate } from '../../initialization/migrate';
import { checkToken } from '../../nodes/Campaign/lib/auth';
import { startPostgres, type TestPostgres } from '../helpers/postgres';
import { startS3, type TestS3 } from '../helpers/s3';
import { freePort } from '../helpers/ports';
import { createUser, startDashboard, verifyPassword, type Dashboard, type DashboardOptions } from '../../ui/server/index';
import { Browser, BullQueueInRedis, FakeN8n, openEvents } from './api-support';
import { redisReachable } from '../helpers/redis';
import { DEFAULT_CALLBACK_SETTINGS } from '../../nodes/shared/callbacks/settings';
import { verifySignature } from '../../nodes/shared/callbacks/sign';
import { CallbackReceiver } from '../fakes/callback-receiver';
import { makeClip, makeTone } from '../fixtures/media/make';

const TOKEN = 'test-webhook-token';

/** The dashboard signs its webhook calls with the token and never sends the token itself (n8n would store it). */
function assertSigned(call: { headers: Record<string, unknown>; body: unknown }) {
	assert.equal(call.headers['x-reelsmith-token'], undefined, 'the token does not travel');
	assert.deepEqual(checkToken(call.headers, { headerName: 'x-reelsmith-token', token: TOKEN }, JSON.stringify(call.body)), { ok: true });
	assert.equal(checkToken(call.headers, { headerName: 'x-reelsmith-token', token: 'another-token' }, JSON.stringify(call.body)).ok, false);
}
const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };
const PASSWORD = 'manager-password-1';
const METRICS_TOKEN = 'test-metrics-token';

describe('dashboard API', () => {
	let pg: TestPostgres;
	let s3: TestS3;
	let db: Pool;
	let n8n: FakeN8n;
	let dashboard: Dashboard;
	let base: string;
	let distDir: string;
	const ids: Record<string, string> = {};

	/** A logged-in browser. */
	async function as(email: string, password = PASSWORD): Promise<Browser> {
		const browser = new Browser(base);
		const answer = await browser.login(email, password);
		assert.equal(answer.status, 200, JSON.stringify(answer.body));
		return browser;
	}

	async function insertRun(campaign: string, { title, options = {}, ...fields }: Record<string, unknown>): Promise<string> {
		const columns = Object.keys(fields);
		const { rows } = await db.query(
			`insert into runs (campaign_id, request, options${columns.map((c) => `, ${c}`).join('')})
			 values ($1, $2, $3${columns.map((_, i) => `, $${i + 4}`).join('')}) returning id`,
			[
				campaign,
				JSON.stringify({ title: title ?? 'A run', format: 'fountain', script: 'x' }),
				JSON.stringify(options),
				...Object.values(fields).map((v) => (v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v)),
			],
		);
		return rows[0].id;
	}

	beforeAll(async () => {
		pg = await startPostgres();
		await migrate(pg.url, { seed: false });
		s3 = await startS3('reelsmith-dashboard-test');
		db = new Pool({ connectionString: pg.url, max: 3 });
		n8n = new FakeN8n();
		n8n.routes.set('/webhook/reelsmith/runs', (call) =>
			call.body?.script === 'bad'
				? { status: 400, body: { error: 'invalid_request', field: 'script', message: '"script" is empty. Send the script text.' } }
				: { status: 202, body: { runId: '00000000-0000-4000-8000-000000000001', status: 'queued', queuePosition: 3 } },
		);
		n8n.routes.set('/webhook/reelsmith/resume', (call) => ({
			status: 202,
			body: { runId: call.body.runId, status: 'queued', queuePosition: 0 },
		}));
		// The preview's prefix first: routes match by prefix, and /voices is a prefix of /voices/preview.
		n8n.routes.set('/webhook/reelsmith/voices/preview', async (call) => {
			// The node's refusal of a paid preview the campaign's budget has no room for.
			if (call.body.text === 'Too dear.') {
				return {
					status: 400,
					body: {
						error: 'invalid_request',
						field: 'campaign',
						message: `"campaign": this preview would cost about $0.0021, but campaign 'Voice budget' has spent $0.9990: its budget $1.00 has $0.0010 left; raise the budget or preview a free voice (espeak-ng).`,
					},
				};
			}
			if (call.body.voice === 'xx-nowhere') {
				return {
					status: 400,
					body: {
						error: 'invalid_request',
						field: 'voice',
						message: 'Could not preview espeak-ng (offline) voice "xx-nowhere": espeak-ng has no voice "xx-nowhere".',
					},
				};
			}
			// n8n stores the WAV and answers its key; here the object is put in the test's S3 as n8n would.
			const key = 'voice-previews/espeak/0123456789abcdef0123456789abcdef01234567.wav';
			await s3.storage.uploadBuffer(Buffer.from('RIFF-test-audio'), key, 'audio/wav');
			const characters = Array.from(String(call.body.text)).length;
			// A paid preview for a campaign: the node writes its cost in preview_costs.
			const paid = call.body.provider === 'elevenlabs' ? 0.0021 : 0;
			if (paid && call.body.campaign) {
				await db.query("insert into preview_costs (campaign_id, provider, voice, characters, cost_usd) values ($1, 'elevenlabs', $2, $3, $4)", [
					call.body.campaign,
					call.body.voice,
					characters,
					paid,
				]);
			}
			return {
				status: 200,
				body: {
					provider: call.body.provider,
					voice: call.body.voice,
					bucket: s3.bucket,
					key,
					contentType: 'audio/wav',
					duration: 2.1,
					characters,
					cached: n8n.callsTo('/webhook/reelsmith/voices/preview').length > 1,
					cost: { provider: call.body.provider, model: null, units: characters, unit: 'character', amountUsd: paid },
				},
			};
		});
		n8n.routes.set('/webhook/reelsmith/voices', (call) => ({
			status: 200,
			body: {
				provider: call.body.provider,
				count: 1,
				voices: [
					{ provider: call.body.provider, id: 'en-gb-scotland', name: 'English (Scotland)', languages: ['en-GB-scotland', 'en'], gender: 'male' },
				],
			},
		}));
		n8n.routes.set('/webhook-waiting/ok', () => ({ status: 200, body: { message: 'Workflow was started' } }));
		n8n.routes.set('/webhook-waiting/busy', () => ({ status: 503, body: { message: 'n8n is starting up. Please wait' } }));
		// What n8n answers for an execution that crashed before its Wait node was saved (n8n killed right then).
		n8n.routes.set('/webhook-waiting/crashed', () => ({ status: 500, body: { message: "Cannot read properties of undefined (reading 'resultData')" } }));
		await n8n.start();
		distDir = await mkdtemp(join(tmpdir(), 'reelsmith-dist-'));
		dashboard = await startDashboard({
			databaseUrl: pg.url,
			s3: {
				endpoint: s3.endpoint,
				accessKey: s3.accessKey,
				secretKey: s3.secretKey,
				bucket: s3.bucket,
				region: s3.region,
				forcePathStyle: true,
			},
			n8nUrl: n8n.url,
			webhookBase: `${n8n.url}/webhook`,
			webhookToken: TOKEN,
			port: 0,
			distDir: join(distDir, 'missing'),
			admin: ADMIN,
			poolSize: 4,
			heartbeatMs: 300,
			queue: null,
			metricsToken: METRICS_TOKEN,
			// "send again" reaches the test's callback receiver on loopback.
			callbacks: { ...DEFAULT_CALLBACK_SETTINGS, allowLoopback: true, retrySeconds: [1] },
			log: () => {},
		});
		base = dashboard.url;

		// Two campaigns, a manager for each, and runs in every state the pages show.
		const campaign = async (name: string) =>
			(await db.query('insert into campaigns (name, budget_usd) values ($1, 5) returning id', [name])).rows[0].id;
		ids.a = await campaign('Spring launch');
		ids.b = await campaign('Winter sale');
		for (const [key, email, campaignId] of [
			['anna', 'anna@example.com', ids.a],
			['ben', 'ben@example.com', ids.b],
		]) {
			const user = await createUser(db, { email, password: PASSWORD, role: 'manager', name: key });
			ids[key] = user.id;
			await db.query('insert into campaign_members (campaign_id, user_id) values ($1, $2)', [campaignId, user.id]);
		}
		const recent = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3600_000);
		ids.done = await insertRun(ids.a, {
			title: 'Done',
			status: 'completed',
			stage: 'assembly',
			started_at: recent(50),
			finished_at: new Date(recent(50).getTime() + 120_000),
			cost_estimate: 1.2,
			final_key: 'x',
		});
		await db.query("update runs set final_key = 'runs/' || id || '/final/youtube.mp4' where id = $1", [ids.done]);
		ids.failed = await insertRun(ids.a, {
			title: 'Broken',
			status: 'failed',
			stage: 'generation',
			started_at: recent(30),
			finished_at: recent(29.9),
			error: 'Scene 2 failed: Kling refused the prompt (content policy). Rewrite scene 2.',
		});
		ids.running = await insertRun(ids.a, {
			title: 'Busy',
			status: 'running',
			stage: 'generation',
			started_at: recent(0.1),
			cost_estimate: 2,
		});
		ids.queuedLow = await insertRun(ids.a, { title: 'Later', status: 'queued', priority: 0, queued_at: recent(2) });
		ids.queuedHigh = await insertRun(ids.a, { title: 'Urgent', status: 'queued', priority: 5, queued_at: recent(1) });
		ids.waiting = await insertRun(ids.a, {
			title: 'Needs approval',
			status: 'awaiting_approval',
			stage: 'planning',
			started_at: recent(0.2),
			approval: 'pending',
			approval_url: 'http://elsewhere.example:5678/webhook-waiting/ok',
		});
		ids.other = await insertRun(ids.b, {
			title: 'Other campaign',
			status: 'completed',
			stage: 'assembly',
			started_at: recent(5),
			finished_at: recent(4.9),
		});
		await db.query(
			"update runs set final_key = 'runs/' || id || '/final/youtube.mp4', subtitles_key = 'runs/' || id || '/final/subtitles.srt' where id = $1",
			[ids.other],
		);
		// Scenes: the running run has 2 of 4 done; the done run 3 of 3; the failed one 1 failed of 2.
		const scenes = async (runId: string, statuses: string[]) => {
			for (const [i, status] of statuses.entries()) {
				await db.query(
					`insert into scenes (run_id, number, status, heading, duration, provider, attempts, clip_key, error)
					 values ($1, $2, $3, $4, 5, 'local', 1, $5, $6)`,
					[
						runId,
						i + 1,
						status,
						`INT. ROOM ${i + 1} - DAY`,
						status === 'completed' ? `runs/${runId}/scenes/${String(i + 1).padStart(3, '0')}/clip.mp4` : null,
						status === 'failed' ? 'Kling refused the prompt (content policy).' : null,
					],
				);
			}
		};
		await scenes(ids.running, ['completed', 'completed', 'generating', 'pending']);
		await scenes(ids.done, ['completed', 'completed', 'completed']);
		await scenes(ids.failed, ['completed', 'failed']);
		// Costs: done 0.50 kling + 0.25 elevenlabs; failed 0.10 kling; running 0.40 kling; other campaign 9.
		const cost = (runId: string, provider: string, amount: number, scene: number | null = null) =>
			db.query(
				"insert into costs (run_id, scene_number, provider, model, units, unit, amount_usd, purpose) values ($1, $2, $3, 'm', 5, 'second', $4, 'clip')",
				[runId, scene, provider, amount],
			);
		await cost(ids.done, 'kling', 0.5, 1);
		await cost(ids.done, 'elevenlabs', 0.25, 1);
		await cost(ids.failed, 'kling', 0.1, 1);
		await cost(ids.running, 'kling', 0.4, 1);
		await cost(ids.other, 'runway', 9);
		// Plan versions and step events for the done run.
		await db.query(
			`insert into plan_versions (run_id, version, parent_version, score, plan, plan_key, source, changes)
			 values ($1, 1, null, 62, '{"title":"Done v1","scenes":[]}', $2 || 'v1.json', 'parse', null),
			        ($1, 2, 1, 85, '{"title":"Done v2","scenes":[]}', $2 || 'v2.json', 'refine', '["Scene 2 shortened to 6 s"]')`,
			[ids.done, `runs/${ids.done}/plan/`],
		);
		await db.query(
			`insert into events (run_id, stage, status, duration_ms, message, created_at) values
			   ($1, 'planning', 'finished', 4000, 'Planned 3 scenes', now() - interval '50 hours'),
			   ($1, 'generation', 'finished', 60000, 'Generated 3 scenes', now() - interval '50 hours'),
			   ($2, 'planning', 'finished', 2000, null, now() - interval '30 hours')`,
			[ids.done, ids.failed],
		);
		await s3.storage.uploadBuffer(Buffer.from('final video bytes'), `runs/${ids.other}/final/youtube.mp4`, 'video/mp4');
	});

	afterAll(async () => {
		await dashboard?.stop();
		await n8n?.stop();
		await db?.end();
		await s3?.stop();
		await pg?.stop();
		if (distDir) await rm(distDir, { recursive: true, force: true });
	});

	describe('access', () => {
		it('refuses every API route, the files and the live stream without a session', async () => {
			const anonymous = new Browser(base);
			for (const path of [
				'/api/me',
				'/api/campaigns',
				`/api/campaigns/${ids.a}`,
				`/api/runs/${ids.done}`,
				'/api/analytics',
				`/api/artifacts/runs/${ids.other}/final/youtube.mp4`,
				'/api/events',
			]) {
				const answer = await anonymous.get(path);
				assert.equal(answer.status, 401, path);
				assert.deepEqual(answer.body, { error: 'Log in first.' }, path);
			}
			assert.equal((await anonymous.post(`/api/runs/${ids.queuedLow}/cancel`)).status, 401);
			assert.equal((await anonymous.post(`/api/campaigns/${ids.a}/runs`, { script: 'x' })).status, 401);
			assert.equal(n8n.calls.length, 0, 'nothing reached n8n');
			const stream = await openEvents(base, '');
			assert.equal(stream.status, 401);
		});

		it('logs in with an HTTP-only cookie, knows the user, and logs out', async () => {
			const browser = new Browser(base);
			const wrong = await browser.login(ADMIN.email, 'not-it');
			assert.equal(wrong.status, 401);
			assert.match(wrong.body.error, /Wrong email or password/);
			const answer = await browser.request('POST', '/api/login', { email: ' Admin@Example.com ', password: ADMIN.password });
			assert.equal(answer.status, 200);
			assert.equal(answer.body.user.email, ADMIN.email);
			assert.equal(answer.body.user.role, 'admin');
			assert.equal(answer.body.user.password_hash, undefined);
			const cookie = answer.headers.get('set-cookie')!;
			assert.match(cookie, /^rs_session=[\w-]{40,};/);
			assert.match(cookie, /HttpOnly/i);
			assert.match(cookie, /SameSite=Lax/i);
			assert.match(cookie, /Path=\//);
			assert.equal((await browser.get('/api/me')).body.user.email, ADMIN.email);
			const stolen = browser.cookie;
			assert.equal((await browser.post('/api/logout')).status, 200);
			const after = new Browser(base);
			after.cookie = stolen;
			assert.equal((await after.get('/api/me')).status, 401, 'the old cookie is dead after logout');
		});

		it('a login that is not a login says what was sent and what is wanted', async () => {
			const browser = new Browser(base);
			const numeric = await browser.request('POST', '/api/login', { email: ADMIN.email, password: 12345678 });
			assert.equal(numeric.status, 400);
			assert.equal(numeric.body.field, 'password');
			assert.equal(numeric.body.error, '"password" must be text, not the number 12345678. Send it as a JSON string.');
			const missing = await browser.request('POST', '/api/login', { email: ADMIN.email });
			assert.equal(missing.body.error, 'Enter your password.');
			const huge = await browser.request('POST', '/api/login', { email: ADMIN.email, password: 'x'.repeat(1024 * 1024) });
			assert.equal(huge.status, 413);
			assert.equal(huge.body.error, 'The request body is 1,025 KB; this takes at most 8 KB. Send only your email and password.');
			assert.doesNotMatch(huge.body.error, /script/);
			assert.equal(browser.cookie, '', 'no session came of it');
		});

		it('locks an email after 5 wrong passwords: the 6th try gets 429 with Retry-After, even with the right password', async () => {
			await createUser(db, { email: 'locked@example.com', password: PASSWORD });
			const browser = new Browser(base);
			for (let i = 1; i <= 5; i++) assert.equal((await browser.login('locked@example.com', `wrong-${i}`)).status, 401, `try ${i}`);
			const sixth = await browser.login('locked@example.com', 'wrong-6');
			assert.equal(sixth.status, 429);
			assert.match(sixth.body.error, /Too many failed logins\. Wait 15 minutes/);
			const retryAfter = Number(sixth.headers.get('retry-after'));
			assert.ok(retryAfter > 800 && retryAfter <= 900, `Retry-After ${retryAfter}`);
			const right = await browser.login('locked@example.com', PASSWORD);
			assert.equal(right.status, 429, 'the right password is refused during the lock');
			assert.equal(browser.cookie, '');
			// Another account from the same address is not locked (address limit is 20).
			assert.equal((await browser.login('anna@example.com', PASSWORD)).status, 200);
		});

		it('lets an admin create a manager with campaigns, naming the field that is wrong', async () => {
			const admin = await as(ADMIN.email, ADMIN.password);
			const badIds = await admin.post('/api/users', { email: 'cleo@example.com', password: PASSWORD, campaignIds: ['not-an-id'] });
			assert.deepEqual([badIds.status, badIds.body.field], [400, 'campaignIds']);
			// A well-formed id of no campaign: refused by name, and no user is left behind.
			const ghost = '0f0e0d0c-0b0a-4908-8706-050403020100';
			const noCampaign = await admin.post('/api/users', { email: 'cleo@example.com', password: PASSWORD, campaignIds: [ids.b, ghost] });
			assert.deepEqual([noCampaign.status, noCampaign.body.field], [400, 'campaignIds'], JSON.stringify(noCampaign.body));
			assert.match(noCampaign.body.error, new RegExp(`No campaign has the id "${ghost}"`));
			assert.equal((await admin.post('/api/users', { email: 'cleo@example.com', password: PASSWORD, campaignIds: [42] })).status, 400);
			const nul = await admin.post('/api/users', { email: 'cleo@example.com', password: PASSWORD, name: 'Cle\u0000o' });
			assert.deepEqual([nul.status, nul.body.field], [400, 'name'], JSON.stringify(nul.body));
			assert.match(nul.body.error, /NUL character/);
			assert.equal((await db.query("select 1 from users where email = 'cleo@example.com'")).rowCount, 0, 'no user row from refused requests');
			const badRole = await admin.post('/api/users', { email: 'cleo@example.com', password: PASSWORD, role: 'owner' });
			assert.deepEqual([badRole.status, badRole.body.field, badRole.body.error], [400, 'role', 'role must be "admin" or "manager".']);
			const short = await admin.post('/api/users', { email: 'cleo@example.com', password: 'short' });
			assert.deepEqual([short.status, short.body.field], [400, 'password']);
			const created = await admin.post('/api/users', { email: 'Cleo@Example.com', password: PASSWORD, name: 'cleo', campaignIds: [ids.b] });
			assert.equal(created.status, 201, JSON.stringify(created.body));
			assert.equal(created.body.user.role, 'manager');
			const cleo = await as('cleo@example.com');
			const list = await cleo.get('/api/campaigns');
			assert.deepEqual(
				list.body.campaigns.map((c: { id: string }) => c.id),
				[ids.b],
			);
			const anna = await as('anna@example.com');
			assert.equal(
				(await anna.post('/api/users', { email: 'dan@example.com', role: 'owner' })).status,
				403,
				'a manager is refused before the body is checked',
			);
		});

		it('stores salted scrypt hashes: two users with the same password get different hashes', async () => {
			await createUser(db, { email: 'twin1@example.com', password: 'same-password-9' });
			await createUser(db, { email: 'twin2@example.com', password: 'same-password-9' });
			const { rows } = await db.query("select password_hash from users where email in ('twin1@example.com', 'twin2@example.com')");
			assert.equal(rows.length, 2);
			assert.notEqual(rows[0].password_hash, rows[1].password_hash);
			for (const row of rows) {
				assert.match(row.password_hash, /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
				assert.ok(!row.password_hash.includes('same-password-9'));
				assert.equal(await verifyPassword('same-password-9', row.password_hash), true);
				assert.equal(await verifyPassword('same-password-8', row.password_hash), false);
			}
		});

		it('shows a manager only their campaigns: another campaign, its runs and its files answer 404', async () => {
			const anna = await as('anna@example.com');
			const list = await anna.get('/api/campaigns');
			assert.deepEqual(
				list.body.campaigns.map((c: { name: string }) => c.name),
				['Spring launch'],
			);
			assert.equal(list.body.total, 1);
			for (const path of [
				`/api/campaigns/${ids.b}`,
				`/api/runs/${ids.other}`,
				`/api/artifacts/runs/${ids.other}/final/youtube.mp4`,
				`/api/analytics?campaignId=${ids.b}`,
			]) {
				const answer = await anna.get(path);
				assert.equal(answer.status, 404, path);
				assert.equal(typeof answer.body.error, 'string');
				assert.ok(!answer.headers.get('location'), 'no redirect to the file');
			}
			for (const action of ['cancel', 'retry', 'resume']) assert.equal((await anna.post(`/api/runs/${ids.other}/${action}`)).status, 404, action);
			assert.equal((await anna.post(`/api/campaigns/${ids.b}/runs`, { script: 'x' })).status, 404);
			assert.equal((await anna.patch(`/api/campaigns/${ids.b}`, { name: 'Taken over' })).status, 404);
			assert.equal((await anna.get(`/api/runs/${ids.done}`)).status, 200, 'her own run is visible');
		});

		it('refuses a state-changing request from another site', async () => {
			const anna = await as('anna@example.com');
			const answer = await anna.request('POST', `/api/runs/${ids.queuedLow}/cancel`, undefined, {
				headers: { origin: 'https://evil.example' },
			});
			assert.equal(answer.status, 403);
			const { rows } = await db.query('select status from runs where id = $1', [ids.queuedLow]);
			assert.equal(rows[0].status, 'queued');
		});
	});

	describe('files', () => {
		it('redirects to a presigned link valid 10 minutes, and the object downloads from it', async () => {
			const ben = await as('ben@example.com');
			const answer = await ben.get(`/api/artifacts/runs/${ids.other}/final/youtube.mp4`);
			assert.equal(answer.status, 302);
			const location = answer.headers.get('location')!;
			assert.match(location, /X-Amz-Expires=600/);
			assert.ok(location.startsWith(s3.endpoint), location);
			const file = await fetch(location);
			assert.equal(file.status, 200);
			assert.equal(await file.text(), 'final video bytes');
			const download = await ben.get(`/api/artifacts/runs/${ids.other}/final/youtube.mp4?download=1`);
			const attachment = await fetch(download.headers.get('location')!);
			assert.match(attachment.headers.get('content-disposition') ?? '', /attachment; filename="youtube.mp4"/);
		});

		it('answers 404 in words for a missing object or a key outside a run', async () => {
			const browser = await as(ADMIN.email, ADMIN.password);
			const missing = await browser.get(`/api/artifacts/runs/${ids.other}/final/subtitles.srt`);
			assert.equal(missing.status, 404);
			assert.match(missing.body.error, /not in storage/);
			for (const path of [
				`/api/artifacts/runs/${ids.other}/../${ids.done}/final/youtube.mp4`,
				'/api/artifacts/secrets/creds.json',
				`/api/artifacts/runs/${ids.other}/%2e%2e/x`,
			]) {
				const answer = await browser.get(path);
				assert.equal(answer.status, 404, path);
			}
		});
	});

	describe('pages', () => {
		it('lists campaigns with runs, success rate, spend and last activity', async () => {
			const browser = await as(ADMIN.email, ADMIN.password);
			const answer = await browser.get('/api/campaigns');
			assert.equal(answer.status, 200);
			const spring = answer.body.campaigns.find((c: { id: string }) => c.id === ids.a);
			assert.equal(spring.name, 'Spring launch');
			assert.equal(spring.runs, 6);
			assert.equal(spring.completed, 1);
			assert.equal(spring.failed, 1);
			assert.equal(spring.running, 2, 'running + awaiting approval');
			assert.equal(spring.successRate, 0.5);
			assert.equal(spring.spendUsd, 1.25);
			assert.equal(spring.budgetUsd, 5);
			assert.ok(Date.parse(spring.lastActivity) > Date.now() - 3600_000);
			const searched = await browser.get('/api/campaigns?search=wint');
			assert.deepEqual(
				searched.body.campaigns.map((c: { name: string }) => c.name),
				['Winter sale'],
			);
			const bad = await browser.get('/api/campaigns?limit=5000');
			assert.equal(bad.status, 400);
			assert.equal(bad.body.field, 'limit');
			assert.match(bad.body.error, /"limit" must be a whole number from 1 to 200/);
		});

		it('shows a campaign page: progress, queue positions in dispatch order, duration, cost vs estimate', async () => {
			const anna = await as('anna@example.com');
			const answer = await anna.get(`/api/campaigns/${ids.a}`);
			assert.equal(answer.status, 200);
			assert.equal(answer.body.campaign.name, 'Spring launch');
			assert.equal(answer.body.total, 6);
			const run = (id: string) => answer.body.runs.find((r: { id: string }) => r.id === id);
			const busy = run(ids.running);
			assert.equal(busy.title, 'Busy');
			assert.equal(busy.scenesDone, 2);
			assert.equal(busy.scenesTotal, 4);
			assert.ok(busy.progress > 0.2 && busy.progress < 0.85, `progress ${busy.progress}`);
			assert.equal(busy.costUsd, 0.4);
			assert.equal(busy.estimateUsd, 2);
			assert.equal(busy.queuePosition, null);
			assert.ok(busy.durationS >= 300 && busy.durationS < 400, `durationS ${busy.durationS}`);
			const done = run(ids.done);
			assert.equal(done.progress, 1);
			// The latest step event tells a slow pipeline from a stuck one (the run row does not move per scene).
			assert.ok(Math.abs(Date.parse(done.lastEventAt) - (Date.now() - 50 * 3600_000)) < 600_000, `lastEventAt ${done.lastEventAt}`);
			assert.equal(run(ids.queuedLow).lastEventAt, null);
			assert.equal(done.durationS, 120);
			assert.equal(done.costUsd, 0.75);
			// One run is running of Max Running 2: one slot free, so the higher priority run starts next (0), then the other.
			assert.equal(run(ids.queuedHigh).queuePosition, 0);
			assert.equal(run(ids.queuedLow).queuePosition, 1);
			assert.equal(run(ids.queuedLow).progress, 0);
			assert.match(run(ids.failed).error, /Scene 2 failed/);
			const paged = await anna.get(`/api/campaigns/${ids.a}?limit=2&offset=1`);
			assert.equal(paged.body.runs.length, 2);
			assert.equal(paged.body.total, 6);
		});

		it('shows a run page: plan versions, scenes, events, costs by provider and file links', async () => {
			const anna = await as('anna@example.com');
			const answer = await anna.get(`/api/runs/${ids.done}`);
			assert.equal(answer.status, 200);
			const page = answer.body;
			assert.equal(page.run.id, ids.done);
			assert.equal(page.run.status, 'completed');
			assert.equal(page.run.request.title, 'Done');
			assert.deepEqual(
				page.planVersions.map((v: { version: number; score: number }) => [v.version, v.score]),
				[
					[1, 62],
					[2, 85],
				],
			);
			assert.deepEqual(page.planVersions[1].changes, ['Scene 2 shortened to 6 s']);
			assert.equal(page.planVersions[1].parentVersion, 1);
			assert.equal(page.plan.title, 'Done v2');
			assert.equal(page.scenes.length, 3);
			assert.equal(page.scenes[0].clipUrl, `/api/artifacts/runs/${ids.done}/scenes/001/clip.mp4`);
			assert.equal(page.scenes[0].costUsd, 0.75);
			assert.deepEqual(
				page.events.map((e: { stage: string }) => e.stage),
				['planning', 'generation'],
			);
			assert.equal(page.events[1].durationMs, 60000);
			assert.equal(page.costs.totalUsd, 0.75);
			assert.equal(page.costs.estimateUsd, 1.2);
			assert.deepEqual(
				page.costs.byProvider.map((p: { provider: string; amountUsd: number }) => [p.provider, p.amountUsd]),
				[
					['kling', 0.5],
					['elevenlabs', 0.25],
				],
			);
			assert.equal(page.artifacts.video, `/api/artifacts/runs/${ids.done}/final/youtube.mp4`);
			assert.equal(page.artifacts.plan, `/api/artifacts/runs/${ids.done}/plan/v2.json`);
			assert.equal(page.artifacts.subtitles, null);
			// The editor hand-off of a completed run, written by its assembly.
			assert.equal(page.artifacts.timeline, `/api/artifacts/runs/${ids.done}/final/timeline.otio`);
			assert.equal(page.artifacts.edl, `/api/artifacts/runs/${ids.done}/final/timeline.edl`);
			const missing = await anna.get('/api/runs/not-a-run');
			assert.equal(missing.status, 404);
			assert.match(missing.body.error, /There is no run not-a-run/);
		});

		it('computes analytics from the runs a user may see', async () => {
			const anna = await as('anna@example.com');
			const answer = await anna.get('/api/analytics?days=30');
			assert.equal(answer.status, 200);
			const byDay = answer.body.successByDay;
			assert.equal(
				byDay.reduce((n: number, d: { completed: number }) => n + d.completed, 0),
				1,
				"the other campaign's completed run is not counted",
			);
			assert.equal(
				byDay.reduce((n: number, d: { failed: number }) => n + d.failed, 0),
				1,
			);
			assert.deepEqual(
				answer.body.stageDurations.map((s: { stage: string; avgSeconds: number; runs: number }) => [s.stage, s.avgSeconds, s.runs]),
				[
					['generation', 60, 1],
					['planning', 3, 2],
				],
			);
			assert.deepEqual(answer.body.costPerVideoByProvider, [
				{ provider: 'kling', videos: 1, avgUsd: 0.5 },
				{ provider: 'elevenlabs', videos: 1, avgUsd: 0.25 },
			]);
			assert.deepEqual(answer.body.failureReasons, [
				{ reason: 'Scene N failed: Kling refused the prompt (content policy). Rewrite scene N.', count: 1 },
			]);
			const all = await (await as(ADMIN.email, ADMIN.password)).get('/api/analytics');
			assert.deepEqual(
				all.body.costPerVideoByProvider.map((p: { provider: string }) => p.provider),
				['runway', 'kling', 'elevenlabs'],
			);
		});
	});

	describe('campaigns', () => {
		it('creates a campaign (its manager becomes a member), renames it, and says when a name is taken', async () => {
			const ben = await as('ben@example.com');
			const created = await ben.post('/api/campaigns', { name: '  Summer teaser ', budgetUsd: 12.5 });
			assert.equal(created.status, 201);
			assert.equal(created.body.name, 'Summer teaser');
			assert.equal(created.body.budgetUsd, 12.5);
			assert.equal(created.body.runs, 0);
			assert.equal(created.body.successRate, null);
			const list = await ben.get('/api/campaigns');
			assert.deepEqual(list.body.campaigns.map((c: { name: string }) => c.name).sort(), ['Summer teaser', 'Winter sale']);
			const renamed = await ben.patch(`/api/campaigns/${created.body.id}`, { name: 'Summer trailer', budgetUsd: null });
			assert.equal(renamed.status, 200);
			assert.equal(renamed.body.name, 'Summer trailer');
			assert.equal(renamed.body.budgetUsd, null);
			const taken = await ben.patch(`/api/campaigns/${created.body.id}`, { name: 'Winter sale' });
			assert.equal(taken.status, 409);
			assert.match(taken.body.error, /"Winter sale" already exists/);
			const noName = await ben.post('/api/campaigns', { name: '' });
			assert.equal(noName.status, 400);
			assert.equal(noName.body.field, 'name');
			const badBudget = await ben.post('/api/campaigns', { name: 'X', budgetUsd: -1 });
			assert.equal(badBudget.body.field, 'budgetUsd');
			const notJson = await ben.request('POST', '/api/campaigns', '{"name":', { headers: { 'content-type': 'application/json' } });
			assert.equal(notJson.status, 400);
			assert.match(notJson.body.error, /not valid JSON/);
			const tooLong = await ben.post('/api/campaigns', { name: 'x'.repeat(201) });
			assert.deepEqual([tooLong.status, tooLong.body.field, tooLong.body.error], [400, 'name', 'The name has 201 characters; use at most 200.']);
			const nothing = await ben.patch(`/api/campaigns/${created.body.id}`, {});
			assert.deepEqual([nothing.status, nothing.body.field], [400, 'body']);
			const asText = await ben.request('POST', '/api/campaigns', '{"name":"Sent as text"}', { headers: { 'content-type': 'text/plain' } });
			assert.equal(asText.status, 415);
			assert.match(asText.body.error, /Content-Type: application\/json/);
		});
	});

	describe('cast', () => {
		// A 1×1 PNG: what a manager uploads as a character's reference image.
		const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

		it('saves the cast as versions, with uploaded images, naming the field that is wrong', async () => {
			const anna = await as('anna@example.com');
			const empty = await anna.get(`/api/campaigns/${ids.a}/cast`);
			assert.equal(empty.status, 200);
			assert.deepEqual([empty.body.version, empty.body.cast], [0, { characters: [], settings: [], narrator: null }]);

			const notImage = await anna.post(`/api/campaigns/${ids.a}/cast/images`, { image: `data:image/png;base64,${Buffer.from('not a png').toString('base64')}` });
			assert.deepEqual([notImage.status, notImage.body.field], [400, 'image']);
			assert.match(notImage.body.error, /not a PNG image/);
			const uploaded = await anna.post(`/api/campaigns/${ids.a}/cast/images`, { image: `data:image/png;base64,${PNG.toString('base64')}` });
			assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
			assert.match(uploaded.body.key, new RegExp(`^campaigns/${ids.a}/cast/[0-9a-f-]+\\.png$`));
			assert.deepEqual(await s3.storage.downloadBuffer({ bucket: s3.bucket, key: uploaded.body.key }), PNG);

			const zoe = {
				name: 'Zoë',
				aliases: ['Zoe Martin'],
				description: 'a tall woman in a red wool coat',
				images: [uploaded.body.key],
				voice: { provider: 'espeak', voice: 'en-gb+f3' },
			};
			const badVoice = await anna.request('PUT', `/api/campaigns/${ids.a}/cast`, { characters: [{ ...zoe, voice: { provider: 'espeak', voice: '../etc' } }] });
			assert.deepEqual([badVoice.status, badVoice.body.field], [400, 'characters.0.voice.voice']);
			const first = await anna.request('PUT', `/api/campaigns/${ids.a}/cast`, { characters: [zoe], settings: [], version: 0 });
			assert.equal(first.status, 200, JSON.stringify(first.body));
			assert.equal(first.body.version, 1);
			assert.equal(first.body.createdBy, 'anna@example.com');
			// The page shows the image through a presigned link.
			const shown = await fetch(first.body.images[uploaded.body.key]);
			assert.deepEqual(Buffer.from(await shown.arrayBuffer()), PNG);

			const second = await anna.request('PUT', `/api/campaigns/${ids.a}/cast`, {
				characters: [{ ...zoe, description: 'a tall woman in a green coat' }],
				settings: [{ name: 'Café du Monde', description: 'brass lamps' }],
				version: 1,
			});
			assert.equal(second.body.version, 2);
			// An edit of version 1 saved after version 2 would lose that change: refused.
			const stale = await anna.request('PUT', `/api/campaigns/${ids.a}/cast`, { characters: [], version: 1 });
			assert.equal(stale.status, 409);
			assert.match(stale.body.error, /saved as version 2 since you opened version 1/);

			const versions = await anna.get(`/api/campaigns/${ids.a}/cast/versions`);
			assert.deepEqual(
				versions.body.versions.map((v: { version: number; characters: number; settings: number }) => [v.version, v.characters, v.settings]),
				[
					[2, 1, 1],
					[1, 1, 0],
				],
			);
			const one = await anna.get(`/api/campaigns/${ids.a}/cast/versions/1`);
			assert.equal(one.body.cast.characters[0].description, 'a tall woman in a red wool coat');
			assert.equal((await anna.get(`/api/campaigns/${ids.a}/cast/versions/9`)).status, 404);

			// Another campaign's manager sees nothing of it, and cannot use its images in their own cast.
			const ben = await as('ben@example.com');
			assert.equal((await ben.get(`/api/campaigns/${ids.a}/cast`)).status, 404);
			const borrowed = await ben.request('PUT', `/api/campaigns/${ids.b}/cast`, { characters: [{ name: 'Zoë', images: [uploaded.body.key] }] });
			assert.deepEqual([borrowed.status, borrowed.body.field], [400, 'characters.0.images.0']);
		});

		it("lists a run's characters the cast does not have, and adds one to the cast", async () => {
			const anna = await as('anna@example.com');
			const runId = await insertRun(ids.a, { title: 'Cast run', status: 'completed' });
			const plan = {
				title: 'Cast run',
				scenes: [],
				settings: [],
				characters: [
					{ name: 'ZOE', lines: 1, scenes: [1], description: '' },
					{ name: 'MIRA', lines: 2, scenes: [1], description: 'a girl of ten in a yellow raincoat' },
				],
			};
			await db.query("insert into plan_versions (run_id, version, plan, source, chosen) values ($1, 1, $2, 'parse', true)", [runId, JSON.stringify(plan)]);
			const before = await anna.get(`/api/runs/${runId}/cast`);
			assert.equal(before.status, 200, JSON.stringify(before.body));
			assert.deepEqual(before.body.characters, [{ name: 'ZOE', cast: 'Zoë' }]);
			assert.deepEqual(before.body.newCharacters, [{ name: 'MIRA', description: 'a girl of ten in a yellow raincoat' }]);

			const added = await anna.post(`/api/campaigns/${ids.a}/cast/characters`, { name: 'MIRA', description: 'a girl of ten in a yellow raincoat' });
			assert.equal(added.status, 201, JSON.stringify(added.body));
			assert.equal(added.body.version, 3);
			assert.deepEqual(added.body.cast.characters.map((c: { name: string }) => c.name), ['Zoë', 'MIRA']);
			const after = await anna.get(`/api/runs/${runId}/cast`);
			assert.deepEqual([after.body.newCharacters, after.body.latestVersion], [[], 3]);
			const again = await anna.post(`/api/campaigns/${ids.a}/cast/characters`, { name: 'zoé' });
			assert.deepEqual([again.status, again.body.field], [400, 'name']);
			const ben = await as('ben@example.com');
			assert.equal((await ben.get(`/api/runs/${runId}/cast`)).status, 404);
		});

		it("keeps the campaign's narrator with the cast, through an added character too, naming the setting that is wrong", async () => {
			const anna = await as('anna@example.com');
			const latest = await anna.get(`/api/campaigns/${ids.a}/cast`);
			const narrator = { provider: 'google', voice: 'en-US-Neural2-D', settings: { speakingRate: 0.9, pitch: -3 }, language: 'en-US' };
			const wrong = await anna.request('PUT', `/api/campaigns/${ids.a}/cast`, {
				...latest.body.cast,
				narrator: { ...narrator, settings: { stability: 0.5 } },
				version: latest.body.version,
			});
			assert.deepEqual([wrong.status, wrong.body.field], [400, 'narrator.settings.stability']);
			assert.match(wrong.body.error, /not a setting of google; it takes rate, speakingRate, pitch/);
			const saved = await anna.request('PUT', `/api/campaigns/${ids.a}/cast`, { ...latest.body.cast, narrator, version: latest.body.version });
			assert.equal(saved.status, 200, JSON.stringify(saved.body));
			assert.deepEqual(saved.body.cast.narrator, narrator);
			const added = await anna.post(`/api/campaigns/${ids.a}/cast/characters`, { name: 'Narrator Test Extra', description: '' });
			assert.equal(added.status, 201, JSON.stringify(added.body));
			assert.deepEqual(added.body.cast.narrator, narrator, 'adding a character keeps the narrator');
			const cleared = await anna.request('PUT', `/api/campaigns/${ids.a}/cast`, { ...added.body.cast, narrator: null, version: added.body.version });
			assert.equal(cleared.body.cast.narrator, null);
		});
	});

	describe('own media uploads', () => {
		const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
		/** A multipart upload as the New Run form sends it, with the browser's session cookie. */
		async function upload(browser: Browser, campaignId: string, fields: { kind?: string; file?: { bytes: Buffer; name: string; type: string } }) {
			const form = new FormData();
			if (fields.kind !== undefined) form.set('kind', fields.kind);
			if (fields.file) form.set('file', new Blob([new Uint8Array(fields.file.bytes)], { type: fields.file.type }), fields.file.name);
			const response = await fetch(`${base}/api/campaigns/${campaignId}/media`, { method: 'POST', body: form, headers: { cookie: browser.cookie } });
			return { status: response.status, body: (await response.json()) as any };
		}

		it('stores a still, a clip and a voice-over under the campaign and answers the key to use', async () => {
			const anna = await as('anna@example.com');
			const still = await upload(anna, ids.a, { kind: 'still', file: { bytes: PNG, name: 'opening.png', type: 'image/png' } });
			assert.equal(still.status, 201, JSON.stringify(still.body));
			assert.match(still.body.key, new RegExp(`^campaigns/${ids.a}/media/still/[0-9a-f-]+\\.png$`));
			assert.deepEqual([still.body.kind, still.body.bytes, still.body.duration], ['still', PNG.length, null]);
			assert.deepEqual(await s3.storage.downloadBuffer({ bucket: s3.bucket, key: still.body.key }), PNG);
			assert.deepEqual(Buffer.from(await (await fetch(still.body.url)).arrayBuffer()), PNG, 'the presigned link shows it');

			const dir = await mkdtemp(join(tmpdir(), 'reelsmith-upload-test-'));
			try {
				const clip = await makeClip(join(dir, 'clip.mp4'), { duration: 1, audio: 'silent' });
				const voice = await makeTone(join(dir, 'voice.wav'), { duration: 1.5 });
				const { readFile } = await import('node:fs/promises');
				const clipAnswer = await upload(anna, ids.a, { kind: 'clip', file: { bytes: await readFile(clip), name: 'my clip.mp4', type: 'video/mp4' } });
				assert.equal(clipAnswer.status, 201, JSON.stringify(clipAnswer.body));
				assert.match(clipAnswer.body.key, /\/media\/clip\/[0-9a-f-]+\.mp4$/);
				assert.ok(Math.abs(clipAnswer.body.duration - 1) < 0.1, `clip lasts ${clipAnswer.body.duration} s`);
				const voiceAnswer = await upload(anna, ids.a, { kind: 'voiceOver', file: { bytes: await readFile(voice), name: 'take1.wav', type: 'audio/wav' } });
				assert.equal(voiceAnswer.status, 201, JSON.stringify(voiceAnswer.body));
				assert.ok(Math.abs(voiceAnswer.body.duration - 1.5) < 0.05, `voice-over lasts ${voiceAnswer.body.duration} s`);
				// A WAV is not a clip, whatever its name says.
				const disguised = await upload(anna, ids.a, { kind: 'clip', file: { bytes: await readFile(voice), name: 'fake.mp4', type: 'video/mp4' } });
				assert.deepEqual([disguised.status, disguised.body.field], [400, 'file']);
				assert.match(disguised.body.error, /is not a video .* ffmpeg can read \(no video in it\)/);
			} finally {
				await rm(dir, { recursive: true, force: true });
			}

			const link = await anna.get(`/api/campaigns/${ids.a}/media/link?key=${encodeURIComponent(still.body.key)}`);
			assert.equal(link.status, 200);
			assert.deepEqual(Buffer.from(await (await fetch(link.body.url)).arrayBuffer()), PNG);
		});

		it('answers a 400 naming the field for a wrong kind, a missing or mistyped file, or one too big', async () => {
			const anna = await as('anna@example.com');
			const noKind = await upload(anna, ids.a, { file: { bytes: PNG, name: 'a.png', type: 'image/png' } });
			assert.deepEqual([noKind.status, noKind.body.field], [400, 'kind']);
			assert.match(noKind.body.error, /"kind" must be one of clip, still, voiceOver, music/);
			const badKind = await upload(anna, ids.a, { kind: 'poster', file: { bytes: PNG, name: 'a.png', type: 'image/png' } });
			assert.deepEqual([badKind.status, badKind.body.field], [400, 'kind']);
			const noFile = await upload(anna, ids.a, { kind: 'still' });
			assert.deepEqual([noFile.status, noFile.body.field], [400, 'file']);
			assert.match(noFile.body.error, /"file" is missing/);
			const wrongName = await upload(anna, ids.a, { kind: 'still', file: { bytes: PNG, name: 'a.gif', type: 'image/gif' } });
			assert.deepEqual([wrongName.status, wrongName.body.field], [400, 'file']);
			assert.match(wrongName.body.error, /must end in \.png, \.jpg, \.jpeg, \.webp/);
			const notImage = await upload(anna, ids.a, { kind: 'still', file: { bytes: Buffer.from('hello, not a picture'), name: 'a.png', type: 'image/png' } });
			assert.deepEqual([notImage.status, notImage.body.field], [400, 'file']);
			assert.match(notImage.body.error, /is not a PNG, JPEG or WebP image/);
			const big = Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]);
			const tooBig = await upload(anna, ids.a, { kind: 'still', file: { bytes: big, name: 'big.png', type: 'image/png' } });
			assert.deepEqual([tooBig.status, tooBig.body.field], [400, 'file']);
			assert.match(tooBig.body.error, /a still may be at most 10 MB/);
		});

		it("keeps a campaign's uploads from managers of other campaigns", async () => {
			const anna = await as('anna@example.com');
			const ben = await as('ben@example.com');
			const into = await upload(ben, ids.a, { kind: 'still', file: { bytes: PNG, name: 'a.png', type: 'image/png' } });
			assert.equal(into.status, 404, 'ben cannot upload into campaign A');
			const annas = await upload(anna, ids.a, { kind: 'still', file: { bytes: PNG, name: 'a.png', type: 'image/png' } });
			assert.equal(annas.status, 201);
			const read = await ben.get(`/api/campaigns/${ids.a}/media/link?key=${encodeURIComponent(annas.body.key)}`);
			assert.equal(read.status, 404, 'ben cannot read it through campaign A');
			const through = await ben.get(`/api/campaigns/${ids.b}/media/link?key=${encodeURIComponent(annas.body.key)}`);
			assert.equal(through.status, 404, 'nor through his own campaign');
			assert.match(through.body.error, /has no upload/);
			const admin = await as(ADMIN.email, ADMIN.password);
			assert.equal((await admin.get(`/api/campaigns/${ids.a}/media/link?key=${encodeURIComponent(annas.body.key)}`)).status, 200);
		});
	});

	describe('brand kit', () => {
		it('saves a campaign brand kit as versions, names the bad field, uploads the logo outside runs/, and shows the version a run used', async () => {
			const anna = await as('anna@example.com');
			const empty = await anna.get(`/api/campaigns/${ids.a}/brand`);
			assert.deepEqual([empty.status, empty.body.brand], [200, null], 'no kit before the first save');

			const bad = await anna.request('PUT', `/api/campaigns/${ids.a}/brand`, { colors: { background: 'red' } });
			assert.deepEqual([bad.status, bad.body.field], [400, 'brand.colors.background']);
			assert.match(bad.body.error, /#rrggbb/);
			const unknown = await anna.request('PUT', `/api/campaigns/${ids.a}/brand`, { colours: {} });
			assert.deepEqual([unknown.status, unknown.body.field], [400, 'brand.colours']);

			const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
			const logo = await anna.post(`/api/campaigns/${ids.a}/brand/logo`, { contentType: 'image/png', data: png.toString('base64') });
			assert.equal(logo.status, 201, JSON.stringify(logo.body));
			assert.match(logo.body.key, new RegExp(`^brand/${ids.a}/logo-[0-9a-f]{16}\\.png$`));
			assert.deepEqual(await s3.storage.downloadBuffer({ bucket: s3.bucket, key: logo.body.key }), png, 'the logo is stored as sent');
			const notPng = await anna.post(`/api/campaigns/${ids.a}/brand/logo`, { contentType: 'image/png', data: Buffer.from('<svg/>').toString('base64') });
			assert.deepEqual([notPng.status, notPng.body.field], [400, 'data']);

			const first = await anna.request('PUT', `/api/campaigns/${ids.a}/brand`, { preset: 'shorts', colors: { background: '#102030' } });
			assert.equal(first.status, 200, JSON.stringify(first.body));
			assert.equal(first.body.brand.version, 1);
			const second = await anna.request('PUT', `/api/campaigns/${ids.a}/brand`, {
				preset: 'shorts',
				colors: { background: '#c03020' },
				logo: { key: logo.body.key, position: 'topLeft' },
			});
			assert.equal(second.body.brand.version, 2);
			assert.deepEqual(second.body.brand.kit.logo, { key: logo.body.key, position: 'topLeft', size: 0.15, opacity: 0.8 });
			const latest = await anna.get(`/api/campaigns/${ids.a}/brand`);
			assert.equal(latest.body.brand.kit.colors.background, '#c03020');
			const versions = await anna.get(`/api/campaigns/${ids.a}/brand/versions`);
			assert.deepEqual(versions.body.versions.map((v: { version: number }) => v.version), [2, 1]);
			assert.equal(versions.body.versions[1].kit.colors.background, '#102030', 'the old version is kept as it was');
			const { rows } = await db.query("select after from audit_log where action = 'campaign.brand' order by id desc limit 1");
			assert.equal(rows[0].after.version, 2);

			// Another campaign's kit is out of reach, as its runs are.
			assert.equal((await anna.get(`/api/campaigns/${ids.b}/brand`)).status, 404);
			assert.equal((await anna.request('PUT', `/api/campaigns/${ids.b}/brand`, {})).status, 404);
			assert.equal((await anna.post(`/api/campaigns/${ids.b}/brand/logo`, { contentType: 'image/png', data: png.toString('base64') })).status, 404);

			const run = await insertRun(ids.a, { title: 'Branded', brand_version: 2 });
			const page = await anna.get(`/api/runs/${run}`);
			assert.equal(page.body.run.brandVersion, 2);
			const campaign = await anna.get(`/api/campaigns/${ids.a}`);
			assert.equal(campaign.body.runs.find((line: { id: string }) => line.id === run).brandVersion, 2);
		});
	});

	describe('callbacks', () => {
		it("shows a campaign's signing secret to its managers only, and rotates it", async () => {
			const [anna, ben] = [await as('anna@example.com'), await as('ben@example.com')];
			const shown = await anna.get(`/api/campaigns/${ids.a}/callback-secret`);
			assert.equal(shown.status, 200);
			assert.match(shown.body.secret, /^whsec_[0-9a-f]{64}$/);
			assert.equal(shown.headers.get('cache-control'), 'private, no-store');
			assert.equal((await ben.get(`/api/campaigns/${ids.a}/callback-secret`)).status, 404, "another campaign's manager");
			assert.equal((await ben.post(`/api/campaigns/${ids.a}/callback-secret/rotate`)).status, 404);
			const rotated = await anna.post(`/api/campaigns/${ids.a}/callback-secret/rotate`);
			assert.equal(rotated.status, 200);
			assert.match(rotated.body.secret, /^whsec_[0-9a-f]{64}$/);
			assert.notEqual(rotated.body.secret, shown.body.secret);
			assert.equal((await anna.get(`/api/campaigns/${ids.a}/callback-secret`)).body.secret, rotated.body.secret);
			const list = await anna.get('/api/campaigns');
			assert.ok(!JSON.stringify(list.body).includes(rotated.body.secret), 'the campaign list does not carry it');
		});

		it("lists a run's callback attempts; send again makes a new attempt, signed with the current secret", async () => {
			const receiver = await new CallbackReceiver().start();
			receiver.answerInTurn([503, 200]);
			try {
				const anna = await as('anna@example.com');
				const runId = await insertRun(ids.a, { title: 'Called back', status: 'running', stage: 'assembly' });
				await db.query(`update runs set request = request || jsonb_build_object('callbackUrl', $2::text) where id = $1`, [runId, receiver.url]);
				await db.query("update runs set status = 'failed', error = 'Scene 1 failed.' where id = $1", [runId]);

				const before = await anna.get(`/api/runs/${runId}/callbacks`);
				assert.equal(before.status, 200);
				assert.equal(before.body.deliveries.length, 1, 'the run ending made one delivery');
				const [delivery] = before.body.deliveries;
				assert.deepEqual([delivery.event, delivery.status, delivery.attemptList], ['run.failed', 'pending', []]);

				const first = await anna.post(`/api/runs/${runId}/callbacks/${delivery.id}/send`);
				assert.equal(first.status, 200, JSON.stringify(first.body));
				assert.deepEqual([first.body.attempt.delivered, first.body.attempt.statusCode], [false, 503]);
				assert.equal(first.body.deliveries[0].status, 'pending', 'a failed manual attempt leaves the schedule as it was');
				const second = await anna.post(`/api/runs/${runId}/callbacks/${delivery.id}/send`);
				assert.deepEqual([second.body.attempt.delivered, second.body.attempt.statusCode], [true, 200]);

				const after = (await anna.get(`/api/runs/${runId}/callbacks`)).body.deliveries[0];
				assert.equal(after.status, 'delivered');
				assert.deepEqual(
					after.attemptList.map((a: { statusCode: number; madeBy: string }) => [a.statusCode, a.madeBy]),
					[
						[503, 'anna@example.com'],
						[200, 'anna@example.com'],
					],
				);
				assert.ok(after.attemptList.every((a: { latencyMs: number; attemptedAt: string }) => a.latencyMs >= 0 && a.attemptedAt));
				assert.match(after.attemptList[0].error, /answered 503/);

				const calls = receiver.received;
				assert.equal(calls.length, 2);
				const secret = (await db.query('select callback_secret from campaigns where id = $1', [ids.a])).rows[0].callback_secret;
				assert.ok(verifySignature(secret, calls[1].headers, calls[1].body));
				assert.equal(calls[1].event.type, 'run.failed');
				assert.equal(calls[1].event.run.error, 'Scene 1 failed.');

				const ben = await as('ben@example.com');
				assert.equal((await ben.get(`/api/runs/${runId}/callbacks`)).status, 404);
				assert.equal((await ben.post(`/api/runs/${runId}/callbacks/${delivery.id}/send`)).status, 404);
				assert.equal((await anna.post(`/api/runs/${ids.done}/callbacks/${delivery.id}/send`)).status, 404, 'a delivery of another run');
				assert.equal(receiver.received.length, 2, 'refused requests sent nothing');
			} finally {
				await receiver.stop();
			}
		});
	});

	describe('actions', () => {
		it('starts a run: forwards the form with the campaign name and the token, answers 202', async () => {
			const anna = await as('anna@example.com');
			n8n.calls.length = 0;
			const answer = await anna.post(`/api/campaigns/${ids.a}/runs`, {
				script: 'INT. LAB - NIGHT\n\nA light blinks.',
				style: 'terminal',
				budget: 2,
				approval: true,
				campaign: 'ignored',
			});
			assert.equal(answer.status, 202);
			assert.equal(answer.body.runId, '00000000-0000-4000-8000-000000000001');
			assert.equal(answer.body.queuePosition, 3);
			const [call] = n8n.callsTo('/webhook/reelsmith/runs');
			assert.equal(call.method, 'POST');
			assertSigned(call);
			assert.deepEqual(call.body, {
				script: 'INT. LAB - NIGHT\n\nA light blinks.',
				style: 'terminal',
				budget: 2,
				approval: true,
				campaign: 'Spring launch',
			});
		});

		it("relays the pipeline's 400 with the field to show it next to", async () => {
			const anna = await as('anna@example.com');
			const answer = await anna.post(`/api/campaigns/${ids.a}/runs`, { script: 'bad' });
			assert.equal(answer.status, 400);
			assert.deepEqual(answer.body, { error: { field: 'script', message: '"script" is empty. Send the script text.' } });
		});

		it('says in words when n8n is not reachable', async () => {
			const anna = await as('anna@example.com');
			const saved = n8n.routes.get('/webhook/reelsmith/runs')!;
			n8n.routes.delete('/webhook/reelsmith/runs');
			try {
				const answer = await anna.post(`/api/campaigns/${ids.a}/runs`, { script: 'x' });
				assert.equal(answer.status, 502);
				assert.match(answer.body.error, /Publish the Reelsmith workflows/);
			} finally {
				n8n.routes.set('/webhook/reelsmith/runs', saved);
			}
		});

		it('retries a failed run through the resume webhook, and refuses a completed one with its state', async () => {
			const anna = await as('anna@example.com');
			n8n.calls.length = 0;
			const answer = await anna.post(`/api/runs/${ids.failed}/retry`);
			assert.equal(answer.status, 202, JSON.stringify(answer.body));
			assert.equal(answer.body.run.id, ids.failed);
			const [call] = n8n.callsTo('/webhook/reelsmith/resume');
			assertSigned(call);
			assert.deepEqual(call.body, { runId: ids.failed });
			const refused = await anna.post(`/api/runs/${ids.done}/resume`);
			assert.equal(refused.status, 409);
			assert.match(refused.body.error, /This run is completed\. .*Start a new run/);
			assert.equal(n8n.callsTo('/webhook/reelsmith/resume').length, 1);
		});

		it('cancels a queued run at once, asks a running one to stop, and refuses a finished one', async () => {
			const anna = await as('anna@example.com');
			const queued = await anna.post(`/api/runs/${ids.queuedLow}/cancel`);
			assert.equal(queued.status, 202);
			assert.equal(queued.body.run.status, 'cancelled');
			const { rows } = await db.query('select status, cancel_requested_at, cancel_requested_by, error from runs where id = $1', [ids.queuedLow]);
			assert.equal(rows[0].status, 'cancelled');
			assert.ok(rows[0].cancel_requested_at);
			assert.equal(rows[0].cancel_requested_by, 'anna');
			assert.match(rows[0].error, /Cancelled by anna before it started/);
			const running = await anna.post(`/api/runs/${ids.running}/cancel`);
			assert.equal(running.status, 202);
			assert.equal(running.body.run.status, 'running');
			assert.ok(running.body.run.cancelRequestedAt);
			const again = await anna.post(`/api/runs/${ids.queuedLow}/cancel`);
			assert.equal(again.status, 409);
			assert.match(again.body.error, /already cancelled/);
		});

		it('approves a storyboard: writes the decision, then resumes the waiting execution', async () => {
			const anna = await as('anna@example.com');
			n8n.calls.length = 0;
			const bad = await anna.post(`/api/runs/${ids.waiting}/approval`, { decision: 'maybe' });
			assert.equal(bad.status, 400);
			assert.equal(bad.body.field, 'decision');
			const answer = await anna.post(`/api/runs/${ids.waiting}/approval`, { decision: 'approve', note: 'Looks good' });
			assert.equal(answer.status, 202, JSON.stringify(answer.body));
			const { rows } = await db.query('select approval, approval_note, approval_by, approval_at from runs where id = $1', [ids.waiting]);
			assert.deepEqual([rows[0].approval, rows[0].approval_note, rows[0].approval_by], ['approved', 'Looks good', 'anna']);
			assert.ok(rows[0].approval_at);
			// The public host of the resume URL is replaced by the n8n address the dashboard was given.
			const [call] = n8n.callsTo('/webhook-waiting/ok');
			assert.equal(call.method, 'POST');
			assert.deepEqual(call.body, { runId: ids.waiting, decision: 'approve' });
			const twice = await anna.post(`/api/runs/${ids.waiting}/approval`, { decision: 'reject' });
			assert.equal(twice.status, 409);
			assert.match(twice.body.error, /already approved by anna/);
		});

		it('takes a picked take back with the decision when n8n does not accept it', async () => {
			const runId = await insertRun(ids.a, {
				title: 'Two takes',
				status: 'awaiting_approval',
				approval: 'pending',
				approval_url: `${n8n.url}/webhook-waiting/busy`,
			});
			for (const [version, take, chosen] of [
				[1, 1, true],
				[2, 2, false],
			] as const) {
				await db.query('insert into plan_versions (run_id, version, take, chosen, score, plan) values ($1, $2, $3, $4, 90, $5)', [
					runId,
					version,
					take,
					chosen,
					JSON.stringify({ scenes: [] }),
				]);
			}
			const anna = await as('anna@example.com');
			const rejectWithTake = await anna.post(`/api/runs/${runId}/approval`, { decision: 'reject', take: 2 });
			assert.equal(rejectWithTake.status, 400);
			assert.equal(rejectWithTake.body.field, 'take');
			const answer = await anna.post(`/api/runs/${runId}/approval`, { decision: 'approve', take: 2 });
			assert.equal(answer.status, 502, JSON.stringify(answer.body));
			const { rows } = await db.query('select take from plan_versions where run_id = $1 and chosen', [runId]);
			assert.deepEqual(rows, [{ take: 1 }], 'take 1 is still the one the run would make');
			const run = await db.query('select approval from runs where id = $1', [runId]);
			assert.equal(run.rows[0].approval, 'pending');
		});

		it('prices a picked take again: a take over the budget is refused and nothing changes; a take within it updates the estimate', async () => {
			const providers = { planner: 'rules', video: ['kling'], speech: ['espeak'] };
			const runId = await insertRun(ids.a, {
				title: 'Takes and a budget',
				status: 'awaiting_approval',
				approval: 'pending',
				approval_url: `${n8n.url}/webhook-waiting/ok`,
				options: { approval: true, providers },
				budget_usd: 1,
				cost_estimate: 0.28,
			});
			const scene = (number: number, duration: number) => ({ number, heading: 'INT. ROOM - DAY', action: 'A door opens.', duration, dialogue: [] });
			const takes = [
				{ take: 1, chosen: true, plan: { scenes: [scene(1, 5)] } },
				{ take: 2, chosen: false, plan: { scenes: [1, 2, 3, 4].map((n) => scene(n, 10)) } },
				{ take: 3, chosen: false, plan: { scenes: [scene(1, 5), scene(2, 5)] } },
			];
			for (const [index, { take, chosen, plan }] of takes.entries()) {
				await db.query('insert into plan_versions (run_id, version, take, chosen, score, plan) values ($1, $2, $3, $4, 80, $5)', [
					runId,
					index + 1,
					take,
					chosen,
					JSON.stringify(plan),
				]);
			}
			const anna = await as('anna@example.com');
			n8n.calls.length = 0;
			const over = await anna.post(`/api/runs/${runId}/approval`, { decision: 'approve', take: 2 });
			assert.equal(over.status, 400, JSON.stringify(over.body));
			assert.equal(over.body.field, 'take');
			assert.equal(
				over.body.error,
				'Take 2 does not fit the budget: its estimate is $2.24 and the run budget is $1.00. Pick a cheaper take, or approve the take the run would make.',
			);
			assert.equal(n8n.callsTo('/webhook-waiting/ok').length, 0, 'the waiting execution was not resumed');
			const unchanged = await db.query('select approval, cost_estimate from runs where id = $1', [runId]);
			assert.deepEqual([unchanged.rows[0].approval, Number(unchanged.rows[0].cost_estimate)], ['pending', 0.28]);
			const still = await db.query('select take from plan_versions where run_id = $1 and chosen', [runId]);
			assert.deepEqual(still.rows, [{ take: 1 }]);

			const within = await anna.post(`/api/runs/${runId}/approval`, { decision: 'approve', take: 3 });
			assert.equal(within.status, 202, JSON.stringify(within.body));
			const after = await db.query('select approval, cost_estimate from runs where id = $1', [runId]);
			assert.deepEqual([after.rows[0].approval, Number(after.rows[0].cost_estimate)], ['approved', 0.56]);
			const chosen = await db.query('select take from plan_versions where run_id = $1 and chosen', [runId]);
			assert.deepEqual(chosen.rows, [{ take: 3 }]);
			const events = await db.query('select message from events where run_id = $1 order by id', [runId]);
			assert.ok(
				events.rows.some((row) => String(row.message).startsWith('Take 3 picked. Estimate $0.56 (2 scene(s), 10 s on kling')),
				JSON.stringify(events.rows),
			);
		});

		it("edits a scene's picture before approval: a new manual plan version of that take, the run's own take stays the one it makes", async () => {
			const runId = await insertRun(ids.a, {
				title: 'Storyboard edits',
				status: 'awaiting_approval',
				approval: 'pending',
				approval_url: `${n8n.url}/webhook-waiting/ok`,
			});
			const scene = (number: number, visualDescription: string) => ({ number, heading: 'INT. ROOM - DAY', action: 'A door opens.', visualDescription, duration: 4, dialogue: [] });
			for (const [version, take, chosen] of [[1, 1, true], [2, 2, false]] as const) {
				await db.query('insert into plan_versions (run_id, version, take, chosen, score, plan) values ($1, $2, $3, $4, 85, $5)', [
					runId,
					version,
					take,
					chosen,
					JSON.stringify({ scenes: [scene(1, `Take ${take}: a wide shot of the room.`), scene(2, 'A hand on the handle.')] }),
				]);
			}
			const anna = await as('anna@example.com');
			const path = (n: number | string) => `/api/runs/${runId}/storyboard/scenes/${n}`;
			const edited = await anna.patch(path(2), { visualDescription: '  Close on a brass handle turning, morning light.  ' });
			assert.equal(edited.status, 200, JSON.stringify(edited.body));
			assert.deepEqual(edited.body, { version: 3, take: 1, chosen: true, scene: { number: 2, visualDescription: 'Close on a brass handle turning, morning light.' } });
			const versions = await db.query('select version, take, chosen, source, parent_version, score, plan, plan_key from plan_versions where run_id = $1 order by version', [runId]);
			assert.deepEqual(
				versions.rows.map((v) => [v.version, v.take, v.chosen, v.source, v.parent_version, v.score]),
				[
					[1, 1, false, null, null, 85],
					[2, 2, false, null, null, 85],
					[3, 1, true, 'manual', 1, null],
				],
			);
			assert.equal(versions.rows[2].plan.scenes[1].visualDescription, 'Close on a brass handle turning, morning light.');
			assert.equal(versions.rows[2].plan.scenes[0].visualDescription, 'Take 1: a wide shot of the room.', 'the other scenes are as they were');
			// The version's JSON is in object storage like every other version, and downloads from the run page.
			const link = await anna.get(`/api/artifacts/${versions.rows[2].plan_key}`);
			assert.equal(link.status, 302);
			const stored = await (await fetch(link.headers.get('location')!)).json();
			assert.equal(stored.source, 'manual');
			assert.equal(stored.plan.scenes[1].visualDescription, 'Close on a brass handle turning, morning light.');
			const detail = await anna.get(`/api/runs/${runId}`);
			assert.equal(detail.body.plan.scenes[1].visualDescription, 'Close on a brass handle turning, morning light.', 'the run page shows the edit');
			const events = await db.query('select message from events where run_id = $1', [runId]);
			assert.deepEqual(events.rows.map((e) => e.message), ['Scene 2 of take 1 edited by anna (plan v3).']);
			const audited = await db.query("select before, after from audit_log where action = 'run.storyboard.edit' and subject_id = $1", [runId]);
			assert.equal(audited.rows[0].before.visualDescription, 'A hand on the handle.');

			// Another take's scene: its own new version; the take the run makes does not change.
			const other = await anna.patch(path(1), { visualDescription: 'Take 2, edited: the door from the hallway.', take: 2 });
			assert.equal(other.status, 200, JSON.stringify(other.body));
			assert.deepEqual([other.body.version, other.body.take, other.body.chosen], [4, 2, false]);
			const chosen = await db.query('select version from plan_versions where run_id = $1 and chosen', [runId]);
			assert.deepEqual(chosen.rows, [{ version: 3 }]);

			// Bad edits: a 400 naming the field, a 404 for no such scene; nothing stored.
			const empty = await anna.patch(path(1), { visualDescription: '   ' });
			assert.deepEqual([empty.status, empty.body.field], [400, 'visualDescription']);
			assert.match(empty.body.error, /is empty\. Describe what the camera shows/);
			const long = await anna.patch(path(1), { visualDescription: 'x'.repeat(2001) });
			assert.deepEqual([long.status, long.body.field], [400, 'visualDescription']);
			const noTake = await anna.patch(path(1), { visualDescription: 'A door.', take: 7 });
			assert.deepEqual([noTake.status, noTake.body.field], [400, 'take']);
			assert.match(noTake.body.error, /no take 7; edit one of take 1, 2/);
			const noScene = await anna.patch(path(9), { visualDescription: 'A door.' });
			assert.equal(noScene.status, 404);
			assert.match(noScene.body.error, /Take 1's plan has no scene 9; it has scenes 1 to 2/);
			const count = await db.query('select count(*)::int as n from plan_versions where run_id = $1', [runId]);
			assert.equal(count.rows[0].n, 4);

			// Once decided, the storyboard is what was approved.
			assert.equal((await anna.post(`/api/runs/${runId}/approval`, { decision: 'approve' })).status, 202);
			const late = await anna.patch(path(1), { visualDescription: 'Too late.' });
			assert.equal(late.status, 409);
			assert.match(late.body.error, /This run is approved; the storyboard can only be edited while it waits for approval\./);
			// Someone who cannot see the run gets the same 404 as for no run at all.
			const ben = await as('ben@example.com');
			assert.equal((await ben.patch(path(1), { visualDescription: 'Mine now.' })).status, 404);
		});

		it("shows a still per scene with its prompt and cast, a new still for an edited scene, and none of it to another campaign's manager", async () => {
			const runId = await insertRun(ids.a, {
				title: 'Storyboard stills',
				status: 'awaiting_approval',
				approval: 'pending',
				approval_url: `${n8n.url}/webhook-waiting/ok`,
				options: { preset: 'square', style: 'titleCard', providers: { planner: 'rules', video: ['runway', 'local'], speech: ['espeak'] } },
			});
			const scene = (number: number, visualDescription: string) => ({
				number,
				heading: 'INT. ROOM - DAY',
				action: 'A door opens.',
				visualDescription,
				duration: 4,
				characters: ['MAYA'],
				dialogue: [{ speaker: 'MAYA', text: 'Hello.' }],
			});
			const plan = { characters: [{ name: 'MAYA', lines: 2, scenes: [1, 2], description: 'a tall woman in a red coat' }], scenes: [scene(1, 'A wide shot of the room.'), scene(2, 'A hand on the handle.')] };
			await db.query("insert into plan_versions (run_id, version, take, chosen, plan) values ($1, 1, 1, true, $2)", [runId, JSON.stringify(plan)]);
			const { drawStills } = await import('../../nodes/Campaign/lib/storyboard');
			const { Storage } = await import('../../nodes/shared/transport/storage');
			const storage = new Storage({ endpoint: s3.endpoint, region: s3.region, accessKey: s3.accessKey, secretKey: s3.secretKey, bucket: s3.bucket, forcePathStyle: true });
			const options = (await db.query('select options from runs where id = $1', [runId])).rows[0].options;
			assert.deepEqual(await drawStills(db, storage, { runId, version: 1, take: 1, plan: plan as never, options }), { drawn: 2, failed: 0, kept: 0 });

			const anna = await as('anna@example.com');
			const board = await anna.get(`/api/runs/${runId}/storyboard`);
			assert.equal(board.status, 200, JSON.stringify(board.body));
			assert.equal(board.body.promptFor, 'runway');
			const [take] = board.body.takes;
			assert.deepEqual(
				take.scenes.map((s: Record<string, any>) => [s.number, s.duration, s.characters, s.still.status, s.still.painter]),
				[
					[1, 4, ['MAYA'], 'drawn', 'local'],
					[2, 4, ['MAYA'], 'drawn', 'local'],
				],
			);
			assert.match(take.scenes[0].prompt, /^INT\. ROOM - DAY\. A wide shot of the room\.+ MAYA: a tall woman in a red coat\. A door opens\..*clean cinematic/, "Runway's prompt with the cast's look");
			const png = async (who: Browser, url: string) => {
				const link = await who.get(url);
				assert.equal(link.status, 302, url);
				return Buffer.from(await (await fetch(link.headers.get('location')!)).arrayBuffer());
			};
			const before = await png(anna, take.scenes[1].still.url);
			assert.equal(before.subarray(1, 4).toString(), 'PNG');
			assert.deepEqual([before.readUInt32BE(16), before.readUInt32BE(20)], [1080, 1080]);

			// An edit draws the edited scene again (new version, new still); the other scene keeps its picture.
			assert.equal((await anna.patch(`/api/runs/${runId}/storyboard/scenes/2`, { visualDescription: 'Close on a brass key.' })).status, 200);
			const after = (await anna.get(`/api/runs/${runId}/storyboard`)).body.takes[0];
			assert.equal(after.version, 2);
			assert.equal(after.scenes[0].still.url, take.scenes[0].still.url, 'scene 1 keeps its still');
			assert.notEqual(after.scenes[1].still.url, take.scenes[1].still.url, 'scene 2 has a new still');
			assert.notDeepEqual(await png(anna, after.scenes[1].still.url), before, 'and a different picture');
			assert.match(after.scenes[1].prompt, /Close on a brass key\./);

			// A manager of another campaign: the same 404 for the storyboard and for each still as for no run at all.
			const ben = await as('ben@example.com');
			assert.equal((await ben.get(`/api/runs/${runId}/storyboard`)).status, 404);
			for (const url of [take.scenes[0].still.url, after.scenes[1].still.url]) assert.equal((await ben.get(url)).status, 404, url);
		});

		it('takes the decision back when n8n does not accept it', async () => {
			const runId = await insertRun(ids.a, {
				title: 'Stale wait',
				status: 'awaiting_approval',
				approval: 'pending',
				approval_url: `${n8n.url}/webhook-waiting/busy`,
			});
			const anna = await as('anna@example.com');
			const answer = await anna.post(`/api/runs/${runId}/approval`, { decision: 'reject', note: 'Too long' });
			assert.equal(answer.status, 502);
			assert.match(answer.body.error, /n8n did not take the decision \(answered 503\)\. Nothing changed/);
			const { rows } = await db.query('select approval, approval_by from runs where id = $1', [runId]);
			assert.deepEqual([rows[0].approval, rows[0].approval_by], ['pending', null]);
			const notWaiting = await anna.post(`/api/runs/${ids.done}/approval`, { decision: 'approve' });
			assert.equal(notWaiting.status, 409);
			assert.match(notWaiting.body.error, /started without storyboard approval/);
		});

		it('carries the decision out without n8n when the execution that waited for it crashed (n8n died as the run began to wait)', async () => {
			const anna = await as('anna@example.com');
			const approved = await insertRun(ids.a, {
				title: 'Crashed wait',
				status: 'awaiting_approval',
				approval: 'pending',
				approval_url: `${n8n.url}/webhook-waiting/crashed`,
			});
			const answer = await anna.post(`/api/runs/${approved}/approval`, { decision: 'approve', note: 'Go' });
			assert.equal(answer.status, 202, JSON.stringify(answer.body));
			const { rows } = await db.query('select status, approval, approval_by, approval_url from runs where id = $1', [approved]);
			assert.deepEqual(rows[0], { status: 'queued', approval: 'approved', approval_by: 'anna', approval_url: null }, 'back in the queue, decision kept');
			const events = await db.query('select message from events where run_id = $1 order by id', [approved]);
			assert.ok(
				events.rows.some((row: { message: string }) => /no longer had the execution waiting .*answered 500.*back in the queue and goes on from the approved storyboard/.test(row.message)),
				JSON.stringify(events.rows),
			);

			const rejected = await insertRun(ids.a, {
				title: 'Crashed wait, rejected',
				status: 'awaiting_approval',
				approval: 'pending',
				approval_url: `${n8n.url}/webhook-waiting/crashed`,
			});
			assert.equal((await anna.post(`/api/runs/${rejected}/approval`, { decision: 'reject', note: 'Too long' })).status, 202);
			const ended = await db.query('select status, error from runs where id = $1', [rejected]);
			assert.deepEqual(ended.rows[0], { status: 'cancelled', error: 'Storyboard rejected by anna: Too long.' });
		});

		it('cancels a run waiting for approval and ends the waiting execution', async () => {
			const runId = await insertRun(ids.a, {
				title: 'Wait then cancel',
				status: 'awaiting_approval',
				approval: 'pending',
				approval_url: `${n8n.url}/webhook-waiting/ok`,
			});
			const anna = await as('anna@example.com');
			n8n.calls.length = 0;
			const answer = await anna.post(`/api/runs/${runId}/cancel`);
			assert.equal(answer.status, 202);
			assert.equal(answer.body.run.status, 'cancelled');
			assert.deepEqual(n8n.callsTo('/webhook-waiting/ok')[0].body, { runId, decision: 'cancel' });
		});
	});

	describe('API keys and users', () => {
		/** A client that sends `Authorization: Bearer <key>` and no cookie, like another app. */
		const withKey = (key: string, at = base) => {
			const client = new Browser(at);
			const request = client.request.bind(client);
			client.request = (method, path, body, init = {}) =>
				request(method, path, body, {
					...init,
					headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string> | undefined) },
				});
			return client;
		};

		it('an admin makes a key for one campaign: shown once, stored as a hash; it starts a run there and sees nothing else', async () => {
			const admin = await as(ADMIN.email, ADMIN.password);
			const made = await admin.post('/api/keys', { name: 'CMS publisher', campaignIds: [ids.a] });
			assert.equal(made.status, 201, JSON.stringify(made.body));
			const token: string = made.body.token;
			assert.match(token, /^rsk_[A-Za-z0-9_-]{43}$/);
			assert.deepEqual(made.body.key.campaignIds, [ids.a]);
			assert.equal(made.body.key.lastUsedAt, null);
			// Only the hash is kept: the token is in no column, and the list never shows it again.
			const { rows } = await db.query('select * from api_keys where id = $1', [made.body.key.id]);
			assert.ok(!JSON.stringify(rows).includes(token.slice(4)), 'the token is not stored');
			const listed = await admin.get('/api/keys');
			assert.ok(!JSON.stringify(listed.body).includes(token.slice(4)));
			assert.equal(listed.body.keys.find((k: any) => k.id === made.body.key.id).prefix, token.slice(0, 8));

			const key = withKey(token);
			n8n.calls.length = 0;
			// No CSRF check on a bearer request (no cookie travels), even when it names another origin.
			const started = await key.request(
				'POST',
				`/api/campaigns/${ids.a}/runs`,
				{ script: 'INT. LAB - NIGHT\n\nA light blinks.' },
				{ headers: { origin: 'https://cms.example' } },
			);
			assert.equal(started.status, 202, JSON.stringify(started.body));
			assert.equal(n8n.callsTo('/webhook/reelsmith/runs')[0].body.campaign, 'Spring launch');
			assert.ok(!JSON.stringify(n8n.calls[0].headers).includes(token), 'the key does not travel to n8n');

			const campaigns = await key.get('/api/campaigns');
			assert.deepEqual(
				campaigns.body.campaigns.map((c: any) => c.id),
				[ids.a],
			);
			for (const path of [
				`/api/campaigns/${ids.b}`,
				`/api/runs/${ids.other}`,
				`/api/artifacts/runs/${ids.other}/final/youtube.mp4`,
				`/api/analytics?campaignId=${ids.b}`,
			]) {
				assert.equal((await key.get(path)).status, 404, path);
			}
			assert.equal((await key.post(`/api/campaigns/${ids.b}/runs`, { script: 'x' })).status, 404);
			assert.equal((await key.post(`/api/runs/${ids.other}/cancel`)).status, 404);
			assert.equal(n8n.callsTo('/webhook/reelsmith/runs').length, 1, 'nothing else reached n8n');
			// A key is never an admin, and cannot widen its own scope by creating a campaign.
			assert.equal((await key.get('/api/users')).status, 403);
			assert.equal((await key.post('/api/keys', { name: 'more', campaignIds: [ids.b] })).status, 403);
			assert.equal((await key.get('/api/system')).status, 403);
			const create = await key.post('/api/campaigns', { name: 'Made by a key' });
			assert.equal(create.status, 403);
			assert.match(create.body.error, /cannot create/);
			const after = await admin.get('/api/keys');
			assert.ok(after.body.keys.find((k: any) => k.id === made.body.key.id).lastUsedAt, 'its last use is recorded');

			// Revoked: refused from the next request on, with a message saying what to do.
			const revoked = await admin.post(`/api/keys/${made.body.key.id}/revoke`);
			assert.equal(revoked.status, 200);
			assert.ok(revoked.body.key.revokedAt);
			const refused = await key.get('/api/campaigns');
			assert.equal(refused.status, 401);
			assert.match(refused.body.error, /API key is not valid/);
			assert.equal((await key.post(`/api/campaigns/${ids.a}/runs`, { script: 'x' })).status, 401);
			assert.equal((await admin.post(`/api/keys/${made.body.key.id}/revoke`)).status, 409);
			assert.equal((await withKey('rsk_' + 'A'.repeat(43)).get('/api/me')).status, 401);
		});

		it('a revoked key stops at once on every dashboard process, not only the one that revoked it', async () => {
			const second = await startDashboard({
				databaseUrl: pg.url,
				s3: { endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey, bucket: s3.bucket, region: s3.region, forcePathStyle: true },
				n8nUrl: n8n.url,
				webhookBase: `${n8n.url}/webhook`,
				webhookToken: TOKEN,
				port: 0,
				distDir,
				migrate: false,
				poolSize: 2,
				log: () => {},
			});
			try {
				const admin = await as(ADMIN.email, ADMIN.password);
				const made = await admin.post('/api/keys', { name: 'Two servers', campaignIds: [ids.a] });
				assert.equal(made.status, 201, JSON.stringify(made.body));
				const elsewhere = withKey(made.body.token, second.url);
				// The second process has the key in its cache now.
				assert.equal((await elsewhere.get('/api/campaigns')).status, 200);
				assert.equal((await admin.post(`/api/keys/${made.body.key.id}/revoke`)).status, 200);
				// The notification crosses Postgres in milliseconds; the cache would have held the key for 5 s.
				const refusedWithin = async (ms: number) => {
					const until = Date.now() + ms;
					for (;;) {
						const status = (await elsewhere.get('/api/campaigns')).status;
						if (status === 401 || Date.now() > until) return status;
						await new Promise((resolve) => setTimeout(resolve, 50));
					}
				};
				assert.equal(await refusedWithin(1500), 401, 'the other process still accepted the revoked key');
			} finally {
				await second.stop();
			}
		});

		it('a key needs a name and campaigns that exist: the 400 names the field and nothing is stored', async () => {
			const admin = await as(ADMIN.email, ADMIN.password);
			const before = (await db.query('select count(*)::int as n from api_keys')).rows[0].n;
			const noCampaigns = await admin.post('/api/keys', { name: 'x', campaignIds: [] });
			assert.deepEqual([noCampaigns.status, noCampaigns.body.field], [400, 'campaignIds']);
			const unknown = await admin.post('/api/keys', { name: 'x', campaignIds: [ids.a, '00000000-0000-4000-8000-00000000dead'] });
			assert.deepEqual([unknown.status, unknown.body.field], [400, 'campaignIds']);
			assert.match(unknown.body.error, /00000000-0000-4000-8000-00000000dead/);
			const noName = await admin.post('/api/keys', { name: ' ', campaignIds: [ids.a] });
			assert.deepEqual([noName.status, noName.body.field], [400, 'name']);
			assert.equal((await db.query('select count(*)::int as n from api_keys')).rows[0].n, before, 'no partial rows');
			const anna = await as('anna@example.com');
			assert.equal((await anna.post('/api/keys', { name: 'x', campaignIds: [ids.a] })).status, 403);
		});

		it("an admin sets a manager's campaigns, resets a password, and disables a user: their session and keys stop at once", async () => {
			const admin = await as(ADMIN.email, ADMIN.password);
			// Campaigns: replaced as a whole; an unknown id changes nothing.
			const ben = await as('ben@example.com');
			const seen = async () => new Set((await ben.get('/api/campaigns')).body.campaigns.map((c: any) => c.id));
			const before = await seen();
			assert.ok(before.has(ids.b) && !before.has(ids.a));
			const bad = await admin.patch(`/api/users/${ids.ben}`, { campaignIds: [ids.a, '00000000-0000-4000-8000-00000000dead'] });
			assert.deepEqual([bad.status, bad.body.field], [400, 'campaignIds']);
			assert.deepEqual(await seen(), before, 'a refused change changes nothing');
			const moved = await admin.patch(`/api/users/${ids.ben}`, { campaignIds: [ids.a, ids.b] });
			assert.equal(moved.status, 200);
			assert.deepEqual(new Set(moved.body.user.campaignIds), new Set([ids.a, ids.b]));
			assert.equal((await ben.get(`/api/campaigns/${ids.a}`)).status, 200, 'the open session sees the new campaign at once');
			await admin.patch(`/api/users/${ids.ben}`, { campaignIds: [ids.b] });
			assert.equal((await ben.get(`/api/campaigns/${ids.a}`)).status, 404, 'and loses it at once');
			assert.deepEqual(await seen(), new Set([ids.b]));

			// A second admin with a key, then disabled: the session, the key and the login all stop.
			const made = await admin.post('/api/users', { email: 'second-admin@example.com', password: 'second-admin-1', role: 'admin' });
			assert.equal(made.status, 201);
			const second = await as('second-admin@example.com', 'second-admin-1');
			const token = (await second.post('/api/keys', { name: 'Second admin app', campaignIds: [ids.b] })).body.token;
			assert.equal((await withKey(token).get('/api/campaigns')).status, 200);
			const disabled = await admin.patch(`/api/users/${made.body.user.id}`, { disabled: true });
			assert.equal(disabled.status, 200);
			assert.ok(disabled.body.user.disabledAt);
			assert.equal((await second.get('/api/me')).status, 401, 'the session stops at once');
			assert.equal((await withKey(token).get('/api/campaigns')).status, 401, 'the key stops at once');
			const login = await new Browser(base).login('second-admin@example.com', 'second-admin-1');
			assert.equal(login.status, 403);
			assert.match(login.body.error, /disabled/);
			const adminId = (await admin.get('/api/me')).body.user.id;
			const self = await admin.patch(`/api/users/${adminId}`, { disabled: true });
			assert.deepEqual([self.status, self.body.field], [400, 'disabled']);
			await admin.patch(`/api/users/${made.body.user.id}`, { disabled: false });
			assert.equal((await new Browser(base).login('second-admin@example.com', 'second-admin-1')).status, 200, 'enabled again');

			// Password reset: a generated one, shown once; the old password and the old session stop.
			const reset = await admin.post(`/api/users/${ids.ben}/password`, {});
			assert.equal(reset.status, 200);
			assert.equal((await ben.get('/api/me')).status, 401);
			assert.equal((await new Browser(base).login('ben@example.com', PASSWORD)).status, 401);
			const benAgain = await as('ben@example.com', reset.body.generatedPassword);
			assert.equal((await benAgain.get('/api/me')).body.user.email, 'ben@example.com');
			const short = await admin.post(`/api/users/${ids.ben}/password`, { password: 'short' });
			assert.deepEqual([short.status, short.body.field], [400, 'password']);
			await admin.post(`/api/users/${ids.ben}/password`, { password: PASSWORD });
			const listed = await admin.get('/api/users');
			assert.ok(listed.body.users.every((u: any) => 'disabledAt' in u && Array.isArray(u.campaignIds)));
		});
	});

	describe('voices', () => {
		it('lists voices through the voice webhook, passing provider, language and search on', async () => {
			const manager = await as('anna@example.com');
			const answer = await manager.get('/api/voices?provider=google&language=en-GB&q=neural');
			assert.equal(answer.status, 200, JSON.stringify(answer.body));
			assert.equal(answer.body.voices[0].id, 'en-gb-scotland');
			const [call] = n8n.callsTo('/webhook/reelsmith/voices').filter((entry) => !entry.path.includes('preview'));
			assert.deepEqual(call.body, { provider: 'google', language: 'en-GB', q: 'neural' });
			assertSigned(call);
			const bad = await manager.get('/api/voices?provider=azure');
			assert.equal(bad.status, 400);
			assert.equal(bad.body.field, 'provider');
			const badLanguage = await manager.get('/api/voices?provider=espeak&language=english%20please');
			assert.equal(badLanguage.status, 400);
			assert.equal(badLanguage.body.field, 'language');
		});

		it('previews a line: the webhook stores it, the dashboard answers a presigned link that plays the stored audio', async () => {
			const manager = await as('anna@example.com');
			const before = n8n.callsTo('/webhook/reelsmith/voices/preview').length;
			const answer = await manager.post('/api/voices/preview', {
				provider: 'espeak',
				voice: 'en-us+f3',
				text: '  Hello there.  ',
				settings: { rate: 170 },
			});
			assert.equal(answer.status, 200, JSON.stringify(answer.body));
			const calls = n8n.callsTo('/webhook/reelsmith/voices/preview');
			assert.equal(calls.length, before + 1);
			assert.deepEqual(calls.at(-1)!.body, { provider: 'espeak', voice: 'en-us+f3', text: 'Hello there.', settings: { rate: 170 } });
			assertSigned(calls.at(-1)!);
			assert.equal(answer.body.duration, 2.1);
			assert.equal(answer.body.cost.amountUsd, 0);
			const audio = await fetch(answer.body.url);
			assert.equal(audio.status, 200);
			assert.equal(Buffer.from(await audio.arrayBuffer()).toString(), 'RIFF-test-audio');
		});

		it("refuses a bad preview naming the field, before n8n is called; the workflow's own refusal comes back as 400", async () => {
			const manager = await as('anna@example.com');
			const before = n8n.callsTo('/webhook/reelsmith/voices/preview').length;
			const long = await manager.post('/api/voices/preview', { provider: 'espeak', voice: 'en-us', text: 'x'.repeat(301) });
			assert.equal(long.status, 400);
			assert.equal(long.body.field, 'text');
			const setting = await manager.post('/api/voices/preview', { provider: 'espeak', voice: 'en-us', text: 'Hi', settings: { stability: 0.4 } });
			assert.equal(setting.status, 400);
			assert.equal(setting.body.field, 'settings');
			assert.match(setting.body.error, /not a setting of espeak/);
			const pitch = await manager.post('/api/voices/preview', { provider: 'google', voice: 'en-GB-Neural2-B', text: 'Hi', settings: { pitch: 30 } });
			assert.equal(pitch.status, 400);
			assert.equal(pitch.body.field, 'settings');
			assert.match(pitch.body.error, /"settings.pitch" \(Google pitch in semitones, 0 = normal\) must be a number from -20 to 20/);
			const option = await manager.post('/api/voices/preview', { provider: 'espeak', voice: '--help', text: 'Hi' });
			assert.equal(option.status, 400);
			assert.equal(option.body.field, 'voice');
			assert.equal(n8n.callsTo('/webhook/reelsmith/voices/preview').length, before, 'nothing reached n8n');
			const unknown = await manager.post('/api/voices/preview', { provider: 'espeak', voice: 'xx-nowhere', text: 'Hi' });
			assert.equal(unknown.status, 400);
			assert.equal(unknown.body.field, 'voice');
			assert.match(unknown.body.error, /no voice "xx-nowhere"/);
		});

		it("previews for a campaign: one the caller cannot see is refused naming campaign; a paid one's cost is in the campaign's spend at once", async () => {
			const anna = await as('anna@example.com');
			const before = n8n.callsTo('/webhook/reelsmith/voices/preview').length;
			const unseen = await anna.post('/api/voices/preview', { provider: 'espeak', voice: 'en-us', text: 'Hi', campaign: ids.b });
			assert.equal(unseen.status, 400);
			assert.equal(unseen.body.field, 'campaign');
			assert.match(unseen.body.error, /there is no campaign .* that you can see/);
			const name = await anna.post('/api/voices/preview', { provider: 'espeak', voice: 'en-us', text: 'Hi', campaign: 'Spring launch' });
			assert.deepEqual([name.status, name.body.field], [400, 'campaign']);
			assert.equal(n8n.callsTo('/webhook/reelsmith/voices/preview').length, before, 'nothing reached n8n');

			const admin = await as(ADMIN.email, ADMIN.password);
			const campaignId = (await db.query("insert into campaigns (name, budget_usd) values ('Voice budget', 1) returning id")).rows[0].id as string;
			const spend = async () =>
				(await admin.get('/api/campaigns')).body.campaigns.find((line: { id: string }) => line.id === campaignId).spendUsd as number;
			assert.equal(await spend(), 0);
			const request = { provider: 'elevenlabs', voice: '21m00Tcm4TlvDq8ikWAM', text: 'Welcome back.', campaign: campaignId.toUpperCase() };
			const paid = await admin.post('/api/voices/preview', request);
			assert.equal(paid.status, 200, JSON.stringify(paid.body));
			assert.equal(n8n.callsTo('/webhook/reelsmith/voices/preview').at(-1)!.body.campaign, campaignId);
			assert.equal(await spend(), 0.0021, "the preview's cost shows at once, not when the campaign figures expire");

			const dear = await admin.post('/api/voices/preview', { ...request, text: 'Too dear.' });
			assert.equal(dear.status, 400);
			assert.equal(dear.body.field, 'campaign');
			assert.match(dear.body.error, /its budget \$1\.00 has \$0\.0010 left; raise the budget or preview a free voice/);
		});

		it('needs a session or an API key', async () => {
			const anonymous = new Browser(base);
			assert.equal((await anonymous.get('/api/voices?provider=espeak')).status, 401);
			assert.equal((await anonymous.post('/api/voices/preview', { provider: 'espeak', voice: 'en', text: 'Hi' })).status, 401);
		});
	});

	describe('terminal looks', () => {
		it('lists the schemes, cursors, chromes and prompts of terminalLooks.json', async () => {
			const manager = await as('anna@example.com');
			const answer = await manager.get('/api/terminal/looks');
			assert.equal(answer.status, 200);
			assert.deepEqual(
				answer.body.schemes.map((scheme: { name: string }) => scheme.name),
				['green', 'amber', 'solarizedDark', 'light'],
			);
			assert.deepEqual(answer.body.cursors.map((cursor: { name: string }) => cursor.name), ['block', 'underline', 'bar']);
			assert.deepEqual(answer.body.chromes.map((chrome: { name: string }) => chrome.name), ['mac', 'plain', 'none']);
			assert.ok(answer.body.prompts.some((prompt: { text: string }) => prompt.text === 'user@reelsmith:~$ '));
			assert.equal(answer.body.defaults.scheme, 'green');
		});

		it('renders a preview PNG once, keeps it under terminal-previews/, then serves it from storage', async () => {
			const manager = await as('anna@example.com');
			const first = await manager.get('/api/terminal/previews/amber?cursor=bar&chrome=none&prompt=dollar');
			assert.equal(first.status, 200);
			assert.equal(first.headers.get('content-type'), 'image/png');
			const key = String(first.headers.get('x-preview-key'));
			assert.match(key, /^terminal-previews\/[0-9a-f]{32}\.png$/);
			const stored = await s3.storage.downloadBuffer({ bucket: s3.bucket, key });
			assert.deepEqual([...stored.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG in storage');
			// Another look is another picture.
			const other = await manager.get('/api/terminal/previews/amber?cursor=bar&chrome=mac&prompt=dollar');
			assert.notEqual(other.headers.get('x-preview-key'), key);
			// The same look again comes from storage, not from a new render.
			await s3.storage.uploadBuffer(Buffer.from('stored-preview-marker'), key, 'image/png');
			const again = await manager.get('/api/terminal/previews/amber?cursor=bar&chrome=none&prompt=dollar');
			assert.equal(again.body, 'stored-preview-marker');
			const bad = await manager.get('/api/terminal/previews/pink');
			assert.equal(bad.status, 400);
			assert.equal(bad.body.field, 'scheme');
			const badChrome = await manager.get('/api/terminal/previews/green?chrome=round');
			assert.equal(badChrome.body.field, 'chrome');
			assert.match(badChrome.body.error, /one of mac, plain, none/);
			assert.equal((await new Browser(base).get('/api/terminal/looks')).status, 401);
		});
	});

	describe('batches', () => {
		it('forwards an upload with the campaign name, signed; shows the batch with its progress, and only to its campaign', async () => {
			const anna = await as('anna@example.com');
			const { rows } = await db.query(`insert into batches (campaign_id, source, rows_total, rejected) values ($1, 'csv', 3, $2) returning id`, [
				ids.a,
				JSON.stringify([{ row: 2, line: 3, field: 'preset', message: '"preset" must be one of youtube, shorts, square (got "cinema").' }]),
			]);
			const batchId = rows[0].id;
			const done = await insertRun(ids.a, { title: 'B1', status: 'completed', batch_id: batchId, batch_row: 1 });
			await insertRun(ids.a, { title: 'B3', status: 'queued', batch_id: batchId, batch_row: 3 });
			n8n.routes.set('/webhook/reelsmith/batches', (call) =>
				String(call.body?.csv).includes('nothing good')
					? {
							status: 400,
							body: {
								error: 'invalid_request',
								field: 'rows',
								message: 'No row of the batch could be queued.',
								rejected: [{ row: 1, field: 'script', message: '"script" is required.' }],
							},
						}
					: { status: 202, body: { batchId, rows: 3, queued: 2, runs: [{ row: 1, runId: done, queuePosition: 0 }], rejected: [] } },
			);
			n8n.calls.length = 0;
			const answer = await anna.post(`/api/campaigns/${ids.a}/batches`, { csv: 'title,script\nA,x\n' });
			assert.equal(answer.status, 202, JSON.stringify(answer.body));
			assert.equal(answer.body.batch.id, batchId);
			const [call] = n8n.callsTo('/webhook/reelsmith/batches');
			assertSigned(call);
			assert.deepEqual(call.body, { csv: 'title,script\nA,x\n', campaign: 'Spring launch' });

			const refused = await anna.post(`/api/campaigns/${ids.a}/batches`, { csv: 'nothing good' });
			assert.equal(refused.status, 400);
			assert.equal(refused.body.field, 'rows');
			assert.deepEqual(refused.body.rejected, [{ row: 1, field: 'script', message: '"script" is required.' }]);

			const page = await anna.get(`/api/batches/${batchId}`);
			assert.equal(page.status, 200);
			assert.deepEqual(
				[page.body.batch.done, page.body.batch.queued, page.body.batch.failed, page.body.batch.running, page.body.batch.runs],
				[1, 1, 0, 0, 2],
			);
			assert.deepEqual(
				page.body.runs.map((r: { row: number; title: string }) => [r.row, r.title]),
				[
					[1, 'B1'],
					[3, 'B3'],
				],
			);
			assert.equal(page.body.batch.rejected[0].field, 'preset');
			const list = await anna.get(`/api/campaigns/${ids.a}/batches`);
			assert.deepEqual(
				list.body.batches.map((b: { id: string }) => b.id),
				[batchId],
			);
			assert.equal((await anna.get(`/api/batches/${batchId}/export.zip`)).status, 404, 'not exported yet');

			const ben = await as('ben@example.com');
			for (const path of [`/api/batches/${batchId}`, `/api/batches/${batchId}/manifest.json`, `/api/campaigns/${ids.a}/batches`]) {
				assert.equal((await ben.get(path)).status, 404, path);
			}
			assert.equal((await ben.post(`/api/batches/${batchId}/export`)).status, 404);
			assert.equal((await ben.post(`/api/campaigns/${ids.a}/batches`, { csv: 'x' })).status, 404);
			await db.query('delete from runs where batch_id = $1', [batchId]);
			await db.query('delete from batches where id = $1', [batchId]);
		});

		it('refuses an upload over the size limit before calling n8n', async () => {
			const anna = await as('anna@example.com');
			n8n.calls.length = 0;
			const answer = await anna.post(`/api/campaigns/${ids.a}/batches`, { csv: 'a'.repeat(2.2 * 1024 * 1024) });
			assert.equal(answer.status, 413);
			assert.match(answer.body.error, /at most 100 rows and 2 MB/);
			assert.equal(n8n.callsTo('/webhook/reelsmith/batches').length, 0);
		});
	});

	describe('live updates', () => {
		it('delivers an inserted event within 1 s, only to users who may see the run', async () => {
			const anna = await as('anna@example.com');
			const ben = await as('ben@example.com');
			const annaStream = await openEvents(base, anna.cookie);
			const benStream = await openEvents(base, ben.cookie);
			try {
				const inserted = Date.now();
				const { rows } = await db.query(
					"insert into events (run_id, stage, status, message) values ($1, 'generation', 'started', 'Scene 3') returning id",
					[ids.running],
				);
				const message = await annaStream.waitFor((m) => m.type === 'event' && m.id === Number(rows[0].id), 1000);
				assert.ok(message.receivedAt - inserted <= 1000, `${message.receivedAt - inserted} ms`);
				assert.equal(message.runId, ids.running);
				assert.equal(message.campaignId, ids.a);
				assert.equal(message.stage, 'generation');
				// A status change of a run in Ben's campaign reaches Ben: his stream works, and it never carried Anna's run.
				await db.query("update runs set stage = 'validation' where id = $1", [ids.other]);
				await benStream.waitFor((m) => m.type === 'run' && m.runId === ids.other, 1000);
				assert.equal(benStream.messages.filter((m) => m.runId === ids.running).length, 0);
			} finally {
				annaStream.close();
				benStream.close();
			}
		});

		it('campaign figures follow a run change by the time its live message arrives', async () => {
			const anna = await as('anna@example.com');
			const before = (await anna.get('/api/campaigns')).body.campaigns.find((c: { id: string }) => c.id === ids.a);
			const stream = await openEvents(base, anna.cookie);
			try {
				await db.query("update runs set status = 'completed', finished_at = now(), cost_total = 0.4 where id = $1", [ids.running]);
				await stream.waitFor((m) => m.type === 'run' && m.runId === ids.running && m.status === 'completed', 1000);
				const after = (await anna.get('/api/campaigns')).body.campaigns.find((c: { id: string }) => c.id === ids.a);
				assert.equal(after.completed, before.completed + 1);
				assert.equal(after.running, before.running - 1);
				assert.equal(after.successRate, Math.round(((before.completed + 1) / (before.completed + 1 + before.failed)) * 1000) / 1000);
			} finally {
				stream.close();
			}
		});

		it('drops the subscription when the browser closes the stream', async () => {
			const anna = await as('anna@example.com');
			const before = dashboard.events.subscriberCount;
			const stream = await openEvents(base, anna.cookie);
			assert.equal(dashboard.events.subscriberCount, before + 1);
			stream.close();
			const deadline = Date.now() + 2000;
			while (dashboard.events.subscriberCount > before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
			assert.equal(dashboard.events.subscriberCount, before);
		});

		it('ends an open stream at the next heartbeat after logout, and a dead cookie cannot open one', async () => {
			const anna = await as('anna@example.com');
			const cookie = anna.cookie;
			const response = await fetch(`${base}/api/events`, { headers: { cookie } });
			assert.equal(response.status, 200);
			const reading = response.text();
			await anna.post('/api/logout');
			// The test server beats every 300 ms; the stream must end by itself, with a logout event.
			const text = await Promise.race([reading, new Promise<string>((_, reject) => setTimeout(() => reject(new Error('stream still open')), 3000))]);
			assert.match(text, /event: logout/);
			const stream = await openEvents(base, cookie);
			assert.equal(stream.status, 401);
		});
	});

	describe('the app', () => {
		it('serves a page saying to build the app when ui/dist is missing, and JSON 404 for unknown API routes', async () => {
			const page = await fetch(`${base}/campaigns/123`);
			assert.equal(page.status, 503);
			assert.match(await page.text(), /not built yet[\s\S]*npm run build -w ui/);
			const api = await (await as(ADMIN.email, ADMIN.password)).get('/api/nothing-here');
			assert.equal(api.status, 404);
			assert.match(api.body.error, /There is no API route GET \/api\/nothing-here/);
		});

		it('serves the built app with the SPA fallback', async () => {
			const dist = join(distDir, 'dist');
			await mkdir(join(dist, 'assets'), { recursive: true });
			await writeFile(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
			await writeFile(join(dist, 'assets', 'app-abc123.js'), 'console.log(1)');
			const second = await startDashboard({
				databaseUrl: pg.url,
				s3: { endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey, bucket: s3.bucket, region: s3.region },
				n8nUrl: n8n.url,
				webhookBase: `${n8n.url}/webhook`,
				webhookToken: TOKEN,
				port: 0,
				distDir: dist,
				migrate: false,
				poolSize: 2,
				log: () => {},
			});
			try {
				const deep = await fetch(`${second.url}/runs/some-id`);
				assert.equal(deep.status, 200);
				assert.match(await deep.text(), /id="root"/);
				const asset = await fetch(`${second.url}/assets/app-abc123.js`);
				assert.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
				assert.match(asset.headers.get('cache-control')!, /immutable/);
				assert.equal((await fetch(`${second.url}/assets/old-bundle.js`)).status, 404);
				assert.equal((await fetch(`${second.url}/../../etc/passwd`)).status, 200, 'climbing out serves the app shell, not the file');
				assert.equal(second.admin?.email, ADMIN.email, 'the first admin is not created twice');
			} finally {
				await second.stop();
			}
		});
	});
	describe('system view and health', () => {
		// A database of its own in the same server, so runs by state are exactly what is seeded here.
		const DB_NAME = 'reelsmith_system_test';
		// Redis on this machine: database 9 and a prefix of this test's own; nothing else is read or cleared.
		const REDIS_DB = 9;
		const PREFIX = `rs-system-test-${process.pid}`;
		let url: string;
		let sys: Pool;
		let redisUp = false;
		let bull: BullQueueInRedis | undefined;
		const started: Dashboard[] = [];
		const run: Record<string, string> = {};
		let campaignId = '';
		let managerId = '';

		async function dashboardWith(options: Partial<DashboardOptions>): Promise<Dashboard> {
			const instance = await startDashboard({
				databaseUrl: url,
				s3: { endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey, bucket: s3.bucket, region: s3.region },
				n8nUrl: n8n.url,
				webhookBase: `${n8n.url}/webhook`,
				webhookToken: TOKEN,
				port: 0,
				distDir: join(distDir, 'missing'),
				admin: ADMIN,
				poolSize: 2,
				maxRunning: 5,
				log: () => {},
				queue: null,
				...options,
			});
			started.push(instance);
			return instance;
		}

		async function adminOf(instance: Dashboard): Promise<Browser> {
			const browser = new Browser(instance.url);
			assert.equal((await browser.login(ADMIN.email, ADMIN.password)).status, 200);
			return browser;
		}

		const health = async (instance: Dashboard) => {
			const response = await fetch(`${instance.url}/api/health`);
			return { status: response.status, body: (await response.json()) as any };
		};

		async function seedRun(title: string, fields: Record<string, unknown>): Promise<string> {
			const columns = Object.keys(fields);
			const { rows } = await sys.query(
				`insert into runs (campaign_id, request, options${columns.map((c) => `, ${c}`).join('')})
				 values ($1, $2, '{}'${columns.map((_, i) => `, $${i + 3}`).join('')}) returning id`,
				[campaignId, JSON.stringify({ title, format: 'fountain', script: 'x' }), ...Object.values(fields)],
			);
			return rows[0].id;
		}

		/** The watchdog's record of a recovery, as it writes it. */
		async function recoveryEvent(runId: string, minutesAgo: number, owner: string): Promise<void> {
			const expiredAt = new Date(Date.now() - (minutesAgo + 1) * 60_000).toISOString();
			await sys.query(
				`insert into events (run_id, stage, status, message, data, created_at)
				 values ($1, 'run', 'queued', $2, $3, now() - make_interval(mins => $4))`,
				[
					runId,
					`Lease of ${owner} expired at ${expiredAt}: put back in the queue to resume from its completed scenes.`,
					JSON.stringify({ reason: 'lease_expired', previousStatus: 'running', leaseOwner: owner, leaseExpiredAt: expiredAt }),
					minutesAgo,
				],
			);
		}

		beforeAll(async () => {
			await db.query(`drop database if exists ${DB_NAME}`);
			await db.query(`create database ${DB_NAME}`);
			const parsed = new URL(pg.url);
			parsed.pathname = `/${DB_NAME}`;
			url = parsed.toString();
			await migrate(url, { seed: false });
			sys = new Pool({ connectionString: url, max: 2 });
			campaignId = (await sys.query("insert into campaigns (name) values ('Night shift') returning id")).rows[0].id;
			const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);
			const ahead = (seconds: number) => new Date(Date.now() + seconds * 1000);
			run.oldest = await seedRun('Waiting longest', { status: 'queued', queued_at: ago(3 * 3600) });
			run.recovered = await seedRun('Recovered once', { status: 'queued', queued_at: ago(3600), recoveries: 1 });
			run.starting = await seedRun('Claimed', { status: 'starting', lease_owner: 'dispatch', lease_expires_at: ahead(60) });
			run.live = await seedRun('Rendering', { status: 'running', stage: 'generation', lease_owner: '12@worker-a:101', lease_expires_at: ahead(45) });
			run.lapsed = await seedRun('Lease lapsed', {
				status: 'running',
				stage: 'generation',
				lease_owner: '13@worker-b:202',
				lease_expires_at: ago(90),
			});
			run.stuck = await seedRun('Stuck', {
				status: 'running',
				stage: 'assembly',
				lease_owner: '14@worker-c:303',
				lease_expires_at: ago(600),
				recoveries: 1,
			});
			await seedRun('Needs approval', { status: 'awaiting_approval', approval: 'pending' });
			await seedRun('Done', { status: 'completed' });
			run.doneAfterRecovery = await seedRun('Done after a recovery', { status: 'completed', recoveries: 1 });
			await seedRun('Broken', { status: 'failed', error: 'Scene 2 failed.' });
			await recoveryEvent(run.recovered, 5, '21@worker-d:404');
			await recoveryEvent(run.stuck, 30, '11@worker-c:303');
			await recoveryEvent(run.doneAfterRecovery, 120, '9@worker-a:101');
			// An ordinary queued event of the same run is not a recovery.
			await sys.query("insert into events (run_id, stage, status, message) values ($1, 'run', 'queued', 'Queued at position 1')", [run.recovered]);

			redisUp = await redisReachable();
			if (redisUp) {
				bull = new BullQueueInRedis(REDIS_DB, PREFIX);
				await bull.clear();
			}
		});

		afterAll(async () => {
			for (const instance of started) await instance.stop();
			await bull?.clear();
			bull?.close();
			await sys?.end();
		});

		it('shows an admin runs by state, running of max, the oldest queued run, expired leases and what the watchdog did', async () => {
			const instance = await dashboardWith({});
			const answer = await (await adminOf(instance)).get('/api/system');
			assert.equal(answer.status, 200, JSON.stringify(answer.body));
			const { runs } = answer.body;
			assert.deepEqual(runs.byStatus, { queued: 2, starting: 1, running: 3, awaiting_approval: 1, completed: 2, failed: 1, cancelled: 0 });
			assert.equal(runs.running, 4, 'starting + running hold a slot');
			assert.equal(runs.maxRunning, 5);

			assert.equal(runs.oldestQueued.runId, run.oldest);
			assert.equal(runs.oldestQueued.title, 'Waiting longest');
			assert.equal(runs.oldestQueued.campaignName, 'Night shift');
			assert.ok(Math.abs(runs.oldestQueued.ageSeconds - 3 * 3600) < 60, String(runs.oldestQueued.ageSeconds));

			// Starting/running with an expired lease, longest expired first; the live ones and the claim are not listed.
			assert.equal(runs.expiredLeases.total, 2);
			assert.equal(runs.expiredLeases.stuck, 1, 'only the one expired 10 min ago is past the 5 min alert');
			assert.equal(runs.expiredLeases.alertAfterSeconds, 300);
			assert.deepEqual(
				runs.expiredLeases.runs.map((l: any) => [l.runId, l.status, l.leaseOwner, l.recoveries]),
				[
					[run.stuck, 'running', '14@worker-c:303', 1],
					[run.lapsed, 'running', '13@worker-b:202', 0],
				],
			);
			assert.ok(Math.abs(runs.expiredLeases.runs[0].expiredSeconds - 600) < 60);

			// Each recovery, newest first, with what was done and where the run is now.
			assert.equal(runs.recoveries.total, 3);
			assert.deepEqual(
				runs.recoveries.recent.map((r: any) => [r.runId, r.statusNow, r.previousStatus, r.leaseOwner]),
				[
					[run.recovered, 'queued', 'running', '21@worker-d:404'],
					[run.stuck, 'running', 'running', '11@worker-c:303'],
					[run.doneAfterRecovery, 'completed', 'running', '9@worker-a:101'],
				],
			);
			assert.match(runs.recoveries.recent[0].message, /put back in the queue/);
			assert.equal(runs.recoveries.recent[0].campaignName, 'Night shift');
			assert.match(runs.recoveries.recent[0].leaseExpiredAt, /^\d{4}-\d\d-\d\dT/);
		});

		it('without Redis configured says n8n runs in regular mode, and still reports the runs', async () => {
			const instance = await dashboardWith({ queue: null });
			const { body } = await (await adminOf(instance)).get('/api/system');
			assert.deepEqual(body.n8n, { mode: 'regular', redis: null, queue: null, workers: null, workersError: null });
			assert.equal(body.checks.redis, null);
			assert.equal(body.runs.byStatus.running, 3);
			const probe = await health(instance);
			assert.equal(probe.body.n8n.mode, 'regular');
			assert.equal(probe.body.n8n.workersOnline, null);
			assert.equal(probe.body.checks.redis, null);
		});

		it('answers the health check without a login, without ids or names: 503 while a lease is expired past the alert', async () => {
			const instance = await dashboardWith({});
			const probe = await fetch(`${instance.url}/api/health`);
			const text = await probe.text();
			assert.equal(probe.status, 503);
			const body = JSON.parse(text);
			assert.equal(body.status, 'down');
			assert.equal(body.problems.length, 1, text);
			assert.match(body.problems[0], /1 run still holds a slot 300 s or more after its lease expired: the watchdog/);
			assert.equal(body.checks.postgres.ok, true);
			assert.equal(body.checks.storage.ok, true);
			assert.deepEqual(
				{ ...body.runs, oldestQueuedSeconds: undefined, oldestExpiredLeaseSeconds: undefined, lastRecoveryAt: undefined },
				{
					byStatus: { queued: 2, starting: 1, running: 3, awaiting_approval: 1, completed: 2, failed: 1, cancelled: 0 },
					running: 4,
					maxRunning: 5,
					oldestQueuedSeconds: undefined,
					expiredLeases: 2,
					expiredLeasesStuck: 1,
					oldestExpiredLeaseSeconds: undefined,
					expiredLeaseAlertSeconds: 300,
					recoveries: 3,
					lastRecoveryAt: undefined,
				},
			);
			assert.ok(body.runs.oldestQueuedSeconds >= 3 * 3600 - 60);
			assert.ok(body.runs.oldestExpiredLeaseSeconds >= 540);
			for (const secret of [...Object.values(run), campaignId, 'Night shift', 'Waiting longest', 'Lease lapsed', 'worker-c', s3.secretKey, TOKEN]) {
				assert.ok(!text.includes(secret), `the health answer does not show ${secret}`);
			}
			assert.equal(probe.headers.get('cache-control'), 'no-store');
			// The lease alert is a setting: with 15 minutes the same runs are healthy.
			const patient = await dashboardWith({ expiredLeaseAlertSeconds: 900 });
			const calm = await health(patient);
			assert.equal(calm.status, 200, JSON.stringify(calm.body));
			assert.deepEqual([calm.body.status, calm.body.problems, calm.body.runs.expiredLeasesStuck], ['ok', [], 0]);
			// The liveness route stays as it was.
			assert.deepEqual(await (await fetch(`${instance.url}/healthz`)).json(), { ok: true, liveUpdates: true });
		});

		it('shows the System view to admins only: a manager gets 403, nobody logged in 401', async () => {
			const instance = await dashboardWith({});
			if (!managerId) managerId = (await createUser(sys, { email: 'night@example.com', password: PASSWORD, role: 'manager' })).id;
			await sys.query('insert into campaign_members (campaign_id, user_id) values ($1, $2) on conflict do nothing', [campaignId, managerId]);
			const manager = new Browser(instance.url);
			assert.equal((await manager.login('night@example.com', PASSWORD)).status, 200);
			const refused = await manager.get('/api/system');
			assert.equal(refused.status, 403);
			assert.match(refused.body.error, /Only an admin/);
			assert.equal((await new Browser(instance.url).get('/api/system')).status, 401);
		});

		it("reads n8n's queue from Redis: jobs waiting and active, and only n8n workers count as online", async ({ skip }) => {
			if (!redisUp || !bull) return skip('no Redis on 127.0.0.1:6379 (install redis-server to run the queue tests)');
			const instance = await dashboardWith({
				queue: { host: '127.0.0.1', port: 6379, db: REDIS_DB, prefix: PREFIX },
				expiredLeaseAlertSeconds: 3600,
			});
			const admin = await adminOf(instance);
			await bull.addJobs('wait', [101, 102, 103]);
			await bull.addJobs('paused', [104]);
			await bull.addJobs('active', [105]);
			await bull.addJobs('delayed', [106]);
			await bull.addJobs('failed', [107, 108]);
			// Not workers of this queue: n8n's main process (no name), a worker pool's queue, another database, another prefix.
			await bull.admin.client('SETNAME', 'reelsmith-test-admin');
			await bull.worker({ queue: 'jobs-gpu' });
			await bull.worker({ db: REDIS_DB - 1 });
			await bull.worker({ prefix: `${PREFIX}-other` });

			const none = await admin.get('/api/system');
			assert.equal(none.status, 200);
			assert.deepEqual(none.body.n8n.queue, { waiting: 4, active: 1, delayed: 1, failed: 2, paused: false });
			assert.equal(none.body.n8n.workers.online, 0);
			assert.deepEqual(
				{ ...none.body.n8n.redis, ms: undefined },
				{ address: `127.0.0.1:6379/${REDIS_DB}`, prefix: PREFIX, queue: 'jobs', ok: true, error: null, ms: undefined },
			);
			const idle = await health(instance);
			assert.equal(idle.status, 503, 'queue mode with no worker: nothing runs the jobs');
			assert.match(idle.body.problems.join('\n'), /No n8n worker is online \(queue "jobs"/);

			const worker = await bull.worker();
			await new Promise((resolve) => setTimeout(resolve, 1100)); // figures are read at most once a second
			const online = await health(instance);
			assert.equal(online.status, 200, JSON.stringify(online.body));
			assert.equal(online.body.n8n.workersOnline, 1);
			assert.deepEqual(online.body.n8n.queue, { waiting: 4, active: 1, delayed: 1, failed: 2, paused: false });
			assert.equal(online.body.checks.redis.ok, true);
			const view = await admin.get('/api/system');
			assert.equal(view.body.n8n.workers.list.length, 1);
			assert.match(view.body.n8n.workers.list[0].address, /^127\.0\.0\.1:\d+$/);

			// The worker stops; the queue empties.
			worker.disconnect();
			await bull.clear();
			await new Promise((resolve) => setTimeout(resolve, 1100));
			const after = await admin.get('/api/system');
			assert.equal(after.body.n8n.workers.online, 0);
			assert.deepEqual(after.body.n8n.queue, { waiting: 0, active: 0, delayed: 0, failed: 0, paused: false });
		});

		it('says so at once when Redis is configured but does not answer, or the bucket is missing: 503 naming each', async () => {
			const closed = await freePort();
			const instance = await dashboardWith({
				queue: { host: '127.0.0.1', port: closed, db: REDIS_DB, prefix: PREFIX },
				s3: { endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey, bucket: 'reelsmith-no-such-bucket', region: s3.region },
				expiredLeaseAlertSeconds: 3600,
			});
			const startedAt = Date.now();
			const probe = await health(instance);
			const took = Date.now() - startedAt;
			assert.ok(took < 3000, `answered in ${took} ms`);
			assert.equal(probe.status, 503);
			assert.equal(probe.body.checks.redis.ok, false);
			assert.equal(probe.body.checks.redis.address, `127.0.0.1:${closed}/${REDIS_DB}`);
			assert.match(
				probe.body.checks.redis.error,
				new RegExp(`Redis at 127\\.0\\.0\\.1:${closed}/${REDIS_DB} does not answer \\(connect ECONNREFUSED`),
			);
			assert.equal(probe.body.checks.storage.ok, false);
			assert.match(probe.body.checks.storage.error, /bucket "reelsmith-no-such-bucket" does not exist/);
			assert.equal(probe.body.problems.length, 2);
			assert.equal(probe.body.checks.postgres.ok, true);
			assert.equal(probe.body.runs.byStatus.queued, 2, 'the runs are still reported');
			// The System view says the same, and asking again does not hang either.
			const view = await (await adminOf(instance)).get('/api/system');
			assert.equal(view.status, 200);
			assert.equal(view.body.n8n.mode, 'queue');
			assert.equal(view.body.n8n.queue, null);
			assert.match(view.body.n8n.redis.error, /does not answer/);
		});
	});

	describe('audit trail and metrics', () => {
		it('keeps who cancelled a run and who changed a budget, with before and after; only admins read it', async () => {
			const runId = await insertRun(ids.a, { title: 'Cancel me', status: 'queued' });
			const anna = await as('anna@example.com');
			assert.equal((await anna.post(`/api/runs/${runId}/cancel`)).status, 202);
			assert.equal((await anna.patch(`/api/campaigns/${ids.a}`, { budgetUsd: 7.5 })).status, 200);

			const admin = await as(ADMIN.email, ADMIN.password);
			const cancel = await admin.get(`/api/audit?subjectType=run&subjectId=${runId}`);
			assert.equal(cancel.status, 200);
			assert.equal(cancel.body.entries.length, 1);
			const [entry] = cancel.body.entries;
			assert.deepEqual(
				[entry.actor, entry.userId, entry.action, entry.before.status, entry.after.status],
				['anna@example.com', ids.anna, 'run.cancel', 'queued', 'cancelled'],
			);
			assert.ok(Math.abs(Date.parse(entry.at) - Date.now()) < 60_000, 'with the time');
			const budget = await admin.get(`/api/audit?subjectType=campaign&subjectId=${ids.a}&action=campaign.update`);
			assert.deepEqual(budget.body.entries[0].before, { name: 'Spring launch', budgetUsd: 5 });
			assert.deepEqual(budget.body.entries[0].after, { name: 'Spring launch', budgetUsd: 7.5 });
			assert.equal(budget.body.entries[0].actor, 'anna@example.com');

			// A budget change that is refused (bad input) changes nothing and leaves no audit row.
			const refused = await anna.patch(`/api/campaigns/${ids.a}`, { budgetUsd: -3 });
			assert.deepEqual([refused.status, refused.body.field], [400, 'budgetUsd']);
			// (Its brand kit saves, earlier in this file, have rows of their own: campaign.brand.)
			const after = await admin.get(`/api/audit?subjectType=campaign&subjectId=${ids.a}&action=campaign.update`);
			assert.equal(after.body.entries.length, 1);

			const forbidden = await anna.get('/api/audit');
			assert.equal(forbidden.status, 403);
			assert.match(forbidden.body.error, /Only an admin/);
			const badFilter = await admin.get('/api/audit?subjectType=planet');
			assert.deepEqual([badFilter.status, badFilter.body.field], [400, 'subjectType']);
		});

		it('serves /metrics only with the bearer token, with values read from Postgres at scrape time', async () => {
			const scrape = (headers: Record<string, string> = {}) => fetch(`${base}/metrics`, { headers });
			const none = await scrape();
			assert.equal(none.status, 401);
			assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="metrics"');
			assert.match((await none.json()).error, /Authorization: Bearer/);
			assert.equal((await scrape({ authorization: 'Bearer not-the-token' })).status, 401);
			const read = async () => {
				const answer = await scrape({ authorization: `Bearer ${METRICS_TOKEN}` });
				assert.equal(answer.status, 200);
				assert.match(String(answer.headers.get('content-type')), /^text\/plain; version=0\.0\.4/);
				return answer.text();
			};
			const value = (text: string, series: string) => {
				const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
				return line === undefined ? undefined : Number(line.slice(series.length + 1));
			};
			const before = await read();
			assert.match(before, /^# TYPE reelsmith_runs gauge$/m);
			assert.equal(value(before, 'reelsmith_cost_usd_total{provider="runway"}'), 9);
			const queued = value(before, 'reelsmith_queue_depth');
			assert.ok(queued !== undefined && queued >= 1);

			await db.query(
				`insert into ai_calls (run_id, provider, purpose, method, url, latency_ms, status, ok, error)
				 values ($1, 'google', 'synthesize', 'POST', 'http://x/v1/text:synthesize', 700, 200, true, null),
				        ($1, 'google', 'synthesize', 'POST', 'http://x/v1/text:synthesize', 3000, 429, false, 'HTTP 429')`,
				[ids.done],
			);
			await insertRun(ids.a, { title: 'One more in the queue', status: 'queued' });
			const later = await read();
			assert.equal(value(later, 'reelsmith_provider_calls_total{provider="google",purpose="synthesize",outcome="ok"}'), 1);
			assert.equal(value(later, 'reelsmith_provider_errors_total{provider="google",status="429"}'), 1);
			assert.equal(value(later, 'reelsmith_provider_latency_seconds_bucket{provider="google",le="1"}'), 1);
			assert.equal(value(later, 'reelsmith_provider_latency_seconds_bucket{provider="google",le="+Inf"}'), 2);
			assert.equal(value(later, 'reelsmith_provider_latency_seconds_sum{provider="google"}'), 3.7);
			assert.equal(value(later, 'reelsmith_queue_depth'), queued! + 1);
			assert.equal(value(later, 'reelsmith_stage_duration_seconds_count{stage="planning",outcome="finished"}'), 2);
			assert.equal(value(later, 'reelsmith_stage_duration_seconds_sum{stage="planning",outcome="finished"}'), 6);
		});
	});
});
