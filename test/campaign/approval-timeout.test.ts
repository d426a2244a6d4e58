import assert from 'node:assert/strict';
import { beforeAll, describe, it } from 'vitest';
import { acceptParams, fountain, resetRuns, runCampaign, useStore, webhookItem } from './fixture';

/** The storyboard Wait of 7 days ran out: approvalResult ends the run instead of waiting again. */
describe('approvalResult after the Wait timed out', () => {
	const store = useStore({ s3: false });
	beforeAll(() => resetRuns(store.db));

	const awaiting = async () => {
		const items = [webhookItem({ script: fountain(2), approval: true })];
		const [[accepted]] = await runCampaign(store, (i) => acceptParams(i, items), items);
		const runId = accepted.json.runId as string;
		await store.db.query("update runs set status = 'awaiting_approval', approval_url = 'http://127.0.0.1:1/webhook-waiting/7' where id = $1", [runId]);
		return runId;
	};
	const row = async (runId: string) => (await store.db.query('select * from runs where id = $1', [runId])).rows[0];
	const result = (runId: string, timedOut: boolean) =>
		runCampaign(store, { resource: 'run', operation: 'approvalResult', runId, runItem: { runId }, timedOut });

	it('cancels a run still pending when the Wait timed out, with a message that says what to do', async () => {
		const runId = await awaiting();
		const [approved, stopped, again] = await result(runId, true);
		assert.deepEqual([approved.length, stopped.length, again.length], [0, 1, 0], 'goes to Stopped, not back to waiting');
		assert.equal(stopped[0].json.error, 'No storyboard decision within 7 days; start the run again or resume it.');
		const run = await row(runId);
		assert.equal(run.status, 'cancelled');
		assert.equal(run.error, 'No storyboard decision within 7 days; start the run again or resume it.');
		assert.equal(run.approval_url, null, 'the expired resume URL is not offered any more');
		const events = (await store.db.query("select status, message from events where run_id = $1 and stage = 'approval'", [runId])).rows;
		assert.deepEqual(events, [{ status: 'failed', message: 'No storyboard decision within 7 days; start the run again or resume it.' }]);
	});

	it('a webhook resume without a decision still waits again', async () => {
		const runId = await awaiting();
		const [approved, stopped, again] = await result(runId, false);
		assert.deepEqual([approved.length, stopped.length, again.length], [0, 0, 1]);
		assert.equal((await row(runId)).status, 'awaiting_approval');
	});

	it('a decision recorded before the time ran out wins over the timeout', async () => {
		const runId = await awaiting();
		await store.db.query("update runs set approval = 'approved', approval_by = 'ann@example.com' where id = $1", [runId]);
		const [approved, stopped] = await result(runId, true);
		assert.deepEqual([approved.length, stopped.length], [1, 0]);
		assert.equal((await row(runId)).status, 'running');
	});
});
