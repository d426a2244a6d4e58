/**
 * R6 · infrastructure faults: the run's own services go away mid-run. Postgres restarted during generation, the
 * object store down for 30 s during generation and during assembly. No run may be lost: each one finishes after
 * the outage, or fails with a message that says what was down and that resuming finishes it — and a resume does.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, statfs, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { ffprobe } from '../../nodes/shared/transport/ffmpeg';
import { Storage } from '../../nodes/shared/transport/storage';
import { LEASE_SECONDS, markedRun, post, timeline, unrecordedTasks, waitTerminal, type SuiteEnv } from './env';
import { newRow, type Row } from './table';

const run = promisify(execFile);

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

export async function infrastructure(
	env: SuiteEnv,
	options: { trials: number; seed: number; trial?: number; log: (line: string) => void },
): Promise<Row> {
	const row = newRow(
		'R6 infrastructure faults',
		'no run lost: finishes after the outage, or fails naming what was down and resume finishes it',
		true,
	);
	for (let trial = 1; trial <= options.trials; trial++) {
		if (options.trial !== undefined && trial !== options.trial) continue;
		const outage = OUTAGES[(trial - 1) % OUTAGES.length];
		const marker = `R6T${trial}X${options.seed}`;
		env.kling.reset();
		env.kling.knobs.taskMs = 4000;
		row.trials += 1;
		const answer = await post(
			env,
			'reelsmith/runs',
			markedRun(marker, SCENES, { title: `Infrastructure ${marker}`, video: ['kling'], speech: ['espeak'] }),
		);
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
				row.problems.push(
					`trial ${trial} (${outage.name}): failed without saying what was down and that resume finishes it: "${message.slice(0, 200)}"`,
				);
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

/** The work folder of the disk scenario: a tmpfs this small fills with a few clips (mounting needs root). */
const WORK_DISK_SIZE = '64m';
/** What the nodes find free once the scenario fills the disk: less than one provider clip. */
const LEFT_FREE_BYTES = 48 * 1024;

/**
 * Stored media of the run that no player could read (a clip or narration cut off by the full disk), counted as partial
 * writes. Each object is probed from the suite's own folder, not from the full disk.
 */
async function unreadableMedia(env: SuiteEnv, runId: string): Promise<string[]> {
	const storage = new Storage(env.stack.s3);
	const broken: string[] = [];
	for (const key of await storage.listKeys(`runs/${runId}/`)) {
		if (!/\.(mp4|wav|mp3)$/.test(key)) continue;
		const file = join(env.dataDir, `probe-${basename(key)}`);
		try {
			await storage.downloadFile({ bucket: env.stack.s3.bucket, key }, file);
			const probe = await ffprobe(file);
			if (!probe.streams.length || !(Number(probe.format.duration) > 0)) broken.push(key);
		} catch {
			broken.push(key);
		} finally {
			await rm(file, { force: true });
		}
	}
	return broken;
}

/**
 * R6D · the work folder's disk nearly full: n8n is started again with TMPDIR on a small tmpfs (the nodes' work
 * folders are made there), which is filled to the last few KB while a Kling task is open. The run must finish, or fail
 * saying the work folder is full and that resume finishes it; after the space is freed a resume does; nothing it
 * stored is cut off. n8n is started again with its own TMPDIR at the end.
 */
export async function diskNearlyFull(env: SuiteEnv, options: { trials: number; seed: number; log: (line: string) => void }): Promise<Row> {
	const row = newRow(
		'R6D work folder disk nearly full',
		'finishes, or fails saying the work folder is full and resume finishes it; resume does; no partial objects',
		true,
	);
	const mount = join(env.dataDir, 'work-disk');
	await mkdir(mount, { recursive: true });
	try {
		await run('mount', ['-t', 'tmpfs', '-o', `size=${WORK_DISK_SIZE}`, 'tmpfs', mount]);
	} catch (error) {
		row.scenario = 'R6D work folder disk nearly full (skipped: needs root to mount tmpfs)';
		row.notes.push(
			`skipped: needs root to mount tmpfs (${String((error as Error).message)
				.split('\n')[0]
				.slice(0, 120)})`,
		);
		return row;
	}
	const filler = join(mount, 'filler');
	const ownTmp = process.env.TMPDIR;
	try {
		// n8n copies this process's environment when it starts: its os.tmpdir() is the tmpfs from here on.
		await env.stack.killN8n('SIGTERM');
		process.env.TMPDIR = mount;
		try {
			await env.stack.startN8n();
		} finally {
			if (ownTmp === undefined) delete process.env.TMPDIR;
			else process.env.TMPDIR = ownTmp;
		}
		for (let trial = 1; trial <= options.trials; trial++) {
			const marker = `R6DT${trial}X${options.seed}`;
			env.kling.reset();
			env.kling.knobs.taskMs = 4000;
			row.trials += 1;
			const answer = await post(env, 'reelsmith/runs', markedRun(marker, SCENES, { title: `Disk ${marker}`, video: ['kling'], speech: ['espeak'] }));
			if (answer.status !== 202) {
				row.problems.push(`trial ${trial}: the webhook answered ${answer.status}`);
				continue;
			}
			const runId = String(answer.json.runId);
			if (!(await until(async () => env.kling.log.inFlight > 0, 4 * 60_000))) row.problems.push(`trial ${trial}: no Kling task was opened`);
			const { bavail, bsize } = await statfs(mount);
			await writeFile(filler, Buffer.alloc(Math.max(0, bavail * bsize - LEFT_FREE_BYTES)));
			options.log(`[reliability] R6D trial ${trial}: the work folder's disk is full but ${LEFT_FREE_BYTES / 1024} KB; waiting for the run …`);
			let end = await waitTerminal(env, runId, BOUND_MS);
			let resumed = false;
			if (end?.status === 'failed') {
				resumed = true;
				const message = String(end.error ?? '');
				if (!/work folder .* is full/i.test(message) || !/resum/i.test(message)) {
					row.problems.push(`trial ${trial}: failed without saying the work folder is full and that resume finishes it: "${message.slice(0, 240)}"`);
				} else row.failedReadable += 1;
				options.log(`[reliability] R6D trial ${trial}: failed: ${message.slice(0, 240)}`);
				row.partialWrites += (await unreadableMedia(env, runId)).length;
				await rm(filler, { force: true });
				const again = await post(env, 'reelsmith/resume', { runId });
				if (again.status !== 202) row.problems.push(`trial ${trial}: resume answered ${again.status} ${JSON.stringify(again.json).slice(0, 160)}`);
				end = await waitTerminal(env, runId, BOUND_MS);
			}
			await rm(filler, { force: true });
			if (!end) {
				row.stuck += 1;
				row.problems.push(`trial ${trial}: not terminal within ${Math.round(BOUND_MS / 1000)} s`);
				for (const line of await timeline(env, runId)) options.log(`[reliability]   ${line}`);
			} else if (end.status === 'completed') {
				row.completed += 1;
				const broken = await unreadableMedia(env, runId);
				row.partialWrites += broken.length;
				if (broken.length) row.problems.push(`trial ${trial}: unreadable stored media: ${broken.slice(0, 4).join(', ')}`);
			} else row.problems.push(`trial ${trial}: ${end.status} after the resume: ${String(end.error ?? '').slice(0, 200)}`);
			row.paidTwice += await unrecordedTasks(env, runId, marker);
			options.log(`[reliability] R6D trial ${trial}: ${end?.status ?? 'stuck'}${resumed ? ' (after a resume)' : ' (the disk never stopped it)'}`);
		}
	} finally {
		await rm(filler, { force: true });
		// Back to n8n with its own TMPDIR, then the tmpfs goes.
		await env.stack.killN8n('SIGTERM').catch(() => {});
		await env.stack.startN8n().catch((error: Error) => row.problems.push(`n8n did not start again after the scenario: ${error.message}`));
		await run('umount', [mount]).catch(() => run('umount', ['-l', mount]).catch(() => {}));
	}
	return row;
}
