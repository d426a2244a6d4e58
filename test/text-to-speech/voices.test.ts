import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { joinLines } from '../../nodes/TextToSpeech/lib/audio';
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

describe('dual dialogue: two voices at once', () => {
	const pcm = (frames: number, value: number) => {
		const data = Buffer.alloc(frames * 4);
		for (let offset = 0; offset < data.length; offset += 2) data.writeInt16LE(value, offset);
		return { sampleRate: 48000, channels: 2, data };
	};
	const sampleAt = (track: { data: Buffer }, seconds: number) => track.data.readInt16LE(Math.round(seconds * 48000) * 4);

	test('a dual line starts with the line before it, the voices are mixed, and the next line follows the longer', () => {
		const { track, placed } = joinLines([pcm(48000, 1000), pcm(24000, 2000), pcm(4800, 500)], {
			leadIn: 0.5,
			gap: 0.25,
			together: [false, true, false],
		});
		assert.deepEqual(placed, [
			{ start: 0.5, end: 1.5 },
			{ start: 0.5, end: 1 },
			{ start: 1.75, end: 1.85 },
		]);
		assert.equal(track.data.length / 4 / 48000, 1.85);
		assert.equal(sampleAt(track, 0.25), 0, 'lead-in is silent');
		assert.equal(sampleAt(track, 0.75), 3000, 'both voices at once');
		assert.equal(sampleAt(track, 1.25), 1000, 'the longer line goes on alone');
		assert.equal(sampleAt(track, 1.6), 0, 'the gap');
		assert.equal(sampleAt(track, 1.8), 500);
	});

	test('loud voices together are clipped, not wrapped around', () => {
		const { track } = joinLines([pcm(480, 30000), pcm(480, 30000)], { leadIn: 0, gap: 0, together: [false, true] });
		assert.equal(sampleAt(track, 0.005), 32767);
	});

	test('a scene says which lines go together; a dual line with nothing before it is an ordinary line', () => {
		const scene = makeScene({
			dialogue: [
				{ speaker: 'ADAM', text: 'Yes.', dual: true },
				{ speaker: 'EVE', text: 'No.', dual: true },
				{ speaker: 'ADAM', text: 'Fine.' },
			],
		});
		assert.deepEqual(
			linesToSpeak(scene, 'whenNoDialogue').map((line) => [line.speaker, line.together === true]),
			[
				['ADAM', false],
				['EVE', true],
				['ADAM', false],
			],
		);
	});
});
