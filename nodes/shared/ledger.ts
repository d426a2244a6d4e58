import { setTimeout as sleep } from 'node:timers/promises';
import type { IExecuteFunctions } from 'n8n-workflow';
import type { Pool, PoolClient } from 'pg';
import { chargeCall, lastCallOf } from './store/aiCalls';
import { previewSpentSql } from './store/previewCosts';
import { poolFor, toPostgresCredentials, withTransaction } from './transport/postgres';

/**
 * What paid nodes (Video Generation, Text to Speech, Claude) write to the Reelsmith store when they have its
 * credential: budget checks before a paid call, cost lines after it, and the provider task ledger that makes a
 * resumed run poll a task it already paid for instead of submitting it again.
 */

export const POSTGRES_CREDENTIAL = 'reelsmithPostgresApi';

/** A paid call would take the run (or its campaign) past its budget; the message is for the person running it. */
export class BudgetError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'BudgetError';
	}
}

export interface CostLine {
	runId: string;
	sceneNumber?: number | null;
	provider: string;
	model?: string | null;
	units: number;
	unit: 'token' | 'second' | 'character';
	amountUsd: number;
	/** plan, critique, refine, videoPrompts, checkFrame, metadata, clip, speech */
	purpose: string;
	taskId?: string | null;
}

export interface OpenTask {
	taskId: string;
	model: string | null;
	request: unknown;
}

export interface TaskSubmitted {
	runId: string;
	sceneNumber: number;
	provider: string;
	model?: string;
	taskId: string;
	request: unknown;
	/** What the task will cost; held against the budget until the task's cost line is recorded. */
	costUsd?: number;
}

export interface TaskResult {
	status: 'fetched' | 'failed' | 'cancelled';
	clipKey?: string;
	error?: string;
	seconds?: number;
	costUsd?: number;
}

export interface SlotOptions {
	/** Give up waiting for a free slot after this long (default 10 minutes). */
	timeoutMs?: number;
	/** Open tasks older than this no longer hold a slot: a run that died and was never resumed (default 1 hour). */
	staleAfterMs?: number;
	/** Pause between looks for a free slot (default 500 ms, with jitter). */
	checkEveryMs?: number;
	/**
	 * An intent ("submitting") holds a slot this long: longer than any submit with its retries (default 15 minutes).
	 * One whose execution is gone (its run's lease expired or was taken over) holds none.
	 */
	submittingForMs?: number;
}

/** Four tries of up to 120 s each with their waits (data/retry.json) end well inside this; an older intent was left by a stopped execution. */
const SUBMIT_WINDOW_MS = 15 * 60_000;

const usd = (amount: number) => `$${amount.toFixed(2)}`;
/** A preview costs fractions of a cent: those are shown to the hundredth of a cent, not as $0.00. */
const smallUsd = (amount: number) => (amount > 0 && amount < 0.01 ? `$${amount.toFixed(4)}` : usd(amount));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The item's runId when it names a run of the store (a uuid); items of standalone use carry anything else. */
export function runIdOf(value: unknown): string | undefined {
	return typeof value === 'string' && UUID.test(value.trim()) ? value.trim() : undefined;
}
/**
 * A person resumed the run: they have read that a create went unanswered, so its scenes may be sent to that provider
 * again (which may pay for a clip twice there). The rows stay as the record of what may have been billed.
 */
export async function releaseUnansweredCreates(db: Pick<Pool, 'query'> | PoolClient, runId: string): Promise<number> {
	const { rowCount } = await db.query(
		"update provider_tasks set finished_at = clock_timestamp() where run_id = $1 and status = 'unanswered' and finished_at is null",
		[runId],
	);
	// Intents a stopped execution left mid-submit: the same go-ahead (resume refuses a run whose lease is live, so
	// their writers are gone). Kling still looks its task up by our key first; Runway may get the scene again.
	const intents = await db.query(
		"update provider_tasks set released_at = clock_timestamp() where run_id = $1 and status = 'submitting' and released_at is null",
		[runId],
	);
	return (rowCount ?? 0) + (intents.rowCount ?? 0);
}

/**
 * SQL: the execution that wrote intent `t` is gone — its run's lease is no longer that owner's and live (the lease
 * expired, or recovery gave the run to another execution). An intent written without an owner is never "gone" here.
 */
const writerGone = (t: string) =>
	`(${t}.lease_owner is not null and not exists (select 1 from runs r where r.id = ${t}.run_id and r.lease_owner = ${t}.lease_owner and r.lease_expires_at > clock_timestamp()))`;

// First key of the two-key advisory locks Reelsmith takes for provider slots ('slot' in ASCII); the second is the
// provider name hashed, so each provider has its own lock.
const SLOT_LOCK_CLASS = 0x736c6f74;

// First key of the advisory lock a campaign's budget is checked and a preview's cost reserved under ('budg'); the
// second is the campaign id hashed.
const BUDGET_LOCK_CLASS = 0x62756467;

/** A paid voice preview about to be made: its cost is reserved before the provider is called. */
export interface PreviewCost {
	/** The campaign whose budget pays for it; null/undefined = none (the cost is kept, no budget checked). */
	campaignId?: string | null;
	provider: string;
	voice: string;
	characters: number;
	costUsd: number;
}

interface BudgetRow {
	run_budget: string | null;
	estimate: string | null;
	run_spent: string;
	campaign_name: string | null;
	campaign_budget: string | null;
	campaign_spent: string;
}

export class Ledger {
	/** The store of the node's optional Reelsmith Postgres credential; undefined when none is attached. */
	static async fromNode(ctx: IExecuteFunctions, itemIndex: number): Promise<Ledger | undefined> {
		if (!ctx.getNode().credentials?.[POSTGRES_CREDENTIAL]) return undefined;
		const data = await ctx.getCredentials(POSTGRES_CREDENTIAL, itemIndex);
		return new Ledger(poolFor(toPostgresCredentials(data)));
	}

	constructor(readonly db: Pool) {}

	/**
	 * Throws BudgetError when `callUsd` on top of what the run (or its campaign) has spent would pass its cap.
	 * Spent = recorded cost lines + tasks accepted but not yet costed (they will be billed; a rendered task has its line).
	 */
	async checkBudget(runId: string, callUsd: number, what: string): Promise<void> {
		// Under the campaign's budget lock: a preview reserving its cost right now is counted, not raced past.
		const rows = await this.transaction(async (client) => {
			await client.query('select pg_advisory_xact_lock($1, hashtext(campaign_id::text)) from runs where id = $2', [BUDGET_LOCK_CLASS, runId]);
			return (await client.query<BudgetRow>(
			`with spent as (
				select r.campaign_id, r.id as run_id,
					coalesce((select sum(amount_usd) from costs where run_id = r.id), 0)
					+ coalesce((select sum(cost_usd) from provider_tasks
						where run_id = r.id and status = 'submitted' and rendered_at is null), 0) as total
				from runs r
				where r.campaign_id = (select campaign_id from runs where id = $1)
			)
			select r.budget_usd as run_budget, r.cost_estimate as estimate,
				(select total from spent where run_id = r.id) as run_spent,
				c.name as campaign_name, c.budget_usd as campaign_budget,
				(select coalesce(sum(total), 0) from spent) + ${previewSpentSql('c.id')} as campaign_spent
			from runs r join campaigns c on c.id = r.campaign_id
			where r.id = $1`,
				[runId],
			)).rows;
		});
		const row = rows[0];
		if (!row) {
			throw new Error(`Run ${runId} does not exist, so its budget cannot be checked. Check the item's runId.`);
		}
		const estimate = row.estimate === null ? 'no estimate yet' : `estimate ${usd(Number(row.estimate))}`;
		const stop = (whose: string, spent: number, cap: number, raise: string) =>
			new BudgetError(
				`Budget stop: ${what} would cost about ${usd(callUsd)}, and ${whose} has spent ${usd(spent)} of its ` +
					`${usd(cap)} budget (${estimate}). ${raise} or lower scenes/duration, then resume the run.`,
			);
		// A cent's tolerance: prices have more decimals than budgets are written with.
		const over = (spent: number, cap: number) => spent + callUsd > cap + 1e-9;
		if (row.run_budget !== null && over(Number(row.run_spent), Number(row.run_budget))) {
			throw stop('the run', Number(row.run_spent), Number(row.run_budget), "Raise the run's budget");
		}
		if (row.campaign_budget !== null && over(Number(row.campaign_spent), Number(row.campaign_budget))) {
			throw stop(
				`campaign '${row.campaign_name}'`,
				Number(row.campaign_spent),
				Number(row.campaign_budget),
				"Raise the campaign's budget",
			);
		}
	}

	/**
	 * Writes a paid preview's cost before the provider is called, under the lock the budget checks take. With a
	 * campaign, only when the cost fits in what its budget has left (all its runs' spend and earlier previews counted);
	 * a BudgetError whose message starts with "campaign" says what to do otherwise. Returns the row's id.
	 */
	async reservePreview(preview: PreviewCost): Promise<string> {
		return this.transaction(async (client) => {
			const campaignId = preview.campaignId ?? null;
			if (campaignId) {
				await client.query('select pg_advisory_xact_lock($1, hashtext($2::uuid::text))', [BUDGET_LOCK_CLASS, campaignId]);
				const { rows } = await client.query<{ name: string; budget_usd: string | null; spent: string }>(
					`select c.name, c.budget_usd,
						(select coalesce(sum(k.amount_usd), 0) from costs k join runs o on o.id = k.run_id where o.campaign_id = c.id)
						+ (select coalesce(sum(t.cost_usd), 0) from provider_tasks t join runs o on o.id = t.run_id
							where o.campaign_id = c.id and t.status = 'submitted')
						+ ${previewSpentSql('c.id')} as spent
					from campaigns c where c.id = $1`,
					[campaignId],
				);
				const campaign = rows[0];
				if (!campaign) {
					throw new Error(`"campaign": no campaign has the id ${campaignId}. Send the id of an existing campaign, or no campaign.`);
				}
				if (campaign.budget_usd !== null) {
					const budget = Number(campaign.budget_usd);
					const spent = Number(campaign.spent);
					if (spent + preview.costUsd > budget + 1e-9) {
						throw new BudgetError(
							`"campaign": this preview would cost about ${smallUsd(preview.costUsd)}, but campaign '${campaign.name}' has spent ` +
								`${smallUsd(spent)}: its budget ${smallUsd(budget)} has ${smallUsd(Math.max(0, budget - spent))} left; raise the budget or preview a free voice (espeak-ng).`,
						);
					}
				}
			}
			const { rows } = await client.query<{ id: string }>(
				`insert into preview_costs (campaign_id, provider, voice, characters, cost_usd) values ($1, $2, $3, $4, $5) returning id`,
				[campaignId, preview.provider, preview.voice, preview.characters, preview.costUsd],
			);
			return rows[0].id;
		});
	}

	/** The provider refused the preview (it made no audio, so billed nothing): its reserved cost goes. */
	async releasePreview(id: string): Promise<void> {
		await this.db.query('delete from preview_costs where id = $1', [id]);
	}

	/** `work` in one transaction on one connection: committed when it returns, rolled back when it throws. */
	private transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
		return withTransaction(this.db, work);
	}

	/** One cost line; the run's cost_total follows. A line for a task already costed is not written again. */
	async recordCost(line: CostLine): Promise<void> {
		// Taken before the write: the call this line pays for is the last one answered before it.
		const callId = lastCallOf(line.provider);
		const { rowCount } = await this.db.query(
			`with line as (
				insert into costs (run_id, scene_number, provider, model, units, unit, amount_usd, purpose, task_id)
				select $1, $2, $3, $4, $5, $6, $7, $8, $9
				where $9::text is null or not exists (
					select 1 from costs where provider = $3 and task_id = $9 and purpose is not distinct from $8)
				returning run_id, amount_usd
			)
			update runs set cost_total = coalesce(cost_total, 0) + line.amount_usd from line where runs.id = line.run_id
			returning runs.id`,
			[
				line.runId,
				line.sceneNumber ?? null,
				line.provider,
				line.model ?? null,
				line.units,
				line.unit,
				line.amountUsd,
				line.purpose,
				line.taskId ?? null,
			],
		);
		// Only a line that was written is put on its call: a repeated clip line must not count twice there either.
		if (rowCount) await chargeCall(this.db, line, callId);
	}

	/** The task this scene already has running at `provider` (accepted and paid, clip not fetched yet), if any. */
	async openTask(runId: string, sceneNumber: number, provider: string): Promise<OpenTask | null> {
		const { rows } = await this.db.query<{ task_id: string; model: string | null; request: unknown }>(
			`select task_id, model, request from provider_tasks
			where run_id = $1 and scene_number = $2 and provider = $3 and status = 'submitted'
			order by submitted_at desc limit 1`,
			[runId, sceneNumber, provider],
		);
		const row = rows[0];
		return row ? { taskId: row.task_id, model: row.model, request: row.request } : null;
	}

	/**
	 * The key of the scene's next task at `provider`, written down before the submit ("submitting"), or the key of
	 * an intent an earlier execution wrote and never saw through (`earlier`: that submit may have been accepted and
	 * paid, so ask the provider for the task with this key before submitting again).
	 *
	 * With a `limit`, a new intent is only written while fewer than `limit` tasks are open or being submitted at the
	 * provider (over every process on this store): the intent is the scene's slot. Only that write runs under the
	 * provider's lock, never the submit itself, so one submit that hangs until its timeout holds up no other scene.
	 * An earlier intent of a live execution already holds its slot and is returned at once; one whose execution is gone
	 * (its lease expired or was taken over) held none since, so this execution takes it over once a slot is free.
	 * `released`: a person resumed the run since that intent was written.
	 */
	async taskIntent(
		runId: string,
		sceneNumber: number,
		provider: string,
		limit = 0,
		opts: SlotOptions = {},
	): Promise<{ key: string; earlier: boolean; released: boolean }> {
		const { rows } = await this.db.query<{ idempotency_key: string; gone: boolean; released: boolean }>(
			`select idempotency_key, ${writerGone('t')} as gone, released_at is not null as released from provider_tasks t
			where run_id = $1 and scene_number = $2 and provider = $3 and status = 'submitting'
			order by submitted_at desc limit 1`,
			[runId, sceneNumber, provider],
		);
		const earlier = rows[0];
		if (earlier && !earlier.gone) return { key: earlier.idempotency_key, earlier: true, released: earlier.released };
		// Written under the run's current lease owner: when this execution dies too, the intent stops holding its slot.
		const write = async () => {
			if (earlier) {
				await this.db.query(
					`update provider_tasks t set lease_owner = (select lease_owner from runs where id = t.run_id), submitted_at = clock_timestamp()
					where provider = $1 and idempotency_key = $2 and status = 'submitting'`,
					[provider, earlier.idempotency_key],
				);
				return { key: earlier.idempotency_key, earlier: true, released: earlier.released };
			}
			const { rows: made } = await this.db.query<{ idempotency_key: string }>(
				`insert into provider_tasks (run_id, scene_number, provider, task_id, idempotency_key, status, lease_owner)
				select $1::uuid, $2::int, $3::text, 'intent:' || k, k, 'submitting', (select lease_owner from runs where id = $1::uuid)
				from (select 'rs-' || $1::text || '-' || $2::text || '-' || (count(*) + 1) as k
				      from provider_tasks where run_id = $1::uuid and scene_number = $2::int and provider = $3::text) n
				returning idempotency_key`,
				[runId, sceneNumber, provider],
			);
			return { key: made[0].idempotency_key, earlier: false, released: false };
		};
		return limit > 0 ? this.withSlot(provider, limit, write, opts) : write();
	}

	/** The provider refused the submit outright (it made no task): the intent goes, the next try gets a new key. */
	async dropIntent(provider: string, key: string): Promise<void> {
		await this.db.query("delete from provider_tasks where provider = $1 and idempotency_key = $2 and status = 'submitting'", [provider, key]);
	}

	/**
	 * The create got no answer (timeout, reset, body cut off) and the provider cannot be asked for a task by our key:
	 * it may have made the task and charged for it. The intent stops holding a slot now (a create that went
	 * unanswered at Runway is no task we can poll, and waiting out the submit window kept the other scenes from a
	 * slot), and stays on record, so the scene is not sent to this provider again until a person resumes the run.
	 */
	async intentUnanswered(provider: string, key: string, reason: string): Promise<void> {
		await this.db.query(
			"update provider_tasks set status = 'unanswered', error = $3 where provider = $1 and idempotency_key = $2 and status = 'submitting'",
			[provider, key, reason],
		);
	}

	/** Why this scene may not be sent to `provider` again yet: its last create there went unanswered (null = it may). */
	async unansweredCreate(runId: string, sceneNumber: number, provider: string): Promise<string | null> {
		const { rows } = await this.db.query<{ error: string | null }>(
			`select error from provider_tasks
			where run_id = $1 and scene_number = $2 and provider = $3 and status = 'unanswered' and finished_at is null
			order by submitted_at desc limit 1`,
			[runId, sceneNumber, provider],
		);
		return rows[0] ? (rows[0].error ?? 'the create got no answer') : null;
	}

	/** Written right after the provider accepted the task and before the first poll: from here on it is paid. */
	async taskSubmitted(task: TaskSubmitted & { key?: string }): Promise<void> {
		if (task.key) {
			const { rowCount } = await this.db.query(
				`update provider_tasks set task_id = $3, status = 'submitted', model = $4, request = $5, cost_usd = $6,
					submitted_at = clock_timestamp()
				where provider = $1 and idempotency_key = $2 and status = 'submitting'`,
				[task.provider, task.key, task.taskId, task.model ?? null, JSON.stringify(task.request ?? null), task.costUsd ?? null],
			);
			if (rowCount) return;
		}
		await this.db.query(
			`insert into provider_tasks (run_id, scene_number, provider, model, task_id, request, cost_usd)
			values ($1, $2, $3, $4, $5, $6, $7)
			on conflict (provider, task_id) do nothing`,
			[
				task.runId,
				task.sceneNumber,
				task.provider,
				task.model ?? null,
				task.taskId,
				JSON.stringify(task.request ?? null),
				task.costUsd ?? null,
			],
		);
	}

	/** The provider has finished the clip: the task stops holding a slot there, though we may still have to fetch it. */
	async taskRendered(provider: string, taskId: string): Promise<void> {
		await this.db.query(
			"update provider_tasks set rendered_at = coalesce(rendered_at, clock_timestamp()) where provider = $1 and task_id = $2",
			[provider, taskId],
		);
	}

	async taskFinished(provider: string, taskId: string, result: TaskResult): Promise<void> {
		await this.db.query(
			`update provider_tasks set status = $3, clip_key = coalesce($4, clip_key), error = $5,
				seconds = coalesce($6, seconds), cost_usd = coalesce($7, cost_usd), finished_at = clock_timestamp()
			where provider = $1 and task_id = $2`,
			[provider, taskId, result.status, result.clipKey ?? null, result.error ?? null, result.seconds ?? null, result.costUsd ?? null],
		);
	}

	/**
	 * Runs `reserve` once fewer than `limit` tasks are rendering or being submitted at `provider`, counted over every n8n
	 * process that writes to this store. A per-provider advisory lock is held while `reserve` runs, so it must be a
	 * quick write that the next caller counts (an intent or a submitted task), not the provider call. The lock is only
	 * tried, never waited on, so waiting scenes give their connection back and the pool never runs dry.
	 */
	async withSlot<T>(provider: string, limit: number, reserve: () => Promise<T>, opts: SlotOptions = {}): Promise<T> {
		const timeoutMs = opts.timeoutMs ?? 600_000;
		const staleAfterMs = opts.staleAfterMs ?? 3_600_000;
		const submittingFor = opts.submittingForMs ?? SUBMIT_WINDOW_MS;
		const checkEveryMs = opts.checkEveryMs ?? 500;
		const deadline = Date.now() + timeoutMs;
		let open = 0;
		for (;;) {
			const client = await this.db.connect();
			let release = true;
			try {
				await client.query('begin');
				const { rows } = await client.query<{ locked: boolean }>(
					'select pg_try_advisory_xact_lock($1, hashtext($2)) as locked',
					[SLOT_LOCK_CLASS, provider],
				);
				if (rows[0].locked) {
					const counted = await client.query<{ open: number }>(
						`select count(*)::int as open from provider_tasks t
						where provider = $1
							and ((status = 'submitted' and rendered_at is null and submitted_at > clock_timestamp() - make_interval(secs => $2::double precision / 1000))
							  or (status = 'submitting' and submitted_at > clock_timestamp() - make_interval(secs => $3::double precision / 1000)
							      and not ${writerGone('t')}))`,
						[provider, staleAfterMs, submittingFor],
					);
					open = counted.rows[0].open;
					if (open < Math.max(1, limit)) {
						try {
							return await reserve();
						} finally {
							// Ends the transaction and with it the lock, whether submit succeeded or not.
							await client.query('commit').catch(() => {
								release = false;
							});
						}
					}
				}
				await client.query('rollback');
			} catch (error) {
				await client.query('rollback').catch(() => {});
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- shared store helper; the calling operation wraps errors with its node and item
				throw error;
			} finally {
				// A connection whose commit failed is broken: destroy it rather than hand it to the next query.
				client.release(release ? undefined : true);
			}
			if (Date.now() >= deadline) {
				throw new Error(
					`No free ${provider} slot: ${open} tasks were still running (limit ${limit}) after waiting ${Math.round(timeoutMs / 1000)} s. Raise Provider Concurrency if the account allows more, or wait for running tasks to finish.`,
				);
			}
			await sleep(checkEveryMs / 2 + Math.random() * checkEveryMs);
		}
	}
}
