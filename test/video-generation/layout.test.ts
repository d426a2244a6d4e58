import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import {
	layoutTerminal,
	scheduleLines,
	screenStates,
	terminalLines,
} from '../../nodes/VideoGeneration/render/terminal';
import { fontPath } from '../../nodes/VideoGeneration/render/fonts';
import { fontMetrics, textWidth } from '../../nodes/VideoGeneration/render/metrics';
import { layoutTitleCard } from '../../nodes/VideoGeneration/render/titleCard';
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
		const layout = layoutTitleCard({ scene: makeScene({ heading: 'Pizza night 🍕 at Jo\'s', action: '' }), width: 1920, height: 1080 });
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
		assert.deepEqual(terminalLines({ scene: makeScene() }), ["ALICE: Who calls at this hour?", "BOB: It's me. Open the door, I'm soaked."]);
		const post = makeScene({ dialogue: [], narration: 'First sentence here. Second sentence here.' });
		assert.deepEqual(terminalLines({ scene: post }), ['> First sentence here.', '> Second sentence here.']);
		const voiced = terminalLines({
			scene: post,
			lines: [{ speaker: 'NARRATOR', text: 'Spoken.', start: 0, end: 1, kind: 'narration' }],
		});
		assert.deepEqual(voiced, ['> Spoken.']);
	});

	test('rows fit the frame for every preset', () => {
		for (const [width, height] of [
			[1920, 1080],
			[1080, 1920],
			[1080, 1080],
		]) {
			const terminal = layoutTerminal({ width, height });
			assert.ok(terminal.columns >= 30 && terminal.rows >= 10, `${width}x${height}: ${terminal.columns}x${terminal.rows}`);
		}
	});
});
