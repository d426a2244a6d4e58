/** The run page: the run, its plan versions, scenes, step events, costs and download links — in one query. */
import { Hono } from 'hono';
import { canSeeCampaign, runNotFound, visibleRun } from './access';
import { artifactUrl } from './artifacts';
import type { AppEnv, Deps } from './context';
import { iso, isUuid, num } from './db';
import { ApiError } from './errors';
import { intParam } from './http';
import { RUN_LINE_COLUMNS, RUN_LINE_FROM, toSummary } from './summaries';

const EVENTS_SHOWN = 500;

// One round trip: the run line plus every list of the page as JSON. Each list reads only this run's rows through
// its (run_id, …) index.
export const RUN_PAGE_SQL = `
	select ${RUN_LINE_COLUMNS},
	       r.approval_note, r.approval_by, r.approval_at, r.options, r.request->>'format' as format,
	       r.request->>'campaign' as request_campaign, r.final_key, r.subtitles_key, r.thumbnail_key, r.duration,
	       (select name from campaigns c where c.id = r.campaign_id) as campaign_name,
	       (select json_agg(v order by v.version)
	          from (select version, parent_version, score, source, critique, changes, created_at
	                  from plan_versions where run_id = r.id) v) as versions,
	       (select json_build_object('plan', plan, 'planKey', plan_key)
	          from plan_versions where run_id = r.id order by version desc limit 1) as latest,
	       (select json_agg(s order by s.number)
	          from (select number, heading, status, provider, task_id, attempts, provider_attempts, duration, cost_usd, error,
	                       clip_key, scene_key, started_at, finished_at,
	                       case when x.cost_usd is null then (select sum(k.amount_usd) from costs k
	                        where k.run_id = x.run_id and k.scene_number = x.number) end as spent
	                  from scenes x where x.run_id = r.id) s) as scenes,
	       (select json_agg(e order by e.created_at, e.id)
	          from (select id, stage, status, scene_number, message, duration_ms, created_at
	                  from events where run_id = r.id order by created_at desc, id desc limit $2) e) as events,
	       (select json_agg(k order by k.amount desc nulls last)
	          from (select provider, model, unit, sum(amount_usd) as amount, sum(units) as units
	                  from costs where run_id = r.id group by provider, model, unit) k) as costs
	${RUN_LINE_FROM}
	 where r.id = $1`;

/** JSON timestamps come back as Postgres text; the API speaks ISO 8601 everywhere. */
const jsonTime = (value: string | null | undefined) => (value ? new Date(value).toISOString() : null);
const money = (value: unknown) => Math.round(Number(value ?? 0) * 10000) / 10000;

export function runRoutes(deps: Deps) {
	const app = new Hono<AppEnv>();

	app.get('/:id', async (c) => {
		const runId = c.req.param('id');
		if (!isUuid(runId)) throw runNotFound(runId);
		const eventLimit = intParam(c, 'events', EVENTS_SHOWN, 1, 5000);
		const { rows } = await deps.db.query(RUN_PAGE_SQL, [runId, eventLimit]);
		const row = rows[0];
		if (!row || !canSeeCampaign(c.get('user'), row.campaign_id)) throw runNotFound(runId);
		const summary = toSummary(row, deps.maxRunning);
		const costs: Record<string, any>[] = row.costs ?? [];
		const latest = row.latest as { plan: unknown; planKey: string | null } | null;
		return c.json({
			run: {
				...summary,
				campaignName: row.campaign_name,
				priority: row.priority,
				queuedAt: iso(row.queued_at),
				approvalNote: row.approval_note,
				approvalBy: row.approval_by,
				approvalAt: iso(row.approval_at),
				options: row.options,
				request: { title: row.title, format: row.format, campaign: row.request_campaign },
				videoDuration: num(row.duration),
			},
			planVersions: (row.versions ?? []).map((v: Record<string, any>) => ({
				version: v.version,
				parentVersion: v.parent_version,
				score: v.score,
				source: v.source,
				critique: v.critique,
				changes: v.changes,
				createdAt: jsonTime(v.created_at),
			})),
			plan: latest?.plan ?? null,
			scenes: (row.scenes ?? []).map((s: Record<string, any>) => ({
				number: s.number,
				heading: s.heading,
				status: s.status,
				provider: s.provider,
				taskId: s.task_id,
				attempts: s.attempts,
				providerAttempts: s.provider_attempts ?? null,
				duration: num(s.duration),
				costUsd: num(s.cost_usd) ?? num(s.spent),
				error: s.error,
				startedAt: jsonTime(s.started_at),
				finishedAt: jsonTime(s.finished_at),
				clipUrl: artifactUrl(s.clip_key),
				sceneUrl: artifactUrl(s.scene_key),
			})),
			events: (row.events ?? []).map((e: Record<string, any>) => ({
				id: Number(e.id),
				stage: e.stage,
				status: e.status,
				sceneNumber: e.scene_number,
				message: e.message,
				durationMs: num(e.duration_ms),
				createdAt: jsonTime(e.created_at),
			})),
			costs: {
				totalUsd: money(costs.reduce((sum, line) => sum + Number(line.amount ?? 0), 0)),
				estimateUsd: summary.estimateUsd,
				budgetUsd: summary.budgetUsd,
				byProvider: costs.map((line) => ({
					provider: line.provider,
					model: line.model,
					amountUsd: money(line.amount),
					units: num(line.units),
					unit: line.unit,
				})),
			},
			artifacts: {
				video: artifactUrl(row.final_key),
				subtitles: artifactUrl(row.subtitles_key),
				thumbnail: artifactUrl(row.thumbnail_key),
				plan: artifactUrl(latest?.planKey ?? null),
			},
		});
	});

	// The run's AI calls, oldest first, without their request and answer (one call's are read on demand below).
	app.get('/:id/calls', async (c) => {
		const runId = c.req.param('id');
		await visibleRun(deps.db, c.get('user'), runId);
		const limit = intParam(c, 'limit', CALLS_SHOWN, 1, 5000);
		const { rows } = await deps.db.query(
			`select id, scene_number, provider, purpose, model, method, url, summary, units, unit, task_id, cost_usd,
			        latency_ms, status, ok, error, created_at
			   from ai_calls where run_id = $1 order by created_at, id limit $2`,
			[runId, limit],
		);
		return c.json({ calls: rows.map(callLine) });
	});

	// One call with what was sent and what came back (secrets and media already left out when it was recorded).
	app.get('/:id/calls/:callId', async (c) => {
		const runId = c.req.param('id');
		await visibleRun(deps.db, c.get('user'), runId);
		const callId = c.req.param('callId');
		const notFound = () => new ApiError(404, `Run ${runId} has no AI call ${callId}. Reload the run page.`);
		if (!/^\d{1,18}$/.test(callId)) throw notFound();
		const { rows } = await deps.db.query('select * from ai_calls where run_id = $1 and id = $2', [runId, callId]);
		if (!rows[0]) throw notFound();
		return c.json({ call: { ...callLine(rows[0]), request: rows[0].request, response: rows[0].response } });
	});

	return app;
}

const CALLS_SHOWN = 1000;

function callLine(row: Record<string, any>) {
	return {
		id: Number(row.id),
		sceneNumber: row.scene_number,
		provider: row.provider,
		purpose: row.purpose,
		model: row.model,
		method: row.method,
		url: row.url,
		summary: row.summary,
		units: num(row.units),
		unit: row.unit,
		taskId: row.task_id,
		costUsd: num(row.cost_usd),
		latencyMs: row.latency_ms,
		status: row.status,
		ok: row.ok,
		error: row.error,
		createdAt: iso(row.created_at),
	};
}
