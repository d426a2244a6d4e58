/**
 * Callback deliveries and their attempts (migration 008). Deliveries are created by triggers when a run ends or a
 * stage finishes; the functions here take due ones for a sender and record what each attempt got.
 */
import type { Queryable } from '../transport/postgres';
import { fromRow } from './rows';

export type DeliveryStatus = 'pending' | 'delivered' | 'undeliverable';

export interface Delivery {
	id: string;
	runId: string;
	event: string;
	url: string;
	payload: Record<string, unknown> & { run?: { finalKey?: string | null } };
	status: DeliveryStatus;
	attempts: number;
	createdAt: string;
	/** The campaign's signing secret (joined in when taken for sending). */
	secret: string;
}

export interface AttemptOutcome {
	statusCode: number | null;
	latencyMs: number;
	error: string | null;
}

const TAKEN_COLUMNS = 'd.id, d.run_id, d.event, d.url, d.payload, d.status, d.attempts, d.created_at, c.callback_secret as secret';

/**
 * Takes up to `limit` due pending deliveries for this sender for `holdSeconds` (its requests' time-out and some):
 * SKIP LOCKED and the hold keep two senders from sending one delivery at once; a sender that dies mid-request
 * leaves the hold to run out, and the delivery is sent again (at least once, never lost).
 */
export async function takeDueDeliveries(db: Queryable, limit: number, holdSeconds: number): Promise<Delivery[]> {
	const { rows } = await db.query(
		`with due as (
		   select id from callback_deliveries
		    where status = 'pending' and next_attempt_at <= now() and (sending_until is null or sending_until < now())
		    order by next_attempt_at limit $1 for update skip locked)
		 update callback_deliveries d set sending_until = now() + make_interval(secs => $2)
		   from due, runs r, campaigns c where d.id = due.id and r.id = d.run_id and c.id = r.campaign_id
		 returning ${TAKEN_COLUMNS}`,
		[limit, holdSeconds],
	);
	return rows.map((row) => fromRow<Delivery>(row));
}

/** Takes one delivery of `runId` for "send again", whatever its status; null when it is being sent right now or not there. */
export async function takeDelivery(db: Queryable, runId: string, deliveryId: string, holdSeconds: number): Promise<Delivery | null> {
	const { rows } = await db.query(
		`with one as (
		   select id from callback_deliveries
		    where id = $1 and run_id = $2 and (sending_until is null or sending_until < now()) for update skip locked)
		 update callback_deliveries d set sending_until = now() + make_interval(secs => $3)
		   from one, runs r, campaigns c where d.id = one.id and r.id = d.run_id and c.id = r.campaign_id
		 returning ${TAKEN_COLUMNS}`,
		[deliveryId, runId, holdSeconds],
	);
	return rows[0] ? fromRow<Delivery>(rows[0]) : null;
}

/**
 * Records one attempt and what follows from it: delivered; retried after `retryInSeconds`; or undeliverable
 * (`retryInSeconds` null). A failed "send again" (`keepSchedule`) leaves the delivery's status and schedule as they were.
 */
export async function recordAttempt(
	db: Queryable,
	deliveryId: string,
	outcome: AttemptOutcome,
	next: { delivered: boolean; retryInSeconds: number | null; madeBy: string; keepSchedule?: boolean },
): Promise<void> {
	await db.query(
		`with attempt as (
		   insert into callback_attempts (delivery_id, status_code, latency_ms, error, made_by) values ($1, $2, $3, $4, $5))
		 update callback_deliveries set attempts = attempts + 1, sending_until = null, last_error = $4,
		        status = case when $6 then 'delivered' when $8 then status when $7::float8 is null then 'undeliverable' else 'pending' end,
		        delivered_at = case when $6 then now() else delivered_at end,
		        next_attempt_at = case when not $6 and not $8 and $7::float8 is not null then now() + make_interval(secs => $7::float8) else next_attempt_at end
		  where id = $1`,
		[deliveryId, outcome.statusCode, Math.round(outcome.latencyMs), outcome.error, next.madeBy, next.delivered, next.retryInSeconds, next.keepSchedule ?? false],
	);
}

/** A run's deliveries with their attempts, oldest first (the run page). */
export async function listDeliveries(db: Queryable, runId: string): Promise<Array<Record<string, unknown>>> {
	const { rows } = await db.query(
		`select d.id, d.event, d.url, d.status, d.attempts, d.next_attempt_at, d.last_error, d.delivered_at, d.created_at,
		        d.payload->>'stage' as stage,
		        coalesce((select json_agg(json_build_object('attemptedAt', a.attempted_at, 'statusCode', a.status_code,
		                    'latencyMs', a.latency_ms, 'error', a.error, 'madeBy', a.made_by) order by a.attempted_at, a.id)
		                  from callback_attempts a where a.delivery_id = d.id), '[]') as attempt_list
		   from callback_deliveries d where d.run_id = $1 order by d.created_at, d.id`,
		[runId],
	);
	return rows.map((row) => fromRow(row));
}
