import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { buildSrt, formatSrtTime } from '../../nodes/FFmpeg/lib/srt';
import { subtitleTextEm } from '../../nodes/FFmpeg/lib/textWidth';
import { wordsFromAlignment } from '../../nodes/TextToSpeech/providers/elevenlabs';
import { alignmentFor } from '../fakes/elevenlabs';

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

/** An SRT's subtitles as {start, end, rows} in seconds. */
function parseSrt(srt: string) {
	const seconds = (time: string) => {
		const [h, m, rest] = time.split(':');
		const [s, ms] = rest.split(',');
		return (Number(h) * 3_600_000 + Number(m) * 60_000 + Number(s) * 1000 + Number(ms)) / 1000;
	};
	return srt
		.trim()
		.split('\n\n')
		.map((block) => {
			const [, times, ...rows] = block.split('\n');
			const [start, end] = times.split(' --> ').map(seconds);
			return { start, end, rows };
		});
}

describe('buildSrt with dual dialogue', () => {
	it('two lines said at once are two cues at the same time, each with its speaker, so players show both together', () => {
		const srt = buildSrt(
			[
				{ start: 1, end: 2.5, text: 'We take the north road.', speaker: 'ALICE' },
				{ start: 1, end: 2.2, text: 'We take the south road.', speaker: 'BOB' },
			],
			{ speakerPrefix: true },
		);
		assert.equal(
			srt,
			'1\n00:00:01,000 --> 00:00:02,500\nALICE: We take the north road.\n\n2\n00:00:01,000 --> 00:00:02,200\nBOB: We take the south road.\n',
		);
	});
});

describe('buildSrt with word timings (ElevenLabs alignments)', () => {
	/** A line the way Text to Speech emits it (words on the scene clock), moved to the video timeline at `at`. */
	function spokenCue(text: string, at: number, speaker?: string) {
		const words = wordsFromAlignment(alignmentFor(text).alignment).map((word) => ({
			text: word.text,
			start: Math.round((at + word.start) * 1000) / 1000,
			end: Math.round((at + word.end) * 1000) / 1000,
		}));
		return { start: at, end: words[words.length - 1].end, text, speaker, words };
	}

	it('cuts a long line into subtitles at word boundaries, each timed from its first word to its last', () => {
		const text =
			'The rain had not stopped for three days, and the river was already over the old stone bridge when the bus finally arrived at the square.';
		const cue = spokenCue(text, 12.5);
		const subtitles = parseSrt(buildSrt([cue]));
		assert.ok(subtitles.length >= 2, `${subtitles.length} subtitles`);
		let next = 0;
		for (const subtitle of subtitles) {
			assert.ok(subtitle.rows.length <= 2, subtitle.rows.join(' / '));
			for (const row of subtitle.rows) assert.ok(row.length <= 42, `"${row}" is ${row.length} characters`);
			const spoken = subtitle.rows.join(' ').split(' ');
			const first = cue.words[next];
			const last = cue.words[next + spoken.length - 1];
			assert.deepEqual(spoken, cue.words.slice(next, next + spoken.length).map((word) => word.text), 'whole words, in order');
			assert.equal(subtitle.start, first.start, `"${first.text}" starts the subtitle`);
			assert.equal(subtitle.end, last.end, `"${last.text}" ends the subtitle`);
			next += spoken.length;
		}
		assert.equal(next, cue.words.length, 'every word is shown once');
		// Not the even split: the first subtitle ends when its last word is spoken, the next starts at its first word.
		assert.ok(subtitles[1].start > subtitles[0].end, 'the pause between words is a gap between subtitles');
	});

	it('a short line is one subtitle from its first word to its last; the speaker prefix counts towards the row', () => {
		const cue = spokenCue('Who is there?', 3, 'ALICE');
		const [subtitle, ...rest] = parseSrt(buildSrt([cue], { speakerPrefix: true }));
		assert.deepEqual(rest, []);
		assert.deepEqual(subtitle, { start: 3, end: cue.words[2].end, rows: ['ALICE: Who is there?'] });
		// 0.06 s per character from the line start: "there?" is characters 7–12.
		assert.equal(subtitle.end, 3.78);
	});

	it('without words the even split stays as it was', () => {
		const cue = spokenCue('Who is there?', 3);
		const { words: _dropped, ...plain } = cue;
		assert.deepEqual(parseSrt(buildSrt([plain])), [{ start: 3, end: cue.end, rows: ['Who is there?'] }]);
		assert.equal(parseSrt(buildSrt([{ ...plain, words: [] }]))[0].start, 3);
	});

	it('for burning, word text is cleaned the same way as plain text', () => {
		const srt = buildSrt([{ start: 0, end: 1, text: 'Go {now} 🚀', words: [{ text: 'Go', start: 0.1, end: 0.3 }, { text: '{now}', start: 0.4, end: 0.7 }, { text: '🚀', start: 0.8, end: 0.9 }] }], {
			renderer: 'libass',
		});
		assert.equal(srt.replaceAll(WJ, ''), '1\n00:00:00,100 --> 00:00:00,700\nGo \\{now\\}\n');
	});
});

describe('buildSrt for burning at a row width (maxRowEm)', () => {
	// What a 1080×1920 frame holds at the default burn size (burnRowEm(1080, 1920, 16) ≈ 10 em).
	const maxRowEm = 10;
	const url = 'https://example.com/articles/2026/kettle/the-last-kettle?r=1';

	it('breaks a URL across rows that each fit, after its slashes and dots, and loses no character', () => {
		const subtitles = parseSrt(buildSrt([{ start: 0, end: 4, text: `Read it at ${url} tonight` }], { renderer: 'libass', maxRowEm }));
		const rows = subtitles.flatMap((subtitle) => subtitle.rows);
		for (const row of rows) assert.ok(subtitleTextEm(row) <= maxRowEm, `"${row}" is ${subtitleTextEm(row)} em`);
		assert.equal(rows.join(' ').replace(/(?<=[/.?=-]) /g, ''), `Read it at ${url} tonight`);
		assert.deepEqual(rows.slice(0, 3), ['Read it at', 'https://example.', 'com/articles/2026/']);
		assert.ok(subtitles.every((subtitle) => subtitle.rows.length <= 2));
		assert.equal(subtitles[0].start, 0);
		assert.equal(subtitles[subtitles.length - 1].end, 4);
	});

	it('breaks a CamelCase hashtag between its words, also in word-timed cues', () => {
		const tag = '#TheLastKettleIsFinallyOnTheStoveTonight';
		const plain = parseSrt(buildSrt([{ start: 0, end: 2, text: tag }], { renderer: 'libass', maxRowEm }));
		assert.deepEqual(plain.flatMap((subtitle) => subtitle.rows), ['#TheLastKettleIs', 'FinallyOnTheStove', 'Tonight']);
		const timed = parseSrt(
			buildSrt([{ start: 0, end: 2, text: tag, words: [{ text: 'Look:', start: 0.1, end: 0.4 }, { text: tag, start: 0.5, end: 1.9 }] }], {
				renderer: 'libass',
				maxRowEm,
			}),
		);
		assert.deepEqual(timed.map((subtitle) => subtitle.rows), [['Look:', '#TheLastKettleIs'], ['FinallyOnTheStove', 'Tonight']]);
		// The hashtag's 1.4 s are shared by its pieces' lengths (16 + 17 + 7 of 40 characters): no overlap.
		assert.deepEqual(timed.map((subtitle) => [subtitle.start, subtitle.end]), [[0.1, 1.06], [1.06, 1.9]]);
	});

	it('leaves the player file alone: soft tracks and the .srt keep rows of 42 characters', () => {
		const srt = buildSrt([{ start: 0, end: 2, text: 'Is the kettle on? It is now, and it whistles.' }]);
		assert.deepEqual(parseSrt(srt)[0].rows, ['Is the kettle on? It is now, and it', 'whistles.']);
	});
});
