import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { useStore } from '../campaign/fixture';
import { runClaude, useFakeAnthropic } from './context';
import { critiqueInput, planInput } from './fixtures';

const fake = useFakeAnthropic();
const store = useStore({ s3: false });

async function newRun(budget: number | null = null): Promise<string> {
	const campaign = await store.db.query<{ id: string }>(`insert into campaigns (name) values ($1) returning id`, [
		`claude ledger ${Math.random().toString(36).slice(2, 8)}`,
	]);
	const run = await store.db.query<{ id: string }>(
		`insert into runs (campaign_id, request, options, budget_usd, cost_estimate, status) values ($1, '{}', '{}', $2, 1.5, 'running') returning id`,
		[campaign.rows[0].id, budget],
	);
	return run.rows[0].id;
}

async function costRows(runId: string) {
	const { rows } = await store.db.query(
		`select provider, model, units::float as units, unit, amount_usd::float as "amountUsd", purpose, scene_number as "sceneNumber"
		from costs where run_id = $1 order by created_at`,
		[runId],
	);
	return rows;
}

const plan = (json: IDataObject) => ({ operation: 'plan', source: 'script', script: json.script, targetDuration: 10 });
const withStore = () => ({ credentials: { reelsmithPostgresApi: store.credentials.reelsmithPostgresApi } });

test('with the Postgres credential and a runId, every call (the repair too) becomes a cost row and counts towards the run', async () => {
	const runId = await newRun(5);
	const broken = planInput();
	broken.scenes[0].visualDescription = '';
	fake.script(
		{ toolInput: broken, usage: { input_tokens: 2000, output_tokens: 1000 } },
		{ toolInput: planInput(), usage: { input_tokens: 3000, output_tokens: 1000 } },
	);
	const [item] = await runClaude(fake, [{ runId, script: 'x' }], plan, withStore());
	assert.equal(fake.requests.length, 2);
	// Sonnet 4.6, $3 / $15 per million: 0.006 + 0.015 = 0.021, then 0.009 + 0.015 = 0.024
	assert.deepEqual(await costRows(runId), [
		{ provider: 'anthropic', model: 'claude-sonnet-4-6', units: 3000, unit: 'token', amountUsd: 0.021, purpose: 'plan', sceneNumber: null },
		{ provider: 'anthropic', model: 'claude-sonnet-4-6', units: 4000, unit: 'token', amountUsd: 0.024, purpose: 'plan', sceneNumber: null },
	]);
	assert.deepEqual(item.json.cost, { provider: 'anthropic', model: 'claude-sonnet-4-6', units: 7000, unit: 'token', amountUsd: 0.045 });
	const total = await store.db.query<{ cost_total: string }>('select cost_total from runs where id = $1', [runId]);
	assert.equal(Number(total.rows[0].cost_total), 0.045);
});

test('a scene item (checkFrame, critique per scene …) records its scene number and the operation as the purpose', async () => {
	const runId = await newRun();
	fake.script({ toolInput: critiqueInput, usage: { input_tokens: 1000, output_tokens: 100 } });
	await runClaude(fake, [{ runId, sceneNumber: 3, plan: planInput() }], (json) => ({ operation: 'critique', plan: json.plan }), withStore());
	const [row] = await costRows(runId);
	assert.equal(row.purpose, 'critique');
	assert.equal(row.sceneNumber, 3);
});

test('a budget too small for a typical call stops the node before Anthropic is asked', async () => {
	const runId = await newRun(0.01);
	fake.script({ toolInput: planInput() });
	await assert.rejects(runClaude(fake, [{ runId, script: 'x' }], plan, withStore()), (error: Error) => {
		assert.equal(error.name, 'NodeOperationError');
		// prices.anthropic.typicalCall on Sonnet 4.6: 4000 × 3e-6 + 3000 × 15e-6 = 0.057
		assert.equal(
			error.message,
			"Budget stop: Claude plan would cost about $0.06, and the run has spent $0.00 of its $0.01 budget (estimate $1.50). Raise the run's budget or lower scenes/duration, then resume the run.",
		);
		return true;
	});
	assert.equal(fake.requests.length, 0, 'zero calls to Anthropic');
	assert.deepEqual(await costRows(runId), []);
	// The scripted answer was never taken: clear it for the next test.
	await runClaude(fake, [{ script: 'x' }], plan);
});

test('without a runId, or without the credential, nothing is recorded and the node works standalone', async () => {
	const runId = await newRun(0.01);
	fake.script({ toolInput: planInput() }, { toolInput: planInput() });
	await runClaude(fake, [{ script: 'x' }], plan, withStore());
	await runClaude(fake, [{ runId, script: 'x' }], plan);
	assert.equal(fake.requests.length, 2);
	assert.deepEqual(await costRows(runId), [], 'the tiny budget was not checked either: there is no store');
});
