import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseScript } from '../../nodes/shared/screenplay/parse';
import { chooseMoments, climaxScene, momentsFromPicks } from '../../nodes/shared/screenplay/trailer';
import type { Plan } from '../../nodes/shared/plan';
import { SCRIPTS, script } from './fixtures';

const seconds = (cut: { titleCard: number; moments: { duration: number }[] }) =>
	cut.titleCard + cut.moments.reduce((sum, moment) => sum + moment.duration, 0);

/** Eight scenes, one line each; the climax (three quarters in) has the story's cry. */
function eightScenes(): Plan {
	const lines = [
		'Where is everybody?',
		'The lights are off in the whole building, and nobody answers the phone at the front desk tonight.',
		'Okay.',
		'I think somebody has been living in the basement for years without anyone noticing it.',
		'Hello?',
		'We have to leave this place right now!',
		'Run!',
		'It is quiet again.',
	];
	const text = lines
		.map((line, index) => `INT. ROOM ${index + 1} - NIGHT\n\nNORA, a night guard, walks the corridor with a torch.\n\nNORA\n${line}\n`)
		.join('\n');
	return parseScript(`Title: Night Shift\n\n${text}`);
}

test('a short script gets 4 moments, one per scene, in story order, 15–30 s with the title card', () => {
	const cut = chooseMoments(parseScript(script('four-scenes.fountain')));
	assert.equal(cut.title, 'The Late Train');
	assert.deepEqual(
		cut.moments.map((moment) => [moment.scene, moment.speaker, moment.text]),
		[
			[1, 'MAYA', "It's late again."],
			[2, 'MAYA', 'Twenty more minutes.'],
			[3, 'LEON', 'You made it after all.'],
			[4, 'MAYA', 'Home.'],
		],
	);
	assert.ok(seconds(cut) >= 15 && seconds(cut) <= 30, `${seconds(cut)} s`);
	assert.equal(cut.totalDuration, Math.round(seconds(cut) * 10) / 10);
	assert.equal(cut.chosenBy, 'rules');
});

test('a long script keeps the opening and the climax, drops the long flat lines, and stays in story order', () => {
	const plan = eightScenes();
	assert.equal(climaxScene(plan), 6);
	const cut = chooseMoments(plan);
	const scenes = cut.moments.map((moment) => moment.scene);
	assert.ok(cut.moments.length >= 4 && cut.moments.length <= 6, `${cut.moments.length} moments`);
	assert.deepEqual(
		scenes,
		[...scenes].sort((a, b) => a - b),
		'story order',
	);
	assert.ok(scenes.includes(1), 'the opening');
	assert.ok(scenes.includes(6), 'the climax');
	assert.ok(scenes.includes(7), 'the exclamation "Run!"');
	assert.ok(!scenes.includes(2) && !scenes.includes(4), 'the two long explaining lines are left out');
	assert.deepEqual(cut.moments.find((moment) => moment.scene === 6)?.reasons.slice(0, 2), ['climax', 'spoken']);
	assert.ok(seconds(cut) >= 15 && seconds(cut) <= 30, `${seconds(cut)} s`);
});

test('every corpus script gives a trailer of 15–30 s with 1–6 moments in story order', () => {
	const folder = join(SCRIPTS, 'corpus');
	const files = readdirSync(folder).filter((name) => name.endsWith('.fountain'));
	assert.ok(files.length > 5);
	let checked = 0;
	for (const name of files) {
		let plan: Plan;
		try {
			plan = parseScript(script(join('corpus', name)));
		} catch {
			continue; // the corpus holds a few scripts the parser refuses on purpose (test/screenplay/corpus.test.ts)
		}
		if (plan.scenes.length === 0) continue;
		checked++;
		const cut = chooseMoments(plan);
		const total = seconds(cut);
		assert.ok(total >= 15 - 1e-9 && total <= 30 + 1e-9, `${name}: ${total} s`);
		assert.ok(cut.moments.length >= 1 && cut.moments.length <= 6, `${name}: ${cut.moments.length}`);
		const order = cut.moments.map((moment) => moment.scene * 1000 + (moment.line ?? 0));
		assert.deepEqual(
			order,
			[...order].sort((a, b) => a - b),
			`${name}: story order`,
		);
		for (const moment of cut.moments) assert.ok(moment.duration >= 2.5, `${name}: a shot of ${moment.duration} s`);
	}
	assert.ok(checked >= files.length / 2, `${checked} of ${files.length} scripts checked`);
});

test('a one-scene post is held long enough to reach 15 s', () => {
	const plan = parseScript('A short post about nothing much.\n\nIt rained all day. Then the sun came out!');
	const cut = chooseMoments(plan);
	assert.ok(seconds(cut) >= 15 && seconds(cut) <= 30, `${seconds(cut)} s`);
	assert.ok(cut.moments.every((moment) => moment.kind === 'narration' && moment.text.length > 0));
});

test("Claude's picks are kept in story order; picks naming no line fall back to the rules", () => {
	const plan = eightScenes();
	const cut = momentsFromPicks(plan, [
		{ scene: 7, line: 0 },
		{ scene: 2, line: 0 },
		{ scene: 5, line: 0 },
		{ scene: 99, line: 0 },
		{ scene: 3, line: 0 },
	]);
	assert.equal(cut.chosenBy, 'claude');
	assert.deepEqual(
		cut.moments.map((moment) => moment.scene),
		[2, 3, 5, 7],
	);
	assert.ok(seconds(cut) >= 15 && seconds(cut) <= 30);
	const fallback = momentsFromPicks(plan, [{ scene: 99, line: 3 }]);
	assert.equal(fallback.chosenBy, 'rules');
	assert.deepEqual(fallback, chooseMoments(plan));
});
