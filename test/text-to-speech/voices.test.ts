import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { joinLines } from '../../nodes/TextToSpeech/lib/audio';
import { linesToSpeak } from '../../nodes/TextToSpeech/lib/script';
import { parseEspeakVoices, espeakVoiceProblem } from '../../nodes/shared/voices';
import voices from '../../nodes/TextToSpeech/data/voices.json';
import { voiceOfScript, type ScriptVoice } from '../../nodes/TextToSpeech/lib/scripts';
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

describe('voices for lines in another script', () => {
	const table = voices.espeak.scriptVoices.voices as ScriptVoice[];
	const characters = [{ name: 'ALICE' }, { name: 'BOB' }];
	const cast = (voiceMap: Record<string, string> = {}, narratorNamed = false) =>
		castVoices({
			characters,
			voiceMap,
			narratorVoice: 'en-gb+m3',
			narratorNamed,
			characterVoices: espeakProvider.characterVoices,
			voiceForScript: espeakProvider.voiceForScript,
		});

	test('the script most letters are written in picks the language; Latin, ties and no letters keep the voice', () => {
		const cases: Array<[string, string | null]> = [
			['مرحبا يا صديقي كيف حالك', 'ar'],
			['שלום עולם', 'he'],
			['Привет, как дела?', 'ru'],
			['Καλημέρα σας', 'el'],
			['नमस्ते दुनिया', 'hi'],
			['北京欢迎你', 'cmn'],
			['東京へ行きます', 'ja'],
			['안녕하세요', 'ko'],
			['Hello there, friend.', null],
			['Hello مرحبا', null],
			['OK, يلا بنا نروح', 'ar'],
			['123 … 🎬', null],
		];
		for (const [text, voice] of cases) assert.equal(voiceOfScript(text, table), voice, text);
	});

	test('an unnamed voice reads another script in that language with its own variant; a named one reads it as it is', () => {
		const arabic = 'مرحبا يا صديقي';
		const casting = cast({ BOB: 'en-us+f4' });
		assert.equal(casting.voiceFor('ALICE', arabic), 'ar+m3', "ALICE's en-us+m3, in Arabic");
		assert.equal(casting.voiceFor('ALICE', 'Hello.'), 'en-us+m3');
		assert.equal(casting.voiceFor('BOB', arabic), 'en-us+f4', 'the voice map names it');
		assert.equal(casting.narratorFor(arabic), 'ar+m3');
		assert.equal(cast({}, true).narratorFor(arabic), 'en-gb+m3', 'the narrator chosen on the node');
		assert.equal(cast({ NARRATOR: 'en-us+m7' }).narratorFor(arabic), 'en-us+m7');
		assert.equal(espeakProvider.voiceForScript!('fr', 'Привет'), 'ru', 'a voice without a variant');
	});
});

describe('espeak-ng voice names', () => {
	const list = parseEspeakVoices(
		[
			'Pty Language       Age/Gender VoiceName          File                 Other Languages',
			' 5  ar              --/M      Arabic             sem/ar               ',
			' 5  cmn             --/M      Chinese_(Mandarin,_latin_as_English) sit/cmn              (zh-cmn 5)(zh 5)',
			' 2  en-gb           --/M      English_(Great_Britain) gmw/en               (en 2)',
			' 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)',
		].join('\n'),
		[
			'Pty Language       Age/Gender VoiceName          File                 Other Languages',
			' 5  variant         --/M      Alex               !v/Alex              ',
			' 5  variant         --/F      f3                 !v/f3                ',
			' 5  variant         --/M      m3                 !v/m3                ',
		].join('\n'),
	);

	test('the lists hold the languages, the languages they answer to, and the variants', () => {
		assert.deepEqual(list, { languages: ['ar', 'cmn', 'en', 'en-gb', 'en-us', 'zh', 'zh-cmn'], variants: ['alex', 'f3', 'm3'] });
	});

	test('a language, optionally with one listed variant, is a voice; options, paths and unknown names are not', () => {
		for (const voice of ['en-us', 'EN-US+F3', 'ar+m3', 'zh', 'en+alex']) assert.equal(espeakVoiceProblem(voice, list), null, voice);
		const problems: Array<[string, RegExp]> = [
			['--help', /starts with a letter or digit/],
			['-v', /starts with a letter or digit/],
			['../../etc/passwd', /no spaces, dots or slashes/],
			['en-us+ -x', /no spaces/],
			['xx-unknown', /no language "xx-unknown"/],
			['en-au', /no language "en-au" \(close: en, en-gb, en-us\)/],
			['en-us+zzz', /no variant "zzz"/],
			['en-us+f3+m3', /at most one "\+variant"/],
		];
		for (const [voice, problem] of problems) assert.match(String(espeakVoiceProblem(voice, list)), problem, voice);
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
