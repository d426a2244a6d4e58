/**
 * The reliability and security suite (issue 14): the real stack with the paid providers on loopback fakes, each
 * scenario run a stated number of times with a fixed seed, one table printed, exit 1 when any cell misses its target.
 *
 *   node --import tsx bench/reliability.ts [--profile short|full] [--seed N] [--only R1,R1Q,R2,R3,R4,R5,R6,R6D,R6Q] [--trial N]
 *
 *   R1 crashes          SIGKILL n8n at a chosen moment of a 6-scene paid-fake run, start it again, no resume call
 *   R1Q crashes (queue) the same run in queue mode (main + 2 workers): SIGKILL the worker making it, start it again
 *   R2 provider faults  30 % of provider requests fail (429, 5xx, hangs, resets, cut bodies), 10 % of tasks fail,
 *                       5 % of results are no video, 5 % of result links expired, 10 % of speech audio cut or no audio
 *   R3 hostile input    a corpus of nasty requests and seeded fast-check mutations, to the webhooks and dashboard
 *   R6 infrastructure   Postgres restarted, the object store down 30 s: runs finish, or fail saying what was down and
 *                       resume finishes them
 *   R6D disk full       the work folder (TMPDIR of n8n, a small tmpfs) filled while a Kling task is open: the run
 *                       finishes, or fails saying the work folder is full, and resume finishes it once there is room
 *   R6Q Redis           queue mode: Redis (the suite's own redis-server, no persistence) restarted empty mid-run
 *   R5 load             offline runs posted at once, then a stream of them: all answered with a queue position, all end,
 *                       never more than Max Running at once, positions only go down, n8n's memory does not keep growing
 *   R4 access           every dashboard route without/with a stale/with another manager's session, artifact keys,
 *                       cross-site requests, cookie flags, webhook tokens, secrets in n8n's data, logs, events, S3
 *
 * The short profile (a few trials each) runs in CI as test/e2e/reliability.test.ts; the full one on demand, with its
 * last result in the README's "Reliability" section.
 */
import { access } from './reliability/access';
import { startSuiteEnv } from './reliability/env';
import { hostileInput } from './reliability/hostile';
import { diskNearlyFull, infrastructure, OUTAGES } from './reliability/infra';
import { load } from './reliability/load';
import { redisRestarts, startQueueEnv, workerCrashes } from './reliability/queue';
import { crashes, MOMENTS, providerFaults } from './reliability/runs';
import { formatTable, missed, type Row } from './reliability/table';

export interface SuiteOptions {
	profile: 'short' | 'full';
	seed: number;
	only?: string[];
	/** Only this trial of R1, R2 and R6 (its faults come from the seed and the trial number), to look at one again. */
	trial?: number;
	log?: (line: string) => void;
}

export const PROFILES = {
	short: { crashes: 2, queueCrashes: 1, faults: 1, fuzz: 30, outages: 1, disk: 1, redisRestarts: 1, burst: 6, stream: 0, streamMinutes: 0 },
	full: {
		// Issue 14 asks for 20 crash trials: four of each moment.
		crashes: 4 * MOMENTS.length,
		queueCrashes: 6,
		faults: 6,
		fuzz: 300,
		outages: 2 * OUTAGES.length,
		disk: 3,
		redisRestarts: 3,
		burst: 50,
		stream: 200,
		streamMinutes: 10,
	},
} as const;

export async function runSuite(options: SuiteOptions): Promise<Row[]> {
	const log = options.log ?? ((line: string) => console.log(line));
	const counts = PROFILES[options.profile];
	const wanted = (name: string) => !options.only?.length || options.only.includes(name);
	const env = await startSuiteEnv(options.seed, log);
	const rows: Row[] = [];
	try {
		if (wanted('R3')) rows.push(await hostileInput(env, { seed: options.seed, fuzz: counts.fuzz, log }));
		if (wanted('R1')) rows.push(await crashes(env, { trials: counts.crashes, seed: options.seed, trial: options.trial, log }));
		if (wanted('R2')) rows.push(await providerFaults(env, { trials: counts.faults, seed: options.seed, trial: options.trial, log }));
		if (wanted('R6')) rows.push(await infrastructure(env, { trials: counts.outages, seed: options.seed, trial: options.trial, log }));
		if (wanted('R6D')) rows.push(await diskNearlyFull(env, { trials: counts.disk, seed: options.seed, log }));
		if (wanted('R5'))
			rows.push(await load(env, { burst: counts.burst, stream: counts.stream, minutes: counts.streamMinutes, seed: options.seed, log }));
		if (wanted('R1Q') || wanted('R6Q')) {
			// Queue mode beside the regular stack, on the same provider fakes; stopped before R4 greps what is left.
			const queued = await startQueueEnv(env, log);
			try {
				if (wanted('R1Q')) rows.push(await workerCrashes(queued, { trials: counts.queueCrashes, seed: options.seed, log }));
				if (wanted('R6Q')) rows.push(await redisRestarts(queued, { trials: counts.redisRestarts, seed: options.seed, log }));
			} finally {
				await queued.stop();
			}
		}
		// Last: it checks access to the runs made above and greps everything they left for secrets.
		if (wanted('R4')) rows.push(await access(env));
	} finally {
		await env.stop();
	}
	return rows;
}

function argument(name: string): string | undefined {
	const index = process.argv.indexOf(`--${name}`);
	return index > 0 ? process.argv[index + 1] : undefined;
}

if (require.main === module) {
	const profile = (argument('profile') ?? 'short') as SuiteOptions['profile'];
	if (!(profile in PROFILES)) {
		console.error(`--profile must be short or full (got "${profile}").`);
		process.exit(2);
	}
	const seed = Number(argument('seed') ?? 20261201);
	const only = argument('only')
		?.split(',')
		.map((name) => name.trim().toUpperCase());
	const trial = argument('trial') === undefined ? undefined : Number(argument('trial'));
	const started = Date.now();
	runSuite({ profile, seed, only, trial })
		.then((rows) => {
			console.log(formatTable(rows, `Reliability suite · profile ${profile} · seed ${seed} · ${((Date.now() - started) / 60_000).toFixed(1)} min`));
			process.exit(rows.some((row) => missed(row)) ? 1 : 0);
		})
		.catch((error: Error) => {
			console.error(error.stack);
			process.exit(1);
		});
}
