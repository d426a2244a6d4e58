/**
 * The AI-call record (table ai_calls): one row per request to a paid provider, written from the one HTTP hook
 * (`recordCall`, called by transport/http.ts and the Claude SDK's fetch) while an item of a run is being worked on.
 *
 * The run, scene and operation come from the call scope the shared item loop opens per item (nodes/shared/router.ts),
 * so no operation records anything itself. What a request was for, its model and units come from the provider's
 * describer (transport/describe.ts). Costs are not computed here: Ledger.recordCost puts each cost line's amount on
 * the call it paid for, so the calls of a run add up to runs.cost_total and nothing is counted twice.
 *
 * Recording never fails the call it records: a store that is away costs a warning in the log, not the scene.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { LoggerProxy } from 'n8n-workflow';
import type { Pool } from 'pg';
import { describeCall, scrub, secretsOf, type Attempt } from '../transport/describe';

export type { Attempt } from '../transport/describe';

export interface CallScope {
	/** Null for calls that belong to no run (a voice preview or list, migration 013). */
	runId: string | null;
	sceneNumber: number | null;
	/** The node's operation (Claude: plan, critique…), the purpose of a Claude call. */
	operation: string;
	/** The store, when the node has the Reelsmith Postgres credential; asked once, on the first call. */
	store: () => Promise<Pool | undefined>;
}

interface OpenScope extends CallScope {
	/** The last answered call per provider: the cost line that follows it is put on it. */
	last: Map<string, string>;
	db?: Promise<Pool | undefined>;
}

const scopes = new AsyncLocalStorage<OpenScope>();

/** Runs `work` with its provider calls recorded against `scope`'s run; without a scope it just runs. */
export function inCallScope<T>(scope: CallScope | undefined, work: () => Promise<T>): Promise<T> {
	if (!scope) return work();
	return scopes.run({ ...scope, last: new Map() }, work);
}

/**
 * Runs `work` with its calls recorded under another purpose: a Claude call made inside another node's operation
 * (Video Generation's prompt rewrite) is for that, not for the operation ("generate").
 */
export function forPurpose<T>(purpose: string, work: () => Promise<T>): Promise<T> {
	const scope = scopes.getStore();
	if (!scope) return work();
	// The same `last` map: the cost line recorded after the call still finds it.
	return scopes.run({ ...scope, operation: purpose }, work);
}

function warn(message: string): void {
	try {
		LoggerProxy.warn(message);
	} catch {
		// no logger outside n8n (unit tests): nothing to do
	}
}

async function storeOf(scope: OpenScope): Promise<Pool | undefined> {
	scope.db ??= scope.store().catch((error: Error) => {
		warn(`Reelsmith: AI calls ${scope.runId ? `of run ${scope.runId} ` : ''}are not recorded (no store: ${error.message})`);
		return undefined;
	});
	return scope.db;
}

/** Records one request and its answer (or its failure). Never throws. */
export async function recordCall(attempt: Attempt): Promise<void> {
	const scope = scopes.getStore();
	if (!scope) return;
	try {
		const described = describeCall(attempt, scope.operation);
		if (!described) return;
		const db = await storeOf(scope);
		if (!db) return;
		const secrets = secretsOf(attempt.headers);
		const { rows } = await db.query<{ id: string }>(
			`insert into ai_calls (run_id, scene_number, provider, purpose, model, method, url, request, response, summary,
				units, unit, task_id, latency_ms, status, ok, error)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
			returning id`,
			[
				scope.runId,
				scope.sceneNumber,
				described.provider,
				described.purpose,
				described.model ?? null,
				attempt.method.toUpperCase(),
				described.url,
				JSON.stringify(scrub(attempt.body, secrets) ?? null),
				JSON.stringify(scrub(attempt.answer, secrets) ?? null),
				scrub(described.summary, secrets) ?? null,
				described.units ?? null,
				described.unit ?? null,
				described.taskId ?? null,
				Math.round(attempt.ms),
				attempt.status,
				attempt.ok,
				attempt.error === undefined ? null : scrub(attempt.error, secrets),
			],
		);
		if (attempt.ok) scope.last.set(described.provider, rows[0].id);
	} catch (error) {
		warn(`Reelsmith: an AI call ${scope.runId ? `of run ${scope.runId} ` : ''}was not recorded: ${(error as Error).message}`);
	}
}

/** The id of the last answered call to `provider` in this item's scope, for the cost line that follows it. */
export function lastCallOf(provider: string): string | undefined {
	return scopes.getStore()?.last.get(provider);
}

/**
 * Puts a cost line's amount on the call it paid for: a clip's on the submit that made its task (or, for a task
 * adopted by its key after an unanswered submit, the call that found it), any other on the last answered call to the
 * provider in this scope. Never throws (the cost line itself is already written).
 */
export async function chargeCall(
	db: Pool,
	line: { provider: string; taskId?: string | null; amountUsd: number },
	callId = lastCallOf(line.provider),
): Promise<void> {
	try {
		if (line.taskId) {
			await db.query(
				`update ai_calls set cost_usd = coalesce(cost_usd, 0) + $3
				where id = (select id from ai_calls where provider = $1 and task_id = $2 and ok
				            order by purpose = 'submit' desc, id desc limit 1)`,
				[line.provider, line.taskId, line.amountUsd],
			);
		} else if (callId) {
			await db.query('update ai_calls set cost_usd = coalesce(cost_usd, 0) + $2 where id = $1', [callId, line.amountUsd]);
		}
	} catch (error) {
		warn(`Reelsmith: a cost of ${line.provider} was not put on its AI call: ${(error as Error).message}`);
	}
}
