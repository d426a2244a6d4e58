import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseScript } from '../../nodes/shared/screenplay/parse';
import { critiquePlan, type CritiqueOptions } from '../../nodes/Screenplay/lib/critique';
import type { Plan } from '../../nodes/shared/plan';
import { script } from './fixtures';

const fountain = () => parseScript(script('three-scenes.fountain'));
const local: CritiqueOptions = { clipLimit: 20 };
const codes = (plan: Plan, opts: CritiqueOptions = local) => critiquePlan(plan, opts).issues.map((issue) => [issue.code, issue.scene ?? issue.character ?? null, issue.penalty]);

test('a complete plan scores 100 with no issues', () => {
	const critique = critiquePlan(fountain(), local);
	assert.deepEqual(critique, { score: 100, issues: [], critic: 'rules' });
});

test('a scene with no visual description costs 10 points and says what to write', () => {
	const plan = parseScript(script('coffee-break.md'));
	const critique = critiquePlan(plan, local);
	assert.deepEqual(codes(plan), [
		['scene-missing-visual', 3, 10],
		['character-missing-description', 'SAM', 5],
	]);
	assert.equal(critique.score, 85);
	assert.equal(
		critique.issues[0].message,
		'Scene 3 has no visual description. Describe what the camera shows: the place, who is there and what they do.',
	);
	assert.equal(
		critique.issues[1].message,
		'SAM speaks 2 lines but has no visual description. Say what SAM looks like (age, build, clothes) so every clip shows the same person.',
	);
});

test('thin or abstract visual descriptions cost 5 points each; the category stops at 40', () => {
	const plan = fountain();
	plan.scenes[0].visualDescription = 'A room.';
	plan.scenes[1].visualDescription = 'Feelings of regret and hope swirl endlessly around.';
	plan.scenes[2].visualDescription = '';
	const critique = critiquePlan(plan, local);
	assert.deepEqual(codes(plan), [
		['scene-missing-visual', 1, 5],
		['scene-missing-visual', 2, 5],
		['scene-missing-visual', 3, 10],
	]);
	assert.match(critique.issues[0].message, /^Scene 1 \(INT\. KITCHEN - NIGHT\) has a thin visual description \("A room\.", 2 words; at least 6 needed\)/);
	assert.match(critique.issues[1].message, /names nothing a camera can show/);
	assert.equal(critique.score, 80);

	// Naming the location or a character counts as something visible.
	plan.scenes[1].visualDescription = 'Bob, quietly proud of himself, in the garden.';
	assert.equal(critiquePlan(plan, local).issues.filter((issue) => issue.scene === 2).length, 0);

	const many = parseScript(Array.from({ length: 6 }, (_, index) => `INT. ROOM ${index} - DAY\n\nALICE\nHello.\n`).join('\n'));
	const capped = critiquePlan(many, local);
	assert.deepEqual(
		capped.issues.filter((issue) => issue.code === 'scene-missing-visual').map((issue) => issue.penalty),
		[10, 10, 10, 10, 0, 0],
	);
});

test('a scene over the clip limit costs 10 points plus 1 per second over', () => {
	const plan = fountain();
	plan.scenes[1].duration = 24;
	const critique = critiquePlan(plan, local);
	assert.deepEqual(codes(plan), [['scene-over-clip-limit', 2, 14]]);
	assert.equal(critique.score, 86);
	assert.equal(
		critique.issues[0].message,
		'Scene 2 (EXT. GARDEN - DAY) runs 24 s, over the 20 s clip limit of the video provider. Split it into shorter scenes.',
	);
	// Kling and Runway render 10 s clips: the same plan is fine at 20 s, one scene over at 10 s.
	plan.scenes[1].duration = 12;
	assert.deepEqual(codes(plan, { clipLimit: 10 }), [['scene-over-clip-limit', 2, 12]]);
	assert.deepEqual(codes(plan, { clipLimit: 20 }), []);
});

test('total duration off target: ±15% is fine, then 0.5 points per percentage point (at least 3, at most 25)', () => {
	const plan = fountain(); // 11 s (scene 3's dual line is said with the line before it)
	assert.deepEqual(codes(plan, { clipLimit: 20, targetDuration: 12.5 }), []); // 12% under
	assert.deepEqual(codes(plan, { clipLimit: 20, targetDuration: 9.7 }), []); // 13.4% over
	// 11 s against 16 s is 31.25% under: 16.25 points past the tolerance → 8.125 → 9.
	const under = critiquePlan(plan, { clipLimit: 20, targetDuration: 16 });
	assert.deepEqual(under.issues.map((issue) => [issue.code, issue.penalty]), [['duration-off-target', 9]]);
	assert.equal(under.score, 91);
	assert.equal(
		under.issues[0].message,
		'The plan runs 11 s, 31% under the 16 s target (±15% is fine). Lengthen scenes or add one.',
	);
	// 11 s against 60 s is 82% under: 66.7 points past → 33.3 → capped at 25.
	assert.equal(critiquePlan(plan, { clipLimit: 20, targetDuration: 60 }).issues[0].penalty, 25);
	// Just past the tolerance (15.8% over) still costs the minimum 3 points.
	assert.equal(critiquePlan(plan, { clipLimit: 20, targetDuration: 9.5 }).issues[0].penalty, 3);
	assert.match(critiquePlan(plan, { clipLimit: 20, targetDuration: 8 }).issues[0].message, /38% over the 8 s target/);
});

test("with no target option the plan's own target is used", () => {
	const plan = parseScript(script('three-scenes.fountain'), { targetDuration: 60 });
	assert.deepEqual(codes(plan), [['duration-off-target', null, 25]]);
	assert.deepEqual(codes(plan, { clipLimit: 20, targetDuration: 12 }), []);
});

test('dialogue that needs more time than the scene has costs 8 points', () => {
	const plan = fountain();
	plan.scenes[1].duration = 2;
	const critique = critiquePlan(plan, local);
	assert.deepEqual(codes(plan), [['dialogue-over-scene-time', 2, 8]]);
	assert.equal(
		critique.issues[0].message,
		'Scene 2 (EXT. GARDEN - DAY) lasts 2 s but its dialogue needs 4.6 s at 2.5 words per second. Lengthen the scene to at least 4.6 s or cut lines.',
	);
});

test('the score is an integer from 0 to 100 and the critic is deterministic and leaves the plan alone', () => {
	const plan = parseScript(script('coffee-break.md'));
	for (const scene of plan.scenes) {
		scene.visualDescription = '';
		scene.duration = 40;
	}
	plan.characters.forEach((character) => (character.description = ''));
	const before = JSON.stringify(plan);
	const worst = critiquePlan(plan, { clipLimit: 10, targetDuration: 10 });
	assert.equal(JSON.stringify(plan), before);
	assert.ok(Number.isInteger(worst.score) && worst.score >= 0 && worst.score <= 100);
	assert.equal(worst.score, 100 - 30 - 10 - 25 - 30);
	assert.deepEqual(critiquePlan(plan, { clipLimit: 10, targetDuration: 10 }), worst);
	assert.equal(new Set(worst.issues.map((issue) => issue.message)).size, worst.issues.length);
});
