import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { NodeHelpers, Workflow, type IDataObject, type INode, type INodeParameters, type INodeTypes } from 'n8n-workflow';
import { Campaign } from '../../nodes/Campaign/Campaign.node';
import { configuredOutputs } from '../../nodes/Campaign/outputs';
import { FakeElevenLabs } from '../fakes/elevenlabs';
import { FakeGoogleTts } from '../fakes/google-tts';
import { acceptParams, counts, fountain, runCampaign, useStore, webhookItem } from './fixture';

describe('run accept (the webhook front door)', () => {
	const store = useStore({ s3: false, resetRuns: true });

	const accept = (items: IDataObject[], maxRunning = 2) =>
		runCampaign(store, (i) => acceptParams(i, items, maxRunning), items);

	it('declares Accepted and Rejected outputs for accept and resume, one output otherwise', () => {
		assert.deepEqual(
			configuredOutputs({ resource: 'run', operation: 'accept' }).map((o) => ('displayName' in o ? o.displayName : o.type)),
			['Accepted', 'Rejected'],
		);
		assert.deepEqual(
			configuredOutputs({ resource: 'run', operation: 'resume' }).map((o) => ('displayName' in o ? o.displayName : o.type)),
			['Resumed', 'Rejected'],
		);
		assert.equal(configuredOutputs({ resource: 'scene', operation: 'list' }).length, 1);
		assert.equal(configuredOutputs({ resource: 'run', operation: 'get' }).length, 1);
		// What n8n does with the node: fill in parameter defaults, evaluate the outputs expression in its engine.
		const outputsOf = (parameters: INodeParameters) => {
			const campaign = new Campaign();
			const nodeTypes = { getByName: () => campaign, getByNameAndVersion: () => campaign, getKnownTypes: () => ({}) };
			const node: INode = { id: '1', name: 'Campaign', type: 'n8n-nodes-reelsmith.campaign', typeVersion: 1, position: [0, 0], parameters };
			const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: nodeTypes as unknown as INodeTypes });
			return NodeHelpers.getNodeOutputs(workflow, workflow.getNode('Campaign')!, campaign.description).map(
				(output) => (output as { displayName?: string }).displayName ?? '',
			);
		};
		assert.deepEqual(outputsOf({ resource: 'run', operation: 'accept' }), ['Accepted', 'Rejected']);
		assert.deepEqual(outputsOf({ resource: 'run', operation: 'resume' }), ['Resumed', 'Rejected']);
		assert.deepEqual(outputsOf({ resource: 'scene', operation: 'prepare' }), ['']);
		assert.deepEqual(outputsOf({}), [''], 'defaults (run get) have one output');
	});

	it('queues a valid request: one run with its options, one "queued" event, the sample campaign', async () => {
		const before_ = await counts(store.db);
		const [accepted, rejected] = await accept([webhookItem({ script: fountain(3), preset: 'shorts', priority: 4 })]);
		assert.equal(rejected.length, 0);
		assert.equal(accepted.length, 1);
		const { json, pairedItem } = accepted[0];
		assert.deepEqual(pairedItem, { item: 0 });
		assert.equal(json.status, 'queued');
		assert.equal(json.queuePosition, 0);
		assert.equal((json.options as IDataObject).preset, 'shorts');
		assert.equal((json.request as IDataObject).campaign, 'Sample campaign');
		const after_ = await counts(store.db);
		assert.equal(after_.runs, before_.runs + 1);
		assert.equal(after_.events, before_.events + 1);
		assert.equal(after_.campaigns, before_.campaigns);

		const { rows } = await store.db.query('select r.*, c.name from runs r join campaigns c on c.id = r.campaign_id where r.id = $1', [
			json.runId,
		]);
		assert.equal(rows[0].status, 'queued');
		assert.equal(rows[0].priority, 4);
		assert.equal(rows[0].name, 'Sample campaign');
		assert.equal(rows[0].campaign_id, json.campaignId);
		assert.equal(rows[0].options.preset, 'shorts');
		assert.equal(rows[0].request.script, fountain(3));
		const events = await store.db.query('select stage, status, message from events where run_id = $1', [json.runId]);
		assert.deepEqual(events.rows.map((e) => [e.stage, e.status]), [['run', 'queued']]);
		assert.match(events.rows[0].message, /3 scene/);
	});

	it('creates a campaign named in the request once', async () => {
		const before_ = await counts(store.db);
		await accept([webhookItem({ script: fountain(1), campaign: 'Launch week' })]);
		await accept([webhookItem({ script: fountain(1), campaign: 'Launch week' })]);
		assert.equal((await counts(store.db)).campaigns, before_.campaigns + 1);
	});

	const badRequests: [string, IDataObject, number, string][] = [
		['no token', webhookItem({ script: fountain(1) }, null), 401, 'x-reelsmith-token'],
		['a wrong token', webhookItem({ script: fountain(1) }, 'guess'), 401, 'x-reelsmith-token'],
		['invalid JSON', webhookItem('{"script": '), 400, 'body'],
		['no script', webhookItem({ preset: 'youtube' }), 400, 'script'],
		['a script over 200 KB', webhookItem({ script: fountain(1) + 'x'.repeat(205 * 1024) }), 400, 'script'],
		['too many scenes', webhookItem({ script: fountain(51) }), 400, 'script'],
		['no recognisable scene', webhookItem({ script: 'hello', format: 'screenplay' }), 400, 'script'],
		['iterations 6', webhookItem({ script: fountain(1), iterations: 6 }), 400, 'iterations'],
		['sceneCount 0', webhookItem({ script: fountain(1), sceneCount: 0 }), 400, 'sceneCount'],
		['an unknown preset', webhookItem({ script: fountain(1), preset: 'vhs' }), 400, 'preset'],
		['an unknown style', webhookItem({ script: fountain(1), style: 'noir' }), 400, 'style'],
		['a voice that is an option', webhookItem({ script: fountain(1), voiceMap: { ALICE: '--help' } }), 400, 'voiceMap.ALICE'],
		['a voice that is a short option', webhookItem({ script: fountain(1), voiceMap: { BOB: '-v' } }), 400, 'voiceMap.BOB'],
		['a voice that is a path', webhookItem({ script: fountain(1), voiceMap: { ALICE: '../../etc/passwd' } }), 400, 'voiceMap.ALICE'],
		['a voice espeak-ng does not have', webhookItem({ script: fountain(1), voiceMap: { BOB: 'xx-unknown' } }), 400, 'voiceMap.BOB'],
	];
	for (const [what, item, statusCode, field] of badRequests) {
		it(`rejects ${what} with ${statusCode} naming "${field}" and writes nothing`, async () => {
			const before_ = await counts(store.db);
			const [accepted, rejected] = await accept([item]);
			assert.equal(accepted.length, 0);
			assert.equal(rejected.length, 1);
			const body = rejected[0].json.body as IDataObject;
			assert.equal(rejected[0].json.statusCode, statusCode);
			assert.equal(body.error, statusCode === 401 ? 'unauthorized' : 'invalid_request');
			assert.equal(body.field, field);
			assert.ok(String(body.message).length > 20);
			assert.deepEqual(rejected[0].pairedItem, { item: 0 });
			assert.deepEqual(await counts(store.db), before_);
		});
	}

	describe('voiceMap against the voices of the first speech provider', () => {
		let elevenlabs: FakeElevenLabs;
		let google: FakeGoogleTts;
		beforeAll(async () => {
			elevenlabs = await new FakeElevenLabs().start();
			elevenlabs.voices = [
				{ voice_id: '21m00Tcm4TlvDq8ikWAM', name: 'Rachel' },
				{ voice_id: 'pNInz6obpgDQGcFmaJgB', name: 'Adam' },
				{ voice_id: 'EXAVITQu4vr4xnSDxMaL', name: 'Bella' },
				{ voice_id: 'XB0fDUnXU5powFXDhCwa', name: 'Charlotte' },
			];
			google = await new FakeGoogleTts().start();
		});
		afterAll(async () => {
			await elevenlabs?.stop();
			await google?.stop();
		});

		/** Accept with the paid speech credentials attached as the start-run workflow attaches them. */
		const acceptWith = async (body: IDataObject, keys: { elevenlabs?: string; google?: string } = {}) => {
			const credentials = {
				...store.credentials,
				reelsmithElevenLabsApi: { apiKey: keys.elevenlabs ?? '', baseUrl: elevenlabs.url },
				reelsmithGoogleTtsApi: { apiKey: keys.google ?? '', baseUrl: google.url },
			};
			const items = [webhookItem({ script: fountain(1), ...body })];
			const [accepted, rejected] = await runCampaign({ ...store, credentials }, (i) => acceptParams(i, items), items);
			return { accepted, rejected: rejected[0]?.json.body as IDataObject | undefined };
		};

		it('espeak-ng: a voice it does not list is a 400 naming the character, with voices it has', async () => {
			const before_ = await counts(store.db);
			const { accepted, rejected } = await acceptWith({ voiceMap: { ALICE: 'en-us+f3', BOB: 'xx-unknown' } });
			assert.equal(accepted.length, 0);
			assert.equal(rejected?.field, 'voiceMap.BOB');
			assert.match(
				String(rejected?.message),
				/^"voiceMap\.BOB" is "xx-unknown", and espeak-ng \(the speech provider, as "speech" is \["auto"\] and no paid one has a key\) has no such voice: it has no language "xx-unknown"; `espeak-ng --voices` lists them\. Use an espeak-ng voice such as en-us\+f3, en-gb\+m3, ar, or leave BOB out of "voiceMap"/,
			);
			assert.deepEqual(await counts(store.db), before_);
			assert.equal((await acceptWith({ voiceMap: { ALICE: 'en-us+f3', NARRATOR: 'ar+m3' } })).accepted.length, 1);
		});

		it("ElevenLabs (speech auto, key set): a voice the account does not have is a 400; a voice's name gets its ID", async () => {
			const key = { elevenlabs: elevenlabs.apiKey };
			const espeakVoice = await acceptWith({ voiceMap: { ALICE: 'en-us+f3' } }, key);
			assert.equal(espeakVoice.rejected?.field, 'voiceMap.ALICE');
			assert.match(
				String(espeakVoice.rejected?.message),
				/is "en-us\+f3", which is not a voice ID of this ElevenLabs account \(ElevenLabs is the first speech provider with a key, as "speech" is \["auto"\]\)\. Use one such as 21m00Tcm4TlvDq8ikWAM \(Rachel\), pNInz6obpgDQGcFmaJgB \(Adam\), EXAVITQu4vr4xnSDxMaL \(Bella\)/,
			);
			const byName = await acceptWith({ voiceMap: { ALICE: 'rachel' } }, key);
			assert.equal(byName.rejected?.message, '"voiceMap.ALICE" is "rachel", the name of the ElevenLabs voice 21m00Tcm4TlvDq8ikWAM: send its ID, {"ALICE": "21m00Tcm4TlvDq8ikWAM"}.');
			assert.equal((await acceptWith({ voiceMap: { ALICE: 'XB0fDUnXU5powFXDhCwa' } }, key)).accepted.length, 1);
			assert.ok(elevenlabs.requests.some((request) => request.path === '/v2/voices'), 'the account voice list was read');
			// espeak-ng speaks first when asked to: its voices are the ones that count.
			assert.equal((await acceptWith({ voiceMap: { ALICE: 'en-us+f3' }, speech: ['espeak', 'elevenlabs'] }, key)).accepted.length, 1);
		});

		it('Google: a voice name it does not list is a 400; a list that cannot be read leaves the check to the speech step', async () => {
			const key = { google: google.apiKey };
			const unknown = await acceptWith({ voiceMap: { BOB: 'en-US-Wavenet-Z' }, speech: ['google', 'espeak'] }, key);
			assert.equal(unknown.rejected?.field, 'voiceMap.BOB');
			assert.match(String(unknown.rejected?.message), /not a Google Text-to-Speech voice name \(Google Text-to-Speech is the first of "speech"\)\. Use a close one such as en-US-Neural2-F, he-IL-Wavenet-A/);
			assert.equal((await acceptWith({ voiceMap: { BOB: 'he-IL-Wavenet-A' }, speech: ['google'] }, key)).accepted.length, 1);
			// A refused key: the voice list cannot be read now, so the run is accepted and its speech step says why.
			assert.equal((await acceptWith({ voiceMap: { BOB: 'en-US-Wavenet-Z' }, speech: ['google'] }, { google: 'wrong-key' })).accepted.length, 1);
		});
	});

	it('sends each item of one execution to its own output, paired with its input', async () => {
		const items = [
			webhookItem({ script: fountain(1) }),
			webhookItem({ script: fountain(1) }, 'wrong'),
			webhookItem({ script: fountain(2), priority: 1 }),
		];
		const [accepted, rejected] = await accept(items);
		assert.deepEqual(
			accepted.map((i) => i.pairedItem),
			[{ item: 0 }, { item: 2 }],
		);
		assert.deepEqual(
			rejected.map((i) => i.pairedItem),
			[{ item: 1 }],
		);
	});

	it('refuses to run with an empty token in the credential', async () => {
		const items = [webhookItem({ script: fountain(1) }, '')];
		const context = { ...store, credentials: { ...store.credentials, reelsmithWebhookApi: { headerName: 'x-reelsmith-token', token: '' } } };
		await assert.rejects(runCampaign(context, (i) => acceptParams(i, items), items), /credential has no token/);
	});

	it('with Continue On Fail, puts an error item on the first output instead of throwing', async () => {
		const [first] = await runCampaign(
			store,
			{ resource: 'run', operation: 'get', runId: '00000000-0000-4000-8000-000000000000' },
			[{}],
			{ continueOnFail: true },
		);
		assert.match(String(first[0].json.error), /does not exist\. Check the runId field/);
	});
});
