import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import type { ILoadOptionsFunctions } from 'n8n-workflow';
import data from '../../nodes/TextToSpeech/data/elevenlabs.json';
import { elevenLabsProvider } from '../../nodes/TextToSpeech/providers/elevenlabs';
import { readWav, pcmDuration } from '../../nodes/TextToSpeech/lib/wav';
import { TextToSpeech } from '../../nodes/TextToSpeech/TextToSpeech.node';
import { meanVolume } from '../video-generation/context';
import { FakeElevenLabs, SECONDS_PER_CHARACTER } from '../fakes/elevenlabs';
import { rejection } from '../helpers/rejection';
import { useWorkDir } from '../helpers/work-dir';

const work = useWorkDir('reelsmith-elevenlabs-');
let fake: FakeElevenLabs;
beforeAll(async () => {
	fake = await new FakeElevenLabs().start();
});
afterAll(() => fake?.stop());
beforeEach(() => {
	fake.requests.length = 0;
	fake.knownVoices = undefined;
});

const speech = (apiKey = fake.apiKey) =>
	elevenLabsProvider.create({ credentials: { apiKey, baseUrl: `${fake.url}/` }, retry: { baseDelayMs: 20, attempts: 4 } });

describe('ElevenLabs provider: synthesize', () => {
	test('speaks the text with the requested voice and model; the audio is a clip WAV as long as the speech', async () => {
		const text = 'The rain never stops here.';
		const result = await speech().synthesize({ text, voice: 'pNInz6obpgDQGcFmaJgB', directory: work.path });
		const [request] = fake.speechRequests();
		assert.equal(fake.speechRequests().length, 1);
		assert.equal(request.voice, 'pNInz6obpgDQGcFmaJgB');
		assert.equal(request.query.get('output_format'), data.outputFormat);
		assert.equal(request.headers['xi-api-key'], fake.apiKey);
		assert.equal(request.body?.text, text);
		assert.equal(request.body?.model_id, data.model);
		assert.equal(typeof request.body?.seed, 'number');
		assert.equal((request.body?.voice_settings as { stability?: number }).stability, data.voiceSettings.stability);

		const pcm = await readWav(result.file!);
		assert.equal(pcm.sampleRate, 48000);
		assert.equal(pcm.channels, 2);
		const expected = text.length * SECONDS_PER_CHARACTER;
		assert.ok(Math.abs(result.duration - expected) < 0.1, `${result.duration} s, expected about ${expected} s`);
		assert.ok(Math.abs(pcmDuration(pcm) - result.duration) < 1e-9);
		assert.ok((await meanVolume(result.file!)) > -40, 'the audio is not silent');
	});

	test('word timings come from the character alignment', async () => {
		const result = await speech().synthesize({ text: 'Open the door.', voice: 'pNInz6obpgDQGcFmaJgB', directory: work.path });
		assert.deepEqual(
			result.words?.map((word) => word.text),
			['Open', 'the', 'door.'],
		);
		const [open, the] = result.words!;
		assert.equal(open.start, 0);
		assert.ok(Math.abs(open.end - 4 * SECONDS_PER_CHARACTER) < 0.002);
		assert.ok(Math.abs(the.start - 5 * SECONDS_PER_CHARACTER) < 0.002);
	});

	test('a rate becomes voice_settings.speed (clamped to 0.7–1.2)', async () => {
		await speech().synthesize({ text: 'Faster.', voice: 'pNInz6obpgDQGcFmaJgB', rate: 450, directory: work.path });
		assert.equal((fake.speechRequests()[0].body?.voice_settings as { speed?: number }).speed, 1.2);
	});
});

describe('ElevenLabs provider: errors and retries', () => {
	test('429 too_many_concurrent_requests with Retry-After: waits that long, then succeeds on the second request', async () => {
		fake.script({
			status: 429,
			headers: { 'retry-after': '1' },
			body: { detail: { status: 'too_many_concurrent_requests', message: 'Too many concurrent requests.' } },
		});
		const started = Date.now();
		const result = await speech().synthesize({ text: 'Again.', voice: 'pNInz6obpgDQGcFmaJgB', directory: work.path });
		assert.equal(fake.speechRequests().length, 2, 'one retry');
		assert.ok(Date.now() - started >= 950, 'Retry-After (1 s) was honoured');
		assert.ok(result.duration > 0.3);
	});

	test('5xx and system_busy are retried with backoff until the service answers', async () => {
		fake.script(
			{ status: 503, body: { detail: { status: 'system_busy', message: 'The system is busy.' } } },
			{ status: 500, body: 'Internal Server Error' },
		);
		const result = await speech().synthesize({ text: 'Third time lucky.', voice: 'pNInz6obpgDQGcFmaJgB', directory: work.path });
		assert.equal(fake.speechRequests().length, 3);
		assert.ok(result.duration > 0.5);
	});

	test('gives up after the last try and says so', async () => {
		for (let i = 0; i < 4; i++) fake.script({ status: 503, body: { detail: { status: 'system_busy', message: 'busy' } } });
		const error = await rejection(speech().synthesize({ text: 'Hello.', voice: 'pNInz6obpgDQGcFmaJgB', directory: work.path }));
		assert.equal(fake.speechRequests().length, 4);
		assert.match(error.message, /ElevenLabs is busy.*gave up after 4 attempts/);
	});

	test('401 invalid_api_key: one request, no retry, the message names the credential', async () => {
		const error = await rejection(speech('wrong-key').synthesize({ text: 'Hello.', voice: 'pNInz6obpgDQGcFmaJgB', directory: work.path }));
		assert.equal(fake.speechRequests().length, 1);
		assert.match(error.message, /ElevenLabs rejected the API key \(ElevenLabs: Invalid API key\)\. Check the API key in the ElevenLabs credential\./);
	});

	test('quota_exceeded: no retry, plain message', async () => {
		fake.script({ status: 401, body: { detail: { status: 'quota_exceeded', message: 'You have 3 credits remaining.' } } });
		const error = await rejection(speech().synthesize({ text: 'Hello.', voice: 'pNInz6obpgDQGcFmaJgB', directory: work.path }));
		assert.equal(fake.speechRequests().length, 1);
		assert.match(error.message, /character quota is used up/);
	});

	test('voice_not_found: no retry, the message names the voice', async () => {
		fake.knownVoices = new Set(['pNInz6obpgDQGcFmaJgB']);
		const error = await rejection(speech().synthesize({ text: 'Hello.', voice: 'noSuchVoice123', directory: work.path }));
		assert.equal(fake.speechRequests().length, 1);
		assert.match(error.message, /ElevenLabs has no voice "noSuchVoice123"/);
	});

	test('422 validation error: no retry, the validation text is shown', async () => {
		fake.script({ status: 422, body: { detail: [{ loc: ['body', 'model_id'], msg: 'Invalid model id', type: 'value_error' }] } });
		const error = await rejection(speech().synthesize({ text: 'Hello.', voice: 'pNInz6obpgDQGcFmaJgB', directory: work.path }));
		assert.equal(fake.speechRequests().length, 1);
		assert.match(error.message, /refused the request as invalid \(ElevenLabs: Invalid model id\)/);
	});

	test('a voice ID that cannot be one (e.g. an espeak voice) fails before any request', async () => {
		const error = await rejection(speech().synthesize({ text: 'Hello.', voice: 'en-gb+m3', directory: work.path }));
		assert.equal(fake.requests.length, 0);
		assert.match(error.message, /"en-gb\+m3" is not an ElevenLabs voice ID/);
	});

	test('a credential without a key fails with a plain message', () => {
		assert.throws(() => elevenLabsProvider.create({ credentials: { baseUrl: fake.url } }), /credential has no API key/);
	});
});

describe('ElevenLabs provider: broken audio is never a narration', () => {
	/** The fake's dice, fixed: each answer takes the next value (below a share = that fault). */
	const dice =
		(...values: number[]) =>
		() =>
			values.shift() ?? 0.99;
	beforeEach(() => fake.reset());
	afterAll(() => fake.reset());

	test('audio cut short (its timings run on past it) is asked for once more, and the whole line is spoken', async () => {
		Object.assign(fake.knobs, { truncatedShare: 0.5, random: dice(0.1) });
		const text = 'The rain never stops here, not for one day.';
		const result = await speech().synthesize({ text, voice: 'pNInz6obpgDQGcFmaJgB', directory: work.path });
		assert.equal(fake.audioFaults.truncated, 1, 'the first answer was cut short');
		assert.equal(fake.speechRequests().length, 2);
		const expected = text.length * SECONDS_PER_CHARACTER;
		assert.ok(Math.abs(result.duration - expected) < 0.1, `${result.duration} s, expected about ${expected} s`);
	});

	test('audio cut short twice: the line fails, saying how much of it arrived', async () => {
		Object.assign(fake.knobs, { truncatedShare: 1 });
		const error = await rejection(
			speech().synthesize({ text: 'The rain never stops here, not for one day.', voice: 'pNInz6obpgDQGcFmaJgB', directory: work.path }),
		);
		assert.equal(fake.speechRequests().length, 2);
		assert.match(
			error.message,
			/^ElevenLabs returned audio cut short: \d\.\d\d s of the 2\.\d\d s its timings cover .*It came back broken twice; run the scene again\.$/,
		);
	});

	test('an answer that is no audio at all (a gateway page) twice: the line fails saying what came instead', async () => {
		Object.assign(fake.knobs, { invalidShare: 1 });
		const error = await rejection(speech().synthesize({ text: 'Open the door.', voice: 'pNInz6obpgDQGcFmaJgB', directory: work.path }));
		assert.equal(fake.speechRequests().length, 2);
		assert.match(
			error.message,
			/^ElevenLabs returned audio that is not a readable MP3 \(42 bytes, starting "<html><body>502 Bad Gate"\)\. It came back broken twice/,
		);
	});
});

describe('ElevenLabs voices', () => {
	beforeAll(() => {
		fake.voices = Array.from({ length: 230 }, (_v, index) => ({
			voice_id: `voice${String(index).padStart(3, '0')}`,
			name: index === 7 ? 'Grandpa Spuds' : `Voice ${index}`,
			labels: { gender: index % 2 ? 'male' : 'female', language: 'en' },
		}));
	});

	test('listVoices follows next_page_token through every page (page_size=100)', async () => {
		const voices = await speech().listVoices();
		assert.equal(voices.length, 230);
		assert.equal(voices[229].id, 'voice229');
		const pages = fake.requests.filter((request) => request.path === '/v2/voices');
		assert.deepEqual(
			pages.map((request) => [request.query.get('page_size'), request.query.get('next_page_token')]),
			[
				['100', null],
				['100', '100'],
				['100', '200'],
			],
		);
	});

	test('the node voice search returns one page and a pagination token for the next', async () => {
		const context = {
			getCurrentNodeParameter: (name: string) => (name === 'provider' ? 'elevenlabs' : undefined),
			getCredentials: async (name: string) => {
				assert.equal(name, 'reelsmithElevenLabsApi');
				return { apiKey: fake.apiKey, baseUrl: fake.url };
			},
		} as unknown as ILoadOptionsFunctions;
		const node = new TextToSpeech();
		const first = await node.methods.listSearch.searchVoices.call(context);
		assert.equal(first.results.length, 100);
		assert.equal(first.paginationToken, '100');
		const last = await node.methods.listSearch.searchVoices.call(context, undefined, '200');
		assert.equal(last.results.length, 30);
		assert.equal(last.paginationToken, undefined);
		const found = await node.methods.listSearch.searchVoices.call(context, 'spuds');
		assert.deepEqual(found.results, [{ name: 'Grandpa Spuds (voice007)', value: 'voice007' }]);

		const options = await node.methods.loadOptions.getVoices.call(context);
		assert.equal(options.length, 231, 'provider default + every voice of every page');
		assert.equal(options[0].value, '');
	});
});
