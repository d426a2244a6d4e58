import { jsonParameter as readJsonParameter } from '../../shared/parameters';
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import type { Pool } from 'pg';
import { recordEvent } from '../store/events';
import { CLAIM_OWNER, leaseKeeper, leaseOwner, leaseSecondsSetting } from '../../shared/store/lease';
import { cancelMessageOf, cancelRun, HOLDING_A_SLOT, type LeaseClaim } from '../../shared/store/runState';
import { getRun, type Run } from '../store/runs';
import { isUuid } from '../../shared/store/rows';
import { poolFor, toPostgresCredentials, type Queryable } from '../transport/db';

/** The store for the node's `reelsmithPostgresApi` credential (pooled per credential). */
export async function getDb(this: IExecuteFunctions): Promise<Pool> {
	return poolFor(toPostgresCredentials(await this.getCredentials('reelsmithPostgresApi')));
}

/** The `runId` field every run-scoped operation has; `show` limits it to that operation. */
export function runIdField(resource: string, operation: string, defaultValue = '={{ $json.runId }}'): INodeProperties {
	return {
		displayName: 'Run ID',
		name: 'runId',
		type: 'string',
		required: true,
		default: defaultValue,
		description: 'ID of the run (from the webhook answer or the item)',
		displayOptions: { show: { resource: [resource], operation: [operation] } },
	};
}

export const unknownRunMessage = (runId: unknown) =>
	`Run ${String(runId) || '(empty)'} does not exist. Check the runId field (it comes from the webhook answer).`;

/** Reads the runId parameter and loads the run, or stops with a message that says what to check. */
export async function requireRun(
	this: IExecuteFunctions,
	db: Queryable,
	itemIndex: number,
	parameter = 'runId',
): Promise<Run> {
	const runId = String(this.getNodeParameter(parameter, itemIndex, '') ?? '').trim();
	const run = isUuid(runId) ? await getRun(db, runId) : null;
	if (!run) throw new NodeOperationError(this.getNode(), unknownRunMessage(runId), { itemIndex });
	return run;
}

/** A JSON parameter (object from an expression, or JSON text); `fallback` when it is empty or not set. */
export function jsonParameter<T = unknown>(
	this: IExecuteFunctions,
	name: string,
	itemIndex: number,
	fallback?: T,
): T {
	const value = readJsonParameter(this, name, name, itemIndex);
	return (value === undefined ? fallback : value) as T;
}

/** The item's own json, so pass-through operations keep what came in. */
export function inputJson(this: IExecuteFunctions, itemIndex: number): IDataObject {
	return this.getInputData()[itemIndex]?.json ?? {};
}

/** An error message for people: the first lines only, never a stack trace. */
export function readableMessage(message: unknown): string {
	const text = String(message ?? '').trim();
	const lines = text.split(/\r?\n/).filter((line) => !/^\s+at\s/.test(line) && line.trim() !== '');
	const short = lines.slice(0, 5).join('\n');
	return (short.length > 2000 ? `${short.slice(0, 1997)}...` : short) || 'The run failed without a message.';
}

/** The message a cancelled run keeps: who asked and where the pipeline stopped. */
export function cancelMessage(run: Run, stage: string): string {
	return cancelMessageOf(run.cancelRequestedBy, stage || run.stage || 'the start');
}

/** The lease length (REELSMITH_LEASE_SECONDS), as a node error naming the variable when it is bad. */
export function leaseSeconds(this: IExecuteFunctions, itemIndex: number): number {
	try {
		return leaseSecondsSetting();
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex });
	}
}

/** The lease this execution takes when it starts (or goes on with) a run: "<execution id>@<host>:<pid>". */
export function leaseClaim(this: IExecuteFunctions, itemIndex: number, executionId = this.getExecutionId()): LeaseClaim {
	return { owner: leaseOwner(String(executionId ?? '')), seconds: leaseSeconds.call(this, itemIndex) };
}

/** This process renews the run's lease from now on (until the run is no longer ours). */
export function keepLease(this: IExecuteFunctions, db: Queryable, runId: string, claim: LeaseClaim): void {
	leaseKeeper.keep(db, runId, claim.owner, claim.seconds, this.getExecutionCancelSignal?.());
}

// A lease names its process after the "@"; sub-workflow executions (generation, one scene) have ids of their own.
const processOf = (owner: string) => owner.slice(owner.indexOf('@'));

/**
 * The checks every pipeline step makes before it works on a run:
 * - someone asked to cancel it (runs.cancel_requested_at) or it was cancelled already: the run ends 'cancelled'
 *   ("Cancelled by <who> at <stage>") and the step throws, so nothing after it runs (the error workflow's Fail leaves
 *   a cancelled run as it is);
 * - its lease: held by this process, the step counts as a sign of life and the renewals go on; held by another
 *   process (the run was recovered and is being made there after this one stopped renewing), the step throws so the
 *   run is not made twice.
 */
export async function stopIfCancelled(
	this: IExecuteFunctions,
	db: Queryable,
	run: Run,
	stage: string,
	itemIndex: number,
): Promise<void> {
	if (run.status === 'cancelled') {
		throw new NodeOperationError(this.getNode(), run.error || cancelMessage(run, stage), { itemIndex });
	}
	if (run.cancelRequestedAt && run.status !== 'completed' && run.status !== 'failed') {
		const message = cancelMessage(run, stage);
		const cancelled = await cancelRun(db, run.id, message);
		if (cancelled) {
			await recordEvent(db, { runId: run.id, stage: 'run', status: 'info', message, data: { cancelled: true, stage } });
		}
		throw new NodeOperationError(this.getNode(), message, { itemIndex });
	}
	const owner = run.leaseOwner;
	if (!owner || owner === CLAIM_OWNER || !HOLDING_A_SLOT.includes(run.status)) return;
	const mine = leaseOwner('');
	if (processOf(owner) === mine) {
		keepLease.call(this, db, run.id, { owner, seconds: leaseSeconds.call(this, itemIndex) });
		return;
	}
	throw new NodeOperationError(
		this.getNode(),
		`Run ${run.id} is being made by another n8n process (${owner}) since this one stopped renewing its lease; this execution stops here so the run is not made twice.`,
		{ itemIndex },
	);
}
