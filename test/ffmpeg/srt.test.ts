import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSrt, formatSrtTime } from '../../nodes/FFmpeg/lib/srt';

const WJ = '\u2060';

describe('buildSrt', () => {
	it('writes SRT timestamps as hh:mm:ss,mmm', () => {
		assert.equal(formatSrtTime(0), '00:00:00,000');
		assert.equal(formatSrtTime(1.5), '00:00:01,500');
		assert.equal(formatSrtTime(61.0004), '00:01:01,000');
		assert.equal(formatSrtTime(3599.9996), '01:00:00,000');
		assert.equal(formatSrtTime(3723.042), '01:02:03,042');
	});

	it('numbers cues in time order and keeps quotes, colons, percent signs and emoji as typed', () => {
		const srt = buildSrt([
			{ start: 2, end: 3.25, text: 'Then: "100%" sure 🎬' },
			{ start: 0, end: 1.5, text: "It's 5:30 — don't 'quote' me" },
		]);
		assert.equal(
			srt,
			"1\n00:00:00,000 --> 00:00:01,500\nIt's 5:30 — don't 'quote' me\n\n" +
				'2\n00:00:02,000 --> 00:00:03,250\nThen: "100%" sure 🎬\n',
		);
	});

	it('keeps backslashes, braces and tags literal instead of letting players read them as markup', () => {
		const srt = buildSrt([{ start: 0, end: 1, text: 'C:\\new\\file {\\an8} <i>x</i> 50\\50' }]);
		const text = srt.split('\n')[2];
		// The word joiner is invisible: what shows is exactly what was typed.
		assert.equal(text.replaceAll(WJ, ''), 'C:\\new\\file {\\an8} <i>x</i> 50\\50');
		assert.ok(!/\\[Nnh]/.test(text), 'no \\N, \\n or \\h escape survives');
		assert.ok(!/\{\\/.test(text), 'no {\\ override block survives');
		assert.ok(!/<\/?i>/.test(text), 'no <i> tag survives');
	});

	it('turns multiline text into at most two lines per subtitle, without blank lines', () => {
		const srt = buildSrt([{ start: 0, end: 2, text: 'First line\r\n\r\n\tsecond line\u0007' }]);
		assert.equal(srt, '1\n00:00:00,000 --> 00:00:02,000\nFirst line\nsecond line\n');
	});

	it('wraps at about 42 characters and splits longer text into timed subtitles', () => {
		const words = 'The quick brown fox jumps over the lazy dog while the cat watches from the window sill';
		const srt = buildSrt([{ start: 10, end: 14, text: `${words} and then everyone goes home for dinner.` }]);
		const blocks = srt.trim().split('\n\n');
		assert.equal(blocks.length, 2);
		for (const block of blocks) {
			const lines = block.split('\n');
			assert.ok(lines.length <= 4, block);
			for (const line of lines.slice(2)) assert.ok(line.length <= 42, `"${line}" is too long`);
		}
		assert.match(blocks[0], /^1\n00:00:10,000 --> 00:00:1\d,\d{3}\n/);
		assert.match(blocks[1], / --> 00:00:14,000\n/);
		// The second subtitle starts where the first ends.
		assert.equal(blocks[0].split('\n')[1].split(' --> ')[1], blocks[1].split('\n')[1].split(' --> ')[0]);
	});

	it('prefixes the speaker when asked, and skips empty cues', () => {
		const cues = [
			{ start: 0, end: 1, text: 'Hello.', speaker: 'ALICE' },
			{ start: 1, end: 2, text: '   ', speaker: 'BOB' },
			{ start: 2, end: 3, text: 'Night falls.' },
		];
		assert.equal(
			buildSrt(cues, { speakerPrefix: true }),
			'1\n00:00:00,000 --> 00:00:01,000\nALICE: Hello.\n\n2\n00:00:02,000 --> 00:00:03,000\nNight falls.\n',
		);
		assert.match(buildSrt(cues), /\nHello\.\n/);
	});

	it('for burning: drops emoji the font cannot draw and escapes braces for libass', () => {
		const srt = buildSrt([{ start: 0, end: 1, text: 'Go {now} 🚀 100%' }], { renderer: 'libass' });
		assert.equal(srt.split('\n')[2].replaceAll(WJ, ''), 'Go \\{now\\} 100%');
	});
});
