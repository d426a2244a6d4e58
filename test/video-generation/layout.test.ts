import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import styles from '../../nodes/shared/data/styles.json';
import { layoutTerminal, revealTimes, type TerminalLayout, scheduleLines, screenStates, terminalLines } from '../../nodes/shared/render/terminal';
import { fontPath } from '../../nodes/shared/render/fonts';
import { fontMetrics, textWidth } from '../../nodes/shared/render/metrics';
import { wrapLines } from '../../nodes/shared/render/text';
import { layoutTitleCard } from '../../nodes/shared/render/titleCard';
import { makeScene } from './scenes';

describe('title card layout', () => {
	test('letters keep their size across aspect ratios; 9:16 wraps narrower than 16:9', () => {
		const scene = makeScene();
		const wide = layoutTitleCard({ scene, width: 1920, height: 1080 });
		const tall = layoutTitleCard({ scene, width: 1080, height: 1920 });
		assert.equal(wide.bodySize, tall.bodySize);
		assert.ok(tall.bodyColumns < wide.bodyColumns * 0.6);
		const bodyLines = (layout: typeof wide) => layout.lines.filter((line) => line.kind === 'body').length;
		assert.ok(bodyLines(tall) > bodyLines(wide));
	});

	test('emoji the text font lacks are runs in the emoji font, side by side and centred as one line', () => {
		const layout = layoutTitleCard({ scene: makeScene({ heading: "Pizza night 🍕 at Jo's", action: '' }), width: 1920, height: 1080 });
		const [heading] = layout.lines;
		assert.deepEqual(
			heading.runs?.map((run) => [run.text, run.font]),
			[
				['Pizza night ', 'DejaVuSans-Bold.ttf'],
				['🍕', 'Symbola_hint.ttf'],
				[" at Jo's", 'DejaVuSans-Bold.ttf'],
			],
		);
		const [first, emoji, last] = heading.runs!;
		assert.ok(first.x < emoji.x && emoji.x < last.x, 'runs in reading order');
		// Each run starts where the one before it ends (its advance widths at the heading size), and the line is centred.
		const width = (text: string, font: string) => textWidth(fontMetrics(fontPath(font)), text, layout.headingSize);
		assert.equal(emoji.x - first.x, width('Pizza night ', first.font));
		assert.equal(last.x - emoji.x, width('🍕', emoji.font));
		const right = last.x + width(last.text, last.font);
		assert.ok(Math.abs(first.x - (layout.stillWidth - right)) <= 1, `centred: ${first.x} left, ${layout.stillWidth - right} right`);
	});

	test('a line the text font draws whole is one run; a right-to-left line keeps its order and drops its emoji cleanly', () => {
		const layout = layoutTitleCard({
			scene: makeScene({ heading: 'Pizza night', action: 'مرحبا 🍕 يا صديقي' }),
			width: 1920,
			height: 1080,
		});
		assert.deepEqual(
			layout.lines.map((line) => [line.kind, line.text, line.runs]),
			[
				['heading', 'Pizza night', undefined],
				['body', 'مرحبا يا صديقي', undefined],
			],
		);
	});

	test('text that does not fit is cut with an ellipsis, inside the frame', () => {
		const layout = layoutTitleCard({ scene: makeScene({ action: 'word '.repeat(2000) }), width: 1920, height: 1080 });
		const last = layout.lines[layout.lines.length - 1];
		assert.ok(last.text.endsWith('…'));
		assert.ok(last.baseline < layout.stillHeight * 0.95);
	});
});

describe('terminal typing', () => {
	const layout = { columns: 20, rows: 4 };

	test('without narration the lines are typed one after another inside the scene, with a hold at the end', () => {
		const schedule = scheduleLines([30, 10, 50], 6);
		let previous = 0;
		for (const line of schedule) {
			assert.ok(line.start >= previous - 1e-9 && line.typed > line.start && line.until >= line.typed);
			previous = line.until;
		}
		assert.ok(schedule[2].typed <= 6 * 0.85 + 1e-9, 'the last line is finished before the hold');
		assert.equal(schedule[2].until, 6);
	});

	test('with narration timing each line is typed while it is spoken', () => {
		const timing = [
			{ speaker: 'A', text: 'x', start: 0.2, end: 1.4 },
			{ speaker: 'B', text: 'y', start: 1.7, end: 2.5 },
		];
		assert.deepEqual(scheduleLines([10, 10], 3, timing), [
			{ start: 0.2, typed: 1.4, until: 1.7 },
			{ start: 1.7, typed: 2.5, until: 3 },
		]);
	});

	const SPOKEN = styles.styles.terminal.typing.spoken;
	const sentence = '> The door opens slowly, and nobody is there.';
	const words = ['The', 'door', 'opens', 'slowly,', 'and', 'nobody', 'is', 'there.'].map((text, index) => ({
		text,
		start: 0.3 + index * 0.3,
		end: 0.5 + index * 0.3,
	}));

	test('with word timings each word appears while it is said, and typing ends when the speech ends', () => {
		const reveal = revealTimes(sentence, { start: 0.3, end: 2.6, words }, 0.3, 3.4);
		assert.equal(reveal.length, [...sentence].length);
		reveal.forEach((time, index) => index > 0 && assert.ok(time >= reveal[index - 1], 'in order'));
		// "nobody" is said from 1.8 to 2.0 s: its letters appear then, not before.
		const nobody = sentence.indexOf('nobody');
		assert.ok(reveal[nobody] > 1.8 - 1e-9 && reveal[nobody + 5] <= 2.0 + 1e-9, `nobody at ${reveal.slice(nobody, nobody + 6)}`);
		assert.ok(Math.abs(reveal[reveal.length - 1] - 2.6) < 0.05, `the last letter at the speech end (${reveal[reveal.length - 1]})`);
		const [schedule] = scheduleLines([[...sentence].length], 3.4, [{ speaker: 'NARRATOR', text: '', start: 0.3, end: 2.6, words }], [sentence]);
		assert.ok(Math.abs(schedule.typed - 2.6) < 0.05);
		const states = screenStates([sentence], [schedule], 3.4, { columns: 60, rows: 4 });
		const at = (time: number) => states.find((state) => state.from <= time && time < state.to)!.rows.join('');
		assert.ok(at(1.0).length < at(1.9).length && at(1.9).length < at(2.55).length, 'more text the further the speech is');
		assert.ok(!at(1.0).includes('nobody') && at(2.1).includes('nobody'));
	});

	test("spoken typing keeps the data's pace limits; without words the line's audio is spread by characters", () => {
		// Every word said in the same tenth of a second: no faster than maxCharsPerSecond.
		const crammed = words.map((word) => ({ ...word, start: 0.3, end: 0.4 }));
		const fast = revealTimes(sentence, { start: 0.3, end: 0.4, words: crammed }, 0.3, 10);
		const fastest = Math.min(...fast.slice(1).map((time, index) => time - fast[index]));
		assert.ok(fastest >= 1 / SPOKEN.maxCharsPerSecond - 1e-9, `at most ${SPOKEN.maxCharsPerSecond} chars/s (gap ${fastest})`);
		// One word drawn out over four seconds: typed at minCharsPerSecond at least, done before the word ends.
		const slow = revealTimes('ALICE: sooo', { start: 1, end: 5, words: [{ text: 'sooo', start: 1, end: 5 }] }, 1, 6);
		assert.ok(slow[slow.length - 1] - slow[7] <= 3 / SPOKEN.minCharsPerSecond + 1e-9);
		// espeak-ng: no words, the characters spread over the line's audio, the last one at its end.
		const spread = revealTimes('> A quiet street at night.', { start: 1, end: 3 }, 1, 4);
		assert.ok(spread[0] > 1 && spread[0] < 1.2 && Math.abs(spread[spread.length - 1] - 3) < 1e-9);
		assert.ok(spread[13] > 1.8 && spread[13] < 2.2, 'the middle letter near the middle of the audio');
	});

	test('screen states grow a line a few characters at a time, then the cursor blinks on a new row', () => {
		const lines = ['ALICE: hello there', 'BOB: hi'];
		const states = screenStates(lines, scheduleLines([18, 7], 4), 4, layout);
		const typing = states.filter((state) => !state.blink);
		assert.ok(typing.length >= 4);
		assert.ok(typing.every((state) => state.rows[state.rows.length - 1].endsWith('█')));
		const last = states[states.length - 1];
		assert.ok(last.blink);
		assert.deepEqual(last.rows, ['ALICE: hello there', 'BOB: hi', '█']);
		for (let index = 1; index < states.length; index++) {
			assert.ok(Math.abs(states[index].from - states[index - 1].to) < 1e-9, 'states follow each other without gaps');
		}
	});

	test('long text scrolls: only the last rows that fit are shown', () => {
		const lines = ['one two three four five six seven eight nine ten eleven twelve thirteen fourteen'];
		const states = screenStates(lines, scheduleLines([80], 3), 3, layout);
		assert.ok(states.every((state) => state.rows.length <= layout.rows));
		assert.equal(states[states.length - 1].rows[layout.rows - 1], '█');
	});

	test('what is typed: dialogue as SPEAKER: text, else narration sentences, else action', () => {
		assert.deepEqual(terminalLines({ scene: makeScene() }), ['ALICE: Who calls at this hour?', "BOB: It's me. Open the door, I'm soaked."]);
		const post = makeScene({ dialogue: [], narration: 'First sentence here. Second sentence here.' });
		assert.deepEqual(terminalLines({ scene: post }), ['> First sentence here.', '> Second sentence here.']);
		const voiced = terminalLines({
			scene: post,
			lines: [{ speaker: 'NARRATOR', text: 'Spoken.', start: 0, end: 1, kind: 'narration' }],
		});
		assert.deepEqual(voiced, ['> Spoken.']);
	});
});

describe('terminal layout per frame shape', () => {
	const scene = makeScene();
	const lines = terminalLines({ scene });
	const mono = fontMetrics(fontPath(styles.styles.terminal.text.font));
	/** The scene's rows plus the cursor row, as drawn: top of the first row to the bottom of the last, in pixels. */
	const block = (layout: TerminalLayout) => {
		const rows = lines.reduce((sum, line) => sum + wrapLines(line, layout.columns, 1000).length, 1);
		return { rows, top: layout.contentTop, bottom: layout.contentTop + rows * layout.pitch - layout.lineSpacing };
	};
	/** The frame fits a full row plus the cursor between the margins, and every row between title bar and bottom. */
	const assertInside = (layout: TerminalLayout, width: number, height: number) => {
		const row = textWidth(mono, 'W'.repeat(layout.columns) + '█', layout.fontSize);
		assert.ok(layout.marginX + row <= width - layout.marginX, `a full row ends at ${layout.marginX + row} of ${width}`);
		assert.ok(layout.contentTop - layout.pitch >= layout.barHeight, 'the hidden strut row stays under the title bar');
		assert.ok(layout.contentTop + layout.rows * layout.pitch <= height, `${layout.rows} rows end inside ${height}`);
	};

	test('16:9 stays a desktop terminal: 39 px letters, text right under the title bar, the whole screen for rows', () => {
		const wide = layoutTerminal({ width: 1920, height: 1080 }, lines);
		assert.equal(wide.shape, 'landscape');
		assert.equal(wide.fontSize, 39);
		assert.ok(wide.columns >= 60, `${wide.columns} columns`);
		assert.equal(wide.contentTop, Math.round(wide.barHeight + 1080 * 0.05 + wide.pitch));
		assert.ok(wide.rows >= 12, `${wide.rows} rows`);
		assertInside(wide, 1920, 1080);
	});

	test('9:16 letters are phone-sized (3 % of the height and up, 24-40 columns) and the text sits in the upper middle', () => {
		const tall = layoutTerminal({ width: 1080, height: 1920 }, lines);
		assert.equal(tall.shape, 'portrait');
		assert.ok(tall.fontSize >= 0.03 * 1920, `${tall.fontSize} px letters`);
		assert.ok(tall.columns >= 24 && tall.columns <= 40, `${tall.columns} columns`);
		const { top, bottom, rows } = block(tall);
		assert.ok(rows >= 4 && rows <= tall.rows, `${rows} rows of text and cursor`);
		const centre = (top + bottom) / 2 / 1920;
		assert.ok(centre > 0.35 && centre < 0.55, `block centre at ${centre.toFixed(2)} of the height`);
		assert.ok(top > 0.25 * 1920, `the text starts at ${top} px, not under the title bar`);
		assertInside(tall, 1080, 1920);
	});

	test('1:1 letters are 4.5 % of the height and up, 24-40 columns, the block centred', () => {
		const square = layoutTerminal({ width: 1080, height: 1080 }, lines);
		assert.equal(square.shape, 'square');
		assert.ok(square.fontSize >= 0.045 * 1080, `${square.fontSize} px letters`);
		assert.ok(square.columns >= 24 && square.columns <= 40, `${square.columns} columns`);
		const { top, bottom } = block(square);
		const centre = (top + bottom) / 2 / 1080;
		assert.ok(centre > 0.42 && centre < 0.58, `block centre at ${centre.toFixed(2)} of the height`);
		assertInside(square, 1080, 1080);
	});

	test('more text than fits starts under the title bar and scrolls inside the frame, on every shape', () => {
		const long = Array.from({ length: 40 }, (_, index) => `> Line ${index} of a scene that runs on and on.`);
		for (const [width, height] of [
			[1920, 1080],
			[1080, 1920],
			[1080, 1080],
			[320, 180],
		]) {
			const layout = layoutTerminal({ width, height }, long);
			assert.equal(layout.contentTop, Math.round(layout.barHeight + height * 0.05 + layout.pitch), `${width}x${height}`);
			if (width >= 1080) assert.ok(layout.columns >= 24 && layout.rows >= 10, `${width}x${height}: ${layout.columns}x${layout.rows}`);
			assertInside(layout, width, height);
		}
	});
});
