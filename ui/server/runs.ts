/** The run page: the run, its plan versions, scenes, step events, costs and download links — in one query. */
import { Hono } from 'hono';
import { canSeeCampaign, runNotFound, visibleRun } from './access';
import { timelineKey } from '../../nodes/shared/keys';
import { artifactUrl } from './artifacts';
import type { AppEnv, Deps } from './context';
import { iso, isUuid, num } from './db';
import { ApiError } from './errors';
import * as z from 'zod/v4';
import { intParam } from './http';
import { describeRoute, errorSchema } from './openapi';
import { EXAMPLE_RUN, runSummarySchema } from './schemas';
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
	          from (select version, parent_version, score, source, critique, changes, take, chosen, created_at
	                  from plan_versions where run_id = r.id) v) as versions,
	       (select json_build_object('plan', plan, 'planKey', plan_key)
	          from plan_versions where run_id = r.id order by chosen desc, version desc limit 1) as latest,
	       (select json_agg(t order by t.take)
	          from (select distinct on (take) take, version, score, chosen, plan
	                  from plan_versions where run_id = r.id order by take, version desc) t) as takes,
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

	app.get(
		'/:id',
		describeRoute({
			tag: 'Runs',
			summary: 'A run: plan versions, scenes, events, costs and file links',
			query: z.object({
				events: z.number().int().min(1).max(5000).default(EVENTS_SHOWN).optional().meta({ description: 'How many of the latest step events.' }),
			}),
			responses: {
				200: {
					description: 'The run page.',
					schema: z.object({
						run: runSummarySchema
							.extend({
								campaignName: z.string().nullable(),
								options: z.unknown(),
								request: z.object({
									title: z.string().nullable(),
									format: z.string().nullable(),
									campaign: z.string().nullable(),
								}),
							})
							.loose(),
						planVersions: z.array(
							z
								.object({
									version: z.number().int(),
									score: z.number().nullable(),
									source: z.string().nullable(),
								})
								.loose(),
						),
						plan: z.unknown(),
						scenes: z.array(
							z
								.object({
									number: z.number().int(),
									status: z.string(),
									clipUrl: z.string().nullable(),
									sceneUrl: z.string().nullable(),
								})
								.loose(),
						),
						events: z.array(
							z
								.object({
									id: z.number().int(),
									stage: z.string(),
									status: z.string(),
									message: z.string().nullable(),
									createdAt: z.string().nullable(),
								})
								.loose(),
						),
						costs: z
							.object({
								totalUsd: z.number(),
								byProvider: z.array(z.object({ provider: z.string(), amountUsd: z.number() }).loose()),
							})
							.loose(),
						artifacts: z.object({
							video: z.string().nullable(),
							subtitles: z.string().nullable(),
							thumbnail: z.string().nullable(),
							plan: z.string().nullable(),
						}),
					}),
					example: {
						run: {
							...EXAMPLE_RUN,
							campaignName: 'Spring launch',
							options: { preset: 'youtube' },
							request: {
								title: 'Kitchen at night',
								format: 'fountain',
								campaign: 'Spring launch',
							},
						},
						planVersions: [{ version: 1, score: 86, source: 'parse' }],
						plan: { title: 'Kitchen at night', scenes: [] },
						scenes: [
							{
								number: 1,
								status: 'completed',
								clipUrl: '/api/artifacts/runs/6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11/scenes/001/clip.mp4',
								sceneUrl: null,
							},
						],
						events: [
							{
								id: 1,
								stage: 'planning',
								status: 'finished',
								message: 'Planned 4 scenes',
								createdAt: '2026-12-01T09:30:05.000Z',
							},
						],
						costs: {
							totalUsd: 0.4,
							byProvider: [{ provider: 'kling', amountUsd: 0.4 }],
						},
						artifacts: {
							video: null,
							subtitles: null,
							thumbnail: null,
							plan: '/api/artifacts/runs/6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11/plan/v1.json',
						},
					},
				},
				404: {
					description: 'No run with that id that the caller can see.',
					schema: errorSchema,
				},
			},
		}),
		async (c) => {
			const runId = c.req.param('id');
			if (!isUuid(runId)) throw runNotFound(runId);
			const eventLimit = intParam(c, 'events', EVENTS_SHOWN, 1, 5000);
			const { rows } = await deps.db.query(RUN_PAGE_SQL, [runId, eventLimit]);
			const row = rows[0];
			if (!row || !canSeeCampaign(c.get('user'), row.campaign_id)) throw runNotFound(runId);
			const summary = toSummary(row, deps.maxRunning);
			const costs: Record<string, any>[] = row.costs ?? [];
			const latest = row.latest as {
				plan: unknown;
				planKey: string | null;
			} | null;
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
					request: {
						title: row.title,
						format: row.format,
						campaign: row.request_campaign,
					},
					videoDuration: num(row.duration),
				},
				planVersions: (row.versions ?? []).map((v: Record<string, any>) => ({
					version: v.version,
					parentVersion: v.parent_version,
					score: v.score,
					source: v.source,
					critique: v.critique,
					changes: v.changes,
					take: v.take,
					chosen: v.chosen,
					createdAt: jsonTime(v.created_at),
				})),
				// The plan the run goes on with (the chosen take), and each take's newest plan for the approval screen.
				plan: latest?.plan ?? null,
				takes: (row.takes ?? []).map((t: Record<string, any>) => ({
					take: t.take,
					version: t.version,
					score: t.score,
					chosen: t.chosen,
					plan: t.plan,
				})),
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
					// The editor hand-off is written by the assembly just before the run completes (FFmpeg → Export Timeline).
					timeline: row.status === 'completed' ? artifactUrl(timelineKey(runId, 'otio')) : null,
					edl: row.status === 'completed' ? artifactUrl(timelineKey(runId, 'edl')) : null,
				},
			});
		},
	);

	// The run's AI calls, oldest first, without their request and answer (one call's are read on demand below).
	app.get(
		'/:id/calls',
		describeRoute({
			tag: 'Runs',
			summary: "The run's AI calls: every Claude, Kling, Runway, ElevenLabs and Google request made for it",
			description: `Oldest first, at most ${CALLS_SHOWN} unless ?limit= says otherwise (up to 5000). Retries and refused calls are rows too; their cost is 0.`,
			query: z.object({ limit: z.number().int().min(1).max(5000).optional() }),
			responses: {
				200: { description: 'The calls.', schema: z.object({ calls: z.array(callLineSchema) }), example: { calls: [EXAMPLE_CALL] } },
				404: { description: 'No run with that id that the caller can see.', schema: errorSchema },
			},
		}),
		async (c) => {
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
		},
	);

	// One call with what was sent and what came back (secrets and media already left out when it was recorded).
	app.get(
		'/:id/calls/:callId',
		describeRoute({
			tag: 'Runs',
			summary: 'One AI call with what was sent and what came back',
			description:
				'Secrets, signed-URL signatures and media bytes were left out when it was recorded. For Claude: the system prompt, the messages and the answer.',
			responses: {
				200: {
					description: 'The call.',
					schema: z.object({ call: callLineSchema.extend({ request: z.unknown(), response: z.unknown() }) }),
					example: {
						call: {
							...EXAMPLE_CALL,
							request: { model: 'claude-sonnet-4-6', system: 'You are a film director…' },
							response: { stop_reason: 'tool_use' },
						},
					},
				},
				404: { description: 'No such call of a run the caller can see.', schema: errorSchema },
			},
		}),
		async (c) => {
			const runId = c.req.param('id');
			await visibleRun(deps.db, c.get('user'), runId);
			const callId = c.req.param('callId');
			const notFound = () => new ApiError(404, `Run ${runId} has no AI call ${callId}. Reload the run page.`);
			if (!/^\d{1,18}$/.test(callId)) throw notFound();
			const { rows } = await deps.db.query('select * from ai_calls where run_id = $1 and id = $2', [runId, callId]);
			if (!rows[0]) throw notFound();
			return c.json({ call: { ...callLine(rows[0]), request: rows[0].request, response: rows[0].response } });
		},
	);

	return app;
}

const CALLS_SHOWN = 1000;

const callLineSchema = z.object({
	id: z.number().int(),
	sceneNumber: z.number().int().nullable(),
	provider: z.string(),
	purpose: z.string().nullable(),
	model: z.string().nullable(),
	method: z.string().nullable(),
	url: z.string().nullable(),
	summary: z.string().nullable(),
	units: z.number().nullable(),
	unit: z.string().nullable(),
	taskId: z.string().nullable(),
	costUsd: z.number().nullable(),
	latencyMs: z.number().int().nullable(),
	status: z.number().int().nullable().meta({ description: 'HTTP status; 0 = no answer' }),
	ok: z.boolean(),
	error: z.string().nullable(),
	createdAt: z.string().nullable(),
});
const EXAMPLE_CALL = {
	id: 12,
	sceneNumber: null,
	provider: 'anthropic',
	purpose: 'plan',
	model: 'claude-sonnet-4-6',
	method: 'POST',
	url: 'https://api.anthropic.com/v1/messages',
	summary: 'plan: 3 scenes',
	units: 5000,
	unit: 'token',
	taskId: null,
	costUsd: 0.039,
	latencyMs: 4210,
	status: 200,
	ok: true,
	error: null,
	createdAt: '2026-12-01T09:30:05.000Z',
};

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
