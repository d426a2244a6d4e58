/**
 * GET /metrics: Prometheus text format, behind `Authorization: Bearer $REELSMITH_METRICS_TOKEN` (off without one).
 *
 * Every value is read from Postgres at scrape time, so it is the same whichever dashboard process answers and counts
 * the work of every n8n process (queue mode). That is also why the text is written here and not with prom-client:
 * its counters and histograms count events in one process, and a histogram cannot be filled from bucket counts that
 * SQL has already added up; the format itself is a few lines.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Pool } from 'pg';
import type { Deps } from './context';
import { ApiError } from './errors';
import { describeRoute, errorSchema } from './openapi';

type Labels = Record<string, string>;
interface Sample {
	labels?: Labels;
	value: number;
	/** Suffix of the series name: _bucket, _sum, _count. */
	suffix?: string;
}
interface Family {
	name: string;
	help: string;
	type: 'gauge' | 'counter' | 'histogram';
	samples: Sample[];
}

const STAGE_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

const escape = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export function metricsText(families: Family[]): string {
	const lines: string[] = [];
	for (const family of families) {
		lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
		for (const sample of family.samples) {
			const labels = Object.entries(sample.labels ?? {});
			const set = labels.length ? `{${labels.map(([key, value]) => `${key}="${escape(value)}"`).join(',')}}` : '';
			const value = Number.isFinite(sample.value) ? String(sample.value) : sample.value > 0 ? '+Inf' : '0';
			lines.push(`${family.name}${sample.suffix ?? ''}${set} ${value}`);
		}
	}
	return `${lines.join('\n')}\n`;
}

/**
 * A histogram from a query of (label columns…, value) rows, added up in Postgres: one row per label set with its
 * count, sum and cumulative bucket counts. `source` must select the columns named in `labels`, and `value`.
 */
async function histogram(db: Pool, name: string, help: string, source: string, labels: string[], buckets: number[]): Promise<Family> {
	const group = labels.map((label) => `d.${label}`).join(', ');
	const counts = buckets.map((_, index) => `count(*) filter (where d.value <= ($1::float8[])[${index + 1}])::float8 as b${index}`);
	const { rows } = await db.query(
		`with d as (${source})
		select ${group}, count(*)::float8 as n, coalesce(sum(d.value), 0)::float8 as total, ${counts.join(', ')}
		  from d group by ${group} order by ${group}`,
		[buckets],
	);
	const samples: Sample[] = [];
	for (const row of rows) {
		const set: Labels = Object.fromEntries(labels.map((label) => [label, String(row[label] ?? '')]));
		buckets.forEach((le, index) => samples.push({ labels: { ...set, le: String(le) }, value: Number(row[`b${index}`]), suffix: '_bucket' }));
		samples.push({ labels: { ...set, le: '+Inf' }, value: Number(row.n), suffix: '_bucket' });
		samples.push({ labels: set, value: Number(row.total), suffix: '_sum' });
		samples.push({ labels: set, value: Number(row.n), suffix: '_count' });
	}
	return { name, help, type: 'histogram', samples };
}

async function simple(db: Pool, family: Omit<Family, 'samples'>, sql: string, labels: string[]): Promise<Family> {
	const { rows } = await db.query(sql);
	return {
		...family,
		samples: rows.map((row) => ({
			labels: Object.fromEntries(labels.map((label) => [label, String(row[label] ?? '')])),
			value: Number(row.value),
		})),
	};
}

/** Seconds from each stage's start to its end (a finished or failed stage event of the run, not of a scene). */
const STAGE_SECONDS = `
	select e.stage, e.status as outcome,
	       coalesce(e.duration_ms / 1000.0, extract(epoch from e.created_at - (
	         select max(s.created_at) from events s
	          where s.run_id = e.run_id and s.stage = e.stage and s.status = 'started' and s.scene_number is null
	            and s.created_at <= e.created_at)))::float8 as value
	  from events e
	 where e.scene_number is null and e.status in ('finished', 'failed') and e.stage <> 'run'`;

/** The families that are one query each: counts and sums by their labels. */
const SIMPLE: Array<Omit<Family, 'samples'> & { sql: string; labels: string[] }> = [
	{
		name: 'reelsmith_runs',
		help: 'Runs by status.',
		type: 'gauge',
		labels: ['status'],
		sql: 'select status, count(*) as value from runs group by 1 order by 1',
	},
	{
		name: 'reelsmith_queue_depth',
		help: 'Runs waiting in the Reelsmith queue (status queued).',
		type: 'gauge',
		labels: [],
		sql: "select count(*) as value from runs where status = 'queued'",
	},
	{
		name: 'reelsmith_scenes',
		help: 'Scenes by status.',
		type: 'gauge',
		labels: ['status'],
		sql: 'select status, count(*) as value from scenes group by 1 order by 1',
	},
	{
		name: 'reelsmith_scene_attempts_total',
		help: 'Generation attempts of scenes, by the provider that served the scene.',
		type: 'counter',
		labels: ['provider'],
		sql: "select coalesce(provider, 'none') as provider, coalesce(sum(attempts), 0) as value from scenes group by 1 order by 1",
	},
	{
		name: 'reelsmith_provider_calls_total',
		help: 'Requests to AI providers (AI-call record), by provider, purpose and outcome.',
		type: 'counter',
		labels: ['provider', 'purpose', 'outcome'],
		sql: "select provider, purpose, case when ok then 'ok' else 'error' end as outcome, count(*) as value from ai_calls group by 1, 2, 3 order by 1, 2, 3",
	},
	{
		name: 'reelsmith_provider_errors_total',
		help: 'Failed requests to AI providers, by provider and HTTP status (0 = no answer).',
		type: 'counter',
		labels: ['provider', 'status'],
		sql: 'select provider, status::text as status, count(*) as value from ai_calls where not ok group by 1, 2 order by 1, 2',
	},
	{
		name: 'reelsmith_cost_usd_total',
		help: 'Money spent, by provider (the cost ledger and paid voice previews), in US dollars.',
		type: 'counter',
		labels: ['provider'],
		sql: `select provider, coalesce(sum(usd), 0) as value
		        from (select provider, amount_usd as usd from costs union all select provider, cost_usd from preview_costs) spent
		       group by 1 order by 1`,
	},
];

export async function collectMetrics(deps: Pick<Deps, 'db' | 'queue'>): Promise<Family[]> {
	const { db } = deps;
	const families = await Promise.all([
		...SIMPLE.map(({ sql, labels, ...family }) => simple(db, family, sql, labels)),
		histogram(
			db,
			'reelsmith_stage_duration_seconds',
			'How long pipeline stages took, by stage and outcome.',
			STAGE_SECONDS,
			['stage', 'outcome'],
			STAGE_BUCKETS,
		),
		histogram(
			db,
			'reelsmith_provider_latency_seconds',
			'Latency of requests to AI providers, by provider.',
			'select provider, latency_ms / 1000.0 as value from ai_calls',
			['provider'],
			LATENCY_BUCKETS,
		),
	]);
	const reading = await deps.queue.read();
	if (reading?.ok) {
		families.push({
			name: 'reelsmith_n8n_queue_jobs',
			help: "Jobs in n8n's execution queue (queue mode), by state.",
			type: 'gauge',
			samples: Object.entries(reading.counts).map(([state, value]) => ({ labels: { state }, value: Number(value) })),
		});
	}
	return families;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The /metrics route; `token` undefined = metrics are off (404 saying how to turn them on). */
export function metricsRoutes(deps: Deps, token: string | undefined) {
	const app = new Hono();
	app.get(
		'/',
		describeRoute({
			tag: 'Monitoring',
			access: 'public',
			summary: 'Prometheus metrics',
			description:
				'The Prometheus text format, read from Postgres at scrape time: runs by status, queue depth, stage durations, scene attempts, provider calls, errors, latency and cost. Needs "Authorization: Bearer <REELSMITH_METRICS_TOKEN>" (not a session); 404 while that variable is unset.',
			responses: {
				200: { description: 'The metrics.', type: 'text/plain' },
				401: { description: 'No token, or not the metrics token.', schema: errorSchema },
				404: { description: 'Metrics are off (REELSMITH_METRICS_TOKEN unset).', schema: errorSchema },
			},
		}),
		async (c) => {
			if (!token)
				throw new ApiError(404, 'Metrics are off. Set REELSMITH_METRICS_TOKEN on the dashboard and scrape /metrics with that bearer token.');
			const sent = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim() ?? '';
			// Hashes of equal length, so the comparison takes the same time whatever was sent.
			if (!sent || !timingSafeEqual(digest(sent), digest(token))) {
				throw new ApiError(401, 'Send the metrics token as "Authorization: Bearer <REELSMITH_METRICS_TOKEN>".', undefined, {
					'WWW-Authenticate': 'Bearer realm="metrics"',
				});
			}
			const text = metricsText(await collectMetrics(deps));
			return c.body(text, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
		},
	);
	return app;
}
