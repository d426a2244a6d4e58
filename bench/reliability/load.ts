/**
 * R5 · load: many offline runs at once (a burst), then a stream of runs posted over some minutes. Every request must
 * be answered 202 with a queue position, every run must end, never more than Max Running may hold a slot at once, a
 * queued run's position (as the dashboard shows it) may only go down, and n8n's memory must not keep growing. Also
 * reports the p95 gap between one run ending and the next queued one starting (the queue's dead time).
 */
import { n8nMemory, type MemorySample as Sample } from '../lib/memory';
import { SLOTS_TAKEN } from '../../nodes/shared/store/runState';
import { ADMIN, markedRun, MAX_RUNNING, post, TERMINAL, type SuiteEnv } from './env';
import { newRow, type Row } from './table';

/** A queued run may wait for everyone ahead of it: the bound grows with the queue. */
const BOUND_PER_RUN_MS = 90_000;
/** Memory may grow this much from the first half of the load to the second (a leak shows as steady growth). */
const RSS_GROWTH_MIB = 64;

export interface LoadOptions {
	/** Runs posted at once. */
	burst: number;
	/** Runs posted evenly over `minutes` after the burst has ended (0 = none). */
	stream: number;
	minutes: number;
	seed: number;
	log: (line: string) => void;
}

function runRequest(marker: string) {
	// One short scene: the load is on the queue and n8n, not on the media work.
	return markedRun(marker, 1, { title: `Load ${marker}`, campaign: 'Reliability load' });
}

async function login(env: SuiteEnv): Promise<string> {
	const response = await fetch(`${env.dashboard.url}/api/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(ADMIN),
	});
	return (response.headers.get('set-cookie') ?? '').split(';')[0];
}

function percentile(values: number[], p: number): number {
	if (!values.length) return 0;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function load(env: SuiteEnv, options: LoadOptions): Promise<Row> {
	const total = options.burst + options.stream;
	const row = newRow(
		`R5 load (${options.burst} at once${options.stream ? `, ${options.stream} over ${options.minutes} min` : ''})`,
		`all 202 with a position; all end; <= ${MAX_RUNNING} running; positions only go down; RSS growth <= ${RSS_GROWTH_MIB} MiB`,
		true,
	);
	const cookie = await login(env);
	const runIds: string[] = [];
	const positions = new Map<string, number>();
	let maxActive = 0;
	const samples: Sample[] = [];
	let sampling = true;
	const rootPids = () => [env.stack.main.pid, ...env.stack.workers.map((worker) => worker.pid)].filter((pid): pid is number => !!pid);

	// Watches while the runs go: slots taken, positions on the dashboard, n8n's memory.
	const watcher = (async () => {
		const { rows } = await env.db.query<{ id: string }>("select id from campaigns where name = 'Reliability load'");
		let campaignId = rows[0]?.id;
		while (sampling) {
			const active = (await env.db.query(`select ${SLOTS_TAKEN} as n`)).rows[0].n as number;
			maxActive = Math.max(maxActive, active);
			if (!campaignId) campaignId = (await env.db.query("select id from campaigns where name = 'Reliability load'")).rows[0]?.id;
			if (campaignId) {
				const answer = await fetch(`${env.dashboard.url}/api/campaigns/${campaignId}?limit=200`, { headers: { cookie } });
				const body = (await answer.json().catch(() => ({}))) as { runs?: { id: string; queuePosition: number | null }[] };
				for (const run of body.runs ?? []) {
					if (run.queuePosition === null) continue;
					const before = positions.get(run.id);
					if (before !== undefined && run.queuePosition > before) row.problems.push(`run ${run.id}: queue position went from ${before} up to ${run.queuePosition}`);
					positions.set(run.id, run.queuePosition);
				}
			}
			samples.push({ at: Date.now(), memory: await n8nMemory(rootPids()) });
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	})();

	const postOne = async (marker: string) => {
		row.trials += 1;
		const answer = await post(env, 'reelsmith/runs', runRequest(marker));
		if (answer.status >= 500) row.serverErrors += 1;
		if (answer.status !== 202 || typeof answer.json.runId !== 'string' || typeof answer.json.queuePosition !== 'number') {
			row.problems.push(`${marker}: answered ${answer.status} ${JSON.stringify(answer.json).slice(0, 160)}`);
			return;
		}
		runIds.push(answer.json.runId);
	};

	const started = Date.now();
	await Promise.all(Array.from({ length: options.burst }, (_, index) => postOne(`L${options.seed}B${index + 1}`)));
	options.log(`[reliability] R5: ${options.burst} runs posted at once`);
	const deadline = started + total * BOUND_PER_RUN_MS + options.minutes * 60_000;
	const ended = async () => {
		const { rows } = await env.db.query<{ n: number }>('select count(*)::int as n from runs where id = any($1) and status = any($2)', [runIds, TERMINAL]);
		return rows[0].n;
	};
	while ((await ended()) < runIds.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1000));
	const burstEnded = Date.now();
	for (let index = 0; index < options.stream; index++) {
		await postOne(`L${options.seed}S${index + 1}`);
		await new Promise((resolve) => setTimeout(resolve, (options.minutes * 60_000) / options.stream));
	}
	if (options.stream) options.log(`[reliability] R5: ${options.stream} more posted over ${options.minutes} min`);
	while ((await ended()) < runIds.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1000));
	sampling = false;
	await watcher;

	const { rows } = await env.db.query(
		'select id, status, error, queued_at, started_at, finished_at from runs where id = any($1) order by started_at nulls last',
		[runIds],
	);
	for (const run of rows) {
		if (run.status === 'completed') row.completed += 1;
		else if (!TERMINAL.includes(run.status)) row.stuck += 1;
		else row.problems.push(`run ${run.id}: ${run.status}: ${String(run.error ?? '').slice(0, 160)}`);
	}
	if (maxActive > MAX_RUNNING) row.problems.push(`${maxActive} runs held a slot at once (Max Running ${MAX_RUNNING})`);

	// Dead time: from the latest end before a run's start to that start, for runs that were waiting by then.
	const ends = rows.filter((run) => run.finished_at).map((run) => new Date(run.finished_at).getTime());
	const gaps: number[] = [];
	for (const run of rows) {
		if (!run.started_at) continue;
		const start = new Date(run.started_at).getTime();
		const before = ends.filter((end) => end <= start);
		if (!before.length) continue;
		const freed = Math.max(...before);
		if (new Date(run.queued_at).getTime() < freed) gaps.push((start - freed) / 1000);
	}

	// Memory: peak per process, and growth from the first half of the load to the second.
	const half = samples.length ? samples[Math.floor(samples.length / 2)].at : 0;
	const roles = new Set(samples.flatMap((sample) => [...sample.memory.keys()]));
	const memory: string[] = [];
	for (const role of roles) {
		const peak = (filter: (s: Sample) => boolean) => Math.max(0, ...samples.filter(filter).map((s) => s.memory.get(role) ?? 0));
		const first = peak((s) => s.at < half);
		const second = peak((s) => s.at >= half);
		memory.push(`${role} peak ${Math.max(first, second).toFixed(0)} MiB (${(second - first >= 0 ? '+' : '') + (second - first).toFixed(0)} MiB)`);
		// A task runner is started again after it idles out; only the long-lived processes are held to the bound.
		if (!role.includes('task runner') && second - first > RSS_GROWTH_MIB) row.problems.push(`${role}: memory grew ${(second - first).toFixed(0)} MiB from the first half of the load to the second`);
	}
	row.notes.push(
		`${rows.length} runs in ${((Date.now() - started) / 60_000).toFixed(1)} min (burst ended after ${((burstEnded - started) / 1000).toFixed(0)} s); at most ${maxActive} held a slot`,
		`start gap after a run ended: p50 ${percentile(gaps, 50).toFixed(1)} s, p95 ${percentile(gaps, 95).toFixed(1)} s over ${gaps.length} waits`,
		`memory: ${memory.join('; ') || 'no n8n process found'}`,
	);
	options.log(`[reliability] R5: ${row.notes.join(' · ')}`);
	return row;
}
