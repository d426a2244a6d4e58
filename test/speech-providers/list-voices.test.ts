import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import type { IDataObject } from 'n8n-workflow';
import { TextToSpeech } from '../../nodes/TextToSpeech/TextToSpeech.node';
import type { VoiceChoice } from '../../nodes/TextToSpeech/lib/voiceList';
import type { FakeVoice } from '../fakes/elevenlabs';
import { useS3 } from '../helpers/s3';
import { executeContext, type Parameter } from '../video-generation/context';
import { elevenLabsCredential, googleCredential, useSpeechFakes } from './support';

const s3 = useS3();
const fakes = useSpeechFakes();

/** Voices as GET /v2/voices answers them: verified_languages on new voices, labels.language on older ones. */
const ELEVENLABS_VOICES: FakeVoice[] = [
	{
		voice_id: '21m00Tcm4TlvDq8ikWAM',
		name: 'Rachel',
		labels: { accent: 'american', gender: 'female' },
		verified_languages: [{ language: 'en', model_id: 'eleven_multilingual_v2', accent: 'american', locale: 'en-US' }],
	},
	{ voice_id: 'pNInz6obpgDQGcFmaJgB', name: 'Adam', labels: { accent: 'american', gender: 'male', language: 'en' } },
	{
		voice_id: 'deVoiceAnna00000001',
		name: 'Anna',
		labels: { gender: 'female' },
		verified_languages: [{ language: 'de', model_id: 'eleven_multilingual_v2', locale: 'de-DE' }],
	},
];

async function list(provider: string, parameters: Record<string, Parameter> = {}, credentials: Record<string, IDataObject> = {}) {
	const context = executeContext({
		items: [{}],
		parameters: { operation: 'listVoices', provider, voiceLanguage: '', search: '', ...parameters },
		s3,
		nodeName: 'Text to Speech',
		credentials: {
			reelsmithElevenLabsApi: elevenLabsCredential(fakes.elevenlabs),
			reelsmithGoogleTtsApi: googleCredential(fakes.google),
			...credentials,
		},
	});
	const [output] = await new TextToSpeech().execute.call(context);
	assert.equal(output.length, 1, 'one item holds the whole list');
	return output[0].json as { provider: string; count: number; voices: VoiceChoice[] };
}

describe('Text to Speech node: List Voices', () => {
	test("espeak-ng lists this host's own languages with their names, without any network call", async () => {
		const { provider, voices, count } = await list('espeak');
		assert.equal(provider, 'espeak');
		assert.equal(count, voices.length);
		assert.ok(voices.length > 50, `espeak-ng has dozens of languages (got ${voices.length})`);
		const german = voices.find((voice) => voice.id === 'de');
		assert.deepEqual(german, { provider: 'espeak', id: 'de', name: 'German', languages: ['de'], gender: 'male' });
		const scottish = voices.find((voice) => voice.id === 'en-gb-scotland');
		assert.deepEqual(scottish?.languages, ['en-GB-scotland', 'en']);
		assert.ok(!voices.some((voice) => voice.id === 'variant'), 'variants are not voices of their own');
		assert.equal(fakes.elevenlabs.requests.length + fakes.google.requests.length, 0);
	});

	test('espeak-ng: the language filter finds the regional voices, the search text narrows by name', async () => {
		const english = await list('espeak', { voiceLanguage: 'en' });
		const ids = english.voices.map((voice) => voice.id);
		for (const id of ['en-us', 'en-gb', 'en-gb-scotland', 'en-029']) assert.ok(ids.includes(id), `${id} in ${ids}`);
		assert.ok(!ids.includes('de'));
		const scotland = await list('espeak', { voiceLanguage: 'en', search: 'scot' });
		assert.deepEqual(
			scotland.voices.map((voice) => voice.id),
			['en-gb-scotland'],
		);
		const none = await list('espeak', { voiceLanguage: 'de', search: 'scot' });
		assert.deepEqual(none.voices, []);
	});

	test("ElevenLabs lists the account's voices through the credential's base URL, with languages and gender", async () => {
		fakes.elevenlabs.voices = ELEVENLABS_VOICES;
		const { voices } = await list('elevenlabs');
		assert.deepEqual(voices, [
			{ provider: 'elevenlabs', id: 'pNInz6obpgDQGcFmaJgB', name: 'Adam', languages: ['en'], gender: 'male' },
			{ provider: 'elevenlabs', id: 'deVoiceAnna00000001', name: 'Anna', languages: ['de-DE'], gender: 'female' },
			{ provider: 'elevenlabs', id: '21m00Tcm4TlvDq8ikWAM', name: 'Rachel', languages: ['en-US'], gender: 'female' },
		]);
		const [request] = fakes.elevenlabs.requests;
		assert.equal(request.path, '/v2/voices');
		assert.equal(request.headers['xi-api-key'], fakes.elevenlabs.apiKey);
	});

	test('ElevenLabs: the search goes to ElevenLabs, the language is filtered here', async () => {
		fakes.elevenlabs.voices = ELEVENLABS_VOICES;
		const searched = await list('elevenlabs', { search: 'ann' });
		assert.deepEqual(
			searched.voices.map((voice) => voice.name),
			['Anna'],
		);
		assert.equal(fakes.elevenlabs.requests[0].query.get('search'), 'ann');
		const german = await list('elevenlabs', { voiceLanguage: 'de' });
		assert.deepEqual(
			german.voices.map((voice) => voice.name),
			['Anna'],
		);
	});

	test('ElevenLabs: every page is read', async () => {
		fakes.elevenlabs.voices = Array.from({ length: 230 }, (_v, index) => ({
			voice_id: `voice${String(index).padStart(3, '0')}`,
			name: `Voice ${String(index).padStart(3, '0')}`,
			labels: { gender: 'male', language: 'en' },
		}));
		const { voices } = await list('elevenlabs');
		assert.equal(voices.length, 230);
		assert.equal(fakes.elevenlabs.requests.length, 3);
	});

	test("Google lists its voices with every language code and the gender; a full tag is asked of Google, 'en' filtered here", async () => {
		const { voices } = await list('google');
		assert.deepEqual(
			voices.map((voice) => [voice.id, voice.languages, voice.gender]),
			[
				['en-GB-Neural2-B', ['en-GB'], 'male'],
				['en-US-Neural2-F', ['en-US'], 'female'],
				['he-IL-Wavenet-A', ['he-IL'], 'female'],
			],
		);
		const british = await list('google', { voiceLanguage: 'en-GB' });
		assert.deepEqual(
			british.voices.map((voice) => voice.id),
			['en-GB-Neural2-B'],
		);
		assert.equal(fakes.google.requests.at(-1)?.query.get('languageCode'), 'en-GB');
		const english = await list('google', { voiceLanguage: 'en', search: 'neural2-f' });
		assert.deepEqual(
			english.voices.map((voice) => voice.id),
			['en-US-Neural2-F'],
		);
		assert.equal(fakes.google.requests.at(-1)?.query.get('languageCode'), null);
	});

	test('a paid provider without an API key, or a language that is no BCP 47 tag, fails with what to fix', async () => {
		await assert.rejects(
			list('google', {}, { reelsmithGoogleTtsApi: { apiKey: '', baseUrl: fakes.google.url } }),
			/Google.*not configured: add its credential/,
		);
		await assert.rejects(list('espeak', { voiceLanguage: 'english please' }), /"Language" must be a BCP 47 tag/);
		assert.equal(fakes.google.requests.length, 0);
	});
});
