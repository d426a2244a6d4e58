import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { IDataObject } from 'n8n-workflow';
import { claimQueuedRuns, completeRun, failRun, queuePosition } from '../../nodes/shared/store/runState';
import { withTransaction } from '../../nodes/Campaign/transport/db';
import { acceptParams, fountain, runCampaign, TOKEN, useStore, webhookItem } from './fixture';

describe('run queue', () => {
	const store = useStore({ s3: false, resetRuns: true });

	/** Accepts one request per priority, in order; returns their run ids and queue positions. */
	async function acceptAll(priorities: number[], maxRunning = 2) {
		const accepted: { runId: string; queuePosition: number }[] = [];
		for (const priority of priorities) {
			const items = [webhookItem({ script: fountain(1), priority })];
			const [[item]] = await runCampaign(store, (i) => acceptParams(i, items, maxRunning), items);
			accepted.push({ runId: item.json.runId as string, queuePosition: item.json.queuePosition as number });
		}
		return accepted;
	}

	const dispatch = async (maxRunning = 2) => {
		const [out] = await runCampaign(store, { resource: 'run', operation: 'dispatch', maxRunning });
		return out.map((item) => item.json.runId as string);
	};

	it('starts runs by priority, then arrival, never more than maxRunning at once', async () => {
		const [a, b, c, d, e] = await acceptAll([0, 0, 5, -1, 5]);
		// At acceptance: A and B fit the two free slots; C and E outrank them; D waits behind A and B.
		assert.deepEqual([a, b, c, d, e].map((r) => r.queuePosition), [0, 0, 0, 2, 0]);

		assert.deepEqual(await dispatch(), [c.runId, e.runId]);
		assert.deepEqual(await dispatch(), [], 'both slots are taken');
		// Now nothing is free: positions count from 1.
		const positions = await Promise.all([a, b, d].map((r) => queuePosition(store.db, r.runId, 2)));
		assert.deepEqual(positions, [1, 2, 3]);

		await completeRun(store.db, c.runId, { finalKey: 'k' });
		assert.deepEqual(await dispatch(), [a.runId]);
		await failRun(store.db, e.runId, 'broke');
		assert.deepEqual(await dispatch(), [b.runId]);
		await completeRun(store.db, a.runId, {});
		assert.deepEqual(await dispatch(), [d.runId]);
		const { rows } = await store.db.query("select count(*)::int as n from runs where status = 'starting'");
		assert.equal(rows[0].n, 2);
	});

	it('with Max Running left at 0, accept, dispatch and resume use REELSMITH_MAX_RUNNING; a bad value fails naming it', async () => {
		const saved = process.env.REELSMITH_MAX_RUNNING;
		try {
			process.env.REELSMITH_MAX_RUNNING = '1';
			const runs = await acceptAll([0, 0, 0], 0);
			assert.deepEqual(runs.map((r) => r.queuePosition), [0, 1, 2], 'one slot: only the first starts at once');
			assert.deepEqual(await dispatch(0), [runs[0].runId]);
			assert.deepEqual(await dispatch(0), [], 'the one slot is taken');
			await failRun(store.db, runs[0].runId, 'broke');
			const [resumed] = await runCampaign(store, { resource: 'run', operation: 'resume', runId: runs[0].runId, checkToken: false, maxRunning: 0 });
			// Two queued runs are ahead of it and one slot is free: position 2 (with the default of 2 it would be 1).
			assert.equal(resumed[0].json.queuePosition, 2);
			process.env.REELSMITH_MAX_RUNNING = 'lots';
			await assert.rejects(dispatch(0), /REELSMITH_MAX_RUNNING must be a whole number of at least 1 \(got "lots"\)/);
			const { rows } = await store.db.query("select count(*)::int as n from runs where status = 'starting'");
			assert.equal(rows[0].n, 0, 'nothing was claimed with the bad setting');
		} finally {
			if (saved === undefined) delete process.env.REELSMITH_MAX_RUNNING;
			else process.env.REELSMITH_MAX_RUNNING = saved;
		}
	});

	it('gives a run that must wait its place in line', async () => {
		const runs = await acceptAll([0, 0, 0, 0], 2);
		assert.deepEqual(runs.map((r) => r.queuePosition), [0, 0, 1, 2]);
	});

	it('never lets two concurrent dispatchers claim the same run or overfill the slots', async () => {
		const runs = await acceptAll(Array.from({ length: 12 }, (_, i) => i % 3));
		const claims = await Promise.all(
			Array.from({ length: 6 }, () => withTransaction(store.db, (client) => claimQueuedRuns(client, 5, 60))),
		);
		const ids = claims.flat().map((run) => run.id);
		assert.equal(ids.length, 5, 'exactly the free slots are filled');
		assert.equal(new Set(ids).size, ids.length, 'no run claimed twice');

		// Unbounded slots: every run claimed exactly once across the racing dispatchers.
		const more = await Promise.all(
			Array.from({ length: 6 }, () => withTransaction(store.db, (client) => claimQueuedRuns(client, 100, 60))),
		);
		const all = [...ids, ...more.flat().map((run) => run.id)];
		assert.equal(all.length, runs.length);
		assert.equal(new Set(all).size, runs.length);
	});

	describe('resume', () => {
		const resume = async (runId: unknown, token: string | null = TOKEN) => {
			const [resumed, rejected] = await runCampaign(store, {
				resource: 'run',
				operation: 'resume',
				runId,
				checkToken: true,
				headers: token === null ? {} : { 'x-reelsmith-token': token },
				maxRunning: 2,
			});
			return { resumed: resumed.map((i) => i.json), rejected: rejected.map((i) => i.json as { statusCode: number; body: IDataObject }) };
		};

		it('re-queues a failed run with its priority, clearing the error', async () => {
			const [run] = await acceptAll([7]);
			await dispatch();
			await failRun(store.db, run.runId, 'ffmpeg exited with code 1');
			const { resumed, rejected } = await resume(run.runId);
			assert.equal(rejected.length, 0);
			assert.equal(resumed[0].status, 'queued');
			assert.equal(resumed[0].previousStatus, 'failed');
			assert.equal(resumed[0].queuePosition, 0);
			const { rows } = await store.db.query('select status, priority, error, finished_at from runs where id = $1', [run.runId]);
			assert.deepEqual(rows[0], { status: 'queued', priority: 7, error: null, finished_at: null });
			const events = await store.db.query("select message from events where run_id = $1 and status = 'queued' order by id", [
				run.runId,
			]);
			assert.match(events.rows[1].message, /Resumed from failed/);
		});

		it('re-queues an interrupted run (starting or running) once its lease expired', async () => {
			const [x, y] = await acceptAll([0, 0]);
			await dispatch();
			await store.db.query("update runs set status = 'running', lease_owner = '7@gone:1' where id = $1", [y.runId]);
			await store.db.query("update runs set lease_expires_at = now() - interval '1 second' where id = any($1::uuid[])", [[x.runId, y.runId]]);
			assert.equal((await resume(x.runId)).resumed[0].previousStatus, 'starting');
			assert.equal((await resume(y.runId)).resumed[0].previousStatus, 'running');
			const { rows } = await store.db.query('select lease_owner, lease_expires_at from runs where id = $1', [y.runId]);
			assert.deepEqual(rows[0], { lease_owner: null, lease_expires_at: null }, 'a queued run holds no lease');
		});

		it('refuses a run that is still alive (its lease is live), saying so, and changes nothing', async () => {
			const [live] = await acceptAll([0]);
			await dispatch();
			await store.db.query("update runs set status = 'running', lease_owner = '42@worker-1:300', lease_expires_at = now() + interval '1 minute' where id = $1", [live.runId]);
			const count = async () =>
				(await store.db.query("select (select count(*) from events)::int as events, (select count(*) from runs where status = 'running')::int as running")).rows[0];
			const before = await count();
			const { resumed, rejected } = await resume(live.runId);
			assert.equal(resumed.length, 0);
			assert.equal(rejected[0].statusCode, 409);
			assert.match(String(rejected[0].body.message), /still running: n8n execution 42 holds its lease until .*put back in the queue by itself/);
			assert.deepEqual(await count(), before, 'no event, no status change');
			const { rows } = await store.db.query('select status, lease_owner from runs where id = $1', [live.runId]);
			assert.deepEqual(rows[0], { status: 'running', lease_owner: '42@worker-1:300' });
		});

		it('answers 409 for completed and queued runs, 404 for unknown ones, 400 without an id or with one that is not an id, 401 without token', async () => {
			const [done, waiting] = await acceptAll([0, 0]);
			await completeRun(store.db, done.runId, {});
			const cases: [unknown, string | null, number, RegExp][] = [
				[done.runId, TOKEN, 409, /already completed/],
				[waiting.runId, TOKEN, 409, /already queued/],
				['6f1c1d7e-0000-4000-8000-000000000000', TOKEN, 404, /does not exist\. Check the runId field/],
				// Not an id at all: a 400 that says what a run id looks like (the schema the API document shows).
				['not-a-run', TOKEN, 400, /^"runId" is "not-a-run", which is not a run id\. Send the id the run request answered with \(a uuid/],
				['', TOKEN, 400, /runId/],
				[waiting.runId, null, 401, /x-reelsmith-token/],
			];
			for (const [runId, token, statusCode, message] of cases) {
				const { resumed, rejected } = await resume(runId, token);
				assert.equal(resumed.length, 0);
				assert.equal(rejected[0].statusCode, statusCode, `${runId} → ${statusCode}`);
				assert.match(String(rejected[0].body.message), message);
			}
			const { rows } = await store.db.query('select status from runs where id = $1', [done.runId]);
			assert.equal(rows[0].status, 'completed');
		});
	});
});
