import { hostname } from 'node:os';
import type { Queryable } from '../transport/postgres';
import { fromRow } from './rows';

/**
 * Liveness of the runs that hold a slot (starting, running). The process working on a run holds a lease on it
 * (runs.lease_owner / lease_expires_at, migration 005) and renews it while it lives; when that process dies (worker
 * or n8n killed, machine restarted) the renewals stop, the lease expires, and the watchdog workflow puts the run
 * back in the queue, from where the dispatcher resumes it (completed scenes are kept, the task ledger stops a
 * second paid submission). A lease is owned by one n8n execution: "<execution id>@<host>:<pid>".
 */

/** REELSMITH_LEASE_SECONDS when unset: a run whose process died is recovered about this long (+ the watchdog's interval) later. */
export const DEFAULT_LEASE_SECONDS = 60;
const MIN_LEASE_SECONDS = 5;
/**
 * A lease this process renews stops being renewed when no step of the run ran here for this long: the execution
 * ended without ending the run (no error workflow ran), and the watchdog should take the run back. Longer than any
 * single step (a provider poll times out well before).
 */
export const IDLE_LIMIT_MS = 60 * 60_000;
/** `events.data.reason` of the event the watchdog records when it requeues a run (the System view lists them). */
export const RECOVERY_REASON = 'lease_expired';
/** The owner a dispatcher writes when it claims a run; the pipeline execution that starts it takes the lease over. */
export const CLAIM_OWNER = 'dispatch';

/** The lease length in seconds, from REELSMITH_LEASE_SECONDS; a bad value fails naming the variable. */
export function leaseSecondsSetting(env: NodeJS.ProcessEnv = process.env): number {
	const raw = env.REELSMITH_LEASE_SECONDS?.trim();
	if (!raw) return DEFAULT_LEASE_SECONDS;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < MIN_LEASE_SECONDS) {
		throw new Error(
			`REELSMITH_LEASE_SECONDS must be a whole number of at least ${MIN_LEASE_SECONDS} (got "${raw}"). Set it for every n8n process alike, or leave it unset for ${DEFAULT_LEASE_SECONDS}.`,
		);
	}
	return value;
}

/** The lease owner for an execution of this process. */
export function leaseOwner(executionId: string): string {
	return `${executionId}@${hostname()}:${process.pid}`;
}

/** The execution a lease owner names ("" for none). */
export function executionOf(owner: string | null | undefined): string {
	return (owner ?? '').split('@')[0];
}

/** The statuses whose runs hold a slot and so a lease (runState's HOLDING_A_SLOT is this list). */
export const LEASED_STATUSES = ['starting', 'running'] as const;
const SLOT_STATUSES = `(${LEASED_STATUSES.map((status) => `'${status}'`).join(', ')})`;

/**
 * SQL condition: execution `$exec` may take the lease of run alias `r` — nobody holds it, it expired, the
 * dispatcher's claim holds it, or the same execution held it (n8n re-ran that execution in another process).
 */
export function leaseFreeFor(alias: string, executionParam: string): string {
	return `(${alias}.lease_owner is null or ${alias}.lease_expires_at <= now() or split_part(${alias}.lease_owner, '@', 1) in (${executionParam}, '${CLAIM_OWNER}'))`;
}

/** SQL: the expiry of a lease taken or renewed now, for `$seconds`. */
export const leaseUntil = (secondsParam: string) => `now() + make_interval(secs => ${secondsParam})`;

/** Renews the lease `owner` holds; false when the run is no longer its (finished, waiting, or taken over). */
export async function renewLease(db: Queryable, runId: string, owner: string, seconds: number): Promise<boolean> {
	const { rowCount } = await db.query(
		`update runs set lease_expires_at = ${leaseUntil('$3')} where id = $1 and lease_owner = $2 and status in ${SLOT_STATUSES}`,
		[runId, owner, seconds],
	);
	return (rowCount ?? 0) > 0;
}

/** What a step needs to know about the lease of its run. */
export interface LeaseState {
	leaseOwner: string | null;
	leaseExpiresAt: string | null;
	live: boolean;
}

export async function leaseState(db: Queryable, runId: string): Promise<LeaseState | null> {
	const { rows } = await db.query(
		`select lease_owner, lease_expires_at, coalesce(lease_expires_at > now(), false) as live from runs where id = $1`,
		[runId],
	);
	return rows[0] ? fromRow<LeaseState>(rows[0]) : null;
}

/** A slot-holding run whose lease expired, as the watchdog found and requeued it. */
export interface RecoveredRun {
	id: string;
	campaignId: string;
	previousStatus: string;
	leaseOwner: string | null;
	leaseExpiredAt: string | null;
	recoveries: number;
}

/**
 * Puts every starting/running run whose lease expired back in the queue (must run in a transaction). It keeps its
 * place (priority and first arrival), so it starts again before runs that came after it. SKIP LOCKED: a run being
 * resumed or cancelled elsewhere is left for the next round.
 */
export async function requeueExpiredRuns(client: Queryable): Promise<RecoveredRun[]> {
	const { rows } = await client.query(
		`update runs r set status = 'queued', execution_id = null, lease_owner = null, lease_expires_at = null,
		        recoveries = r.recoveries + 1
		   from (select id, status, lease_owner, lease_expires_at from runs
		          where status in ${SLOT_STATUSES} and lease_expires_at <= now()
		          order by lease_expires_at for update skip locked) prev
		  where r.id = prev.id
		  returning r.id, r.campaign_id, prev.status as previous_status, prev.lease_owner, prev.lease_expires_at as lease_expired_at, r.recoveries`,
	);
	return rows.map((row) => fromRow<RecoveredRun>(row));
}

type Held = { db: Queryable; owner: string; seconds: number; lastStep: number; timer: NodeJS.Timeout };

/**
 * The renewals of this process: one timer per run whose lease an execution here holds, renewing it every third of
 * the lease. It stops by itself when a renewal finds the run no longer ours, when no step ran for IDLE_LIMIT_MS, or
 * when the execution is cancelled in n8n. The timers are unref'd: they never keep a process alive.
 */
class LeaseKeeper {
	private readonly held = new Map<string, Held>();

	/** This process works on the run for `owner`: renew its lease until it is no longer ours. */
	keep(db: Queryable, runId: string, owner: string, seconds: number, cancelSignal?: AbortSignal): void {
		const current = this.held.get(runId);
		if (current?.owner === owner) {
			current.lastStep = Date.now();
			return;
		}
		if (current) this.drop(runId);
		const timer = setInterval(() => void this.renew(runId), Math.max(1000, (seconds * 1000) / 3));
		timer.unref();
		this.held.set(runId, { db, owner, seconds, lastStep: Date.now(), timer });
		cancelSignal?.addEventListener('abort', () => this.drop(runId, owner), { once: true });
	}

	/** Whether this process renews the run's lease now (for tests and the log). */
	holds(runId: string): boolean {
		return this.held.has(runId);
	}

	drop(runId: string, owner?: string): void {
		const current = this.held.get(runId);
		if (!current || (owner && current.owner !== owner)) return;
		clearInterval(current.timer);
		this.held.delete(runId);
	}

	private async renew(runId: string): Promise<void> {
		const current = this.held.get(runId);
		if (!current) return;
		if (Date.now() - current.lastStep > IDLE_LIMIT_MS) return this.drop(runId, current.owner);
		// A failed renewal (database briefly away) is tried again at the next tick; the lease covers three.
		const ours = await renewLease(current.db, runId, current.owner, current.seconds).catch(() => true);
		if (!ours) this.drop(runId, current.owner);
	}
}

export const leaseKeeper = new LeaseKeeper();
