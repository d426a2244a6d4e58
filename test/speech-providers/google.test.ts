import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import { googleProvider, languageOf, splitByBytes } from '../../nodes/TextToSpeech/providers/google';
import { readWav } from '../../nodes/TextToSpeech/lib/wav';
import { meanVolume } from '../video-generation/context';
import { FakeGoogleTts, MAX_INPUT_BYTES, SECONDS_PER_BYTE } from '../fakes/google-tts';
import { rejection } from '../helpers/rejection';
import { useWorkDir } from '../helpers/work-dir';

const work = useWorkDir('reelsmith-google-tts-');
let fake: FakeGoogleTts;
beforeAll(async () => {
	fake = await new FakeGoogleTts().start();
});
afterAll(() => fake?.stop());
beforeEach(() => {
	fake.requests.length = 0;
});

const speech = (apiKey = fake.apiKey) =>
	googleProvider.create({ credentials: { apiKey, baseUrl: fake.url }, retry: { baseDelayMs: 20, attempts: 4 } });

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const words = (text: string) => text.split(/\s+/).filter(Boolean);

// Hebrew letters are 2 bytes and emoji 4 bytes in UTF-8: these texts have far fewer characters than bytes.
const hebrew = 'שלום עולם, הגשם לא מפסיק לרדת בעיר הזאת. ';
const emoji = 'The storm 🌧️ is coming 🌩️ tonight! ';
const longText = `${hebrew.repeat(90)}${emoji.repeat(60)}${hebrew.repeat(60)}`.trim();

describe('Google TTS: splitting text by UTF-8 bytes', () => {
	test('the long multibyte text has fewer than 5,000 characters per piece but more than 5,000 bytes', () => {
		assert.ok(longText.length < 2 * MAX_INPUT_BYTES);
		assert.ok(bytes(longText) > 2 * MAX_INPUT_BYTES, `${bytes(longText)} bytes`);
	});

	test('pieces stay within the byte limit, end at sentence ends, and keep every word in order', () => {
		const pieces = splitByBytes(longText, MAX_INPUT_BYTES);
		assert.ok(pieces.length >= 3);
		for (const piece of pieces) {
			assert.ok(bytes(piece) <= MAX_INPUT_BYTES, `${bytes(piece)} bytes`);
			assert.match(piece, /[.!]$/, 'pieces end at a sentence end');
		}
		assert.deepEqual(words(pieces.join(' ')), words(longText));
	});

	test('a sentence longer than the limit is cut between words; a word longer than the limit between characters', () => {
		const sentence = Array.from({ length: 40 }, () => 'מילה🙂').join(' ');
		const pieces = splitByBytes(sentence, 100);
		assert.ok(pieces.every((piece) => bytes(piece) <= 100));
		assert.deepEqual(words(pieces.join(' ')), words(sentence));
		const word = '🙂'.repeat(30);
		const cut = splitByBytes(word, 10);
		assert.ok(cut.every((piece) => bytes(piece) <= 10 && !piece.includes('\uFFFD')));
		assert.equal(cut.join(''), word);
	});

	test('voice names carry their language code', () => {
		assert.equal(languageOf('en-GB-Neural2-B'), 'en-GB');
		assert.equal(languageOf('cmn-CN-Wavenet-A'), 'cmn-CN');
	});
});

describe('Google TTS provider: synthesize', () => {
	test('the fake really rejects input over 5,000 bytes (so the splitting below is tested)', async () => {
		const response = await fetch(`${fake.url}/v1/text:synthesize`, {
			method: 'POST',
			headers: { 'X-goog-api-key': fake.apiKey, 'content-type': 'application/json' },
			body: JSON.stringify({ input: { text: longText }, voice: { languageCode: 'he-IL' }, audioConfig: { audioEncoding: 'LINEAR16' } }),
		});
		assert.equal(response.status, 400);
		assert.equal(((await response.json()) as { error: { status: string } }).error.status, 'INVALID_ARGUMENT');
	});

	test('a short line: one request with key header, voice, LINEAR16 at 48 kHz; a clip-ready WAV back', async () => {
		const result = await speech().synthesize({ text: 'Told you so.', voice: 'en-US-Neural2-F', rate: 330, directory: work.path });
		const [request] = fake.synthesizeRequests();
		assert.equal(fake.synthesizeRequests().length, 1);
		assert.equal(request.headers['x-goog-api-key'], fake.apiKey);
		assert.deepEqual(request.body?.voice, { languageCode: 'en-US', name: 'en-US-Neural2-F' });
		assert.deepEqual(request.body?.audioConfig, { audioEncoding: 'LINEAR16', speakingRate: 2, sampleRateHertz: 48000 });
		const pcm = await readWav(result.file!);
		assert.equal(pcm.sampleRate, 48000);
		assert.ok(result.duration >= 0.3);
		assert.ok((await meanVolume(result.file!)) > -40);
	});

	test('long multibyte text: split into several requests of ≤ 5,000 bytes, all spoken and joined in order', async () => {
		const result = await speech().synthesize({ text: longText, voice: 'he-IL-Wavenet-A', directory: work.path });
		const requests = fake.synthesizeRequests();
		assert.ok(requests.length >= 3, `${requests.length} requests`);
		assert.ok(requests.every((request) => request.bytes <= MAX_INPUT_BYTES && request.bytes > 0));
		assert.ok(requests.every((request) => request.body?.voice?.languageCode === 'he-IL'));
		assert.deepEqual(words(requests.map((request) => request.body?.input?.text).join(' ')), words(longText));
		const expected = requests.reduce((sum, request) => sum + Math.max(0.3, request.bytes * SECONDS_PER_BYTE), 0);
		assert.ok(Math.abs(result.duration - expected) < 0.01, `${result.duration} s, expected ${expected} s`);
	});
});

describe('Google TTS provider: speaking rate and pitch', () => {
	test('speakingRate and pitch (semitones) go into audioConfig as asked, over the words-per-minute rate', async () => {
		await speech().synthesize({
			text: 'Slow and low.',
			voice: 'en-US-Neural2-F',
			rate: 330,
			voiceSettings: { speakingRate: 0.8, pitch: -4.5 },
			directory: work.path,
		});
		const [request] = fake.synthesizeRequests();
		assert.deepEqual(request.body?.audioConfig, { audioEncoding: 'LINEAR16', speakingRate: 0.8, pitch: -4.5, sampleRateHertz: 48000 });
	});

	test('out of range, Google answers 400 INVALID_ARGUMENT: no retry, the message says which value', async () => {
		const fast = await rejection(
			speech().synthesize({ text: 'Hello.', voice: 'en-US-Neural2-F', voiceSettings: { speakingRate: 5 }, directory: work.path }),
		);
		assert.match(fast.message, /refused the request for voice "en-US-Neural2-F" \(Google: Invalid value at 'audio_config\.speaking_rate' \(5\)/);
		const high = await rejection(speech().synthesize({ text: 'Hello.', voice: 'en-US-Neural2-F', voiceSettings: { pitch: 21 }, directory: work.path }));
		assert.match(high.message, /audio_config\.pitch' \(21\): must be in the range \[-20\.0, 20\.0\]/);
		assert.equal(fake.synthesizeRequests().length, 2, 'one request each, not retried');
	});
});

describe('Google TTS provider: errors and retries', () => {
	test('403 PERMISSION_DENIED (bad key): one request, no retry, plain message', async () => {
		const error = await rejection(speech('bad').synthesize({ text: 'Hello.', voice: 'en-US-Neural2-F', directory: work.path }));
		assert.equal(fake.synthesizeRequests().length, 1);
		assert.match(error.message, /Google refused the API key \(Google: Requests from this API key are blocked/);
		assert.match(error.message, /Check the key in the Google TTS credential/);
	});

	test("400 INVALID_ARGUMENT: no retry, the message names the voice and Google's reason", async () => {
		fake.script({ status: 400, body: { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'Voice en-US-Nope does not exist.' } } });
		const error = await rejection(speech().synthesize({ text: 'Hello.', voice: 'en-US-Nope', directory: work.path }));
		assert.equal(fake.synthesizeRequests().length, 1);
		assert.match(error.message, /refused the request for voice "en-US-Nope" \(Google: Voice en-US-Nope does not exist\.\)/);
	});

	test('429 RESOURCE_EXHAUSTED and 503 are retried, then the line is spoken', async () => {
		fake.script(
			{ status: 429, headers: { 'retry-after': '0' }, body: { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded.' } } },
			{ status: 503, body: { error: { code: 503, status: 'UNAVAILABLE', message: 'The service is currently unavailable.' } } },
		);
		const result = await speech().synthesize({ text: 'Hello there.', voice: 'en-US-Neural2-F', directory: work.path });
		assert.equal(fake.synthesizeRequests().length, 3);
		assert.ok(result.duration >= 0.3);
	});

	test('429 on every try: gives up after the last one and says so', async () => {
		for (let i = 0; i < 4; i++)
			fake.script({ status: 429, body: { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded.' } } });
		const error = await rejection(speech().synthesize({ text: 'Hello.', voice: 'en-US-Neural2-F', directory: work.path }));
		assert.equal(fake.synthesizeRequests().length, 4);
		assert.match(error.message, /over its quota or failing \(HTTP 429\).*gave up after 4 attempts/);
	});
});

describe('Google TTS provider: broken audio is never a narration', () => {
	const dice =
		(...values: number[]) =>
		() =>
			values.shift() ?? 0.99;
	beforeEach(() => fake.reset());
	afterAll(() => fake.reset());

	test('a WAV cut short (its header promises more than arrived) is asked for once more, and the whole line is spoken', async () => {
		Object.assign(fake.knobs, { truncatedShare: 0.5, random: dice(0.1) });
		const result = await speech().synthesize({ text: 'Hello there, how are you today?', voice: 'en-US-Neural2-F', directory: work.path });
		assert.equal(fake.audioFaults.truncated, 1);
		assert.equal(fake.synthesizeRequests().length, 2);
		const expected = Math.max(0.3, Buffer.byteLength('Hello there, how are you today?') * SECONDS_PER_BYTE);
		assert.ok(Math.abs(result.duration - expected) < 0.01, `${result.duration} s, expected ${expected} s`);
	});

	test('cut short twice: the line fails saying how much arrived', async () => {
		Object.assign(fake.knobs, { truncatedShare: 1 });
		const error = await rejection(speech().synthesize({ text: 'Hello there, how are you today?', voice: 'en-US-Neural2-F', directory: work.path }));
		assert.equal(fake.synthesizeRequests().length, 2);
		assert.match(
			error.message,
			/^Google Text-to-Speech returned broken audio: The audio is cut short: its header promises \d+ bytes of audio, \d+ arrived\..*It came back broken twice; run the scene again\.$/,
		);
	});

	test('no audio at all twice: the line fails saying what came instead', async () => {
		Object.assign(fake.knobs, { invalidShare: 1 });
		const error = await rejection(speech().synthesize({ text: 'Hello.', voice: 'en-US-Neural2-F', directory: work.path }));
		assert.equal(fake.synthesizeRequests().length, 2);
		assert.match(
			error.message,
			/^Google Text-to-Speech returned broken audio: The audio is not a WAV file\. \(42 bytes, starting "<html><body>502 Bad Gate"\)\. It came back broken twice; run the scene again\.$/,
		);
	});
});

describe('Google TTS voices', () => {
	test('listVoices asks for one language with languageCode', async () => {
		const provider = speech() as ReturnType<typeof speech> & { listVoices(language?: string): ReturnType<ReturnType<typeof speech>['listVoices']> };
		const voices = await provider.listVoices('he-IL');
		assert.deepEqual(voices, [{ id: 'he-IL-Wavenet-A', name: 'he-IL-Wavenet-A', language: 'he-IL', gender: 'female', languages: ['he-IL'] }]);
		assert.equal(fake.requests[0].query.get('languageCode'), 'he-IL');
		assert.equal((await speech().listVoices()).length, 3);
	});
});
