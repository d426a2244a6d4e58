import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import google from '../../nodes/TextToSpeech/data/google.json';
import voices from '../../nodes/TextToSpeech/data/voices.json';
import { speechCostUsd } from '../../nodes/shared/prices';
import { TextToSpeech } from '../../nodes/TextToSpeech/TextToSpeech.node';
import { useStore } from '../campaign/fixture';
import { executeContext, type Parameter } from '../video-generation/context';
import { makeScene } from '../video-generation/scenes';
import { ChaosProxy } from '../fakes/chaos';
import { SECONDS_PER_CHARACTER } from '../fakes/elevenlabs';
import { elevenLabsCredential, googleCredential, SYNTHESIZE_SCENE, useSpeechFakes } from '../speech-providers/support';

/**
 * Provider choice: 'auto', fallbacks, unconfigured providers skipped with a note, a provider that is down
 * after its retries handing the scene to the next; `provider`, `attempts` and `cost` on the item; word timings on
 * the scene clock; the budget and cost ledger with the optional Reelsmith Postgres credential.
 */
const store = useStore();
const { elevenlabs: eleven, google: googleFake } = useSpeechFakes();

type Credentials = Partial<Record<'elevenlabs' | 'google' | 'postgres', IDataObject>>;

/** The n8n context with only the credentials given attached to the node (S3 always). */
function context(items: IDataObject[], parameters: Record<string, Parameter>, credentials: Credentials): IExecuteFunctions {
	const attached: Record<string, IDataObject> = {};
	if (credentials.elevenlabs) attached.reelsmithElevenLabsApi = credentials.elevenlabs;
	if (credentials.google) attached.reelsmithGoogleTtsApi = credentials.google;
	if (credentials.postgres) attached.reelsmithPostgresApi = credentials.postgres;
	return executeContext({
		items,
		parameters: { ...SYNTHESIZE_SCENE, ...parameters },
		s3: store.s3,
		nodeName: 'Text to Speech',
		credentials: attached,
		attached: Object.keys(attached),
	});
}

function sceneItem(scene: IDataObject, extra: IDataObject = {}): IDataObject {
	return {
		runId: 'run-choice',
		sceneNumber: 1,
		scene: makeScene({ number: 1, ...scene }) as unknown as IDataObject,
		characters: [{ name: 'ALICE' }, { name: 'BOB' }],
		options: { voiceMap: {} },
		...extra,
	};
}

const scene = { narration: 'Night falls.', dialogue: [{ speaker: 'ALICE', text: 'Who is there?' }] };
const SPOKEN_CHARACTERS = 'Night falls.'.length + 'Who is there?'.length;

async function voice(items: IDataObject[], parameters: Record<string, Parameter>, credentials: Credentials): Promise<INodeExecutionData[]> {
	const [output] = await new TextToSpeech().execute.call(context(items, parameters, credentials));
	return output;
}

interface Word {
	text: string;
	start: number;
	end: number;
}
interface Narration {
	lines: Array<{ speaker: string; text: string; voice: string; start: number; end: number; words?: Word[] }>;
}

/** 503 until the retries are spent (Retry-After 0 keeps the test fast). */
const busy = (times: number) =>
	Array.from({ length: times }, () => ({
		status: 503,
		headers: { 'retry-after': '0' },
		body: { detail: { status: 'system_busy', message: 'The system is busy.' } },
	}));

describe('provider choice', () => {
	test("'auto' picks ElevenLabs when it is configured; the item says who served and what it cost", async () => {
		const [item] = await voice(
			[sceneItem(scene)],
			{ provider: 'auto' },
			{ elevenlabs: elevenLabsCredential(eleven), google: googleCredential(googleFake) },
		);
		assert.equal(item.json.provider, 'elevenlabs');
		assert.deepEqual(item.json.attempts, [{ provider: 'elevenlabs', outcome: 'served' }]);
		assert.deepEqual(item.json.cost, {
			provider: 'elevenlabs',
			model: 'eleven_flash_v2_5',
			units: SPOKEN_CHARACTERS,
			unit: 'character',
			// Flash v2.5 at $0.09 per 1,000 characters (prices.json): 25 × 0.00009
			amountUsd: 0.00225,
		});
		assert.equal(eleven.speechRequests().length, 2);
		assert.equal(googleFake.synthesizeRequests().length, 0);
	});

	test("a line whose audio came back cut short is asked for again, and the item's cost counts both answers", async () => {
		// The dice, fixed: the first answer (the narration) is cut short, every later one is whole.
		const rolls = [0.1];
		Object.assign(eleven.knobs, { truncatedShare: 0.5, random: () => rolls.shift() ?? 0.99 });
		try {
			const [item] = await voice([sceneItem(scene)], { provider: 'elevenlabs' }, { elevenlabs: elevenLabsCredential(eleven) });
			assert.equal(eleven.audioFaults.truncated, 1);
			assert.equal(eleven.speechRequests().length, 3, 'two lines, the narration twice');
			const billed = SPOKEN_CHARACTERS + 'Night falls.'.length;
			assert.deepEqual(item.json.cost, { provider: 'elevenlabs', model: 'eleven_flash_v2_5', units: billed, unit: 'character', amountUsd: 0.00333 });
		} finally {
			eleven.reset();
		}
	});

	test("'auto' without any speech credential skips ElevenLabs and Google with a note, and espeak-ng speaks for free", async () => {
		const [item] = await voice([sceneItem(scene)], { provider: 'auto' }, { google: { apiKey: '  ', baseUrl: googleFake.url } });
		assert.equal(item.json.provider, 'espeak');
		assert.deepEqual(item.json.attempts, [
			{ provider: 'elevenlabs', outcome: 'skipped', message: 'ElevenLabs is not configured: add its credential (with an API key) to the node' },
			{
				provider: 'google',
				outcome: 'skipped',
				message: 'Google Cloud Text-to-Speech is not configured: add its credential (with an API key) to the node; its API key is empty',
			},
			{ provider: 'espeak', outcome: 'served' },
		]);
		assert.deepEqual(item.json.cost, { provider: 'espeak', model: 'espeak-ng', units: SPOKEN_CHARACTERS, unit: 'character', amountUsd: 0 });
		const narration = item.json.narration as unknown as Narration;
		assert.deepEqual(
			narration.lines.map((line) => line.voice),
			[voices.espeak.narrator, voices.espeak.characterVoices[0]],
		);
		assert.equal(eleven.requests.length + googleFake.requests.length, 0);
	});

	test('ElevenLabs down after its retries: Google voices the whole scene with its own voices and per-provider map', async () => {
		eleven.script(...busy(4));
		const [item] = await voice(
			[sceneItem(scene, { options: { voiceMap: { ALICE: 'customAliceVoice1', google: { ALICE: 'en-GB-Neural2-A' } } } })],
			{ provider: 'elevenlabs', fallbackProviders: ['google', 'espeak'] },
			{ elevenlabs: elevenLabsCredential(eleven), google: googleCredential(googleFake) },
		);
		assert.equal(item.json.provider, 'google');
		const attempts = item.json.attempts as IDataObject[];
		assert.deepEqual(
			attempts.map(({ provider, outcome }) => ({ provider, outcome })),
			[
				{ provider: 'elevenlabs', outcome: 'down' },
				{ provider: 'google', outcome: 'served' },
			],
		);
		assert.match(String(attempts[0].message), /^could not voice narration line 1: ElevenLabs is busy .*gave up after 4 attempts/);
		assert.equal(eleven.speechRequests().length, 4, 'the retries, then no more');
		const narration = item.json.narration as unknown as Narration;
		// The plain map entry is an ElevenLabs voice: Google uses its own map entry and its own narrator.
		assert.deepEqual(
			narration.lines.map((line) => line.voice),
			[google.narrator, 'en-GB-Neural2-A'],
		);
		assert.deepEqual(
			googleFake.synthesizeRequests().map((request) => request.body?.voice?.name),
			[google.narrator, 'en-GB-Neural2-A'],
		);
		assert.equal((item.json.cost as IDataObject).provider, 'google');
		assert.equal(narration.lines[0].words, undefined, 'Google gives no alignment');
	});

	test('a refused ElevenLabs key fails the scene at once: no fallback to Google', async () => {
		await assert.rejects(
			voice(
				[sceneItem(scene)],
				{ provider: 'elevenlabs', fallbackProviders: ['google'] },
				{ elevenlabs: { ...elevenLabsCredential(eleven), apiKey: 'wrong' }, google: googleCredential(googleFake) },
			),
			(error: Error) => {
				assert.match(error.message, /^Scene 1: could not voice narration line 1: ElevenLabs rejected the API key/);
				return true;
			},
		);
		assert.equal(eleven.speechRequests().length, 1);
		assert.equal(googleFake.synthesizeRequests().length, 0);
	});

	test('the only provider chosen is not configured: the message says what to add', async () => {
		await assert.rejects(voice([sceneItem(scene)], { provider: 'elevenlabs' }, {}), (error: Error) => {
			assert.equal(
				error.message,
				'Scene 1: ElevenLabs is not configured: add its credential (with an API key) to the node, or choose another provider.',
			);
			return true;
		});
	});

	test('every provider down: the error names the last failure and what each provider did', async () => {
		eleven.script(...busy(4));
		googleFake.script(
			...Array.from({ length: 5 }, () => ({
				status: 503,
				headers: { 'retry-after': '0' },
				body: { error: { code: 503, message: 'Unavailable', status: 'UNAVAILABLE' } },
			})),
		);
		await assert.rejects(
			voice(
				[sceneItem(scene)],
				{ provider: 'elevenlabs', fallbackProviders: ['google'] },
				{ elevenlabs: elevenLabsCredential(eleven), google: googleCredential(googleFake) },
			),
			(error: Error) => {
				assert.match(
					error.message,
					/^Scene 1: no speech provider could serve\. could not voice narration line 1: Google Text-to-Speech is over its quota or failing \(HTTP 503\)/,
				);
				assert.match(error.message, /Tried elevenlabs: down \(.*\); google: down \(/);
				return true;
			},
		);
	});

	test('an unknown fallback provider is an error naming the field', async () => {
		await assert.rejects(
			voice([sceneItem(scene)], { provider: 'espeak', fallbackProviders: ['polly'] }, {}),
			/"Fallback Providers" has an unknown speech provider "polly"/,
		);
	});

	test('Synthesize (one text) falls back the same way and reports provider and cost', async () => {
		eleven.script(...busy(4));
		const [item] = await voice(
			[{ text: 'A single sentence.' }],
			{
				operation: 'synthesize',
				provider: 'auto',
				text: (json: IDataObject) => json.text,
				voice: '',
				outputKey: 'runs/single/fallback.wav',
				options: {},
			},
			{ elevenlabs: elevenLabsCredential(eleven), google: googleCredential(googleFake) },
		);
		assert.equal(item.json.provider, 'google');
		assert.equal((item.json.audio as IDataObject).voice, google.narrator);
		assert.deepEqual(item.json.cost, {
			provider: 'google',
			model: google.narrator,
			units: 18,
			unit: 'character',
			amountUsd: speechCostUsd('google', google.narrator, 18),
		});
	});
});

describe('word timings on the scene clock', () => {
	test("each line's words are the ElevenLabs alignment moved to the line's place in the scene track", async () => {
		const [item] = await voice([sceneItem(scene)], { provider: 'elevenlabs' }, { elevenlabs: elevenLabsCredential(eleven) });
		const narration = item.json.narration as unknown as Narration;
		for (const line of narration.lines) {
			// The fake aligns character i of the text at [i, i + 1] × 0.06 s from the start of the line's audio.
			const expected: Word[] = [];
			let index = 0;
			for (const text of line.text.split(' ')) {
				const round = (seconds: number) => Math.round((line.start + seconds) * 1000) / 1000;
				expected.push({ text, start: round(index * SECONDS_PER_CHARACTER), end: round((index + text.length) * SECONDS_PER_CHARACTER) });
				index += text.length + 1;
			}
			assert.deepEqual(line.words, expected, line.text);
		}
		assert.equal(narration.lines[0].words![0].start, 0.2, 'the first word starts after the 0.2 s lead-in');
	});
});

describe('budget and costs with the Reelsmith Postgres credential', () => {
	async function newRun(budget: number | null): Promise<string> {
		const campaign = await store.db.query<{ id: string }>(`insert into campaigns (name) values ($1) returning id`, [
			`speech ${Math.random().toString(36).slice(2, 8)}`,
		]);
		const run = await store.db.query<{ id: string }>(
			`insert into runs (campaign_id, request, options, budget_usd, status) values ($1, '{}', '{}', $2, 'running') returning id`,
			[campaign.rows[0].id, budget],
		);
		return run.rows[0].id;
	}
	const costRows = async (runId: string) =>
		(
			await store.db.query(
				`select provider, model, units::float as units, unit, amount_usd::float as "amountUsd", purpose, scene_number as "sceneNumber"
				from costs where run_id = $1 order by created_at`,
				[runId],
			)
		).rows;

	test('one cost row per paid line, with characters as units and speech as the purpose', async () => {
		const runId = await newRun(1);
		const [item] = await voice(
			[sceneItem(scene, { runId, sceneNumber: 2 })],
			{ provider: 'elevenlabs' },
			{ elevenlabs: elevenLabsCredential(eleven), postgres: store.credentials.reelsmithPostgresApi },
		);
		const rows = await costRows(runId);
		assert.deepEqual(rows, [
			{
				provider: 'elevenlabs',
				model: 'eleven_flash_v2_5',
				units: 12,
				unit: 'character',
				amountUsd: speechCostUsd('elevenlabs', 'eleven_flash_v2_5', 12),
				purpose: 'speech',
				sceneNumber: 2,
			},
			{
				provider: 'elevenlabs',
				model: 'eleven_flash_v2_5',
				units: 13,
				unit: 'character',
				amountUsd: speechCostUsd('elevenlabs', 'eleven_flash_v2_5', 13),
				purpose: 'speech',
				sceneNumber: 2,
			},
		]);
		const recorded = rows.reduce((sum, row) => sum + row.amountUsd, 0);
		assert.ok(Math.abs(recorded - Number((item.json.cost as IDataObject).amountUsd)) < 1e-9);
	});

	/** Characters on the run's speech cost lines of one provider: what the ledger says was paid. */
	const costedCharacters = async (runId: string, provider: string) =>
		(await costRows(runId)).filter((row) => row.provider === provider).reduce((sum, row) => sum + row.units, 0);

	test('audio broken twice: the line fails, and its cost line still counts both answers ElevenLabs billed', async () => {
		const runId = await newRun(1);
		eleven.reset();
		Object.assign(eleven.knobs, { invalidShare: 1, random: () => 0 });
		try {
			await assert.rejects(
				voice(
					[sceneItem(scene, { runId })],
					{ provider: 'elevenlabs' },
					{ elevenlabs: elevenLabsCredential(eleven), postgres: store.credentials.reelsmithPostgresApi },
				),
				/narration line 1: ElevenLabs returned audio that is not a readable MP3 .*broken twice/,
			);
			assert.deepEqual(eleven.billed, { answers: 2, characters: 2 * 'Night falls.'.length });
			const rows = await costRows(runId);
			assert.deepEqual(
				rows.map((row) => [row.provider, row.units, row.purpose]),
				[['elevenlabs', 2 * 'Night falls.'.length, 'speech']],
			);
			assert.equal(rows[0].amountUsd, speechCostUsd('elevenlabs', 'eleven_flash_v2_5', 24));
		} finally {
			eleven.reset();
		}
	});

	test('an ElevenLabs answer cut off on the way is asked again: the cost lines count both answers, as ElevenLabs billed', async () => {
		const runId = await newRun(1);
		eleven.reset();
		const proxy = await new ChaosProxy(eleven.url, { errorRate: 0, seed: 1 }).start();
		try {
			// The first answer (the narration) arrives as 200 with half its body, then the connection drops.
			proxy.script('truncated');
			const [item] = await voice(
				[sceneItem(scene, { runId })],
				{ provider: 'elevenlabs' },
				{ elevenlabs: { ...elevenLabsCredential(eleven), baseUrl: proxy.url }, postgres: store.credentials.reelsmithPostgresApi },
			);
			assert.equal(proxy.faults.truncated, 1);
			assert.deepEqual(eleven.billed, { answers: 3, characters: SPOKEN_CHARACTERS + 'Night falls.'.length });
			assert.equal(await costedCharacters(runId, 'elevenlabs'), eleven.billed.characters);
			assert.equal((item.json.cost as IDataObject).units, eleven.billed.characters);
		} finally {
			await proxy.stop();
			eleven.reset();
		}
	});

	test('Google answers cut off on every try: the line fails, and its cost line counts every answer Google billed', async () => {
		const runId = await newRun(1);
		googleFake.reset();
		const proxy = await new ChaosProxy(googleFake.url, { errorRate: 0, seed: 1 }).start();
		try {
			proxy.script(...Array.from({ length: 4 }, () => 'truncated' as const));
			await assert.rejects(
				voice(
					[sceneItem(scene, { runId })],
					{ provider: 'google' },
					{ google: { ...googleCredential(googleFake), baseUrl: proxy.url }, postgres: store.credentials.reelsmithPostgresApi },
				),
				/narration line 1: Google Text-to-Speech's answer \(HTTP 200\) broke off on the way .*gave up after 4 attempts/,
			);
			assert.deepEqual(googleFake.billed, { answers: 4, characters: 4 * 'Night falls.'.length });
			assert.equal(await costedCharacters(runId, 'google'), googleFake.billed.characters);
		} finally {
			await proxy.stop();
			googleFake.reset();
		}
	});

	test('a budget that is used up stops the scene before the first speech call, with the budget message', async () => {
		const runId = await newRun(0);
		await assert.rejects(
			voice(
				[sceneItem(scene, { runId })],
				{ provider: 'elevenlabs', fallbackProviders: ['google'] },
				{ elevenlabs: elevenLabsCredential(eleven), google: googleCredential(googleFake), postgres: store.credentials.reelsmithPostgresApi },
			),
			(error: Error) => {
				assert.match(
					error.message,
					/^Budget stop: Scene 1: narration line 1 \(ElevenLabs\) would cost about \$0\.00, and the run has spent \$0\.00 of its \$0\.00 budget \(no estimate yet\)\. Raise the run's budget/,
				);
				return true;
			},
		);
		assert.equal(eleven.speechRequests().length, 0, 'zero calls to ElevenLabs');
		assert.equal(googleFake.synthesizeRequests().length, 0, 'and no fallback: a budget stop is not an outage');
		assert.deepEqual(await costRows(runId), []);
	});

	test('espeak-ng is free: a run with no budget left still gets offline speech, and nothing is recorded', async () => {
		const runId = await newRun(0);
		const [item] = await voice([sceneItem(scene, { runId })], { provider: 'espeak' }, { postgres: store.credentials.reelsmithPostgresApi });
		assert.equal(item.json.provider, 'espeak');
		assert.deepEqual(await costRows(runId), []);
	});
});

describe('the order of providers', () => {
	test("'auto' expands to the data file's order; fallbacks follow once each; lists may come as text", async () => {
		const { speechOrder } = await import('../../nodes/TextToSpeech/lib/providerChoice');
		assert.deepEqual(speechOrder('auto', []), ['elevenlabs', 'google', 'espeak']);
		assert.deepEqual(speechOrder('google', ['espeak', 'google']), ['google', 'espeak']);
		assert.deepEqual(speechOrder('elevenlabs', '["google", "espeak"]'), ['elevenlabs', 'google', 'espeak']);
		assert.deepEqual(speechOrder('elevenlabs', 'google, espeak'), ['elevenlabs', 'google', 'espeak']);
		assert.deepEqual(speechOrder('', undefined), ['espeak'], 'an empty Provider keeps the offline default');
		assert.throws(() => speechOrder('polly', []), /"Provider" has an unknown speech provider "polly"/);
	});
});
