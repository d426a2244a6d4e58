import { checkToken } from '../../nodes/Campaign/lib/auth';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { leaseKeeper, leaseOwner, leaseSecondsSetting } from '../../nodes/shared/store/lease';
import { completeRun } from '../../nodes/shared/store/runState';
import { acceptParams, fountain, resetRuns, runCampaign, TOKEN, useStore, webhookItem } from './fixture';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Liveness of runs: the lease a run's process holds, what the pipeline's Start does with it, the watchdog's
 * recovery of runs whose process died, and Start Pipeline handing a run to the pipeline's webhook.
 */
describe('run leases', () => {
	const store = useStore();
	const row = async (runId: string) =>
		(
			await store.db.query(
				`select status, execution_id, lease_owner, lease_expires_at, lease_expires_at > now() as live, recoveries, queued_at
				   from runs where id = $1`,
				[runId],
			)
		).rows[0];

	beforeEach(() => resetRuns(store.db));
	afterEach(() => {
		delete process.env.REELSMITH_LEASE_SECONDS;
	});

	async function acceptRuns(count: number): Promise<string[]> {
		const items = Array.from({ length: count }, () => webhookItem({ script: fountain(2) }));
		const [accepted] = await runCampaign(store, (i) => acceptParams(i, items, 5), items);
		return accepted.map((item) => item.json.runId as string);
	}
	const dispatch = () => runCampaign(store, { resource: 'run', operation: 'dispatch', maxRunning: 5 }).then((out) => out[0]);
	const start = (runId: string, executionId: string) =>
		runCampaign(store, { resource: 'run', operation: 'start', checkToken: false, runId, executionId }, [{}], { executionId });
	const recover = () => runCampaign(store, { resource: 'run', operation: 'recover' }).then((out) => out[0][0].json);

	it("a claimed run's lease passes to the execution that starts it; another execution is refused while it lives", async () => {
		const [runId] = await acceptRuns(1);
		await dispatch();
		assert.equal((await row(runId)).lease_owner, 'dispatch', 'the claim holds the run until its pipeline starts');
		await start(runId, '101');
		const started = await row(runId);
		assert.equal(started.lease_owner, leaseOwner('101'));
		assert.equal(started.live, true);

		await assert.rejects(start(runId, '102'), /already being made by n8n execution 101 .*not made twice/);
		const after = await row(runId);
		assert.equal(after.execution_id, '101', 'the second execution changed nothing');
		assert.equal(after.lease_owner, leaseOwner('101'));
	});

	it('the same execution re-run in another process (n8n retried its job) takes its lease back', async () => {
		const [runId] = await acceptRuns(1);
		await dispatch();
		await start(runId, '101');
		await store.db.query("update runs set lease_owner = '101@dead-worker:4242' where id = $1", [runId]);
		const [[item]] = await start(runId, '101');
		assert.equal(item.json.resumed, true);
		assert.equal((await row(runId)).lease_owner, leaseOwner('101'));
	});

	it('the watchdog puts every run whose lease expired back in the queue, at its place, once, and says why', async () => {
		const [dead, alive, neverStarted, later] = await acceptRuns(4);
		await dispatch();
		await start(dead, '11');
		await start(alive, '12');
		await store.db.query('update runs set status = $2, lease_owner = null, lease_expires_at = null where id = $1', [later, 'queued']);
		await store.db.query("update runs set lease_expires_at = now() - interval '5 seconds' where id = any($1::uuid[])", [[dead, neverStarted]]);
		const queuedAt = (await row(dead)).queued_at;

		const result = await recover();
		assert.equal(result.recovered, 2);
		for (const runId of [dead, neverStarted]) {
			const now = await row(runId);
			assert.equal(now.status, 'queued');
			assert.equal(now.lease_owner, null);
			assert.equal(now.execution_id, null);
			assert.equal(now.recoveries, 1);
		}
		assert.deepEqual((await row(dead)).queued_at, queuedAt, 'it keeps its place ahead of later arrivals');
		assert.equal((await row(alive)).status, 'running', 'a live lease is left alone');

		const { rows } = await store.db.query(
			"select run_id, message, data from events where data->>'reason' = 'lease_expired' order by run_id",
		);
		assert.equal(rows.length, 2);
		const deadEvent = rows.find((event) => event.run_id === dead)!;
		assert.match(deadEvent.message, /stopped renewing its lease \(execution 11, expired .*\)\. Back in the queue; it resumes from its completed scenes/);
		assert.equal(deadEvent.data.previousStatus, 'running');
		assert.match(rows.find((event) => event.run_id === neverStarted)!.message, /its start was never taken/);

		assert.equal((await recover()).recovered, 0, 'nothing is recovered twice');
		const [claimed] = await dispatch();
		assert.equal(claimed.json.runId, dead, 'the recovered run is dispatched first');
	});

	it('this process renews the lease while the run is made, and stops once the run ended', async () => {
		process.env.REELSMITH_LEASE_SECONDS = '5';
		const [runId] = await acceptRuns(1);
		await dispatch();
		await start(runId, '21');
		const first = new Date((await row(runId)).lease_expires_at).getTime();
		assert.ok(leaseKeeper.holds(runId));
		await sleep(2200); // a renewal every third of the lease
		const renewed = new Date((await row(runId)).lease_expires_at).getTime();
		assert.ok(renewed > first + 1000, `renewed: ${renewed - first} ms later`);

		await completeRun(store.db, runId, { finalKey: 'final.mp4' });
		await sleep(2000);
		assert.equal(leaseKeeper.holds(runId), false, 'no renewals for a finished run');
		assert.equal((await row(runId)).lease_owner, null);
	});

	it('a step of a run that another process took over stops, so the run is not made twice', async () => {
		const [runId] = await acceptRuns(1);
		await dispatch();
		await start(runId, '31');
		await store.db.query("update runs set lease_owner = '77@worker-2:900', lease_expires_at = now() + interval '1 minute' where id = $1", [runId]);
		await assert.rejects(
			runCampaign(store, { resource: 'event', operation: 'record', runId, stage: 'generation', status: 'started', data: {} }),
			/being made by another n8n process \(77@worker-2:900\).*not made twice/,
		);
	});

	it("n8n's report that an execution died does not fail its run (the watchdog recovers it); a step's error does", async () => {
		const [crashed, broken] = await acceptRuns(2);
		await dispatch();
		await start(crashed, '41');
		await start(broken, '42');
		const fail = (executionId: string, executionError: unknown, message: string) =>
			runCampaign(store, { resource: 'run', operation: 'fail', runId: '', executionId, executionError, message }).then((out) => out[0][0].json);

		const report = await fail('41', { message: 'Workflow did not finish, possible out-of-memory issue' }, 'Step "Render clip" failed: Workflow did not finish, possible out-of-memory issue');
		assert.equal(report.failed, false);
		assert.equal((await row(crashed)).status, 'running', 'left for the watchdog');
		const { rows } = await store.db.query("select message from events where run_id = $1 and data->>'crashReport' = 'true'", [crashed]);
		assert.match(rows[0].message, /n8n reports that execution 41 died .*not failed: the watchdog puts it back in the queue/);
		// A queue job whose worker vanished, reported for an execution whose run another one already took over.
		const stale = await fail('40', { message: 'This execution failed to be processed too many times and will no longer retry.' }, '');
		assert.equal(stale.crashed, true);

		await fail('42', { message: 'ffmpeg exited with code 1' }, 'Step "Put narration on clip" failed: ffmpeg exited with code 1');
		assert.equal((await row(broken)).status, 'failed');
	});

	it('the lease length is one setting; a bad value names the variable', () => {
		assert.equal(leaseSecondsSetting({}), 60);
		assert.equal(leaseSecondsSetting({ REELSMITH_LEASE_SECONDS: '15' }), 15);
		assert.throws(() => leaseSecondsSetting({ REELSMITH_LEASE_SECONDS: '2' }), /REELSMITH_LEASE_SECONDS must be a whole number of at least 5 \(got "2"\)/);
	});

	describe('Start Pipeline', () => {
		async function pipelineWebhook(status = 202) {
			const calls: { headers: IncomingMessage['headers']; body: unknown }[] = [];
			const server = createServer((request, response) => {
				let body = '';
				request.on('data', (chunk) => (body += chunk));
				request.on('end', () => {
					calls.push({ headers: request.headers, body: JSON.parse(body) });
					response.writeHead(status, { 'content-type': 'application/json' }).end('{"message":"Workflow was started"}');
				});
			});
			await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
			const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/reelsmith/pipeline`;
			return { calls, url, close: () => new Promise((resolve) => server.close(resolve)) };
		}
		const startPipeline = (runIds: string[], pipelineUrl: string) =>
			runCampaign(store, { resource: 'run', operation: 'startPipeline', runId: (json: { runId: string }) => json.runId, pipelineUrl }, runIds.map((runId) => ({ runId }))).then(
				(out) => out[0].map((item) => item.json),
			);

		it('calls the pipeline webhook once per claimed run, signed with the webhook token (never sending it)', async () => {
			const webhook = await pipelineWebhook();
			try {
				const runIds = await acceptRuns(2);
				await dispatch();
				const handed = await startPipeline(runIds, webhook.url);
				assert.deepEqual(handed.map((item) => item.status), ['starting', 'starting']);
				assert.deepEqual(webhook.calls.map((call) => call.body), runIds.map((runId) => ({ runId })));
				for (const call of webhook.calls) {
					assert.equal(call.headers['x-reelsmith-token'], undefined, 'n8n would store a token sent in a header');
					assert.deepEqual(checkToken(call.headers, { headerName: 'x-reelsmith-token', token: TOKEN }, JSON.stringify(call.body)), { ok: true });
				}
				assert.equal((await row(runIds[0])).status, 'starting', 'the pipeline marks it running, not the dispatcher');
			} finally {
				await webhook.close();
			}
		});

		it('a run whose start n8n does not take goes back in the queue at once, with the reason', async () => {
			const webhook = await pipelineWebhook(404);
			try {
				const [runId] = await acceptRuns(1);
				await dispatch();
				const [handed] = await startPipeline([runId], webhook.url);
				assert.equal(handed.status, 'queued');
				assert.match(String(handed.error), /n8n did not take the run's start at .*status code 404.*back in the queue/);
				const now = await row(runId);
				assert.equal(now.status, 'queued');
				assert.equal(now.lease_owner, null);
				const { rows } = await store.db.query("select message from events where run_id = $1 and status = 'info'", [runId]);
				assert.match(rows[0].message, /did not take the run's start/);
			} finally {
				await webhook.close();
			}
		});
	});
});
