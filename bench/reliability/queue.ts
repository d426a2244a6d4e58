/**
 * The suite in n8n's queue mode: main + 2 `n8n worker` processes on a Redis of the suite's own (redis-server on a
 * free port, without persistence: a restart loses every queued job, the worst case), beside the regular-mode stack and
 * sharing its provider fakes. R1 (queue) SIGKILLs the worker making a run; R6 (Redis) restarts Redis mid-run. No one
 * calls resume: leases and the watchdog must bring every run home, without paying a provider twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startStack } from '../../initialization/stack';
import type { N8nServer } from '../../initialization/n8n-server';
import { seededRandom } from '../../test/fakes/chaos';
import { freePort } from '../../test/helpers/ports';
import { KLING_KEYS, RUNWAY_SECRET, LEASE_SECONDS, MAX_RUNNING, markedRun, post, timeline, unrecordedTasks, waitTerminal, type SuiteEnv } from './env';
import { newRow, type Row } from './table';

const SCENES = 6;
/** The lease, the watchdog's round and the rest of the work (a restarted process also needs its boot). */
const BOUND_MS = (LEASE_SECONDS + 20) * 1000 + 2 * 60_000 + 6 * 60_000;
/** How long Redis is away: under n8n's 10 s reconnect limit (QUEUE_BULL_REDIS_TIMEOUT_THRESHOLD), as a restart is. */
const REDIS_DOWN_MS = 5000;

/** redis-server of the suite's own, so it can be restarted without touching the machine's Redis. */
export class OwnRedis {
	private child?: ChildProcess;
	constructor(
		readonly port: number,
		private readonly directory: string,
	) {}

	async start(): Promise<void> {
		await mkdir(this.directory, { recursive: true });
		const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.directory], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		this.child = child;
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${this.port} within 10 s`)), 10_000);
			child.stdout!.on('data', (chunk: Buffer) => {
				if (chunk.toString().includes('Ready to accept connections')) {
					clearTimeout(timer);
					resolve();
				}
			});
			child.once('exit', (code) => {
				clearTimeout(timer);
				reject(new Error(`redis-server exited with ${code} (is the redis-server binary installed?)`));
			});
		});
		child.stdout!.resume();
		child.stderr!.resume();
	}

	async stop(): Promise<void> {
		const child = this.child;
		if (!child || child.exitCode !== null || child.signalCode !== null) return;
		const exited = new Promise((resolve) => child.once('exit', resolve));
		child.kill('SIGKILL');
		await exited;
	}

	/** Gone for `downMs`, then back empty (no persistence). */
	async restart(downMs: number): Promise<void> {
		await this.stop();
		await sleep(downMs);
		await this.start();
	}
}

export interface QueueEnv extends SuiteEnv {
	redis: OwnRedis;
	/** main, then the workers */
	processes(): N8nServer[];
}

export async function startQueueEnv(base: SuiteEnv, log: (line: string) => void): Promise<QueueEnv> {
	const dataDir = join(base.dataDir, 'queue');
	const redis = new OwnRedis(await freePort(), join(dataDir, 'redis'));
	await redis.start();
	log(`[reliability] starting the stack (queue mode: main + 2 workers, Redis on port ${redis.port}) …`);
	const stack = await startStack({
		dataDir,
		n8nPort: await freePort(),
		queue: { workers: 2, concurrency: 2, redis: { host: '127.0.0.1', port: redis.port, db: 0 }, prefix: 'reliability' },
		n8nEnv: { REELSMITH_LEASE_SECONDS: String(LEASE_SECONDS), REELSMITH_MAX_RUNNING: String(MAX_RUNNING) },
		log: () => {},
		providerKeys: {
			kling: { ...KLING_KEYS, baseUrl: base.klingProxy.url },
			runway: { apiSecret: RUNWAY_SECRET, baseUrl: base.runwayProxy.url },
			elevenlabs: { apiKey: base.elevenlabs.apiKey, baseUrl: base.elevenlabsProxy.url },
			google: { apiKey: base.google.apiKey, baseUrl: base.googleProxy.url },
		},
	}).catch(async (error) => {
		await redis.stop();
		throw error;
	});
	const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 3 });
	db.on('error', () => {});
	return {
		...base,
		stack,
		db,
		redis,
		dataDir,
		secrets: [...base.secrets, stack.webhookToken],
		processes: () => [stack.main, ...stack.workers],
		async stop() {
			await db.end().catch(() => {});
			await stack.stop().catch(() => {});
			await redis.stop();
		},
	};
}

const pidOf = (owner: unknown) => Number(String(owner ?? '').split(':').pop());

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
	const deadline = Date.now() + ms;
	while (Date.now() < deadline) {
		if (await check().catch(() => false)) return true;
		await sleep(100);
	}
	return false;
}

/** A Kling task of the run is open and the run's lease names a live worker: that worker, or undefined. */
async function workerMaking(env: QueueEnv, runId: string): Promise<N8nServer | undefined> {
	const { rows } = await env.db.query(
		`select r.lease_owner, (select count(*)::int from provider_tasks t where t.run_id = r.id and t.status = 'submitted') as open
		   from runs r where r.id = $1`,
		[runId],
	);
	if (!rows[0] || rows[0].open === 0) return undefined;
	return env.stack.workers.find((worker) => worker.pid !== undefined && worker.pid === pidOf(rows[0].lease_owner));
}

/** What docker compose's `restart: unless-stopped` does for the n8n services: start any that died. */
async function supervise(env: QueueEnv): Promise<string[]> {
	const restarted: string[] = [];
	for (const process of env.processes()) {
		if (!process.running) {
			await process.start();
			restarted.push(process.logPath);
		}
	}
	return restarted;
}

function judge(row: Row, what: string, end: Record<string, any> | null) {
	if (!end) {
		row.stuck += 1;
		row.problems.push(`${what}: not terminal within ${Math.round(BOUND_MS / 1000)} s`);
	} else if (end.status === 'completed') row.completed += 1;
	else row.problems.push(`${what}: ${end.status}: ${String(end.error ?? '').slice(0, 200)}`);
}

/** R1 in queue mode: the worker making a run is SIGKILLed while a Kling task is open, then started again. */
export async function workerCrashes(env: QueueEnv, options: { trials: number; seed: number; log: (line: string) => void }): Promise<Row> {
	const row = newRow('R1Q crashes (queue, worker killed)', 'all complete without resume; 0 paid twice; within lease + work', true);
	const random = seededRandom(options.seed + 7);
	for (let trial = 1; trial <= options.trials; trial++) {
		const marker = `R1QT${trial}X${options.seed}`;
		env.kling.reset();
		env.kling.knobs.taskMs = 3000 + Math.floor(random() * 3000);
		row.trials += 1;
		const answer = await post(env, 'reelsmith/runs', markedRun(marker, SCENES, { video: ['kling'], speech: ['elevenlabs'] }));
		if (answer.status !== 202) {
			row.problems.push(`trial ${trial}: the webhook answered ${answer.status}`);
			continue;
		}
		const runId = String(answer.json.runId);
		const posted = Date.now();
		let victim: N8nServer | undefined;
		if (!(await until(async () => Boolean((victim = await workerMaking(env, runId))), 4 * 60_000)) || !victim) {
			row.problems.push(`trial ${trial}: no worker was seen making the run with a Kling task open`);
		} else {
			await victim.stop('SIGKILL');
			options.log(`[reliability] R1 (queue) trial ${trial}: the worker making the run was killed; starting it again …`);
			await victim.start();
		}
		const end = await waitTerminal(env, runId, BOUND_MS);
		judge(row, `trial ${trial}`, end);
		if (!end) for (const line of await timeline(env, runId)) options.log(`[reliability]   ${line}`);
		row.paidTwice += await unrecordedTasks(env, runId, marker);
		options.log(`[reliability] R1 (queue) trial ${trial}: ${end?.status ?? 'stuck'} ${Math.round((Date.now() - posted) / 1000)} s after it was posted`);
	}
	return row;
}

/** R6 in queue mode: Redis restarted (empty) while runs are being made; n8n processes that died are started again. */
export async function redisRestarts(env: QueueEnv, options: { trials: number; seed: number; log: (line: string) => void }): Promise<Row> {
	const row = newRow('R6Q Redis restarted (queue)', 'no run lost: every run completes after the restart; 0 paid twice', true);
	for (let trial = 1; trial <= options.trials; trial++) {
		const marker = `R6QT${trial}X${options.seed}`;
		env.kling.reset();
		env.kling.knobs.taskMs = 4000;
		row.trials += 1;
		const answer = await post(env, 'reelsmith/runs', markedRun(marker, 4, { title: `Redis ${marker}`, video: ['kling'], speech: ['espeak'] }));
		if (answer.status !== 202) {
			row.problems.push(`trial ${trial}: the webhook answered ${answer.status}`);
			continue;
		}
		const runId = String(answer.json.runId);
		const posted = Date.now();
		if (!(await until(async () => env.kling.log.inFlight > 0, 4 * 60_000))) row.problems.push(`trial ${trial}: no Kling task was opened`);
		await env.redis.restart(REDIS_DOWN_MS);
		options.log(`[reliability] R6 (Redis) trial ${trial}: Redis was down ${REDIS_DOWN_MS / 1000} s and came back empty; waiting for the run …`);
		// n8n exits when Redis stays away past its threshold; a supervisor starts it again, so the suite does too.
		await sleep(15_000);
		const restarted = await supervise(env);
		if (restarted.length) row.notes.push(`trial ${trial}: ${restarted.length} n8n process(es) exited with Redis and were started again`);
		const end = await waitTerminal(env, runId, BOUND_MS);
		judge(row, `trial ${trial}`, end);
		if (!end) for (const line of await timeline(env, runId)) options.log(`[reliability]   ${line}`);
		row.paidTwice += await unrecordedTasks(env, runId, marker);
		options.log(`[reliability] R6 (Redis) trial ${trial}: ${end?.status ?? 'stuck'} ${Math.round((Date.now() - posted) / 1000)} s after it was posted`);
	}
	return row;
}
