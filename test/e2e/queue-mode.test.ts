import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import pg from 'pg';
import { buildPackage, dashboardConnection, ensureInstalled, startStack, type Stack } from '../../initialization/stack';
import { startDashboard, type Dashboard } from '../../ui/server/index';
import { Browser } from '../dashboard/api-support';
import { FakeKling } from '../fakes/kling';
import { makeClip } from '../fixtures/media/make';
import { freePort } from '../helpers/ports';
import { deleteKeys, redisReachable, TEST_REDIS } from '../helpers/redis';
import { Storage } from '../../nodes/shared/transport/storage';
import { assertFinishedVideo } from './media-checks';
import { postWebhook, RUN_TIMEOUT_MS, waitForRun as waitForRunIn } from './stack-support';

/**
 * n8n's queue mode for real: main + 2 `n8n worker` processes on the machine's Redis (a database index and a Bull
 * prefix of this test's own), n8n's database on Postgres. Every pipeline run is a queued job; a worker killed in the
 * middle of a run's generation costs the run nothing but time.
 */
const FIXTURES = join(__dirname, '..', 'fixtures', 'scripts');
const MAX_RUNNING = 2;
const LEASE_SECONDS = 10;
const ADMIN = { email: 'ops@example.com', password: 'queue-mode-test-pass-1' };

let redisUp = false;
const NO_REDIS = `no Redis at ${TEST_REDIS.host}:${TEST_REDIS.port}: queue mode needs it (this machine kind runs Redis 7 there)`;

let stack: Stack;
let db: pg.Pool;
let storage: Storage;
let dataDir: string;
let kling: FakeKling;
let dashboard: Dashboard;
const prefix = `rs-e2e-${randomBytes(3).toString('hex')}`;

const post = (path: string, body: unknown) => postWebhook(stack, path, body);
const waitForRun = (runId: string, until: (run: Record<string, any>) => boolean) => waitForRunIn(db, runId, until, { everyMs: 300 });
const ended = (run: Record<string, unknown>) => ['completed', 'failed', 'cancelled'].includes(String(run.status));
const pidOf = (owner: unknown) => Number(String(owner ?? '').split(':').pop());
const workerPids = () => stack.workers.map((worker) => worker.pid);
/** The process each run was made by, from its "started" events (the lease owner: "<execution>@<host>:<pid>"). */
const madeBy = async (runId: string) =>
	(await db.query("select data->>'madeBy' as owner from events where run_id = $1 and stage = 'run' and status = 'started' order by id", [runId])).rows.map(
		(row) => pidOf(row.owner),
	);

describe('n8n queue mode: main + 2 workers', { timeout: 40 * 60_000 }, () => {
	beforeAll(async () => {
		redisUp = await redisReachable();
		if (!redisUp) return;
		await ensureInstalled(() => {});
		await buildPackage(() => {});
		dataDir = await mkdtemp(join(tmpdir(), 'reelsmith-queue-'));
		const clip = await makeClip(join(dataDir, 'provider-clip.mp4'), { width: 640, height: 360, duration: 5 });
		kling = await new FakeKling('kling-access', 'kling-secret-0123456789', clip).start();
		stack = await startStack({
			dataDir,
			n8nPort: await freePort(),
			queue: { workers: 2, concurrency: 2, redis: TEST_REDIS, prefix },
			n8nEnv: { REELSMITH_MAX_RUNNING: String(MAX_RUNNING), REELSMITH_LEASE_SECONDS: String(LEASE_SECONDS) },
			providerKeys: { kling: { accessKey: kling.accessKey, secretKey: kling.secretKey, baseUrl: kling.url } },
		});
		db = new pg.Pool({ connectionString: stack.databaseUrl, max: 3 });
		storage = new Storage(stack.s3);
	});

	afterAll(async () => {
		await dashboard?.stop();
		await db?.end();
		await stack?.stop();
		await kling?.stop();
		await deleteKeys(`${prefix}:*`);
		if (dataDir) await rm(dataDir, { recursive: true, force: true });
	});

	test('six offline runs complete on both workers, never more running than Max Running, each a finished MP4', async ({ skip }) => {
		if (!redisUp) return skip(NO_REDIS);
		assert.equal(stack.mode, 'queue');
		assert.equal(workerPids().filter(Boolean).length, 2);
		const script = await readFile(join(FIXTURES, 'three-scenes.fountain'), 'utf8');
		let mostRunning = 0;
		const sampler = setInterval(() => {
			db.query("select count(*)::int as n from runs where status in ('starting', 'running')")
				.then(({ rows }) => (mostRunning = Math.max(mostRunning, rows[0].n)))
				.catch(() => {});
		}, 200);
		try {
			const answers = await Promise.all(Array.from({ length: 6 }, (_, index) => post('reelsmith/runs', { script, iterations: 1, video: ['local'], speech: ['espeak'], campaign: `Queue ${index % 2}` })));
			for (const answer of answers) assert.equal(answer.status, 202, JSON.stringify(answer.json));
			const runIds = answers.map((answer) => String(answer.json.runId));
			const runs = [];
			for (const runId of runIds) runs.push(await waitForRun(runId, ended));
			for (const run of runs) assert.equal(run.status, 'completed', `run ${run.id}: ${run.error}`);
			assert.ok(mostRunning <= MAX_RUNNING, `at most ${MAX_RUNNING} runs at once (saw ${mostRunning})`);
			assert.ok(mostRunning >= 2, 'runs did run side by side');

			const makers = new Set((await Promise.all(runIds.map(madeBy))).flat());
			assert.deepEqual([...makers].sort(), [...workerPids()].sort(), 'pipelines ran on both workers, and only on workers');

			for (const run of runs.slice(0, 2)) {
				const scenes = (await db.query('select duration from scenes where run_id = $1', [run.id])).rows;
				const sceneTotal = scenes.reduce((sum, scene) => sum + Number(scene.duration), 0);
				const file = join(dataDir, `${run.id}.mp4`);
				await storage.downloadFile({ bucket: storage.bucket, key: run.final_key }, file);
				assertFinishedVideo(file, { width: 1920, height: 1080, sceneTotal });
			}
		} finally {
			clearInterval(sampler);
		}
	});

	test('a worker SIGKILLed mid-generation: its run completes on the other worker without anyone resuming it, one Kling task per scene', async ({ skip }) => {
		if (!redisUp) return skip(NO_REDIS);
		kling.reset();
		kling.knobs.taskMs = 5000;
		const script = await readFile(join(FIXTURES, 'three-scenes.fountain'), 'utf8');
		const answer = await post('reelsmith/runs', { script, iterations: 1, video: ['kling'], speech: ['espeak'], concurrency: 1, campaign: 'Worker crash' });
		assert.equal(answer.status, 202, JSON.stringify(answer.json));
		const runId = String(answer.json.runId);
		const deadline = Date.now() + RUN_TIMEOUT_MS;
		while ((await db.query("select count(*)::int as n from provider_tasks where run_id = $1 and status = 'submitted'", [runId])).rows[0].n === 0) {
			assert.ok(Date.now() < deadline, 'a Kling task was opened');
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		const { rows } = await db.query('select lease_owner from runs where id = $1', [runId]);
		const victim = stack.workers.find((worker) => worker.pid === pidOf(rows[0].lease_owner));
		assert.ok(victim, `the run is made by a worker (${rows[0].lease_owner}; workers ${workerPids().join(', ')})`);

		// While its worker lives, Resume is refused and writes nothing.
		const before = (await db.query("select status, lease_owner, (select count(*)::int from events where run_id = $1 and stage = 'run') as n from runs where id = $1", [runId])).rows[0];
		const refused = await post('reelsmith/resume', { runId });
		assert.equal(refused.status, 409, JSON.stringify(refused.json));
		assert.match(String(refused.json.message), /still running/);
		assert.deepEqual((await db.query("select status, lease_owner, (select count(*)::int from events where run_id = $1 and stage = 'run') as n from runs where id = $1", [runId])).rows[0], before);

		const victimPid = victim.pid;
		await victim.stop('SIGKILL');
		const run = await waitForRun(runId, ended);
		assert.equal(run.status, 'completed', `run ended ${run.status}: ${run.error}`);
		assert.equal(run.recoveries, 1, 'the watchdog recovered it once');
		const makers = await madeBy(runId);
		assert.equal(makers.length, 2, 'started, then started again after the recovery');
		assert.equal(makers[0], victimPid);
		assert.notEqual(makers[1], victimPid, 'the other worker finished it');

		assert.equal(kling.log.submissions.length, 3, `one paid Kling task per scene, none twice (got ${kling.log.submissions.length})`);
		assert.equal(new Set(kling.log.submissions.map((submission) => submission.taskId)).size, 3);
		await victim.start();
	});

	test('storyboard approval in queue mode: approved through the dashboard API, generation goes on on a worker', async ({ skip }) => {
		if (!redisUp) return skip(NO_REDIS);
		dashboard = await startDashboard({
			...dashboardConnection(stack),
			port: 0,
			admin: ADMIN,
			maxRunning: MAX_RUNNING,
			migrate: false,
			log: () => {},
		});
		const script = await readFile(join(FIXTURES, 'three-scenes.fountain'), 'utf8');
		const answer = await post('reelsmith/runs', { script, iterations: 1, approval: true, campaign: 'Approvals' });
		assert.equal(answer.status, 202, JSON.stringify(answer.json));
		const runId = String(answer.json.runId);
		const waiting = await waitForRun(runId, (run) => run.status === 'awaiting_approval' || ended(run));
		assert.equal(waiting.status, 'awaiting_approval', `run ${runId}: ${waiting.error}`);
		assert.equal(waiting.lease_owner, null, 'a waiting run holds no lease (and no worker slot)');

		const browser = new Browser(dashboard.url);
		assert.equal((await browser.login(ADMIN.email, ADMIN.password)).status, 200);
		const decided = await browser.post(`/api/runs/${runId}/approval`, { decision: 'approve', note: 'Ship it' });
		assert.equal(decided.status, 202, JSON.stringify(decided.body));

		const run = await waitForRun(runId, ended);
		assert.equal(run.status, 'completed', `run failed: ${run.error}`);
		const { rows } = await db.query("select data->>'madeBy' as owner from events where run_id = $1 and stage = 'approval' and status = 'finished'", [runId]);
		assert.equal(rows.length, 1);
		assert.ok(workerPids().includes(pidOf(rows[0].owner)), `a worker went on after the approval (${rows[0].owner})`);
	});
});
