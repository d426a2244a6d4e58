/**
 * R6 · infrastructure faults: the run's own services go away mid-run. Postgres restarted during generation, the
 * object store down for 30 s during generation and during assembly. No run may be lost: each one finishes after
 * the outage, or fails with a message that says what was down and that resuming finishes it — and a resume does.
 */
import { LEASE_SECONDS, markedRun, post, timeline, unrecordedTasks, waitTerminal, type SuiteEnv } from './env';
import { newRow, type Row } from './table';

const SCENES = 4;
/** The outage, the lease, the watchdog's round and the rest of the work. */
const BOUND_MS = 60_000 + (LEASE_SECONDS + 20) * 1000 + 6 * 60_000;

interface Outage {
	name: string;
	/** What a failure message must name when the run fails because of it. */
	names: RegExp;
	/** The moment it happens. */
	when: (env: SuiteEnv, runId: string) => Promise<boolean>;
	cause: (env: SuiteEnv) => Promise<void>;
}

async function stage(env: SuiteEnv, runId: string): Promise<string | null> {
	const { rows } = await env.db.query('select stage from runs where id = $1', [runId]).catch(() => ({ rows: [] as { stage: string }[] }));
	return rows[0]?.stage ?? null;
}

export const OUTAGES: Outage[] = [
	{
		name: 'Postgres restarted during generation',
		names: /postgres|database/i,
		when: async (env) => env.kling.log.inFlight > 0,
		cause: (env) => env.stack.restartPostgres(5000),
	},
	{
		name: 'object store down 30 s during generation',
		names: /object stor|storage|S3/i,
		when: async (env) => env.kling.log.inFlight > 0,
		cause: (env) => env.stack.restartObjectStore(30_000),
	},
	{
		name: 'object store down 30 s during assembly',
		names: /object stor|storage|S3/i,
		when: async (env, runId) => (await stage(env, runId)) === 'assembly',
		cause: (env) => env.stack.restartObjectStore(30_000),
	},
];

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
	const deadline = Date.now() + ms;
	while (Date.now() < deadline) {
		if (await check().catch(() => false)) return true;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	return false;
}

export async function infrastructure(env: SuiteEnv, options: { trials: number; seed: number; log: (line: string) => void }): Promise<Row> {
	const row = newRow('R6 infrastructure faults', 'no run lost: finishes after the outage, or fails naming what was down and resume finishes it', true);
	for (let trial = 1; trial <= options.trials; trial++) {
		const outage = OUTAGES[(trial - 1) % OUTAGES.length];
		const marker = `R6T${trial}X${options.seed}`;
		env.kling.reset();
		env.kling.knobs.taskMs = 4000;
		row.trials += 1;
		const answer = await post(env, 'reelsmith/runs', markedRun(marker, SCENES, { title: `Infrastructure ${marker}`, video: ['kling'], speech: ['espeak'] }));
		if (answer.status !== 202) {
			row.problems.push(`trial ${trial}: the webhook answered ${answer.status}`);
			continue;
		}
		const runId = String(answer.json.runId);
		if (!(await until(() => outage.when(env, runId), 4 * 60_000))) row.problems.push(`trial ${trial}: the moment for "${outage.name}" did not come`);
		await outage.cause(env);
		options.log(`[reliability] R6 trial ${trial}: ${outage.name}; waiting for the run …`);
		let end = await waitTerminal(env, runId, BOUND_MS);
		let resumed = false;
		if (end?.status === 'failed') {
			resumed = true;
			const message = String(end.error ?? '');
			if (!outage.names.test(message) || !/resum/i.test(message)) {
				row.problems.push(`trial ${trial} (${outage.name}): failed without saying what was down and that resume finishes it: "${message.slice(0, 200)}"`);
			}
			row.failedReadable += 1;
			const again = await post(env, 'reelsmith/resume', { runId });
			if (again.status !== 202) row.problems.push(`trial ${trial}: resume answered ${again.status} ${JSON.stringify(again.json).slice(0, 160)}`);
			end = await waitTerminal(env, runId, BOUND_MS);
		}
		if (!end) {
			row.stuck += 1;
			row.problems.push(`trial ${trial} (${outage.name}): not terminal within ${Math.round(BOUND_MS / 1000)} s`);
			for (const line of await timeline(env, runId)) options.log(`[reliability]   ${line}`);
		} else if (end.status === 'completed') row.completed += 1;
		else row.problems.push(`trial ${trial} (${outage.name}): ${end.status} after the resume: ${String(end.error ?? '').slice(0, 200)}`);
		row.paidTwice += await unrecordedTasks(env, runId, marker);
		options.log(`[reliability] R6 trial ${trial}: ${end?.status ?? 'stuck'}${resumed ? ' (after a resume)' : ' (nobody resumed it)'}`);
	}
	return row;
}
