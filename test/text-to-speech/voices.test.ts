import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { linesToSpeak } from '../../nodes/TextToSpeech/lib/script';
import { castVoices, characterKey } from '../../nodes/TextToSpeech/lib/voices';
import { espeakProvider } from '../../nodes/TextToSpeech/providers/espeak';
import { makeScene } from '../video-generation/scenes';

describe('voice casting', () => {
	const characters = [{ name: 'ALICE' }, { name: 'BOB' }, { name: 'CAROL' }];
	const cast = (voiceMap: Record<string, string> = {}) =>
		castVoices({ characters, voiceMap, narratorVoice: 'en-gb+m3', characterVoices: espeakProvider.characterVoices });

	test('voices follow the position in the character list; the narrator voice is nobody else’s', () => {
		const voices = cast();
		assert.deepEqual(
			['ALICE', 'BOB', 'CAROL'].map((name) => voices.voiceFor(name)),
			espeakProvider.characterVoices.slice(0, 3),
		);
		assert.ok(!espeakProvider.characterVoices.includes(espeakProvider.narratorVoice));
		assert.equal(voices.voiceFor('NARRATOR'), 'en-gb+m3');
	});

	test('name variants are the same character; unknown speakers get a stable voice', () => {
		const voices = cast();
		assert.equal(voices.voiceFor("alice (cont'd)"), voices.voiceFor('ALICE'));
		assert.equal(characterKey(' Bob  (V.O.) '), 'BOB');
		assert.equal(cast().voiceFor('STRANGER'), cast().voiceFor('stranger'));
	});

	test('voiceMap overrides characters and the narrator, case-insensitively', () => {
		const voices = cast({ bob: 'en-us+f4', Narrator: 'en-us+m7' });
		assert.equal(voices.voiceFor('BOB'), 'en-us+f4');
		assert.equal(voices.narrator, 'en-us+m7');
		assert.equal(voices.voiceFor('ALICE'), espeakProvider.characterVoices[0]);
	});
});

describe('what a scene says', () => {
	test('dialogue only by default; action read when nobody speaks; never when told so', () => {
		const withDialogue = makeScene();
		assert.deepEqual(
			linesToSpeak(withDialogue, 'whenNoDialogue').map((line) => line.kind),
			['dialogue', 'dialogue'],
		);
		assert.deepEqual(
			linesToSpeak(withDialogue, 'always').map((line) => line.kind),
			['action', 'action', 'dialogue', 'dialogue'],
		);
		const silent = makeScene({ dialogue: [] });
		assert.equal(linesToSpeak(silent, 'whenNoDialogue')[0].kind, 'action');
		assert.deepEqual(linesToSpeak(silent, 'never'), []);
	});

	test('emoji and markdown marks are not read; lines with nothing to say are skipped', () => {
		const scene = makeScene({
			dialogue: [
				{ speaker: 'ALICE', text: '**Really?** 😀' },
				{ speaker: 'BOB', text: '😀 …' },
			],
		});
		assert.deepEqual(
			linesToSpeak(scene, 'never').map((line) => line.text),
			['Really?'],
		);
	});
});
