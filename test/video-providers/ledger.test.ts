import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { BudgetError, Ledger } from '../../nodes/shared/ledger';
import { startStore, type Store } from '../campaign/fixture';

let store: Store;
let ledger: Ledger;

async function newRun(options: { runBudget?: number | null; campaignBudget?: number | null; estimate?: number | null } = {}) {
	const campaign = await store.db.query<{ id: string; name: string }>(
		`insert into campaigns (name, budget_usd) values ($1, $2) returning id, name`,
		[`ledger ${Math.random().toString(36).slice(2, 8)}`, options.campaignBudget ?? null],
	);
	const run = await store.db.query<{ id: string }>(
		`insert into runs (campaign_id, request, options, budget_usd, cost_estimate, status)
		values ($1, '{}', '{}', $2, $3, 'running') returning id`,
		[campaign.rows[0].id, options.runBudget ?? null, options.estimate ?? null],
	);
	return { runId: run.rows[0].id, campaignId: campaign.rows[0].id, campaignName: campaign.rows[0].name };
}

beforeAll(async () => {
	store = await startStore({ s3: false });
	ledger = new Ledger(store.db);
});
afterAll(async () => {
	await store?.stop();
});

describe('budget', () => {
	it('stops a call that would take the run past its cap, naming the call, the spend, the cap and the estimate', async () => {
		const { runId } = await newRun({ runBudget: 0.3, estimate: 1.4 });
		await ledger.recordCost({ runId, provider: 'anthropic', model: 'claude-sonnet-4-6', units: 1000, unit: 'token', amountUsd: 0.1, purpose: 'plan' });
		await ledger.checkBudget(runId, 0.2, 'Scene 1 on Kling'); // 0.10 + 0.20 = 0.30: exactly the cap is allowed
		await assert.rejects(ledger.checkBudget(runId, 0.28, 'Scene 3 on Kling'), (error: Error) => {
			assert.ok(error instanceof BudgetError);
			assert.equal(
				error.message,
				"Budget stop: Scene 3 on Kling would cost about $0.28, and the run has spent $0.10 of its $0.30 budget (estimate $1.40). Raise the run's budget or lower scenes/duration, then resume the run.",
			);
			return true;
		});
	});

	it('counts accepted tasks that are not costed yet against the cap (they will be billed)', async () => {
		const { runId } = await newRun({ runBudget: 0.5 });
		await ledger.taskSubmitted({ runId, sceneNumber: 1, provider: 'kling', taskId: `t-${runId}`, request: {}, costUsd: 0.28 });
		await assert.rejects(ledger.checkBudget(runId, 0.28, 'Scene 2 on Kling'), /has spent \$0\.28 of its \$0\.50 budget/);
	});

	it("stops at the campaign's cap with spend summed over all its runs", async () => {
		const first = await newRun({ campaignBudget: 1, estimate: 0.9 });
		const run2 = await store.db.query<{ id: string }>(
			`insert into runs (campaign_id, request, options, cost_estimate) values ($1, '{}', '{}', 0.5) returning id`,
			[first.campaignId],
		);
		await ledger.recordCost({ runId: first.runId, provider: 'kling', model: 'kling-v2-1', units: 10, unit: 'second', amountUsd: 0.56, purpose: 'clip' });
		await ledger.checkBudget(run2.rows[0].id, 0.44, 'Scene 1 on Kling');
		await assert.rejects(ledger.checkBudget(run2.rows[0].id, 0.6, 'Scene 1 on Runway'), (error: Error) => {
			assert.ok(error instanceof BudgetError);
			assert.equal(
				error.message,
				`Budget stop: Scene 1 on Runway would cost about $0.60, and campaign '${first.campaignName}' has spent $0.56 of its $1.00 budget (estimate $0.50). Raise the campaign's budget or lower scenes/duration, then resume the run.`,
			);
			return true;
		});
	});

	it('lets any call through when neither the run nor the campaign has a cap', async () => {
		const { runId } = await newRun();
		await ledger.checkBudget(runId, 1000, 'Scene 1 on Kling');
	});
});

describe('cost lines', () => {
	it('records provider, model, units and amount, adds to the run total, and writes a task once', async () => {
		const { runId } = await newRun();
		const line = { runId, sceneNumber: 2, provider: 'runway', model: 'gen4.5', units: 5, unit: 'second' as const, amountUsd: 0.6, purpose: 'clip', taskId: 'task-1' };
		await ledger.recordCost(line);
		await ledger.recordCost(line); // a resumed run finishing the same task again
		await ledger.recordCost({ runId, provider: 'espeak', model: 'espeak-ng', units: 120, unit: 'character', amountUsd: 0, purpose: 'speech' });
		const { rows } = await store.db.query(
			`select scene_number, provider, model, units::float, unit, amount_usd::float, purpose, task_id from costs where run_id = $1 order by provider desc`,
			[runId],
		);
		assert.deepEqual(rows, [
			{ scene_number: 2, provider: 'runway', model: 'gen4.5', units: 5, unit: 'second', amount_usd: 0.6, purpose: 'clip', task_id: 'task-1' },
			{ scene_number: null, provider: 'espeak', model: 'espeak-ng', units: 120, unit: 'character', amount_usd: 0, purpose: 'speech', task_id: null },
		]);
		const total = await store.db.query<{ cost_total: string }>('select cost_total from runs where id = $1', [runId]);
		assert.equal(Number(total.rows[0].cost_total), 0.6);
	});
});

describe('task ledger', () => {
	it('finds the open task of a scene with its request, and forgets it once fetched or failed', async () => {
		const { runId } = await newRun();
		assert.equal(await ledger.openTask(runId, 1, 'kling'), null);
		const request = { scene: { number: 1 }, width: 1920, height: 1080, duration: 5 };
		await ledger.taskSubmitted({ runId, sceneNumber: 1, provider: 'kling', model: 'kling-v2-1', taskId: 'text2video:abc', request });
		await ledger.taskSubmitted({ runId, sceneNumber: 1, provider: 'kling', model: 'kling-v2-1', taskId: 'text2video:abc', request }); // idempotent
		assert.deepEqual(await ledger.openTask(runId, 1, 'kling'), { taskId: 'text2video:abc', model: 'kling-v2-1', request });
		assert.equal(await ledger.openTask(runId, 1, 'runway'), null, 'other providers have their own tasks');
		assert.equal(await ledger.openTask(runId, 2, 'kling'), null, 'other scenes have their own tasks');

		await ledger.taskFinished('kling', 'text2video:abc', { status: 'fetched', clipKey: 'runs/x/clip.mp4', seconds: 5, costUsd: 0.28 });
		assert.equal(await ledger.openTask(runId, 1, 'kling'), null);
		const { rows } = await store.db.query(
			`select status, clip_key, seconds::float, cost_usd::float, finished_at is not null as finished from provider_tasks where task_id = 'text2video:abc'`,
		);
		assert.deepEqual(rows, [{ status: 'fetched', clip_key: 'runs/x/clip.mp4', seconds: 5, cost_usd: 0.28, finished: true }]);

		await ledger.taskSubmitted({ runId, sceneNumber: 3, provider: 'runway', taskId: 'r-1', request: {} });
		await ledger.taskFinished('runway', 'r-1', { status: 'failed', error: 'SAFETY.INPUT.TEXT' });
		assert.equal(await ledger.openTask(runId, 3, 'runway'), null);
	});
});

describe('provider slots', () => {
	it('never has more than the limit in flight across two processes (two pools)', async () => {
		const { runId } = await newRun();
		const second = new Pool({ connectionString: store.pg.url, max: 3 });
		const workers = [ledger, new Ledger(second)];
		let inFlight = 0;
		let most = 0;
		const provider = `slot-test-${runId.slice(0, 8)}`;
		try {
			await Promise.all(
				Array.from({ length: 6 }, (_, n) =>
					(async () => {
						const worker = workers[n % 2];
						const taskId = `task-${n}`;
						await worker.withSlot(
							provider,
							2,
							async () => {
								inFlight++;
								most = Math.max(most, inFlight);
								await worker.taskSubmitted({ runId, sceneNumber: n + 1, provider, taskId, request: {} });
							},
							{ checkEveryMs: 40 },
						);
						await sleep(150); // the task renders at the provider
						inFlight--;
						await worker.taskFinished(provider, taskId, { status: 'fetched' });
					})(),
				),
			);
		} finally {
			await second.end();
		}
		assert.equal(most, 2, 'two tasks ran at once, never three');
	});

	it('gives up with a message naming the limit when no slot frees up in time', async () => {
		const { runId } = await newRun();
		const provider = `slot-full-${runId.slice(0, 8)}`;
		await ledger.taskSubmitted({ runId, sceneNumber: 1, provider, taskId: 'busy', request: {} });
		await assert.rejects(
			ledger.withSlot(provider, 1, async () => assert.fail('must not submit'), { timeoutMs: 300, checkEveryMs: 50 }),
			/No free slot-full-\w+ slot: 1 tasks were still running \(limit 1\)/,
		);
	});

	it('a scene being submitted holds its slot; an intent left by a stopped execution stops holding one', async () => {
		const { runId } = await newRun();
		const provider = `slot-intent-${runId.slice(0, 8)}`;
		const first = await ledger.taskIntent(runId, 1, provider, 1);
		assert.deepEqual(first, { key: `rs-${runId}-1-1`, earlier: false, released: false });
		await assert.rejects(ledger.taskIntent(runId, 2, provider, 1, { timeoutMs: 300, checkEveryMs: 50 }), /No free slot-intent-\w+ slot: 1 tasks were still running \(limit 1\)/);
		// The scene's own earlier intent is its slot already: no wait.
		assert.deepEqual(await ledger.taskIntent(runId, 1, provider, 1, { timeoutMs: 300 }), { ...first, earlier: true });
		await store.db.query(`update provider_tasks set submitted_at = now() - interval '20 minutes' where idempotency_key = $1`, [first.key]);
		assert.deepEqual(await ledger.taskIntent(runId, 2, provider, 1, { timeoutMs: 300 }), { key: `rs-${runId}-2-1`, earlier: false, released: false });
	});

	it('an intent whose execution died holds no slot once its lease expired or recovery gave the run to another execution', async () => {
		const { runId } = await newRun();
		const provider = `slot-dead-${runId.slice(0, 8)}`;
		const lease = (owner: string, seconds: number) =>
			store.db.query(`update runs set lease_owner = $2, lease_expires_at = now() + make_interval(secs => $3) where id = $1`, [runId, owner, seconds]);
		const blocked = (scene: number) => assert.rejects(ledger.taskIntent(runId, scene, provider, 1, { timeoutMs: 300, checkEveryMs: 50 }), /No free slot-dead-\w+ slot/);

		await lease('exec-1@host:1', 60);
		const first = await ledger.taskIntent(runId, 1, provider, 1);
		await blocked(2);
		// The process died: its lease ran out (the watchdog has not come round yet). The intent is no slot any more.
		await lease('exec-1@host:1', -1);
		const second = await ledger.taskIntent(runId, 2, provider, 1, { timeoutMs: 300 });
		assert.equal(second.earlier, false, 'scene 2 got the slot at once, not after the 15-minute submit window');
		await ledger.dropIntent(provider, second.key);

		// Recovery handed the run to execution 2 (a live lease, but not the one the intent was written under).
		await lease('exec-2@host:2', 60);
		const third = await ledger.taskIntent(runId, 3, provider, 1, { timeoutMs: 300 });
		assert.equal(third.earlier, false, 'scene 3 got the slot');
		// Scene 1 of the recovered execution takes its intent back (same key, to be looked up), once a slot is free.
		await assert.rejects(ledger.taskIntent(runId, 1, provider, 1, { timeoutMs: 300, checkEveryMs: 50 }), /No free/);
		await ledger.dropIntent(provider, third.key);
		assert.deepEqual(await ledger.taskIntent(runId, 1, provider, 1, { timeoutMs: 300 }), { ...first, earlier: true });
		await blocked(2);
	});

	it('a task the provider has finished holds no slot while its clip waits to be fetched, and stays the scene\'s to fetch', async () => {
		const { runId } = await newRun();
		const provider = `slot-rendered-${runId.slice(0, 8)}`;
		await ledger.taskSubmitted({ runId, sceneNumber: 1, provider, taskId: 'done-at-provider', request: {} });
		await assert.rejects(ledger.taskIntent(runId, 2, provider, 1, { timeoutMs: 300, checkEveryMs: 50 }), /No free/);
		await ledger.taskRendered(provider, 'done-at-provider');
		assert.equal((await ledger.taskIntent(runId, 2, provider, 1, { timeoutMs: 300 })).earlier, false, 'scene 2 got the slot');
		assert.equal((await ledger.openTask(runId, 1, provider))?.taskId, 'done-at-provider', 'scene 1 fetches it later without paying again');
	});

	it('does not count open tasks older than the stale limit (a run that died)', async () => {
		const { runId } = await newRun();
		const provider = `slot-stale-${runId.slice(0, 8)}`;
		await ledger.taskSubmitted({ runId, sceneNumber: 1, provider, taskId: 'old', request: {} });
		await store.db.query(`update provider_tasks set submitted_at = now() - interval '2 hours' where task_id = 'old'`);
		assert.equal(await ledger.withSlot(provider, 1, async () => 'submitted', { timeoutMs: 300 }), 'submitted');
	});
});
