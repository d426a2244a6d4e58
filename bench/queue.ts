/**
 * Throughput of n8n's queue mode against regular mode (issue 9): the same offline runs (rules planner, local clips,
 * espeak-ng) through a real stack in regular mode, then queue mode with 1 and with 2 workers on this machine's Redis.
 * Prints runs per minute, the ratio to regular mode and the time per run, side by side.
 *
 *   node --import tsx bench/queue.ts [--runs 12] [--max-running 2]
 *
 * Each mode gets a fresh data folder (embedded Postgres, local S3), the same Max Running and the same script. Time is
 * measured from the first POST to the last run completed. On a 2-core machine the honest gain is small: the media work
 * already uses both cores in regular mode, and queue mode adds a hop through Redis and main per execution.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildPackage, ensureInstalled, startStack, type StackOptions } from '../initialization/stack';
import { freePort } from '../test/helpers/ports';
import { deleteKeys, redisReachable, TEST_REDIS } from '../test/helpers/redis';

const argument = (name: string, fallback: number) => {
	const index = process.argv.indexOf(`--${name}`);
	return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const RUNS = argument('runs', 12);
const MAX_RUNNING = argument('max-running', 2);
const SCRIPT = join(__dirname, '..', 'test', 'fixtures', 'scripts', 'three-scenes.fountain');

interface Result {
	mode: string;
	seconds: number;
	runsPerMinute: number;
	/** Mean time from a run's start to its end, as the runs table records it. */
	perRunSeconds: number;
}

async function measure(mode: string, queue: StackOptions['queue']): Promise<Result> {
	const dataDir = await mkdtemp(join(tmpdir(), 'reelsmith-bench-queue-'));
	const stack = await startStack({
		dataDir,
		n8nPort: await freePort(),
		queue,
		n8nEnv: { REELSMITH_MAX_RUNNING: String(MAX_RUNNING) },
		log: () => {},
	});
	const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
	try {
		const script = await readFile(SCRIPT, 'utf8');
		const started = Date.now();
		const runIds: string[] = [];
		for (let index = 0; index < RUNS; index++) {
			const response = await fetch(`${stack.webhookBase}/reelsmith/runs`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'x-reelsmith-token': stack.webhookToken },
				body: JSON.stringify({ script, iterations: 1, campaign: 'Bench' }),
			});
			const answer = (await response.json()) as { runId?: string };
			if (response.status !== 202 || !answer.runId) throw new Error(`${mode}: the webhook answered ${response.status}`);
			runIds.push(answer.runId);
		}
		for (;;) {
			const { rows } = await db.query<{ done: number; failed: number }>(
				"select count(*) filter (where status = 'completed')::int as done, count(*) filter (where status in ('failed', 'cancelled'))::int as failed from runs where id = any($1::uuid[])",
				[runIds],
			);
			if (rows[0].failed) throw new Error(`${mode}: ${rows[0].failed} run(s) failed`);
			if (rows[0].done === RUNS) break;
			if (Date.now() - started > 30 * 60_000) throw new Error(`${mode}: not done after 30 minutes`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		const seconds = (Date.now() - started) / 1000;
		const { rows } = await db.query<{ mean: number }>(
			'select avg(extract(epoch from finished_at - started_at))::float as mean from runs where id = any($1::uuid[])',
			[runIds],
		);
		return { mode, seconds, runsPerMinute: (RUNS * 60) / seconds, perRunSeconds: rows[0].mean };
	} finally {
		await db.end();
		await stack.stop();
		await rm(dataDir, { recursive: true, force: true });
	}
}

async function main(): Promise<void> {
	await ensureInstalled(() => {});
	await buildPackage(() => {});
	const results: Result[] = [await measure('regular', undefined)];
	if (!(await redisReachable())) {
		console.log(`No Redis at ${TEST_REDIS.host}:${TEST_REDIS.port}: queue mode not measured.`);
	} else {
		for (const workers of [1, 2]) {
			const prefix = `rs-bench-${randomBytes(3).toString('hex')}`;
			try {
				results.push(await measure(`queue, ${workers} worker${workers > 1 ? 's' : ''}`, { workers, concurrency: 4, redis: TEST_REDIS, prefix }));
			} finally {
				await deleteKeys(`${prefix}:*`);
			}
		}
	}
	const base = results[0];
	console.log(`\n${RUNS} offline runs (three-scenes.fountain, 1 refinement iteration), Max Running ${MAX_RUNNING}, ${(await import('node:os')).cpus().length} cores\n`);
	console.log('mode                 total s   runs/min   vs regular   s per run (start→end)   vs regular');
	for (const result of results) {
		console.log(
			`${result.mode.padEnd(20)} ${result.seconds.toFixed(1).padStart(7)}   ${result.runsPerMinute.toFixed(2).padStart(8)}   ${(result.runsPerMinute / base.runsPerMinute).toFixed(2).padStart(10)}×   ${result.perRunSeconds.toFixed(1).padStart(21)}   ${(result.perRunSeconds / base.perRunSeconds).toFixed(2).padStart(9)}×`,
		);
	}
	for (const result of results.slice(1)) {
		console.log(`${result.mode}: overhead per run ${(result.perRunSeconds - base.perRunSeconds).toFixed(2)} s against regular mode.`);
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
