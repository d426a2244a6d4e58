import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import type { IDataObject } from 'n8n-workflow';
import { BudgetError, Ledger } from '../../nodes/shared/ledger';
import { speechCostUsd } from '../../nodes/shared/prices';
import { spending } from '../../nodes/Campaign/store/runs';
import { TextToSpeech } from '../../nodes/TextToSpeech/TextToSpeech.node';
import { useStore } from '../campaign/fixture';
import { executeContext } from '../video-generation/context';
import { elevenLabsCredential, useSpeechFakes } from './support';

/**
 * Paid voice previews against a campaign's budget (preview_costs): the cost is reserved under the ledger's budget
 * lock before the provider is called, counted wherever the campaign's spend is summed, and a cached preview adds none.
 */
const store = useStore();
const fakes = useSpeechFakes();

async function newCampaign(budgetUsd: number | null) {
	const { rows } = await store.db.query<{ id: string; name: string }>('insert into campaigns (name, budget_usd) values ($1, $2) returning id, name', [
		`previews ${Math.random().toString(36).slice(2, 8)}`,
		budgetUsd,
	]);
	return rows[0];
}

async function newRun(campaignId: string) {
	const { rows } = await store.db.query<{ id: string }>(
		`insert into runs (campaign_id, request, options, status) values ($1, '{}', '{}', 'running') returning id`,
		[campaignId],
	);
	return rows[0].id;
}

const previewRows = async (campaignId: string) =>
	(await store.db.query('select provider, voice, characters, cost_usd from preview_costs where campaign_id = $1', [campaignId])).rows;

/** The preview webhook's item, with the Postgres credential attached (as in workflows/voice-preview.json). */
async function preview(body: IDataObject) {
	const context = executeContext({
		items: [{ body }],
		parameters: {
			operation: 'previewVoice',
			provider: 'elevenlabs',
			previewText: (json: IDataObject) => (json.body as IDataObject).text,
			previewVoice: (json: IDataObject) => (json.body as IDataObject).voice,
			previewSettings: {},
			previewCampaign: (json: IDataObject) => (json.body as IDataObject).campaign ?? '',
		},
		s3: store.s3,
		nodeName: 'Text to Speech',
		credentials: { reelsmithPostgresApi: store.credentials.reelsmithPostgresApi, reelsmithElevenLabsApi: elevenLabsCredential(fakes.elevenlabs) },
	});
	const [output] = await new TextToSpeech().execute.call(context);
	return output[0].json as { cached: boolean; cost: { amountUsd: number } };
}

const VOICE = '21m00Tcm4TlvDq8ikWAM';

describe('preview costs in the store', () => {
	test('a reservation is counted in the campaign spend: by the budget check, by spending(), by the next reservation', async () => {
		const campaign = await newCampaign(1);
		const runId = await newRun(campaign.id);
		const ledger = new Ledger(store.db);
		await ledger.recordCost({ runId, provider: 'kling', units: 5, unit: 'second', amountUsd: 0.5, purpose: 'clip' });
		await ledger.reservePreview({ campaignId: campaign.id, provider: 'elevenlabs', voice: VOICE, characters: 3000, costUsd: 0.3 });
		assert.deepEqual(await previewRows(campaign.id), [{ provider: 'elevenlabs', voice: VOICE, characters: 3000, cost_usd: '0.3' }]);
		assert.equal((await spending(store.db, runId)).campaignSpent, 0.8);
		await assert.rejects(ledger.checkBudget(runId, 0.25, 'Scene 1 on Kling'), /campaign '.*' has spent \$0\.80 of its \$1\.00 budget/);
		await ledger.checkBudget(runId, 0.2, 'Scene 1 on Kling'); // 0.80 + 0.20 is exactly the cap
	});

	test('a preview the budget has no room for is refused naming campaign, with what is left and what to do; nothing is written', async () => {
		const campaign = await newCampaign(0.5);
		const ledger = new Ledger(store.db);
		await ledger.reservePreview({ campaignId: campaign.id, provider: 'google', voice: 'en-GB-Neural2-B', characters: 100, costUsd: 0.45 });
		await assert.rejects(
			ledger.reservePreview({ campaignId: campaign.id, provider: 'google', voice: 'en-GB-Neural2-B', characters: 100, costUsd: 0.06 }),
			(error: Error) => {
				assert.ok(error instanceof BudgetError);
				assert.equal(
					error.message,
					`"campaign": this preview would cost about $0.06, but campaign '${campaign.name}' has spent $0.45: its budget $0.50 has $0.05 left; raise the budget or preview a free voice (espeak-ng).`,
				);
				return true;
			},
		);
		assert.equal((await previewRows(campaign.id)).length, 1);
	});

	test('reservations at the same moment take turns under the lock: the budget is never passed', async () => {
		const campaign = await newCampaign(0.1);
		const ledger = new Ledger(store.db);
		const tries = await Promise.allSettled(
			Array.from({ length: 8 }, () =>
				ledger.reservePreview({ campaignId: campaign.id, provider: 'elevenlabs', voice: VOICE, characters: 300, costUsd: 0.03 }),
			),
		);
		assert.equal(tries.filter((attempt) => attempt.status === 'fulfilled').length, 3, '3 × $0.03 fit in $0.10, a fourth does not');
		const spent = (await previewRows(campaign.id)).reduce((sum, row) => sum + Number(row.cost_usd), 0);
		assert.ok(spent <= 0.1 + 1e-9, `spent ${spent}`);
	});

	test('an unknown campaign is refused naming campaign', async () => {
		await assert.rejects(
			new Ledger(store.db).reservePreview({
				campaignId: '00000000-0000-4000-8000-00000000dead',
				provider: 'elevenlabs',
				voice: VOICE,
				characters: 1,
				costUsd: 0.01,
			}),
			/^Error: "campaign": no campaign has the id 00000000-0000-4000-8000-00000000dead/,
		);
	});
});

describe('Text to Speech node: Preview Voice for a campaign', () => {
	test('a paid preview is costed against the campaign once; the cached one adds nothing and does not call ElevenLabs', async () => {
		const campaign = await newCampaign(5);
		const text = 'Welcome aboard, captain.';
		const first = await preview({ voice: VOICE, text, campaign: campaign.id });
		const cost = speechCostUsd('elevenlabs', 'eleven_flash_v2_5', Array.from(text).length);
		assert.equal(first.cached, false);
		assert.equal(first.cost.amountUsd, cost);
		const again = await preview({ voice: VOICE, text, campaign: campaign.id });
		assert.equal(again.cached, true);
		assert.equal(again.cost.amountUsd, 0);
		assert.equal(fakes.elevenlabs.speechRequests().length, 1);
		const rows = await previewRows(campaign.id);
		assert.equal(rows.length, 1, 'the cached preview wrote no cost');
		assert.equal(Number(rows[0].cost_usd), cost);
	});

	test("a preview past the campaign's budget fails naming campaign before ElevenLabs is called", async () => {
		const campaign = await newCampaign(0.001);
		await assert.rejects(
			preview({ voice: VOICE, text: 'This line costs more than the budget has left.', campaign: campaign.id }),
			/^NodeOperationError: "campaign": this preview would cost about \$0\.0041, but campaign '.*' has spent \$0\.00: its budget \$0\.0010 has \$0\.0010 left; raise the budget or preview a free voice/,
		);
		assert.equal(fakes.elevenlabs.speechRequests().length, 0);
		assert.equal((await previewRows(campaign.id)).length, 0);
	});

	test('a preview ElevenLabs refuses leaves no cost behind; one for no campaign is kept without a campaign', async () => {
		const campaign = await newCampaign(5);
		fakes.elevenlabs.script({
			status: 400,
			body: { detail: { status: 'voice_not_found', message: `A voice with voice_id ${VOICE} was not found.` } },
		});
		await assert.rejects(preview({ voice: VOICE, text: 'Refused, sadly.', campaign: campaign.id }), /Could not preview ElevenLabs/);
		assert.equal((await previewRows(campaign.id)).length, 0);
		const text = 'For nobody in particular.';
		const made = await preview({ voice: VOICE, text });
		const { rows } = await store.db.query('select campaign_id, cost_usd from preview_costs where voice = $1 and characters = $2', [
			VOICE,
			Array.from(text).length,
		]);
		assert.deepEqual(rows, [{ campaign_id: null, cost_usd: String(made.cost.amountUsd) }]);
	});

	test('a campaign that is no id fails naming campaign', async () => {
		await assert.rejects(preview({ voice: VOICE, text: 'Hi', campaign: 'Spring launch' }), /"campaign" must be a campaign's id \(a uuid/);
	});
});
