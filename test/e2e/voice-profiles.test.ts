import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import pg from 'pg';
import { buildPackage, ensureInstalled, startStack, type Stack } from '../../initialization/stack';
import { validateCast } from '../../nodes/Campaign/lib/cast';
import { saveCast } from '../../nodes/Campaign/store/cast';
import { FakeElevenLabs } from '../fakes/elevenlabs';
import { freePort } from '../helpers/ports';
import { postWebhook, waitForRun } from './stack-support';

/**
 * Voice profiles through real n8n, ElevenLabs on its fake: the run's narrator profile voices the narration with its
 * settings, the cast character's settings reach her lines, a run without a narrator gets the campaign's, and an
 * unknown narrator voice is a 400 before anything runs.
 */
const FIXTURES = join(__dirname, '..', 'fixtures', 'scripts');
const CAMPAIGN = 'Voice profiles e2e';
const NARRATOR = 'narratorVoice000001';
const ALICE = 'aliceVoice00000001';
const CAMPAIGN_NARRATOR = 'campaignNarrator001';

let stack: Stack;
let db: pg.Pool;
let dataDir: string;
let elevenlabs: FakeElevenLabs;

describe('voice profiles through real n8n', { timeout: 30 * 60_000 }, () => {
	beforeAll(async () => {
		await ensureInstalled(() => {});
		await buildPackage(() => {});
		dataDir = await mkdtemp(join(tmpdir(), 'reelsmith-profiles-e2e-'));
		elevenlabs = await new FakeElevenLabs().start();
		elevenlabs.voices = [NARRATOR, ALICE, CAMPAIGN_NARRATOR, '21m00Tcm4TlvDq8ikWAM'].map((id, index) => ({ voice_id: id, name: `Voice ${index}` }));
		stack = await startStack({
			dataDir,
			n8nPort: await freePort(),
			providerKeys: { elevenlabs: { apiKey: elevenlabs.apiKey, baseUrl: elevenlabs.url } },
		});
		db = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
	});

	afterAll(async () => {
		await db?.end();
		await stack?.stop();
		await elevenlabs?.stop();
		if (dataDir) await rm(dataDir, { recursive: true, force: true });
	});

	test("the run's narrator and the cast character's settings reach ElevenLabs; the campaign's narrator fills in; an unknown voice is a 400", async () => {
		const { rows } = await db.query('insert into campaigns (name) values ($1) returning id', [CAMPAIGN]);
		const checked = validateCast(
			{
				characters: [{ name: 'Alice', voice: { provider: 'elevenlabs', voice: ALICE, settings: { stability: 0.11, style: 0.66 } } }],
				narrator: { provider: 'elevenlabs', voice: CAMPAIGN_NARRATOR, settings: { stability: 0.5 } },
			},
			rows[0].id,
		);
		assert.ok(checked.ok, JSON.stringify(checked));
		await saveCast(db, rows[0].id, checked.cast, 'e2e');
		const script = await readFile(join(FIXTURES, 'three-scenes.fountain'), 'utf8');
		const request = { script, campaign: CAMPAIGN, preset: 'square', iterations: 1, speech: ['elevenlabs'], video: 'local', narrateAction: 'always' };

		const unknown = await postWebhook(stack, 'reelsmith/runs', { ...request, narrator: { provider: 'elevenlabs', voice: 'narratorVoice000009' } });
		assert.equal(unknown.status, 400, JSON.stringify(unknown.json));
		assert.equal(unknown.json.field, 'narrator.voice');
		assert.match(String(unknown.json.message), /a close one such as narratorVoice000001/);

		const answer = await postWebhook(stack, 'reelsmith/runs', {
			...request,
			narrator: { provider: 'elevenlabs', voice: NARRATOR, settings: { stability: 0.93, similarity: 0.21 } },
		});
		assert.equal(answer.status, 202, JSON.stringify(answer.json));
		const run = await waitForRun(db, String(answer.json.runId), (row) => row.status === 'completed' || row.status === 'failed');
		assert.equal(run.status, 'completed', `run failed: ${run.error}`);

		const settingsOf = (voice: string) =>
			elevenlabs
				.speechRequests()
				.filter((spoken) => spoken.voice === voice)
				.map((spoken) => spoken.body?.voice_settings as Record<string, unknown>);
		const narration = settingsOf(NARRATOR);
		assert.ok(narration.length >= 2, 'the narrator read the action of each scene');
		assert.ok(
			narration.every((settings) => settings.stability === 0.93 && settings.similarity_boost === 0.21),
			JSON.stringify(narration),
		);
		const alice = settingsOf(ALICE);
		assert.ok(alice.length >= 2, "Alice's lines were spoken with her cast voice");
		assert.ok(
			alice.every((settings) => settings.stability === 0.11 && settings.style === 0.66),
			JSON.stringify(alice),
		);
		assert.equal(settingsOf(CAMPAIGN_NARRATOR).length, 0, "the request's narrator won over the campaign's");

		// No narrator in the request: the campaign's is the run's (checked on the queued run; it need not be made).
		const second = await postWebhook(stack, 'reelsmith/runs', { ...request, approval: true });
		assert.equal(second.status, 202, JSON.stringify(second.json));
		const queued = (await db.query('select options from runs where id = $1', [second.json.runId])).rows[0];
		assert.deepEqual(queued.options.narrator, {
			provider: 'elevenlabs',
			voice: CAMPAIGN_NARRATOR,
			settings: { stability: 0.5 },
		});
	});
});
