/** Analytics over the runs a user may see: success by day, time per stage, cost per video by provider, failures. */
import { Hono } from 'hono';
import { campaignNotFound, canSeeCampaign, scope } from './access';
import type { AppEnv, Deps } from './context';
import { isUuid } from './db';
import * as z from 'zod/v4';
import { intParam } from './http';
import { describeRoute, errorSchema } from './openapi';

/** Runs in scope: the user's campaigns (or one of them), created in the last $2 days. $1 = uuid[] or null. */
const RUNS_IN_SCOPE = `
	select r.id, r.status, r.error, r.created_at, r.finished_at from runs r
	 where ($1::uuid[] is null or r.campaign_id = any($1::uuid[]))
	   and r.created_at >= now() - make_interval(days => $2)`;

/**
 * A failure message without what differs between runs (ids, numbers, quoted names), so the same cause counts once:
 * 'Scene 3 failed: Kling answered 1303 …' and 'Scene 7 failed: …' become one reason.
 */
export function failureReason(message: string | null): string {
	if (!message) return 'No message recorded';
	const first = message.split(/\n/)[0];
	return (
		first
			.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
			.replace(/"[^"]{1,80}"/g, '"…"')
			.replace(/\$?\d+(\.\d+)?/g, 'N')
			.slice(0, 160)
			.trim() || 'No message recorded'
	);
}

export function analyticsRoutes(deps: Deps) {
	const app = new Hono<AppEnv>();
	app.get(
		'/',
		describeRoute({
			tag: 'Analytics',
			summary: 'Success by day, time per stage, cost per video by provider, failure reasons',
			description: 'Over the runs the caller may see (or one campaign of them) created in the last `days` days.',
			query: z.object({
				days: z.number().int().min(1).max(366).default(30).optional(),
				campaignId: z.uuid().optional(),
			}),
			responses: {
				200: {
					description: 'The figures.',
					schema: z.object({
						days: z.number().int(),
						successByDay: z.array(
							z.object({
								day: z.string(),
								completed: z.number().int(),
								failed: z.number().int(),
								rate: z.number().nullable(),
							}),
						),
						stageDurations: z.array(
							z.object({
								stage: z.string(),
								avgSeconds: z.number(),
								runs: z.number().int(),
							}),
						),
						costPerVideoByProvider: z.array(
							z.object({
								provider: z.string(),
								videos: z.number().int(),
								avgUsd: z.number(),
							}),
						),
						failureReasons: z.array(z.object({ reason: z.string(), count: z.number().int() })),
					}),
					example: {
						days: 30,
						successByDay: [{ day: '2026-12-01', completed: 4, failed: 1, rate: 0.8 }],
						stageDurations: [{ stage: 'generation', avgSeconds: 61.2, runs: 5 }],
						costPerVideoByProvider: [{ provider: 'kling', videos: 4, avgUsd: 0.5 }],
						failureReasons: [
							{
								reason: 'Scene N failed: Kling refused the prompt (content policy).',
								count: 1,
							},
						],
					},
				},
				404: {
					description: 'campaignId is not a campaign the caller can see.',
					schema: errorSchema,
				},
			},
		}),
		async (c) => {
			const user = c.get('user');
			const days = intParam(c, 'days', 30, 1, 366);
			const campaignId = c.req.query('campaignId');
			let ids = scope(user);
			if (campaignId) {
				if (!isUuid(campaignId) || !canSeeCampaign(user, campaignId)) throw campaignNotFound(campaignId);
				ids = [campaignId];
			}
			const params = [ids, days];
			const [byDay, stages, providers, failures] = await Promise.all([
				deps.db.query(
					`with s as (${RUNS_IN_SCOPE})
				 select to_char(date_trunc('day', finished_at), 'YYYY-MM-DD') as day,
				        count(*) filter (where status = 'completed') as completed,
				        count(*) filter (where status = 'failed') as failed
				   from s where finished_at is not null and status in ('completed', 'failed')
				  group by 1 order by 1`,
					params,
				),
				deps.db.query(
					`with s as (${RUNS_IN_SCOPE})
				 select e.stage, avg(e.duration_ms) / 1000.0 as avg_seconds, count(distinct e.run_id) as runs
				   from events e join s on s.id = e.run_id
				  where e.status = 'finished' and e.scene_number is null and e.duration_ms is not null
				  group by e.stage order by avg(e.duration_ms) desc`,
					params,
				),
				// Per provider: what it cost per finished video it took part in.
				deps.db.query(
					`with s as (${RUNS_IN_SCOPE}), per_run as (
				   select k.provider, k.run_id, sum(k.amount_usd) as usd
				     from costs k join s on s.id = k.run_id
				    where s.status = 'completed'
				    group by k.provider, k.run_id)
				 select provider, count(*) as videos, avg(usd) as avg_usd from per_run group by provider order by avg(usd) desc`,
					params,
				),
				deps.db.query(`with s as (${RUNS_IN_SCOPE}) select error from s where status = 'failed'`, params),
			]);
			const reasons = new Map<string, number>();
			for (const row of failures.rows) {
				const reason = failureReason(row.error);
				reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
			}
			return c.json({
				days,
				successByDay: byDay.rows.map((row) => {
					const finished = Number(row.completed) + Number(row.failed);
					return {
						day: row.day,
						completed: Number(row.completed),
						failed: Number(row.failed),
						rate: finished ? Number(row.completed) / finished : null,
					};
				}),
				stageDurations: stages.rows.map((row) => ({
					stage: row.stage,
					avgSeconds: Math.round(Number(row.avg_seconds) * 10) / 10,
					runs: Number(row.runs),
				})),
				costPerVideoByProvider: providers.rows.map((row) => ({
					provider: row.provider,
					videos: Number(row.videos),
					avgUsd: Math.round(Number(row.avg_usd) * 10000) / 10000,
				})),
				failureReasons: [...reasons]
					.map(([reason, count]) => ({ reason, count }))
					.sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
					.slice(0, 10),
			});
		},
	);
	return app;
}
