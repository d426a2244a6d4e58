/** Campaigns: the list with run counts, success rate and spend; create, rename, set the budget; a campaign's runs. */
import { Hono, type MiddlewareHandler } from 'hono';
import type { Pool } from 'pg';
import { campaignNotFound, canSeeCampaign, scope } from './access';
import { audit } from './audit';
import type { AppEnv, Deps } from './context';
import { iso, isUuid, num } from './db';
import * as z from 'zod/v4';
import { ApiError } from './errors';
import { intParam, jsonBody } from './http';
import type { Sessions } from './auth';
import { describeRoute, errorSchema } from './openapi';
import { campaignLineSchema, EXAMPLE_CAMPAIGN, EXAMPLE_RUN, paging, runStatusSchema, runSummarySchema } from './schemas';
import { runLines } from './summaries';
import { PREVIEW_SPENT_BY_CAMPAIGN_SQL } from '../../nodes/shared/store/previewCosts';

const campaignNotFoundDoc = {
	description: 'No campaign with that id that the caller can see (also for an API key outside its campaigns).',
	schema: errorSchema,
	example: {
		error: 'There is no campaign 0d5f3d4e-2a61-4b8c-9a3e-5c1f7e9b2d10 that you can see. Go back to the campaign list.',
	},
};

export interface CampaignLine {
	id: string;
	name: string;
	runs: number;
	completed: number;
	failed: number;
	running: number;
	queued: number;
	/** completed / (completed + failed); null before any run finished. */
	successRate: number | null;
	spendUsd: number;
	budgetUsd: number | null;
	lastActivity: string | null;
	createdAt: string;
}

/**
 * Run counts, spend and last activity per campaign. They change only when a run of the campaign changes, and every
 * such change arrives on the LISTEN connection (events.ts), so they are kept in memory per campaign and recomputed
 * after a change (or after STATS_TTL_MS, for writes that notify nothing). The list itself (names, search, order,
 * page) is read from Postgres on every request.
 */
const STATS_TTL_MS = 30_000;

interface Stats {
	runs: number;
	completed: number;
	failed: number;
	running: number;
	queued: number;
	spend: number;
	lastRunActivity: Date | null;
}

// Spend: runs.cost_total is the ledger's running sum of the run's cost lines (nodes/shared/ledger.ts); a run without
// it (written before the ledger, or by hand) is summed from its lines. Preview costs are added from their own table.
const STATS_SQL = `
	select r.campaign_id,
	       count(*) as runs,
	       count(*) filter (where r.status = 'completed') as completed,
	       count(*) filter (where r.status = 'failed') as failed,
	       count(*) filter (where r.status in ('starting', 'running', 'awaiting_approval')) as running,
	       count(*) filter (where r.status = 'queued') as queued,
	       coalesce(sum(coalesce(r.cost_total, (select sum(k.amount_usd) from costs k where k.run_id = r.id))), 0) as spend,
	       max(r.updated_at) as last_run_activity
	  from runs r where r.campaign_id = any($1::uuid[]) group by r.campaign_id`;

export class CampaignStats {
	private cache = new Map<string, { stats: Stats; version: number; at: number }>();
	private versions = new Map<string, number>();

	constructor(
		private db: Pool,
		private enabled = true,
	) {}

	/** A run of this campaign changed: its figures are read again on the next request. */
	changed(campaignId: string): void {
		this.versions.set(campaignId, (this.versions.get(campaignId) ?? 0) + 1);
	}

	async get(campaignIds: string[]): Promise<Map<string, Stats>> {
		const now = Date.now();
		const found = new Map<string, Stats>();
		const missing: string[] = [];
		for (const id of campaignIds) {
			const entry = this.cache.get(id);
			if (this.enabled && entry && entry.version === (this.versions.get(id) ?? 0) && now - entry.at < STATS_TTL_MS) found.set(id, entry.stats);
			else missing.push(id);
		}
		if (!missing.length) return found;
		// Versions before the query: a change while it runs makes the stored figures stale at once.
		const versions = new Map(missing.map((id) => [id, this.versions.get(id) ?? 0]));
		const [{ rows }, previews] = await Promise.all([
			this.db.query(STATS_SQL, [missing]),
			this.db.query(PREVIEW_SPENT_BY_CAMPAIGN_SQL, [missing]),
		]);
		const byId = new Map(rows.map((row) => [row.campaign_id as string, row]));
		// Paid voice previews made for the campaign are its spend too (they count against its budget).
		const previewSpent = new Map(previews.rows.map((row) => [row.campaign_id as string, Number(row.spent)]));
		for (const id of missing) {
			const row = byId.get(id);
			const stats: Stats = row
				? {
						runs: Number(row.runs),
						completed: Number(row.completed),
						failed: Number(row.failed),
						running: Number(row.running),
						queued: Number(row.queued),
						spend: Number(row.spend),
						lastRunActivity: row.last_run_activity,
					}
				: {
						runs: 0,
						completed: 0,
						failed: 0,
						running: 0,
						queued: 0,
						spend: 0,
						lastRunActivity: null,
					};
			stats.spend += previewSpent.get(id) ?? 0;
			found.set(id, stats);
			if (this.cache.size > 50_000) this.cache.clear();
			this.cache.set(id, { stats, version: versions.get(id)!, at: now });
		}
		return found;
	}
}

interface CampaignRow {
	id: string;
	name: string;
	budget_usd: number | null;
	created_at: Date;
	updated_at: Date;
}

function toLine(row: CampaignRow, stats: Stats): CampaignLine {
	const finished = stats.completed + stats.failed;
	const last = stats.lastRunActivity && stats.lastRunActivity > row.updated_at ? stats.lastRunActivity : row.updated_at;
	return {
		id: row.id,
		name: row.name,
		runs: stats.runs,
		completed: stats.completed,
		failed: stats.failed,
		running: stats.running,
		queued: stats.queued,
		successRate: finished ? Math.round((stats.completed / finished) * 1000) / 1000 : null,
		spendUsd: Math.round(stats.spend * 10000) / 10000,
		budgetUsd: num(row.budget_usd),
		lastActivity: iso(last),
		createdAt: iso(row.created_at)!,
	};
}

/** `%` and `_` typed in the search box are letters, not wildcards. */
const likeText = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Campaigns the user may see (matching the search), most recently active first. */
async function campaignLines(db: Pool, stats: CampaignStats, ids: string[] | null, search: string): Promise<CampaignLine[]> {
	const { rows } = await db.query<CampaignRow>(
		`select id, name, budget_usd, created_at, updated_at from campaigns
		  where ($1::uuid[] is null or id = any($1::uuid[])) and ($2::text = '' or name ilike '%' || $2::text || '%')`,
		[ids, likeText(search)],
	);
	const figures = await stats.get(rows.map((row) => row.id));
	return rows
		.map((row) => toLine(row, figures.get(row.id)!))
		.sort((a, b) => (b.lastActivity ?? '').localeCompare(a.lastActivity ?? '') || a.name.localeCompare(b.name));
}

export async function campaignLine(db: Pool, stats: CampaignStats, campaignId: string): Promise<CampaignLine | null> {
	return (await campaignLines(db, stats, [campaignId], ''))[0] ?? null;
}

const NAME = 'Give the campaign a name (1 to 200 characters).';
const BUDGET = 'The budget must be an amount in US dollars of 0 or more, or empty for no cap.';
const nameField = z
	.string({ error: NAME })
	.trim()
	.min(1, NAME)
	.max(200, {
		error: (issue) => `The name has ${String(issue.input).length} characters; use at most 200.`,
	});
// null or "" (the form's empty field): no cap.
const budgetField = z.union([z.number().min(0), z.null(), z.literal('')], { error: BUDGET }).transform((value) => (value === '' ? null : value));

const newCampaign = z.object({
	name: nameField,
	budgetUsd: budgetField.optional(),
});
const campaignChange = z
	.object({ name: nameField.optional(), budgetUsd: budgetField.optional() })
	.refine((body) => body.name !== undefined || body.budgetUsd !== undefined, 'Send "name" and/or "budgetUsd" to change.');

const nameTaken = (name: string) =>
	new ApiError(409, `A campaign named "${name}" already exists. Pick another name, or open that campaign.`, { field: 'name' });

const KEY_CANNOT_CREATE =
	'An API key works within its campaigns and cannot create one. Create the campaign in the dashboard, then give the key access to it.';

const keysCannotCreate: MiddlewareHandler<AppEnv> = async (c, next) => {
	if (c.get('user').apiKeyId) throw new ApiError(403, KEY_CANNOT_CREATE);
	await next();
};

export function campaignRoutes(deps: Deps, sessions: Sessions, stats: CampaignStats) {
	const app = new Hono<AppEnv>();

	app.get(
		'/',
		describeRoute({
			tag: 'Campaigns',
			summary: 'List campaigns',
			description: 'The campaigns the caller may see (an API key: its own), most recently active first, with run counts, success rate and spend.',
			query: paging.extend({
				search: z.string().max(200).optional().meta({ description: 'Part of the name, any case.' }),
			}),
			responses: {
				200: {
					description: 'A page of campaigns and how many match.',
					schema: z.object({
						total: z.number().int(),
						campaigns: z.array(campaignLineSchema),
					}),
					example: { total: 1, campaigns: [EXAMPLE_CAMPAIGN] },
				},
			},
		}),
		async (c) => {
			const user = c.get('user');
			const limit = intParam(c, 'limit', 50, 1, 200);
			const offset = intParam(c, 'offset', 0, 0, 1_000_000);
			const search = (c.req.query('search') ?? '').trim().slice(0, 200);
			const lines = await campaignLines(deps.db, stats, scope(user), search);
			return c.json({
				total: lines.length,
				campaigns: lines.slice(offset, offset + limit),
			});
		},
	);

	app.post(
		'/',
		describeRoute({
			tag: 'Campaigns',
			summary: 'Create a campaign',
			description: 'A manager who creates one becomes its member. An API key cannot (403): it works within its campaigns.',
			responses: {
				201: {
					description: 'Created.',
					schema: campaignLineSchema,
					example: EXAMPLE_CAMPAIGN,
				},
				403: {
					description: 'An API key asked.',
					schema: errorSchema,
					example: { error: KEY_CANNOT_CREATE },
				},
				409: {
					description: 'The name is taken.',
					schema: z.object({ error: z.string(), field: z.string() }),
					example: {
						error: 'A campaign named "Spring launch" already exists. Pick another name, or open that campaign.',
						field: 'name',
					},
				},
			},
		}),
		keysCannotCreate,
		jsonBody(newCampaign, {
			maxBytes: 64 * 1024,
			hint: 'Send only "name" and "budgetUsd".',
		}),
		async (c) => {
			const user = c.get('user');
			const { name, budgetUsd: budget = null } = c.req.valid('json');
			const client = await deps.db.connect();
			let id: string;
			try {
				await client.query('begin');
				const { rows } = await client.query('insert into campaigns (name, budget_usd) values ($1, $2) returning id', [name, budget]);
				id = rows[0].id;
				// A manager who creates a campaign becomes its member (an admin sees it anyway).
				if (user.role !== 'admin') await client.query('insert into campaign_members (campaign_id, user_id) values ($1, $2)', [id, user.id]);
			await audit(client, user, { action: 'campaign.create', subjectType: 'campaign', subjectId: id, after: { name, budgetUsd: budget } });
				await client.query('commit');
			} catch (error) {
				await client.query('rollback').catch(() => {});
				if ((error as { code?: string }).code === '23505') throw nameTaken(name);
				throw error;
			} finally {
				client.release();
			}
			await sessions.forgetUser(user.id);
			deps.events.grant(user.id, id);
			return c.json(await campaignLine(deps.db, stats, id), 201);
		},
	);

	app.patch(
		'/:id',
		describeRoute({
			tag: 'Campaigns',
			summary: 'Rename a campaign or set its budget',
			responses: {
				200: {
					description: 'The campaign as now.',
					schema: campaignLineSchema,
					example: EXAMPLE_CAMPAIGN,
				},
				404: campaignNotFoundDoc,
				409: {
					description: 'The name is taken.',
					schema: z.object({ error: z.string(), field: z.string() }),
					example: {
						error: 'A campaign named "Winter sale" already exists. Pick another name, or open that campaign.',
						field: 'name',
					},
				},
			},
		}),
		jsonBody(campaignChange, {
			maxBytes: 64 * 1024,
			hint: 'Send only "name" and "budgetUsd".',
		}),
		async (c) => {
			const user = c.get('user');
			const id = c.req.param('id');
			if (!isUuid(id) || !canSeeCampaign(user, id)) throw campaignNotFound(id);
			const body = c.req.valid('json');
			const sets: string[] = [];
			const values: unknown[] = [id];
			if (body.name !== undefined) {
				values.push(body.name);
				sets.push(`name = $${values.length}`);
			}
			if (body.budgetUsd !== undefined) {
				values.push(body.budgetUsd);
				sets.push(`budget_usd = $${values.length}`);
			}
		// One transaction: the change and its audit row (name and budget before and after) are kept together.
		const client = await deps.db.connect();
			try {
			await client.query('begin');
			const { rows } = await client.query<{ name: string; budget_usd: string | null }>(
				'select name, budget_usd from campaigns where id = $1 for update',
				[id],
			);
			if (!rows[0]) throw campaignNotFound(id);
			const { rows: after } = await client.query<{ name: string; budget_usd: string | null }>(
				`update campaigns set ${sets.join(', ')} where id = $1 returning name, budget_usd`,
				values,
			);
			const state = (row: { name: string; budget_usd: string | null }) => ({ name: row.name, budgetUsd: num(row.budget_usd) });
			await audit(client, user, { action: 'campaign.update', subjectType: 'campaign', subjectId: id, before: state(rows[0]), after: state(after[0]) });
			await client.query('commit');
			} catch (error) {
			await client.query('rollback').catch(() => {});
				if ((error as { code?: string }).code === '23505') throw nameTaken(body.name ?? '');
				throw error;
		} finally {
			client.release();
			}
			return c.json(await campaignLine(deps.db, stats, id));
		},
	);

	app.get(
		'/:id',
		describeRoute({
			tag: 'Campaigns',
			summary: 'A campaign and its runs',
			query: paging.extend({ status: runStatusSchema.optional() }),
			responses: {
				200: {
					description: 'The campaign, how many runs match, and a page of them, newest first.',
					schema: z.object({
						campaign: campaignLineSchema,
						total: z.number().int(),
						runs: z.array(runSummarySchema),
					}),
					example: {
						campaign: EXAMPLE_CAMPAIGN,
						total: 1,
						runs: [EXAMPLE_RUN],
					},
				},
				404: campaignNotFoundDoc,
			},
		}),
		async (c) => {
			const user = c.get('user');
			const id = c.req.param('id');
			if (!isUuid(id) || !canSeeCampaign(user, id)) throw campaignNotFound(id);
			const limit = intParam(c, 'limit', 50, 1, 200);
			const offset = intParam(c, 'offset', 0, 0, 1_000_000);
			const status = c.req.query('status') || null;
			const [campaign, runs, count] = await Promise.all([
				campaignLine(deps.db, stats, id),
				runLines(
					deps.db,
					deps.maxRunning,
					`where r.campaign_id = $1 and ($4::text is null or r.status = $4) order by r.created_at desc, r.id limit $2 offset $3`,
					[id, limit, offset, status],
				),
				// Without a status filter the campaign's figures already hold the count.
				status
					? deps.db.query('select count(*) as n from runs where campaign_id = $1 and status = $2', [id, status]).then((r) => Number(r.rows[0].n))
					: null,
			]);
			if (!campaign) throw campaignNotFound(id);
			return c.json({ campaign, total: count ?? campaign.runs, runs });
		},
	);

	return app;
}
