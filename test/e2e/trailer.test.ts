import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import pg from 'pg';
import { buildPackage, dashboardConnection, ensureInstalled, startStack, type Stack } from '../../initialization/stack';
import { probeMedia } from '../../nodes/FFmpeg/lib/probe';
import { parseScript } from '../../nodes/shared/screenplay/parse';
import { startDashboard, type Dashboard } from '../../ui/server/index';
import { Browser } from '../dashboard/api-support';
import { streamDurations } from '../fixtures/media/make';
import { freePort } from '../helpers/ports';
import { script } from '../screenplay/fixtures';
import { postWebhook } from './stack-support';

/**
 * The trailer of a run waiting for approval, through real n8n (workflows/trailer.json) and the dashboard route that
 * calls it: the local renderer draws the stills, so nothing is paid for.
 */
const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };

let stack: Stack;
let dataDir: string;
let dashboard: Dashboard;
let browser: Browser;
let db: pg.Pool;

describe('a trailer through real n8n', () => {
	beforeAll(async () => {
		await ensureInstalled(() => {});
		await buildPackage(() => {});
		dataDir = await mkdtemp(join(tmpdir(), 'reelsmith-trailer-'));
		stack = await startStack({ dataDir, n8nPort: await freePort(), log: () => {} });
		dashboard = await startDashboard({ ...dashboardConnection(stack), port: 0, admin: ADMIN, migrate: false, queue: null, log: () => {} });
		browser = new Browser(dashboard.url);
		assert.equal((await browser.login(ADMIN.email, ADMIN.password)).status, 200);
		db = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
	});

	afterAll(async () => {
		await db?.end();
		await dashboard?.stop();
		await stack?.stop();
		if (dataDir) await rm(dataDir, { recursive: true, force: true });
	});

	test('a run waiting for approval gets a 15–30 s trailer of its take, with sound, at its size, costing nothing', async () => {
		const { rows: campaigns } = await db.query("insert into campaigns (name) values ('Trailer campaign') returning id");
		const options = { title: 'The Late Train', approval: true, preset: 'youtube', style: 'titleCard', loudnessTarget: -14 };
		const { rows } = await db.query(
			`insert into runs (campaign_id, status, stage, request, options, approval, started_at)
			 values ($1, 'awaiting_approval', 'approval', $2, $2, 'pending', now()) returning id`,
			[campaigns[0].id, JSON.stringify(options)],
		);
		const runId = rows[0].id as string;
		const plan = parseScript(script('four-scenes.fountain'));
		await db.query(
			`insert into plan_versions (run_id, version, parent_version, take, score, chosen, plan, source) values ($1, 1, null, 1, 95, true, $2, 'parse')`,
			[runId, JSON.stringify(plan)],
		);

		const answer = await browser.request('POST', `/api/runs/${runId}/trailer`, {});
		assert.equal(answer.status, 200, JSON.stringify(answer.body));
		const trailer = answer.body as Record<string, any>;
		assert.equal(trailer.key, `runs/${runId}/trailer/v1.mp4`);
		assert.equal(trailer.cost, 0);
		assert.deepEqual(
			trailer.moments.map((moment: { scene: number }) => moment.scene),
			[1, 2, 3, 4],
			'in story order',
		);

		// Served as any file of the run: /api/artifacts checks the caller may see it, then redirects to storage.
		const link = await browser.request('GET', trailer.url);
		assert.equal(link.status, 302);
		const file = join(dataDir, 'trailer.mp4');
		await writeFile(file, Buffer.from(await (await fetch(link.headers.get('location')!)).arrayBuffer()));
		const probe = await probeMedia(file, { measureAudio: false });
		assert.deepEqual([probe.video?.width, probe.video?.height], [1920, 1080], "the run's preset size");
		const durations = await streamDurations(file);
		assert.ok(durations.video! >= 15 && durations.video! <= 30, `${durations.video} s`);
		assert.ok(durations.audio !== undefined && Math.abs(durations.audio - durations.video!) < 0.1, `audio ${durations.audio} s`);

		const events = (await db.query("select message from events where run_id = $1 and message like 'Trailer of take%'", [runId])).rows;
		assert.equal(events.length, 1);
		const run = (await db.query('select status, approval from runs where id = $1', [runId])).rows[0];
		assert.deepEqual([run.status, run.approval], ['awaiting_approval', 'pending'], 'still waiting for the decision');

		const approved = (
			await db.query("update runs set status = 'running', stage = 'generation', approval = 'approved' where id = $1 returning id", [runId])
		).rows;
		assert.equal(approved.length, 1);
		const late = await browser.request('POST', `/api/runs/${runId}/trailer`, {});
		assert.equal(late.status, 409, 'no trailer once the run is decided');
	});

	test('the webhook refuses a call without the token, and a plan without scenes with the field', async () => {
		const refused = await postWebhook(stack, 'reelsmith/trailer', { runId: 'x', planVersion: 1, plan: {} }, { 'x-reelsmith-token': 'wrong' });
		assert.equal(refused.status, 401);
		const empty = await postWebhook(stack, 'reelsmith/trailer', { runId: 'x', planVersion: 1, plan: { title: 'x', scenes: [] } });
		assert.equal(empty.status, 400);
		assert.equal(empty.json.field, 'Plan');
		assert.match(String(empty.json.message), /"Plan" is not a plan with scenes/);
	});
});
