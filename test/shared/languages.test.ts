import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'vitest';
import { validateRunRequest } from '../../nodes/Campaign/lib/request';
import languages from '../../nodes/shared/data/languages.json';
import scriptFonts from '../../nodes/shared/data/scriptFonts.json';
import { findFont } from '../../nodes/shared/fonts';
import { fontsFor, fontsForScript, LANGUAGE_CODES, languageFontProblem, languageOf, languageParameterValue } from '../../nodes/shared/languages';
import { parseEspeakVoices, espeakVoiceProblem } from '../../nodes/shared/voices';
import { castVoices } from '../../nodes/TextToSpeech/lib/voices';
import { espeakProvider } from '../../nodes/TextToSpeech/providers/espeak';
import { googleProvider } from '../../nodes/TextToSpeech/providers/google';
import { drawFonts, hasGlyph } from '../../nodes/shared/render/fonts';
import { layoutTitleCard } from '../../nodes/shared/render/titleCard';
import { makeScene } from '../video-generation/scenes';

const script = 'INT. OFFICE - DAY\n\nSAM\nWe start now.\n';
const refused = (language: unknown) => {
	const result = validateRunRequest({ script, language });
	assert.equal(result.ok, false, `language ${JSON.stringify(language)} is refused`);
	return result as { field: string; message: string };
};
const accepted = (language: string) => {
	const result = validateRunRequest({ script, language });
	assert.ok(result.ok, `language ${language}: ${JSON.stringify(result)}`);
	return result.options.language;
};

describe('the run language in the request', () => {
	test('defaults to en; de, ja-JP, ar and pt-BR are accepted, written the usual way', () => {
		assert.equal((validateRunRequest({ script }) as { options: { language: string } }).options.language, 'en');
		assert.equal(accepted('de'), 'de');
		assert.equal(accepted('ja-jp'), 'ja-JP');
		assert.equal(accepted('AR'), 'ar');
		assert.equal(accepted('pt-BR'), 'pt-BR');
	});

	for (const [what, value, says] of [
		['a number', 7, /^"language" must be a BCP 47 language tag of one of en, de, .* \(got 7\)/],
		['a sentence', 'German please', /^"language" must be a BCP 47 language tag/],
		['an option-like value', '--help', /^"language" must be a BCP 47/],
		['a language Reelsmith has nothing for', 'tlh', /^"language" must be a BCP 47 language tag of one of/],
	] as const) {
		test(`${what} is a 400 naming "language"`, () => {
			const result = refused(value);
			assert.equal(result.field, 'language');
			assert.match(result.message, says);
		});
	}

	test('a language no font here draws (Thai) is a 400 naming "language" and what to do, before any work', () => {
		const result = refused('th');
		assert.equal(result.field, 'language');
		assert.match(result.message, /^"language" is "th": Thai is written in Thai script, and no font Reelsmith knows draws it .*Use another language/);
	});

	test('a node given a bad Language says so in words that name the field', () => {
		assert.throws(() => languageParameterValue('xx-!!'), /^Error: "Language" "xx-!!" is not a BCP 47 language tag/);
		assert.throws(() => languageParameterValue('th', { needsFont: true }), /"Language" th: Thai is written in Thai script/);
		assert.equal(languageParameterValue('').tag, 'en');
	});
});

describe('languages.json and scriptFonts.json hold what this host has', () => {
	const espeak = parseEspeakVoices(
		execFileSync('espeak-ng', ['--voices'], { encoding: 'utf8' }),
		execFileSync('espeak-ng', ['--voices=variant'], { encoding: 'utf8' }),
	);

	test('every language has an espeak-ng language, and every variant the English cast uses exists for it', () => {
		for (const code of LANGUAGE_CODES) {
			const language = languageOf(code);
			for (const voice of espeakProvider.voicesFor!(language).characterVoices) {
				assert.equal(espeakVoiceProblem(voice, espeak), null, `${code}: ${voice}`);
			}
		}
	});

	test('every font scriptFonts.json names is installed (.ci/run installs their packages), and draws its script', () => {
		const samples: Record<string, string> = { Han: '夜雨', Hangul: '한국', Devanagari: 'नमस्ते', Arabic: 'مرحبا', Hebrew: 'שלום', Cyrillic: 'Привет', Greek: 'Γειά', Latin: 'Größe' };
		for (const [script, entry] of Object.entries(scriptFonts.scripts)) {
			const fonts = fontsForScript(script)!;
			assert.ok(entry === 'default' || typeof entry === 'object');
			for (const file of [fonts.regular, fonts.bold]) {
				assert.ok(findFont(file), `${file} (${fonts.package}) for ${script}`);
				// Names, numbers and URLs are Latin in every language: the font has them too.
				for (const char of `${samples[script] ?? ''}Az09.:/`) assert.ok(hasGlyph(file, char), `${file} draws "${char}" (${script})`);
			}
		}
	});

	test('each language row names a script that has a font, except those the README lists as refused', () => {
		const withoutFont = Object.keys(languages.languages).filter((code) => languageFontProblem(languageOf(code)) !== null);
		assert.deepEqual(withoutFont, ['th']);
	});
});

describe('fonts per language', () => {
	const own = { heading: 'DejaVuSans-Bold.ttf', body: 'DejaVuSans.ttf', mono: 'DejaVuSansMono.ttf' };

	test('Latin, Cyrillic, Arabic and Hebrew keep DejaVu; CJK and Devanagari get their font with DejaVu behind it', () => {
		for (const code of ['de', 'ru', 'ar', 'he', 'el']) assert.equal(drawFonts(code, own).body, 'DejaVuSans.ttf', code);
		const japanese = drawFonts('ja-JP', own);
		assert.equal(japanese.body, 'wqy-microhei.ttc');
		assert.equal(japanese.mono, 'wqy-microhei.ttc');
		assert.equal(japanese.fallbacks[0], 'DejaVuSans.ttf');
		assert.equal(japanese.charWidth, 1);
		assert.equal(drawFonts('hi', own).body, 'Lohit-Devanagari.ttf');
		assert.equal(fontsFor(languageOf('ko')).family, 'WenQuanYi Micro Hei');
		assert.throws(() => drawFonts('th', own), /"language" th: Thai is written in Thai script/);
	});

	test('a font without coverage data answers from its own cmap: DejaVu has no kana, WenQuanYi has', () => {
		assert.equal(hasGlyph('DejaVuSans.ttf', 'あ'), false);
		assert.equal(hasGlyph('wqy-microhei.ttc', 'あ'), true);
		assert.equal(hasGlyph('wqy-microhei.ttc', '\u{1F600}'), false);
	});

	test('Japanese wraps by the width of its square characters, so a card line stays inside the frame', () => {
		const text = '雨が窓を叩く。'.repeat(12);
		const latin = layoutTitleCard({ scene: makeScene({ action: text }), width: 1920, height: 1080 });
		const japanese = layoutTitleCard({ scene: makeScene({ action: text }), width: 1920, height: 1080, language: 'ja' });
		assert.ok(japanese.bodyColumns < latin.bodyColumns * 0.6, `${japanese.bodyColumns} columns against ${latin.bodyColumns}`);
		const body = japanese.lines.filter((line) => line.kind === 'body');
		assert.ok(body.length >= 2, 'the long line is wrapped');
		assert.ok(body.every((line) => line.font === 'wqy-microhei.ttc' || line.runs), 'drawn with the Japanese font');
		assert.ok(Math.max(...body.map((line) => [...line.text].length)) * japanese.bodySize <= japanese.stillWidth * 0.84);
	});
});

describe('voices per language', () => {
	const characters = [{ name: 'ALICE' }, { name: 'BOB' }];
	const castIn = (tag: string, provider = espeakProvider) => {
		const voices = provider.voicesFor!(languageOf(tag));
		return castVoices({ characters, voiceMap: {}, narratorVoice: voices.narrator, characterVoices: voices.characterVoices, voiceForScript: voices.voiceForScript });
	};

	test('English keeps the English cast; German speaks German with each voice’s own variant', () => {
		assert.equal(castIn('en').narratorFor('Hello'), espeakProvider.narratorVoice);
		assert.equal(castIn('en').voiceFor('ALICE', 'Hello'), espeakProvider.characterVoices[0]);
		const german = castIn('de');
		assert.equal(german.narratorFor('Es regnet.'), 'de+m3');
		assert.deepEqual([german.voiceFor('ALICE', 'Hallo'), german.voiceFor('BOB', 'Tschüss')], ['de+m3', 'de+f3']);
		assert.equal(castIn('pt-BR').narratorFor('Olá'), 'pt-br+m3');
	});

	test('a Japanese line in kanji only stays Japanese; an Arabic line in a German run is read in Arabic', () => {
		assert.equal(castIn('ja').voiceFor('ALICE', '電話'), 'ja+m3');
		assert.equal(castIn('ja').narratorFor('雨が降る'), 'ja+m3');
		assert.equal(castIn('en').voiceFor('ALICE', '電話'), 'cmn+m3', 'an English run reads a Han-only line as Mandarin, as before');
		assert.equal(castIn('de').voiceFor('BOB', 'مرحبا يا صديقي'), 'ar+f3');
		assert.equal(castIn('ar').voiceFor('BOB', 'مرحبا يا صديقي'), 'ar+f3');
	});

	test('Google speaks a language with its Standard voices, of the region when the tag has one', () => {
		const voices = googleProvider.voicesFor!(languageOf('de'));
		assert.equal(voices.narrator, 'de-DE-Standard-B');
		assert.deepEqual(googleProvider.voicesFor!(languageOf('pt-BR')).characterVoices, ['pt-BR-Standard-A', 'pt-BR-Standard-C', 'pt-BR-Standard-D']);
		assert.equal(googleProvider.voicesFor!(languageOf('en')).narrator, googleProvider.narratorVoice);
	});
});
