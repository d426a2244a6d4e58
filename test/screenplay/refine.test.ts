import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseScript } from '../../nodes/shared/screenplay/parse';
import { critiquePlan } from '../../nodes/Screenplay/lib/critique';
import { refinePlan } from '../../nodes/Screenplay/lib/refine';
import type { Plan } from '../../nodes/shared/plan';
import { expectedDuration, longScene, script, wordCount } from './fixtures';

const local = { clipLimit: 20 };

/** Kitchen (short) → platform (five long lines, 28.1 s) → garden (short). */
function planWithLongScene(): Plan {
	return parseScript(
		[
			'INT. KITCHEN - NIGHT',
			'',
			'ALICE (30s, tired) packs a bag by the stove.',
			'',
			'ALICE',
			'We have to go.',
			'',
			'EXT. STATION PLATFORM - NIGHT',
			'',
			'ALICE and BOB (40s, out of breath) sprint past a flickering timetable.',
			'',
			longScene(5),
			'EXT. GARDEN - DAY',
			'',
			'BOB waters the roses.',
			'',
			'BOB',
			'We made it.',
		].join('\n'),
	);
}

test('a plan with no issues comes back unchanged, with no changes', () => {
	const plan = parseScript(script('three-scenes.fountain'));
	const critique = critiquePlan(plan, local);
	assert.deepEqual(critique.issues, []);
	const refined = refinePlan(plan, critique, local);
	assert.deepEqual(refined, { plan, changes: [] });
	assert.notEqual(refined.plan, plan, 'a copy, so later edits do not reach the original');
});

test('an over-long scene is split at dialogue boundaries and the scenes are renumbered 1..n', () => {
	const plan = planWithLongScene();
	assert.equal(plan.scenes[1].duration, expectedDuration(plan.scenes[1]));
	assert.ok(plan.scenes[1].duration > 20);
	const critique = critiquePlan(plan, local);
	assert.deepEqual(critique.issues.map((issue) => [issue.code, issue.scene]), [['scene-over-clip-limit', 2]]);

	const { plan: refined, changes } = refinePlan(plan, critique, local);
	assert.deepEqual(changes, [
		`Split scene 2 (${plan.scenes[1].duration} s) into scenes 2 and 3 to fit the 20 s clip limit.`,
	]);
	assert.deepEqual(
		refined.scenes.map((scene) => [scene.number, scene.heading]),
		[
			[1, 'INT. KITCHEN - NIGHT'],
			[2, 'EXT. STATION PLATFORM - NIGHT'],
			[3, "EXT. STATION PLATFORM - NIGHT (CONT'D)"],
			[4, 'EXT. GARDEN - DAY'],
		],
	);
	for (const scene of refined.scenes) {
		assert.ok(scene.duration <= 20, `scene ${scene.number} lasts ${scene.duration} s`);
		assert.equal(scene.duration, expectedDuration(scene));
	}
	// Every line is still there, in order, and the place carries over.
	const said = (lines: { speaker: string; text: string }[]) => lines.map((line) => [line.speaker, line.text]);
	assert.deepEqual(said([...refined.scenes[1].dialogue, ...refined.scenes[2].dialogue]), said(plan.scenes[1].dialogue));
	assert.equal(refined.scenes[2].location, 'STATION PLATFORM');
	assert.ok(refined.scenes[2].visualDescription.startsWith('Exterior, Station Platform, night.'));
	assert.deepEqual(
		refined.characters.map((character) => [character.name, character.lines, character.scenes]),
		[
			['ALICE', 4, [1, 2, 3]],
			['BOB', 3, [2, 3, 4]],
		],
	);
	assert.deepEqual(
		refined.settings.map((setting) => [setting.name, setting.scenes]),
		[
			['KITCHEN', [1]],
			['STATION PLATFORM', [2, 3]],
			['GARDEN', [4]],
		],
	);
	assert.equal(refined.totalDuration, Math.round(refined.scenes.reduce((sum, scene) => sum + scene.duration, 0) * 10) / 10);
	const after = critiquePlan(refined, local);
	assert.deepEqual(after.issues, []);
	assert.ok(after.score > critique.score);
});

test('a 10 s clip limit splits further, and one speech too long for a clip is cut at its sentences', () => {
	const speech = Array.from({ length: 6 }, (_, index) => `This is sentence number ${index + 1} of my very long speech.`).join(' ');
	const plan = parseScript(`INT. HALL - DAY\n\nMARA (50s, in a grey suit) grips the lectern.\n\nMARA\n${speech}\n`);
	assert.equal(plan.scenes[0].duration, Math.ceil((wordCount(speech) / 2.5 + 0.5) * 10) / 10);
	const kling = { clipLimit: 10 };
	const { plan: refined, changes } = refinePlan(plan, critiquePlan(plan, kling), kling);
	assert.equal(refined.scenes.length, Math.ceil(plan.scenes[0].duration / 10));
	assert.match(changes[0], /^Split scene 1 \(\d+(\.\d)? s\) into scenes 1, 2 and 3 to fit the 10 s clip limit\.$/);
	assert.equal(refined.scenes.map((scene) => scene.dialogue.map((line) => line.text).join(' ')).join(' '), speech);
	for (const scene of refined.scenes) assert.ok(scene.duration <= 10);
	assert.equal(refined.characters[0].lines, refined.scenes.reduce((sum, scene) => sum + scene.dialogue.length, 0));
	assert.deepEqual(refined.characters[0].scenes, [1, 2, 3]);
	assert.deepEqual(critiquePlan(refined, kling).issues, []);
});

test('missing visual and character descriptions are written from the action, heading and characters', () => {
	const plan = parseScript(script('coffee-break.md'));
	const critique = critiquePlan(plan, local);
	assert.equal(critique.score, 85);
	const { plan: refined, changes } = refinePlan(plan, critique, local);
	assert.equal(refined.scenes[2].visualDescription, 'Medium shot of JO talking to the camera.');
	assert.equal(
		refined.characters[1].description,
		'SAM, a character who appears in scenes 1 and 2 (Interior, Office Kitchen, morning; Rooftop, afternoon). First seen: Sam and Jo share one paper cup on the windy roof.',
	);
	assert.deepEqual(changes, [
		'Wrote the visual description of scene 3 from its heading and the characters in it: "Medium shot of JO talking to the camera.".',
		`Wrote a description for SAM from the scenes they appear in: "${refined.characters[1].description}".`,
	]);
	const after = critiquePlan(refined, local);
	assert.deepEqual(after, { score: 100, issues: [], critic: 'rules' });
});

test('a scene with no picture and no action gets one from its place and people, or a title card', () => {
	const plan = parseScript(script('three-scenes.fountain'));
	plan.scenes[0].visualDescription = '';
	plan.scenes[1].visualDescription = '';
	plan.scenes[1].action = '';
	plan.scenes[2].visualDescription = 'Hope.';
	const { plan: refined } = refinePlan(plan, critiquePlan(plan, local), local);
	assert.equal(
		refined.scenes[0].visualDescription,
		'Interior, Kitchen, night. ALICE (30s, tired) stirs a pot of soup under a flickering bulb.',
	);
	assert.equal(refined.scenes[1].visualDescription, 'Exterior, Garden, day. Medium shot of BOB and ALICE talking to each other.');
	assert.equal(
		refined.scenes[2].visualDescription,
		'Interior, Kitchen, night. The kettle whistles. Alice pours two cups. Hope.',
	);

	const bare = parseScript('Just some thoughts about an idea and a feeling.', { format: 'post' });
	bare.scenes[0].visualDescription = '';
	const { plan: titled } = refinePlan(bare, critiquePlan(bare, local), local);
	// A post's picture is a shot to draw, never its own words on a card.
	assert.equal(titled.scenes[0].visualDescription, 'Medium shot of the narrator talking to the camera in a softly lit room.');
	assert.deepEqual(critiquePlan(titled, local).issues, []);
});

test('a plan over its target is shortened by scaling action-only time, never cutting dialogue', () => {
	const plan = parseScript(script('pasted-screenplay.txt'), { targetDuration: 10 });
	// Scene 1: "I'm here. Where are you?" (5 / 2.5 + 0.5) + "Look up." (2 / 2.5 + 0.5) = 3.8 s.
	// Scene 2: "You kept the ticket." (4 / 2.5 + 0.5) + "I keep everything. That's the problem." (6 / 2.5 + 0.5) = 5 s.
	const spoken = [3.8, 5];
	const critique = critiquePlan(plan, local);
	assert.deepEqual(critique.issues.map((issue) => issue.code), ['duration-off-target']);
	const { plan: refined, changes } = refinePlan(plan, critique, local);
	refined.scenes.forEach((scene, index) => assert.ok(scene.duration >= spoken[index], `scene ${index + 1} keeps its dialogue`));
	// Only scene 1 has action beyond its dialogue (28 words = 9.4 s); it gives up 4.4 s of it.
	assert.deepEqual(
		refined.scenes.map((scene) => scene.duration),
		[5, 5],
	);
	assert.deepEqual(changes, ['Rebalanced scene durations toward the 10 s target: 14.4 s → 10 s (1 scene shortened).']);
	assert.deepEqual(critiquePlan(refined, local).issues, []);

	// 6 s cannot be reached without cutting lines: both scenes stop at their spoken time and the change says so.
	const tight = refinePlan(plan, critiquePlan(plan, { clipLimit: 20, targetDuration: 6 }), { clipLimit: 20, targetDuration: 6 });
	assert.deepEqual(
		tight.plan.scenes.map((scene) => scene.duration),
		spoken,
	);
	assert.deepEqual(tight.changes, [
		'Rebalanced scene durations toward the 6 s target: 14.4 s → 8.8 s (1 scene shortened). The dialogue and narration need the rest, so the plan stays over the target: cut lines or drop a scene.',
	]);
});

test('a plan under its target is lengthened in proportion, up to the clip limit', () => {
	const plan = parseScript(script('three-scenes.fountain'), { targetDuration: 22 });
	const critique = critiquePlan(plan, local);
	const { plan: refined, changes } = refinePlan(plan, critique, local);
	assert.equal(refined.totalDuration, 22);
	assert.deepEqual(changes, ['Rebalanced scene durations toward the 22 s target: 11 s → 22 s (3 scenes lengthened).']);
	// Each scene grows by the same factor (22 / 11), to the nearest 0.1 s.
	assert.deepEqual(
		refined.scenes.map((scene) => scene.duration),
		plan.scenes.map((scene) => Math.round(((scene.duration * 22) / 11) * 10) / 10),
	);
	assert.deepEqual(critiquePlan(refined, local).issues, []);

	const far = refinePlan(plan, critique, { clipLimit: 5, targetDuration: 60 });
	assert.deepEqual(
		far.plan.scenes.map((scene) => scene.duration),
		[5, 5, 5],
	);
	assert.match(far.changes.at(-1)!, /Clips stop at the 5 s limit, so the plan stays under the target/);
});

test('a scene too short for its dialogue is lengthened, and split if that takes it over the limit', () => {
	const plan = parseScript(script('three-scenes.fountain'));
	plan.scenes[1].duration = 2;
	const { plan: refined, changes } = refinePlan(plan, critiquePlan(plan, local), local);
	assert.equal(refined.scenes[1].duration, 4.6);
	assert.deepEqual(changes, ['Lengthened scene 2 from 2 s to 4.6 s so its dialogue fits.']);

	const long = planWithLongScene();
	long.scenes[1].duration = 5;
	const critique = critiquePlan(long, local);
	assert.deepEqual(critique.issues.map((issue) => issue.code), ['dialogue-over-scene-time']);
	const fixed = refinePlan(long, critique, local);
	assert.equal(fixed.plan.scenes.length, 4);
	assert.deepEqual(critiquePlan(fixed.plan, local).issues, []);
});

test('split posts keep their "Title — Part N" headings in step with the scene numbers', () => {
	const plan = parseScript(script('reddit-post.txt'));
	const kling = { clipLimit: 10 };
	const { plan: refined } = refinePlan(plan, critiquePlan(plan, kling), kling);
	assert.ok(refined.scenes.length > plan.scenes.length);
	refined.scenes.forEach((scene, index) => {
		assert.equal(scene.number, index + 1);
		assert.equal(scene.heading, index === 0 ? plan.title : `${plan.title} — Part ${index + 1}`);
		assert.ok(scene.duration <= 10);
	});
	assert.equal(
		refined.scenes.map((scene) => scene.narration).join(' '),
		plan.scenes.map((scene) => scene.narration).join(' '),
	);
	assert.deepEqual(critiquePlan(refined, kling).issues, []);
});

test('refine then critique never scores lower, over every fixture, limit and target', () => {
	const fixtures = [
		'three-scenes.fountain',
		'pasted-screenplay.txt',
		'coffee-break.md',
		'reddit-post.txt',
		'special-characters.fountain',
	];
	for (const name of fixtures) {
		for (const clipLimit of [3, 10, 20]) {
			for (const targetDuration of [null, 8, 30, 120]) {
				const opts = { clipLimit, targetDuration };
				let plan = parseScript(script(name));
				let critique = critiquePlan(plan, opts);
				for (let round = 1; round <= 3; round++) {
					const refined = refinePlan(plan, critique, opts);
					const next = critiquePlan(refined.plan, opts);
					const where = `${name}, limit ${clipLimit}, target ${targetDuration}, round ${round}`;
					assert.ok(next.score >= critique.score, `${where}: ${critique.score} → ${next.score}`);
					refined.plan.scenes.forEach((scene, index) => assert.equal(scene.number, index + 1, where));
					assert.equal(refined.plan.totalDuration, Math.round(refined.plan.scenes.reduce((sum, scene) => sum + scene.duration, 0) * 10) / 10, where);
					plan = refined.plan;
					critique = next;
				}
			}
		}
	}
});

test('refine is deterministic and does not touch its input', () => {
	const plan = parseScript(script('coffee-break.md'), { targetDuration: 40 });
	plan.scenes[1].duration = 30;
	const before = JSON.stringify(plan);
	const critique = critiquePlan(plan, local);
	const first = refinePlan(plan, critique, local);
	const second = refinePlan(plan, critique, local);
	assert.deepEqual(first, second);
	assert.equal(JSON.stringify(plan), before);
});
