import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'vitest';
import type { IDataObject } from 'n8n-workflow';
import { validateCast } from '../../nodes/Campaign/lib/cast';
import { saveCast } from '../../nodes/Campaign/store/cast';
import type { Character, Plan } from '../../nodes/shared/plan';
import { parseScript } from '../../nodes/shared/screenplay/parse';
import { acceptParams, fountain, runCampaign, useStore, webhookItem } from './fixture';

/**
 * Runs of one campaign get its cast when their take is chosen (Plan Version → Choose Take, the end of planning):
 * the same description and voice for ALICE in every run, the cast version recorded on the run and kept by it.
 */
describe('the campaign cast in its runs', () => {
	const store = useStore({ resetRuns: true });
	const run = (params: IDataObject) => runCampaign(store, params, [{}]).then((outputs) => outputs[0]);

	async function accept(campaign: string): Promise<{ runId: string; campaignId: string }> {
		const items = [webhookItem({ script: fountain(2), campaign })];
		const [[accepted]] = await runCampaign(store, (i) => acceptParams(i, items), items);
		return {
			runId: accepted.json.runId as string,
			campaignId: accepted.json.campaignId as string,
		};
	}
	async function planned(runId: string): Promise<Plan> {
		const plan = parseScript(fountain(2), { format: 'auto' });
		await run({
			resource: 'planVersion',
			operation: 'record',
			runId,
			plan,
			critique: { score: 90, issues: [] },
			parentVersion: 0,
			changes: '',
			source: 'parse',
		});
		const [chosen] = await run({
			resource: 'planVersion',
			operation: 'chooseTake',
			runId,
			take: 0,
		});
		return chosen.json.plan as unknown as Plan;
	}
	async function castOf(campaignId: string, description: string) {
		const checked = validateCast(
			{
				characters: [
					{
						name: 'Alice',
						description,
						images: [`campaigns/${campaignId}/cast/0b7f3a52-1c2d-4e5f-8a9b-0c1d2e3f4a5b.png`],
						voice: { provider: 'espeak', voice: 'en-gb+f3' },
					},
				],
			},
			campaignId,
		);
		assert.ok(checked.ok);
		return saveCast(store.db, campaignId, checked.cast, 'anna@example.com');
	}
	const alice = (plan: Plan) => plan.characters.find((character) => character.name === 'ALICE') as Character;

	beforeEach(() => store.db.query('delete from campaign_cast_versions'));

	it("gives two runs of a campaign the cast's look, voice and image for the same character", async () => {
		const first = await accept('Cast runs');
		await castOf(first.campaignId, 'a woman of forty in a grey raincoat');
		const second = await accept('Cast runs');
		const plans = [await planned(first.runId), await planned(second.runId)];
		for (const plan of plans) {
			assert.equal(alice(plan).description, 'a woman of forty in a grey raincoat');
			assert.deepEqual(alice(plan).voice, {
				provider: 'espeak',
				voice: 'en-gb+f3',
			});
			assert.deepEqual(plan.scenes[0].references, [`campaigns/${first.campaignId}/cast/0b7f3a52-1c2d-4e5f-8a9b-0c1d2e3f4a5b.png`]);
			// BOB is not in the cast: as the script gave him.
			assert.equal(plan.characters.find((character) => character.name === 'BOB')?.voice, undefined);
		}
		const { rows } = await store.db.query(
			`select r.cast_version, p.version, p.source, p.chosen, p.parent_version
			   from runs r join plan_versions p on p.run_id = r.id where r.id = any($1) order by r.queued_at, p.version`,
			[[first.runId, second.runId]],
		);
		assert.deepEqual(
			rows.map((row) => [row.cast_version, row.version, row.source, row.chosen, row.parent_version]),
			[
				[1, 1, 'parse', false, null],
				[1, 2, 'cast', true, 1],
				[1, 1, 'parse', false, null],
				[1, 2, 'cast', true, 1],
			],
		);
		const events = await store.db.query("select message from events where run_id = $1 and stage = 'planning'", [first.runId]);
		assert.deepEqual(
			events.rows.map((row) => row.message),
			['Cast v1 applied to ALICE; not in the cast: BOB.'],
		);
	});

	it('keeps the cast version a run was given when the cast changes, and resumes with it', async () => {
		const first = await accept('Cast changes');
		await castOf(first.campaignId, 'red coat');
		assert.equal(alice(await planned(first.runId)).description, 'red coat');
		await castOf(first.campaignId, 'green coat');
		const [resumed] = await run({
			resource: 'run',
			operation: 'start',
			checkToken: false,
			runId: first.runId,
			executionId: '7',
		});
		assert.equal(alice(resumed.json.plan as unknown as Plan).description, 'red coat');

		const second = await accept('Cast changes');
		assert.equal(alice(await planned(second.runId)).description, 'green coat');
		const { rows } = await store.db.query('select id, cast_version from runs where id = any($1)', [[first.runId, second.runId]]);
		assert.deepEqual(Object.fromEntries(rows.map((row) => [row.id, row.cast_version])), { [first.runId]: 1, [second.runId]: 2 });
	});

	it('changes nothing for a campaign without a cast', async () => {
		const only = await accept('No cast');
		const plan = await planned(only.runId);
		assert.equal(alice(plan).voice, undefined);
		const { rows } = await store.db.query(
			'select cast_version, (select count(*)::int from plan_versions where run_id = $1) as versions from runs where id = $1',
			[only.runId],
		);
		assert.deepEqual(rows[0], { cast_version: null, versions: 1 });
	});
});
