/**
 * The reliability suite's world: the real stack in regular mode (embedded Postgres, the local S3 endpoint, n8n with
 * the Reelsmith workflows), the dashboard beside it, and the paid providers it uses (Kling and Runway for video,
 * ElevenLabs and Google for speech) as loopback fakes, each behind its own chaos proxy, so a scenario can turn faults
 * on and off.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { SIGNATURE_HEADER, signBody } from '../../nodes/Campaign/lib/auth';
import { buildPackage, dashboardConnection, ensureInstalled, startStack, type Stack } from '../../initialization/stack';
import { startDashboard, type Dashboard } from '../../ui/server/index';
import { ChaosProxy } from '../../test/fakes/chaos';
import { FakeElevenLabs } from '../../test/fakes/elevenlabs';
import { FakeGoogleTts } from '../../test/fakes/google-tts';
import { FakeKling } from '../../test/fakes/kling';
import { FakeRunway } from '../../test/fakes/runway';
import { makeClip } from '../../test/fixtures/media/make';
import { freePort } from '../../test/helpers/ports';

export const KLING_KEYS = { accessKey: 'reliability-kling-access', secretKey: 'reliability-kling-secret-0123456789' };
export const RUNWAY_SECRET = 'reliability-runway-secret-0123456789';
export const ADMIN = { email: 'admin@reliability.test', password: 'reliability-admin-1' };
/** Seconds a lease lasts here: a killed run is recovered within lease + the watchdog's 20 s. */
export const LEASE_SECONDS = 10;
/** Runs that may hold a slot at once (the load scenario checks it is never passed). */
export const MAX_RUNNING = 2;

export interface SuiteEnv {
	stack: Stack;
	db: pg.Pool;
	dashboard: Dashboard;
	kling: FakeKling;
	runway: FakeRunway;
	elevenlabs: FakeElevenLabs;
	google: FakeGoogleTts;
	klingProxy: ChaosProxy;
	runwayProxy: ChaosProxy;
	elevenlabsProxy: ChaosProxy;
	googleProxy: ChaosProxy;
	dataDir: string;
	/** Every secret the stack holds: none may appear in n8n's data, logs, the events table or storage. */
	secrets: string[];
	stop(): Promise<void>;
}

export async function startSuiteEnv(seed: number, log: (line: string) => void): Promise<SuiteEnv> {
	await ensureInstalled(log);
	await buildPackage(log);
	const dataDir = await mkdtemp(join(tmpdir(), 'reelsmith-reliability-'));
	const clip = await makeClip(join(dataDir, 'provider-clip.mp4'), { width: 640, height: 360, duration: 5 });
	const kling = await new FakeKling(KLING_KEYS.accessKey, KLING_KEYS.secretKey, clip).start();
	const runway = await new FakeRunway(RUNWAY_SECRET, clip).start();
	const elevenlabs = await new FakeElevenLabs().start();
	const google = await new FakeGoogleTts().start();
	const klingProxy = await new ChaosProxy(kling.url, { errorRate: 0, seed }).start();
	const elevenlabsProxy = await new ChaosProxy(elevenlabs.url, { errorRate: 0, seed: seed + 1 }).start();
	const runwayProxy = await new ChaosProxy(runway.url, { errorRate: 0, seed: seed + 2 }).start();
	const googleProxy = await new ChaosProxy(google.url, { errorRate: 0, seed: seed + 3 }).start();
	log('[reliability] starting the stack (regular mode) …');
	const stack = await startStack({
		dataDir,
		n8nPort: await freePort(),
		n8nEnv: { REELSMITH_LEASE_SECONDS: String(LEASE_SECONDS), REELSMITH_MAX_RUNNING: String(MAX_RUNNING) },
		log: () => {},
		providerKeys: {
			kling: { ...KLING_KEYS, baseUrl: klingProxy.url },
			runway: { apiSecret: RUNWAY_SECRET, baseUrl: runwayProxy.url },
			elevenlabs: { apiKey: elevenlabs.apiKey, baseUrl: elevenlabsProxy.url },
			google: { apiKey: google.apiKey, baseUrl: googleProxy.url },
		},
	});
	const dashboard = await startDashboard({
		...dashboardConnection(stack),
		port: await freePort(),
		host: '127.0.0.1',
		admin: ADMIN,
		migrate: false,
		queue: null,
		log: () => {},
	});
	const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 3 });
	// The infrastructure scenario restarts Postgres: idle connections then end with an error, which is expected.
	db.on('error', () => {});
	const secrets = [stack.webhookToken, KLING_KEYS.secretKey, RUNWAY_SECRET, elevenlabs.apiKey, google.apiKey, ADMIN.password];
	return {
		stack,
		db,
		dashboard,
		kling,
		runway,
		elevenlabs,
		google,
		klingProxy,
		runwayProxy,
		elevenlabsProxy,
		googleProxy,
		dataDir,
		secrets,
		async stop() {
			await db.end().catch(() => {});
			await dashboard.stop().catch(() => {});
			await stack.stop().catch(() => {});
			await Promise.allSettled([
				...[klingProxy, runwayProxy, elevenlabsProxy, googleProxy].map((proxy) => proxy.stop()),
				...[kling, runway, elevenlabs, google].map((fake) => fake.stop()),
			]);
			// RELIABILITY_KEEP=1 keeps n8n's database, logs and the run's objects for a look at a stuck trial.
			if (process.env.RELIABILITY_KEEP === '1') console.log(`[reliability] data kept in ${dataDir}`);
			else await rm(dataDir, { recursive: true, force: true });
		},
	};
}

/**
 * A run request for the marked script: the rules planner, one planning pass, the square preset; `extra` names the
 * providers and anything else the scenario needs (campaign, title, …).
 */
export function markedRun(marker: string, scenes: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
	return { script: markedScript(marker, scenes), format: 'fountain', title: `Reliability ${marker}`, campaign: 'Reliability', planner: 'rules', iterations: 1, preset: 'square', ...extra };
}

/** A script of `scenes` scenes whose headings carry `marker`, so the fakes' submissions can be told apart per run. */
export function markedScript(marker: string, scenes: number): string {
	return Array.from({ length: scenes }, (_, index) => {
		const n = index + 1;
		return [
			`INT. ROOM ${marker}S${n} - DAY`,
			'',
			`Mara checks the window for the ${n === 1 ? 'first' : 'next'} time.`,
			'',
			'MARA',
			`Scene ${n}, still waiting.`,
			'',
		].join('\n');
	}).join('\n');
}

/** POSTs a webhook as the dashboard does, signed (the token never travels); `headers` may send a token instead. */
export async function post(env: SuiteEnv, path: string, body: unknown, headers: Record<string, string> = {}) {
	const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
	const response = await fetch(`${env.stack.webhookBase}/${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...(Object.keys(headers).length ? headers : { [SIGNATURE_HEADER]: signBody(env.stack.webhookToken, bytes) }) },
		body: new Uint8Array(bytes),
	});
	const text = await response.text();
	let json: Record<string, unknown> = {};
	try {
		json = JSON.parse(text);
	} catch {
		json = { raw: text.slice(0, 300) };
	}
	return { status: response.status, json };
}

export const TERMINAL = ['completed', 'failed', 'cancelled'];

/** Waits until the run is terminal (or the bound passes; it may grow while waiting): its row then, or null when it got stuck. */
export async function waitTerminal(env: SuiteEnv, runId: string, boundMs: number | (() => number)): Promise<Record<string, any> | null> {
	const started = Date.now();
	const bound = typeof boundMs === 'number' ? () => boundMs : boundMs;
	while (Date.now() < started + bound()) {
		const { rows } = await env.db.query('select * from runs where id = $1', [runId]);
		if (rows[0] && TERMINAL.includes(rows[0].status)) return rows[0];
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	return null;
}

/** A run's events as lines ("+12.3 s scene 2 generation failed: …"), to show where a stuck run stopped. */
export async function timeline(env: SuiteEnv, runId: string): Promise<string[]> {
	const { rows } = await env.db.query(
		`select extract(epoch from created_at - min(created_at) over ()) as at, scene_number, stage, status, message
		   from events where run_id = $1 order by id`,
		[runId],
	);
	return rows.map((row) => `+${Number(row.at).toFixed(1)} s ${row.scene_number ? `scene ${row.scene_number} ` : ''}${row.stage} ${row.status}${row.message ? `: ${String(row.message).slice(0, 160)}` : ''}`);
}

/** n8n answers its health check. */
export async function n8nUp(env: SuiteEnv): Promise<boolean> {
	try {
		return (await fetch(`${env.stack.n8nUrl}/healthz`, { signal: AbortSignal.timeout(5000) })).ok;
	} catch {
		return false;
	}
}

/**
 * Paid-for tasks of a run (the fake accepted them) that the run's ledger never heard of and that no unanswered create
 * of the run accounts for: money spent twice.
 */
export async function unrecordedTasks(env: SuiteEnv, runId: string, marker: string, provider: 'kling' | 'runway' = 'kling'): Promise<number> {
	const accepted = env[provider].log.submissions.filter((submission) => submission.prompt.includes(marker)).map((s) => s.taskId);
	const { rows } = await env.db.query<{ task_id: string; status: string }>('select task_id, status from provider_tasks where run_id = $1 and provider = $2', [runId, provider]);
	// The ledger keeps Kling's task id with its endpoint: "text2video:task-3".
	const known = new Set(rows.map((row) => row.task_id.split(':').pop()));
	// A create that went unanswered (Runway) is on record as one create that may have made one task, never sent again
	// by itself: a task the fake made for it is that scene's one submission for the attempt, not a second payment.
	const unanswered = rows.filter((row) => row.status === 'unanswered').length;
	return Math.max(0, accepted.filter((id) => !known.has(id)).length - unanswered);
}

export async function readText(file: string): Promise<string> {
	return readFile(file, 'utf8').catch(() => '');
}
