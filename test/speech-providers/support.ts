/**
 * What the Text to Speech node tests share: the ElevenLabs and Google fakes for a test file, the credentials that
 * point at them, and the parameters of a one-scene `synthesizeScene` call.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { IDataObject } from 'n8n-workflow';
import { FakeElevenLabs } from '../fakes/elevenlabs';
import { FakeGoogleTts } from '../fakes/google-tts';
import type { Parameter } from '../video-generation/context';

/** Started before the file's tests, stopped after them, their request logs emptied before each test. */
export function useSpeechFakes(): { elevenlabs: FakeElevenLabs; google: FakeGoogleTts } {
	const fakes = { elevenlabs: new FakeElevenLabs(), google: new FakeGoogleTts() };
	beforeAll(async () => {
		await fakes.elevenlabs.start();
		await fakes.google.start();
	});
	afterAll(async () => {
		await fakes.elevenlabs.stop();
		await fakes.google.stop();
	});
	beforeEach(() => {
		fakes.elevenlabs.requests.length = 0;
		fakes.google.requests.length = 0;
	});
	return fakes;
}

export const elevenLabsCredential = (fake: FakeElevenLabs) => ({ apiKey: fake.apiKey, baseUrl: fake.url, model: 'eleven_flash_v2_5' });
export const googleCredential = (fake: FakeGoogleTts) => ({ apiKey: fake.apiKey, baseUrl: fake.url });

/** One scene item in (scene, characters, options.voiceMap), its narration under the scene's storage prefix. */
export const SYNTHESIZE_SCENE: Record<string, Parameter> = {
	operation: 'synthesizeScene',
	scene: (json: IDataObject) => json.scene,
	characters: (json: IDataObject) => json.characters,
	voiceMap: (json: IDataObject) => (json.options as IDataObject | undefined)?.voiceMap,
	narrator: (json: IDataObject) => (json.options as IDataObject | undefined)?.narrator,
	narratorVoice: '',
	narrateAction: 'whenNoDialogue',
	gap: 0.3,
	options: { concurrency: 1 },
};
