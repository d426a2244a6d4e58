import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { cleanText, drawableText, resolveZeroWidth } from '../../nodes/shared/text';
import { speakableText } from '../../nodes/TextToSpeech/lib/script';

describe('text as it is drawn and spoken', () => {
	test('a zero-width space between words is a space: the words stay apart on screen and in the voice', () => {
		const pasted = 'Zero\u200Bwidth\u200Bthere\u200Btoo.';
		assert.equal(cleanText(pasted), 'Zero width there too.');
		assert.equal(drawableText(pasted), 'Zero width there too.');
		assert.equal(speakableText(pasted), 'Zero width there too.');
		assert.equal(drawableText('two \u200B spaces'), 'two spaces', 'no double space where one was already');
	});

	test('joiners join: inside an emoji sequence and between letters they are nothing; elsewhere a space', () => {
		assert.equal(cleanText('👩\u200D💻 codes'), '👩💻 codes', 'the ZWJ sequence falls apart into its emoji, no gap');
		assert.equal(cleanText('می\u200Cخواهم'), 'میخواهم', 'a ZWNJ between Persian letters');
		assert.equal(cleanText('end.\u200DNext'), 'end. Next');
		assert.equal(resolveZeroWidth('می\u200Cخواهم 👩\u200D💻', { keepJoiners: true }), 'می\u200Cخواهم 👩\u200D💻', 'the plan keeps them');
	});

	test('soft hyphens, word joiners and byte-order marks are nothing', () => {
		assert.equal(cleanText('co\u00ADoperative robot\u2060arm \uFEFFwaves'), 'cooperative robotarm waves');
	});

	test('emoji stay in cleanText for the emoji font; drawableText and speech drop them without leaving double spaces', () => {
		const text = 'I love 🍕 pizza 👍🏽 🇫🇷 1️⃣ #1';
		assert.equal(cleanText(text), 'I love 🍕 pizza 👍 1 #1', 'skin tones, flags and keycaps go, the emoji stay');
		assert.equal(drawableText(text), 'I love pizza 1 #1');
		assert.equal(speakableText(text), 'I love pizza 1 1');
	});

	test('controls and bidi marks go; right-to-left letters stay', () => {
		assert.equal(cleanText('a\u0007b\u202Eשלום\u202C مرحبا\r\nnext\tline'), 'abשלום مرحبا\nnext line');
	});
});
