import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ensureCampaign } from '../../nodes/Campaign/store/campaigns';
import { withTransaction } from '../../nodes/Campaign/transport/db';
import {
	awaitApproval,
	cancelIdleRun,
	cancelRun,
	claimQueuedRuns,
	completeRun,
	continueApprovedRun,
	decideStoryboard,
	failRun,
	mayMove,
	requestCancel,
	requeueApprovedRun,
	requeueRun,
	RUN_MARKS,
	RUN_STATUSES,
	RUN_TRANSITIONS,
	startRun,
	type Approval,
	type RunStatus,
	type RunTransition,
	unclaimRun,
} from '../../nodes/shared/store/runState';
import { startStore, type Store } from './fixture';

const LEASE = { owner: 'execution-1@test:1', seconds: 60 };

/**
 * The run state store against a real Postgres: every write, tried from every status, moves the run exactly when
 * RUN_TRANSITIONS (or RUN_MARKS) allows it and leaves it as it was otherwise.
 */
describe('run state', () => {
	let store: Store;
	let campaignId: string;
	beforeAll(async () => {
		store = await startStore({ s3: false });
		campaignId = (await ensureCampaign(store.db, 'Run state')).id;
	});
	afterAll(async () => {
		await store?.stop();
	});

	/** A lone run in `status` (the dispatcher sees no other), with the approval the write under test needs. */
	async function runIn(status: RunStatus, approval: Approval | null = null): Promise<string> {
		await store.db.query('delete from runs');
		const { rows } = await store.db.query<{ id: string }>(
			`insert into runs (campaign_id, status, request, options, approval) values ($1, $2, '{}', '{}', $3) returning id`,
			[campaignId, status, approval],
		);
		return rows[0].id;
	}
	const read = async (runId: string) =>
		(await store.db.query('select status, cancel_requested_by, approval from runs where id = $1', [runId])).rows[0];

	const writes: Record<RunTransition, { approval?: Approval; write: (runId: string) => Promise<unknown> }> = {
		claim: { write: (runId) => withTransaction(store.db, (client) => claimQueuedRuns(client, 5, 60)).then((runs) => runs.find((run) => run.id === runId) ?? null) },
		start: { write: (runId) => startRun(store.db, runId, 'execution-1', LEASE) },
		awaitApproval: { approval: 'pending', write: (runId) => awaitApproval(store.db, runId, 'http://n8n/webhook-waiting/1') },
		continueApproved: { approval: 'approved', write: (runId) => continueApprovedRun(store.db, runId, LEASE) },
		requeueApproved: {
			approval: 'approved',
			write: (runId) =>
				store.db
					.query("update runs set approval_url = 'http://n8n/webhook-waiting/7' where id = $1", [runId])
					.then(() => requeueApprovedRun(store.db, runId, 'http://n8n/webhook-waiting/7')),
		},
		complete: { write: (runId) => completeRun(store.db, runId, { finalKey: 'final.mp4' }) },
		fail: { write: (runId) => failRun(store.db, runId, 'ffmpeg exited with code 1') },
		requeue: { write: (runId) => requeueRun(store.db, runId) },
		unclaim: { write: (runId) => store.db.query("update runs set lease_owner = 'dispatch' where id = $1", [runId]).then(() => unclaimRun(store.db, runId)) },
		cancel: { write: (runId) => cancelRun(store.db, runId, 'Cancelled by Ann at generation.') },
		cancelIdle: { write: (runId) => cancelIdleRun(store.db, runId, 'Ann') },
	};

	it('knows every status the database allows, and no transition leaves a cancelled run', async () => {
		const { rows } = await store.db.query<{ check: string }>(
			"select pg_get_constraintdef(oid) as check from pg_constraint where conname = 'runs_status_check'",
		);
		const allowed = [...rows[0].check.matchAll(/'([a-z_]+)'/g)].map((match) => match[1]);
		assert.deepEqual([...allowed].sort(), [...RUN_STATUSES].sort());
		const fromCancelled = (Object.keys(RUN_TRANSITIONS) as RunTransition[]).filter((name) => mayMove('cancelled', name));
		assert.deepEqual(fromCancelled, []);
	});

	for (const [name, { approval, write }] of Object.entries(writes) as [RunTransition, (typeof writes)[RunTransition]][]) {
		it(`${name}: moves a run to ${RUN_TRANSITIONS[name].to} from ${RUN_TRANSITIONS[name].from.join(', ')} only`, async () => {
			for (const status of RUN_STATUSES) {
				const runId = await runIn(status, approval ?? null);
				const answer = await write(runId);
				const allowed = mayMove(status, name);
				assert.equal((await read(runId)).status, allowed ? RUN_TRANSITIONS[name].to : status, `${name} from ${status}`);
				assert.equal(answer !== null, allowed, `${name} from ${status} answers ${allowed ? 'the run' : 'null'}`);
			}
		});
	}

	it('a cancel request is taken only while the run is worked on, and keeps the status', async () => {
		for (const status of RUN_STATUSES) {
			const runId = await runIn(status);
			const taken = await requestCancel(store.db, runId, 'Ann');
			const expected = (RUN_MARKS.requestCancel as readonly RunStatus[]).includes(status);
			assert.equal(taken, expected, status);
			assert.deepEqual(await read(runId), { status, cancel_requested_by: expected ? 'Ann' : null, approval: null });
		}
	});

	it('a storyboard decision is taken only while the run waits for one', async () => {
		for (const status of RUN_STATUSES) {
			const runId = await runIn(status, 'pending');
			const taken = await decideStoryboard(store.db, runId, { approval: 'approved', note: null, by: 'Ann' });
			const expected = (RUN_MARKS.decideStoryboard as readonly RunStatus[]).includes(status);
			assert.equal(taken !== null, expected, status);
			assert.equal((await read(runId)).approval, expected ? 'approved' : 'pending', status);
		}
		const runId = await runIn('awaiting_approval', 'rejected');
		assert.equal(await decideStoryboard(store.db, runId, { approval: 'approved', note: null, by: 'Bo' }), null, 'decided once only');
	});
});
