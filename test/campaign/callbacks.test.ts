/**
 * Callbacks on a real Postgres and S3: every way a run ends makes one delivery (triggers), Campaign → Send Callbacks
 * POSTs it signed to a loopback receiver, retries 5xx on the (seconds-long) schedule, stops on a 4xx, gives up when
 * the retry window is over, and two senders never send one delivery at the same time.
 */
import assert from 'node:assert/strict';
import { afterAll, afterEach, beforeAll, beforeEach, describe, it } from 'vitest';
import { recordEvent } from '../../nodes/Campaign/store/events';
import { verifySignature } from '../../nodes/shared/callbacks/sign';
import { sendDueCallbacks } from '../../nodes/shared/callbacks/send';
import { callbackSettings } from '../../nodes/shared/callbacks/settings';
import { cancelIdleRun, completeRun, failRun, startRun } from '../../nodes/shared/store/runState';
import { CallbackReceiver } from '../fakes/callback-receiver';
import { acceptParams, fountain, resetRuns, runCampaign, useStore, webhookItem } from './fixture';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('completion callbacks', () => {
	const store = useStore();
	const receiver = new CallbackReceiver();

	beforeAll(() => receiver.start());
	afterAll(() => receiver.stop());
	beforeEach(async () => {
		await resetRuns(store.db);
		receiver.reset();
		Object.assign(process.env, {
			REELSMITH_CALLBACK_ALLOW_LOOPBACK: 'true',
			REELSMITH_CALLBACK_RETRY_SECONDS: '1',
			REELSMITH_CALLBACK_RETRY_FOR_SECONDS: '60',
		});
	});
	afterEach(() => {
		for (const name of Object.keys(process.env)) if (name.startsWith('REELSMITH_CALLBACK_')) delete process.env[name];
	});

	async function accept(body: Record<string, unknown>): Promise<string> {
		const items = [webhookItem({ script: fountain(2), campaign: 'Callbacks', ...body })];
		const [accepted, rejected] = await runCampaign(store, (i) => acceptParams(i, items), items);
		assert.equal(rejected.length, 0, JSON.stringify(rejected[0]?.json));
		return accepted[0].json.runId as string;
	}
	const deliveries = async (runId: string) =>
		(await store.db.query('select * from callback_deliveries where run_id = $1 order by created_at', [runId])).rows;
	const send = () => runCampaign(store, { resource: 'run', operation: 'sendCallbacks' }).then((out) => out[0][0].json as Record<string, any>);
	const secretOf = async (runId: string) =>
		(await store.db.query('select c.callback_secret from runs r join campaigns c on c.id = r.campaign_id where r.id = $1', [runId])).rows[0]
			.callback_secret as string;
	const lease = { owner: 'test@host:1', seconds: 60 };

	it('a completed run is POSTed once, signed with its campaign secret, with a link that downloads the video', async () => {
		const runId = await accept({ callbackUrl: receiver.url });
		await startRun(store.db, runId, '1', lease);
		const key = `runs/${runId}/final/youtube.mp4`;
		await store.s3.storage.uploadBuffer(Buffer.from('the final video'), key, 'video/mp4');
		await store.db.query("insert into costs (run_id, provider, amount_usd) values ($1, 'kling', 0.75)", [runId]);
		await completeRun(store.db, runId, { finalKey: key, duration: 12.5 });
		await completeRun(store.db, runId, { finalKey: key, duration: 12.5 });
		assert.equal((await deliveries(runId)).length, 1, 'completing again (n8n retried the step) makes no second delivery');

		const result = await send();
		assert.equal(result.delivered, 1);
		assert.equal(receiver.received.length, 1);
		const [call] = receiver.received;
		const secret = await secretOf(runId);
		assert.match(secret, /^whsec_[0-9a-f]{64}$/);
		assert.equal(verifySignature(secret, call.headers, call.body), true, 'the signature checks out');
		assert.equal(call.headers['x-reelsmith-delivery'], (await deliveries(runId))[0].id);
		const { event } = call;
		assert.equal(event.type, 'run.completed');
		assert.equal(event.run.id, runId);
		assert.equal(event.run.status, 'completed');
		assert.equal(event.run.campaign.name, 'Callbacks');
		assert.equal(event.run.duration, 12.5);
		assert.equal(event.run.costUsd, 0.75);
		assert.deepEqual(event.run.failedScenes, []);
		assert.equal(event.run.video.key, key);
		const download = await fetch(event.run.video.url);
		assert.equal(download.status, 200);
		assert.equal(await download.text(), 'the final video');
		assert.ok(Math.abs(new Date(event.run.video.expiresAt).getTime() - Date.now() - 24 * 3600_000) < 60_000, 'valid for a day by default');

		const [row] = await deliveries(runId);
		assert.equal(row.status, 'delivered');
		assert.equal((await send()).sent, 0, 'a delivered callback is not sent again');
		const attempts = (await store.db.query('select * from callback_attempts where delivery_id = $1', [row.id])).rows;
		assert.equal(attempts.length, 1);
		assert.equal(attempts[0].status_code, 200);
		assert.ok(attempts[0].latency_ms >= 0);
	});

	it('failed, cancelled and stage events: each way a run ends makes one delivery, stages only when asked', async () => {
		const failed = await accept({ callbackUrl: receiver.url, events: ['stage'] });
		await startRun(store.db, failed, '2', lease);
		await recordEvent(store.db, { runId: failed, stage: 'planning', status: 'finished', message: 'Plan v1 scored 90' });
		await recordEvent(store.db, { runId: failed, stage: 'validation', status: 'finished', sceneNumber: 1, message: 'scene-level' });
		// The stage's own end (the pipeline's Validation finished) is one, as planning's is.
		await recordEvent(store.db, { runId: failed, stage: 'validation', status: 'finished', message: '1 of 2 scenes passed' });
		await store.db.query("insert into scenes (run_id, number, status, heading, error) values ($1, 2, 'failed', 'INT. ROOM 2 - NIGHT', 'Kling refused the prompt')", [failed]);
		await failRun(store.db, failed, 'Scene 2 failed: Kling refused the prompt.');

		const cancelled = await accept({ callbackUrl: receiver.url });
		await recordEvent(store.db, { runId: cancelled, stage: 'planning', status: 'finished' });
		await cancelIdleRun(store.db, cancelled, 'anna@example.com');
		const silent = await accept({});
		await failRun(store.db, silent, 'no callback asked for');

		assert.deepEqual(
			(await deliveries(failed)).map((d) => [d.event, d.payload.stage ?? null]),
			[
				['stage.finished', 'planning'],
				['stage.finished', 'validation'],
				['run.failed', null],
			],
			'a scene-level event is none',
		);
		assert.deepEqual((await deliveries(cancelled)).map((d) => d.event), ['run.cancelled'], 'no stage events unless asked');
		assert.deepEqual(await deliveries(silent), []);

		await send();
		const events = receiver.received.map((call) => call.event);
		const stages = events.filter((e) => e.type === 'stage.finished');
		assert.deepEqual(stages.map((e) => [e.stage, e.message]).sort(), [
			['planning', 'Plan v1 scored 90'],
			['validation', '1 of 2 scenes passed'],
		]);
		const fail = events.find((e) => e.type === 'run.failed')!;
		assert.equal(fail.run.error, 'Scene 2 failed: Kling refused the prompt.');
		assert.deepEqual(fail.run.failedScenes, [{ number: 2, heading: 'INT. ROOM 2 - NIGHT', error: 'Kling refused the prompt' }]);
		assert.equal(fail.run.video, null);
		const cancel = events.find((e) => e.type === 'run.cancelled')!;
		assert.match(cancel.run.error, /Cancelled by anna@example.com/);
	});

	it('5xx is retried on the schedule until a 2xx; a 4xx is final; past the retry window it is undeliverable', async () => {
		receiver.answerInTurn([500, 503, 200]);
		const retried = await accept({ callbackUrl: receiver.url });
		await failRun(store.db, retried, 'x');
		await send();
		assert.equal((await send()).sent, 0, 'not due again before its delay');
		await sleep(1200);
		await send();
		await sleep(1200);
		await send();
		const [row] = await deliveries(retried);
		assert.equal(row.status, 'delivered');
		assert.equal(row.attempts, 3);
		const codes = (await store.db.query('select status_code from callback_attempts where delivery_id = $1 order by id', [row.id])).rows;
		assert.deepEqual(codes.map((c) => c.status_code), [500, 503, 200]);
		assert.equal(new Set(receiver.received.map((c) => c.headers['x-reelsmith-delivery'])).size, 1, 'one delivery id across retries');
		assert.ok(receiver.received[1].at - receiver.received[0].at >= 1000, 'the retry waited its delay');

		receiver.reset();
		receiver.answerInTurn([404]);
		const refused = await accept({ callbackUrl: receiver.url });
		await failRun(store.db, refused, 'x');
		await send();
		const [gone] = await deliveries(refused);
		assert.equal(gone.status, 'undeliverable', 'a 404 is not retried');
		assert.match(gone.last_error, /The receiver answered 404: receiver says no/);

		receiver.answerInTurn([500]);
		process.env.REELSMITH_CALLBACK_RETRY_FOR_SECONDS = '1';
		const late = await accept({ callbackUrl: receiver.url });
		await failRun(store.db, late, 'x');
		await sleep(300);
		await send();
		assert.equal((await deliveries(late))[0].status, 'undeliverable', 'the next try would fall outside the retry window');
	});

	it('a callback URL that points at a private address is refused at send time, without a request', async () => {
		const runId = await accept({ callbackUrl: receiver.url });
		// As if the request had been accepted elsewhere with other rules, or DNS changed since: only the sender's check counts.
		await store.db.query(`update runs set request = jsonb_set(request, '{callbackUrl}', '"https://10.0.0.7/hook"') where id = $1`, [runId]);
		await failRun(store.db, runId, 'x');
		await send();
		const [row] = await deliveries(runId);
		assert.equal(row.status, 'undeliverable');
		assert.match(row.last_error, /10\.0\.0\.7, a private network address/);
		assert.equal(receiver.received.length, 0);
	});

	it('two senders at once send each delivery once', async () => {
		receiver.delayMs = 300;
		const runs = [];
		for (let i = 0; i < 4; i++) runs.push(await accept({ callbackUrl: receiver.url }));
		for (const runId of runs) await failRun(store.db, runId, 'x');
		const ctx = { db: store.db, settings: callbackSettings(), presign: async () => 'unused' };
		const [a, b] = await Promise.all([sendDueCallbacks(ctx, 50, 1), sendDueCallbacks(ctx, 50, 1)]);
		assert.equal(a.length + b.length, 4);
		assert.equal(receiver.received.length, 4);
		assert.equal(new Set(receiver.received.map((c) => c.headers['x-reelsmith-delivery'])).size, 4);
	});
});
