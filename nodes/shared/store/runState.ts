import type { Queryable } from '../transport/postgres';
import { CLAIM_OWNER, LEASED_STATUSES, leaseFreeFor, leaseUntil } from './lease';
import { fromRow } from './rows';

/**
 * Every status change of a run, for the Campaign node (pipeline steps) and the dashboard server (Cancel, storyboard
 * decisions) alike. Which status may follow which is stated once, in RUN_TRANSITIONS, and each write checks it in
 * its WHERE clause, so writers that race (a dispatcher, the error workflow, someone pressing Cancel) cannot take a
 * run where it may not go: the loser gets null and says why. Scene statuses live beside this, in scenes.ts.
 */
export type RunStatus = 'queued' | 'starting' | 'running' | 'awaiting_approval' | 'completed' | 'failed' | 'cancelled';
export type Approval = 'pending' | 'approved' | 'rejected';
/** Every status, as the runs_status_check constraint lists them (migration 002). */
export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'starting', 'running', 'awaiting_approval', 'completed', 'failed', 'cancelled'];

/** A run row in the user's words; `request` and `options` are typed by whoever reads them (Campaign: its request). */
export interface RunRecord<Request = unknown, Options = unknown> {
	id: string;
	campaignId: string;
	status: RunStatus;
	stage: string | null;
	priority: number;
	queuedAt: string;
	startedAt: string | null;
	finishedAt: string | null;
	request: Request;
	options: Options;
	executionId: string | null;
	error: string | null;
	finalKey: string | null;
	thumbnailKey: string | null;
	subtitlesKey: string | null;
	duration: number | null;
	costEstimate: number | null;
	costTotal: number | null;
	budgetUsd: number | null;
	approval: Approval | null;
	approvalUrl: string | null;
	approvalNote: string | null;
	approvalBy: string | null;
	approvalAt: string | null;
	cancelRequestedAt: string | null;
	/** Who asked to cancel (migration 004; set with cancel_requested_at). */
	cancelRequestedBy?: string | null;
	/** Lease on a starting/running run (migration 005): "<execution id>@<host>:<pid>", or "dispatch" while claimed. */
	leaseOwner?: string | null;
	leaseExpiresAt?: string | null;
	/** How often the watchdog put the run back in the queue after its lease expired. */
	recoveries?: number;
	/** The campaign cast version the run's plan was given (migration 015), null when it had none. */
	castVersion?: number | null;
	createdAt: string;
	updatedAt: string;
}

/** Something may still happen to the run. */
const UNFINISHED: RunStatus[] = ['queued', 'starting', 'running', 'awaiting_approval'];

/** The status changes there are, and the statuses each may start from. A run is created `queued`. */
export const RUN_TRANSITIONS = {
	/** The dispatcher takes a queued run into a free slot. */
	claim: { from: ['queued'], to: 'starting' },
	/** The dispatcher could not hand a claimed run to n8n (its webhook did not answer): the run waits in the queue again. */
	unclaim: { from: ['starting'], to: 'queued' },
	/** The pipeline's Start step; again on a run n8n was already running (restarted, or a resumed execution). */
	start: { from: ['queued', 'starting', 'running'], to: 'running' },
	/** Planning is done and the storyboard waits for a decision (only a run that asked for approval). */
	awaitApproval: { from: ['running', 'awaiting_approval'], to: 'awaiting_approval' },
	/** The storyboard was approved: generation goes on. */
	continueApproved: { from: ['awaiting_approval', 'running'], to: 'running' },
	/**
	 * The storyboard was approved, but n8n no longer has the execution that waited for it (n8n died after the run was
	 * marked waiting and before the Wait node was saved): the run goes back in the queue with the decision kept, and
	 * its next execution goes straight past approval.
	 */
	requeueApproved: { from: ['awaiting_approval'], to: 'queued' },
	/** Assembly stored the final video. Anything but a cancelled run: a failed execution retried in n8n completes it. */
	complete: { from: [...UNFINISHED, 'failed', 'completed'], to: 'completed' },
	/** A step failed (error workflow, budget stop). A completed or cancelled run stays so. */
	fail: { from: [...UNFINISHED, 'failed'], to: 'failed' },
	/** Resume/retry: a failed run, or one interrupted while starting/running (n8n died), goes back in the queue. */
	requeue: { from: ['failed', 'starting', 'running'], to: 'queued' },
	/** The pipeline stops at a step: a cancel was requested, the storyboard rejected, or the decision never came. */
	cancel: { from: UNFINISHED, to: 'cancelled' },
	/** Cancel from the dashboard of a run nothing is working on (queued, or waiting for approval): it ends at once. */
	cancelIdle: { from: ['queued', 'awaiting_approval'], to: 'cancelled' },
} as const satisfies Record<string, { from: readonly RunStatus[]; to: RunStatus }>;

export type RunTransition = keyof typeof RUN_TRANSITIONS;

/** Writes that leave the status as it is, and the statuses they may be made in. */
export const RUN_MARKS = {
	/** Someone asks to cancel a run that is being worked on; the pipeline stops at its next step (`cancel`). */
	requestCancel: ['starting', 'running'],
	/** Someone approves or rejects the storyboard the run waits on. */
	decideStoryboard: ['awaiting_approval'],
} as const satisfies Record<string, readonly RunStatus[]>;

/** Whether `transition` may be made from `status`. */
export function mayMove(status: RunStatus, transition: RunTransition): boolean {
	return (RUN_TRANSITIONS[transition].from as readonly RunStatus[]).includes(status);
}

/** Statuses a run may be resumed from. */
export const RESUMABLE: readonly RunStatus[] = RUN_TRANSITIONS.requeue.from;
/** Max Running when REELSMITH_MAX_RUNNING is not set. */
export const DEFAULT_MAX_RUNNING = 2;

/**
 * The one Max Running setting, REELSMITH_MAX_RUNNING: how many runs may be starting or running at once. The
 * dispatcher, the queue positions that Accept and Resume answer with, and the dashboard all read it, so in queue mode
 * every n8n process (main and workers) and the dashboard must get the same value.
 */
export function maxRunningSetting(env: NodeJS.ProcessEnv = process.env): number {
	const raw = env.REELSMITH_MAX_RUNNING?.trim();
	if (!raw) return DEFAULT_MAX_RUNNING;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < 1) {
		throw new Error(
			`REELSMITH_MAX_RUNNING must be a whole number of at least 1 (got "${raw}"). Set it for n8n (every process) and the dashboard alike, or leave it unset for ${DEFAULT_MAX_RUNNING}.`,
		);
	}
	return value;
}

/** Runs that hold one of the maxRunning slots. */
export const HOLDING_A_SLOT: readonly RunStatus[] = LEASED_STATUSES;

// The queue order, used by dispatch and by queue positions alike: higher priority first, then arrival, then id.
export const QUEUE_ORDER = 'priority desc, queued_at asc, id asc';

/** SQL condition: queued run `other` goes before queued run `run` in QUEUE_ORDER (both are table aliases). */
export function goesBefore(other: string, run: string): string {
	return `(${other}.priority > ${run}.priority or (${other}.priority = ${run}.priority and (${other}.queued_at, ${other}.id) < (${run}.queued_at, ${run}.id)))`;
}

/** SQL: how many runs hold a slot now. */
export const SLOTS_TAKEN = `(select count(*)::int from runs where status in (${HOLDING_A_SLOT.map((s) => `'${s}'`).join(', ')}))`;

/**
 * 0 when a queued run starts as soon as the dispatcher runs (a slot is free for it), else how many runs must start
 * before it: its rank among queued runs minus the free slots.
 */
export function queuePositionOf(ahead: number, slotsTaken: number, maxRunning: number): number {
	return Math.max(0, ahead + 1 - Math.max(0, maxRunning - slotsTaken));
}

/** The queue position of a run (0 when it is not queued). */
export async function queuePosition(db: Queryable, runId: string, maxRunning: number): Promise<number> {
	const { rows } = await db.query<{ active: number; ahead: number; queued: boolean }>(
		`with me as (select id, priority, queued_at from runs where id = $1 and status = 'queued')
		 select ${SLOTS_TAKEN} as active,
		        (select count(*)::int from runs r, me where r.status = 'queued' and r.id <> me.id and ${goesBefore('r', 'me')}) as ahead,
		        exists (select 1 from me) as queued`,
		[runId],
	);
	const { active, ahead, queued } = rows[0];
	return queued ? queuePositionOf(ahead, active, maxRunning) : 0;
}

// Serialises dispatchers so two of them cannot both see a free slot and overfill it.
const DISPATCH_LOCK = 0x72756e73;

// A run that ends, waits or goes back in the queue holds no lease.
const NO_LEASE = 'lease_owner = null, lease_expires_at = null';

// What the run has spent when it ends: every cost line recorded for it ($1 = run id).
const SPENT = '(select coalesce(sum(amount_usd), 0) from costs where run_id = $1)';

const one = <R>(rows: Record<string, unknown>[]) => (rows[0] ? fromRow<R>(rows[0]) : null);
const from = (transition: RunTransition) => [...RUN_TRANSITIONS[transition].from];

/**
 * Moves queued runs to `starting` while fewer than maxRunning hold a slot. Must run inside a transaction (the lock
 * and the row locks are released at commit). SKIP LOCKED keeps a run being resumed or cancelled elsewhere from
 * blocking the dispatcher.
 */
export async function claimQueuedRuns<R extends RunRecord = RunRecord>(
	client: Queryable,
	maxRunning: number,
	leaseSeconds: number,
): Promise<R[]> {
	await client.query('select pg_advisory_xact_lock($1)', [DISPATCH_LOCK]);
	const { rows: free } = await client.query<{ n: number }>(`select greatest($1::int - ${SLOTS_TAKEN}, 0) as n`, [maxRunning]);
	if (free[0].n === 0) return [];
	const { rows: next } = await client.query<{ id: string }>(
		`select id from runs where status = any($2::text[]) order by ${QUEUE_ORDER} limit $1 for update skip locked`,
		[free[0].n, from('claim')],
	);
	if (next.length === 0) return [];
	const ids = next.map((r) => r.id);
	// The claim holds a lease until the pipeline execution takes it over: a run whose start was lost comes back.
	const { rows } = await client.query(
		`update runs set status = '${RUN_TRANSITIONS.claim.to}', lease_owner = '${CLAIM_OWNER}', lease_expires_at = ${leaseUntil('$2')}
		  where id = any($1::uuid[]) returning *`,
		[ids, leaseSeconds],
	);
	const byId = new Map(rows.map((row) => [row.id as string, fromRow<R>(row)]));
	return ids.map((id) => byId.get(id)!);
}

/** Who works on a run and for how long it counts as alive without renewing (see lease.ts). */
export interface LeaseClaim {
	owner: string;
	seconds: number;
}

/**
 * Marks the run running for this execution, which takes its lease. `resumed` is true when it had been started
 * before, so the workflow can skip finished stages. Null when the run may not start: finished, waiting for approval,
 * or another execution holds a live lease on it (it is being made elsewhere).
 */
export async function startRun<R extends RunRecord = RunRecord>(
	db: Queryable,
	runId: string,
	executionId: string | null,
	lease: LeaseClaim,
): Promise<{ run: R; resumed: boolean } | null> {
	const { rows } = await db.query(
		`update runs set status = 'running', stage = 'planning', started_at = coalesce(runs.started_at, now()),
		        execution_id = $2, error = null, finished_at = null, lease_owner = $4, lease_expires_at = ${leaseUntil('$5')}
		   from (select id, started_at, lease_owner, lease_expires_at from runs where id = $1 for update) prev
		  where runs.id = prev.id and runs.status = any($3::text[]) and ${leaseFreeFor('prev', '$6')}
		  returning runs.*, prev.started_at as previous_started_at`,
		[runId, executionId, from('start'), lease.owner, lease.seconds, executionId ?? ''],
	);
	if (!rows[0]) return null;
	const { previous_started_at: previous, ...row } = rows[0];
	return { run: fromRow<R>(row), resumed: previous !== null };
}

/** The run now waits for a storyboard decision at this resume URL (only a run that asked for approval). */
export async function awaitApproval<R extends RunRecord = RunRecord>(db: Queryable, runId: string, approvalUrl: string): Promise<R | null> {
	const { rows } = await db.query(
		`update runs set status = 'awaiting_approval', stage = 'approval', approval_url = $2, lease_owner = null, lease_expires_at = null
		  where id = $1 and approval = 'pending' and status = any($3::text[]) returning *`,
		[runId, approvalUrl, from('awaitApproval')],
	);
	return one<R>(rows);
}

/** An approved run goes back to running, leased by the execution that goes on with it; the resume URL is spent. */
export async function continueApprovedRun<R extends RunRecord = RunRecord>(db: Queryable, runId: string, lease: LeaseClaim): Promise<R | null> {
	const { rows } = await db.query(
		`update runs set status = 'running', approval_url = null, lease_owner = $3, lease_expires_at = ${leaseUntil('$4')}
		  where id = $1 and approval = 'approved' and status = any($2::text[]) returning *`,
		[runId, from('continueApproved'), lease.owner, lease.seconds],
	);
	return one<R>(rows);
}

/** See RUN_TRANSITIONS.requeueApproved: only an approved run still waiting at the resume URL that failed. */
export async function requeueApprovedRun<R extends RunRecord = RunRecord>(db: Queryable, runId: string, approvalUrl: string): Promise<R | null> {
	const { rows } = await db.query(
		`update runs set status = 'queued', approval_url = null, execution_id = null, ${NO_LEASE}, queued_at = clock_timestamp()
		  where id = $1 and approval = 'approved' and approval_url = $2 and status = any($3::text[]) returning *`,
		[runId, approvalUrl, from('requeueApproved')],
	);
	return one<R>(rows);
}

/** A claimed run whose start could not be handed to n8n goes back to the queue, keeping its place. */
export async function unclaimRun<R extends RunRecord = RunRecord>(db: Queryable, runId: string): Promise<R | null> {
	const { rows } = await db.query(
		`update runs set status = 'queued', ${NO_LEASE}
		  where id = $1 and status = any($2::text[]) and lease_owner = '${CLAIM_OWNER}' returning *`,
		[runId, from('unclaim')],
	);
	return one<R>(rows);
}

/** Null for a cancelled run: it stays cancelled. */
export async function completeRun<R extends RunRecord = RunRecord>(
	db: Queryable,
	runId: string,
	result: { finalKey?: string; thumbnailKey?: string; subtitlesKey?: string; duration?: number },
): Promise<R | null> {
	const { rows } = await db.query(
		`update runs set status = 'completed', finished_at = now(), error = null, cost_total = ${SPENT}, ${NO_LEASE},
		        final_key = coalesce($2, final_key), thumbnail_key = coalesce($3, thumbnail_key),
		        subtitles_key = coalesce($4, subtitles_key), duration = coalesce($5, duration)
		  where id = $1 and status = any($6::text[]) returning *`,
		[runId, result.finalKey || null, result.thumbnailKey || null, result.subtitlesKey || null, result.duration ?? null, from('complete')],
	);
	return one<R>(rows);
}

/** Marks the run failed with a readable message; a completed or cancelled run stays so (returns null). */
export async function failRun<R extends RunRecord = RunRecord>(db: Queryable, runId: string, message: string): Promise<R | null> {
	const { rows } = await db.query(
		`update runs set status = 'failed', error = $2, finished_at = now(), cost_total = ${SPENT}, ${NO_LEASE}
		  where id = $1 and status = any($3::text[]) returning *`,
		[runId, message, from('fail')],
	);
	return one<R>(rows);
}

/**
 * Puts a failed or interrupted run back in the queue; it keeps its priority and re-enters by arrival now. A starting
 * or running run is taken only when its lease expired (or it never had one): a live lease means it is being made.
 */
export async function requeueRun<R extends RunRecord = RunRecord>(db: Queryable, runId: string): Promise<R | null> {
	const { rows } = await db.query(
		`update runs set status = 'queued', error = null, finished_at = null, execution_id = null, ${NO_LEASE},
		        queued_at = clock_timestamp()
		  where id = $1 and status = any($2::text[])
		    and (status = 'failed' or lease_expires_at is null or lease_expires_at <= now()) returning *`,
		[runId, from('requeue')],
	);
	return one<R>(rows);
}

/** The pipeline ends the run as cancelled with the reason; only a run that is not finished yet (returns null otherwise). */
export async function cancelRun<R extends RunRecord = RunRecord>(db: Queryable, runId: string, message: string): Promise<R | null> {
	const { rows } = await db.query(
		`update runs set status = 'cancelled', error = $2, finished_at = now(), approval_url = null, cost_total = ${SPENT}, ${NO_LEASE}
		  where id = $1 and status = any($3::text[]) returning *`,
		[runId, message, from('cancel')],
	);
	return one<R>(rows);
}

/** The message a cancelled run keeps: who asked and where the pipeline stopped. */
export function cancelMessageOf(who: string | null | undefined, stage: string): string {
	return `Cancelled by ${who || 'a user'} at ${stage}.`;
}

/**
 * For a step that is about to pay for something (a provider create): null while the run goes on; otherwise why it
 * stops. A cancel that was asked for takes effect here: the run ends cancelled at its current stage and the timeline
 * says so, as at a pipeline step. Read per call, so a cancel pressed while scenes wait for a provider slot counts.
 */
export async function cancelledBeforePaying(db: Queryable, runId: string): Promise<string | null> {
	const { rows } = await db.query<{ status: RunStatus; stage: string | null; error: string | null; cancel_requested_at: Date | null; cancel_requested_by: string | null }>(
		'select status, stage, error, cancel_requested_at, cancel_requested_by from runs where id = $1',
		[runId],
	);
	const run = rows[0];
	if (!run) return null;
	const message = cancelMessageOf(run.cancel_requested_by, run.stage || 'generation');
	if (run.status === 'cancelled') return run.error || message;
	if (!run.cancel_requested_at || !mayMove(run.status, 'cancel')) return null;
	if (await cancelRun(db, runId, message)) {
		await db.query("insert into events (run_id, stage, status, message, data) values ($1, 'run', 'info', $2, $3::jsonb)", [
			runId,
			message,
			JSON.stringify({ cancelled: true, stage: run.stage || 'generation' }),
		]);
	}
	return message;
}

/**
 * `who` cancels a run nothing is working on (queued, or waiting for approval): it ends now. Returns the status it had
 * and the approval URL of a waiting execution (to end that too), or null when the run is in no such status.
 */
export async function cancelIdleRun(
	db: Queryable,
	runId: string,
	who: string,
): Promise<{ from: RunStatus; approvalUrl: string | null } | null> {
	const { rows } = await db.query<{ status: RunStatus; approval_url: string | null }>(
		`update runs r set status = 'cancelled', cancel_requested_at = now(), cancel_requested_by = $2, finished_at = now(), ${NO_LEASE},
		        error = case when prev.status = 'queued' then 'Cancelled by ' || $2 || ' before it started.'
		                     else 'Cancelled by ' || $2 || ' while it waited for storyboard approval.' end
		   from (select id, status from runs where id = $1 for update) prev
		  where r.id = prev.id and prev.status = any($3::text[])
		  returning prev.status, r.approval_url`,
		[runId, who, from('cancelIdle')],
	);
	return rows[0] ? { from: rows[0].status, approvalUrl: rows[0].approval_url } : null;
}

/** `who` asks a starting or running run to stop at its next step (the first request counts). False in any other status. */
export async function requestCancel(db: Queryable, runId: string, who: string): Promise<boolean> {
	const { rowCount } = await db.query(
		`update runs set cancel_requested_at = coalesce(cancel_requested_at, now()), cancel_requested_by = coalesce(cancel_requested_by, $2)
		  where id = $1 and status = any($3::text[])`,
		[runId, who, [...RUN_MARKS.requestCancel]],
	);
	return (rowCount ?? 0) > 0;
}

/**
 * Records the storyboard decision, only while the run waits with none made yet. Returns the Wait node's resume URL
 * (null until n8n reported it), or null when there was nothing to decide.
 */
export async function decideStoryboard(
	db: Queryable,
	runId: string,
	decision: { approval: 'approved' | 'rejected'; note: string | null; by: string },
): Promise<{ approvalUrl: string | null } | null> {
	const { rows } = await db.query<{ approval_url: string | null }>(
		`update runs set approval = $2, approval_note = $3, approval_by = $4, approval_at = now()
		  where id = $1 and approval = 'pending' and status = any($5::text[]) returning approval_url`,
		[runId, decision.approval, decision.note, decision.by, [...RUN_MARKS.decideStoryboard]],
	);
	return rows[0] ? { approvalUrl: rows[0].approval_url } : null;
}

/** Takes back a decision n8n did not take, so it can be made again (the run still waits). */
export async function withdrawStoryboardDecision(db: Queryable, runId: string, approval: 'approved' | 'rejected'): Promise<void> {
	await db.query(
		`update runs set approval = 'pending', approval_note = null, approval_by = null, approval_at = null
		  where id = $1 and approval = $2 and status = any($3::text[])`,
		[runId, approval, [...RUN_MARKS.decideStoryboard]],
	);
}
