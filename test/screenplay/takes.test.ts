import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import type { Plan } from '../../nodes/shared/plan';
import { critiquePlan } from '../../nodes/shared/screenplay/critique';
import { parseScript } from '../../nodes/shared/screenplay/parse';
import { planTakes } from '../../nodes/shared/screenplay/takes';
import { script } from './fixtures';

const local = { clipLimit: 20 };
const spoken = (plan: Plan) =>
	plan.scenes.flatMap((scene) => [...scene.dialogue.map((line) => `${line.speaker}: ${line.text}`), scene.narration].filter(Boolean));

describe('the rules planner’s takes (variations)', () => {
	const screenplay = parseScript(script('four-scenes.fountain'));
	const post = parseScript(script('reddit-post.txt'), { format: 'post' });

	test('five takes of a screenplay are five different plans, take 1 the script as written', () => {
		const takes = planTakes(screenplay, 5, local);
		assert.deepEqual(
			takes.map((take) => take.take),
			[1, 2, 3, 4, 5],
		);
		assert.deepEqual(takes[0].plan, screenplay);
		assert.equal(new Set(takes.map((take) => JSON.stringify(take.plan.scenes))).size, 5);
		// A cold open, a telling in fewer clips: what a viewer sees first, and how many clips there are, differ.
		const openings = takes.map((take) => JSON.stringify(take.plan.scenes[0].dialogue[0] ?? take.plan.scenes[0].action));
		assert.ok(new Set(openings).size >= 3, `different openings: ${openings.join(' | ')}`);
		assert.ok(new Set(takes.map((take) => take.plan.scenes.length)).size >= 2, 'different scene splits');
		for (const take of takes.slice(1)) assert.match(take.description, new RegExp(`^Take ${take.take}: (opens cold on|tells it in)`));
	});

	test('every take after the first is filmed in a look of its own, named in its description and in every scene it sends', () => {
		const takes = planTakes(screenplay, 4, local);
		assert.ok(
			takes[0].plan.scenes.every((scene) => !/Look:/.test(scene.visualDescription)),
			'take 1 keeps the script’s own look',
		);
		const looks = takes.slice(1).map((take) => {
			const look = /Look: ([^.]+)\.$/.exec(take.plan.scenes[0].visualDescription)?.[1];
			assert.ok(look, `take ${take.take} has a look: ${take.plan.scenes[0].visualDescription}`);
			// Each scene keeps what the camera shows and adds the take's look, so a video provider films the difference.
			for (const scene of take.plan.scenes) assert.ok(scene.visualDescription.endsWith(`Look: ${look}.`), scene.visualDescription);
			assert.match(take.description, new RegExp(`Look: [a-z ]+ \\(${look}\\)\\.$`));
			return look;
		});
		assert.equal(new Set(looks).size, 3, `three different looks: ${looks.join(' | ')}`);
		// The rules critic does not count the look against a take.
		for (const take of takes) assert.ok(!critiquePlan(take.plan, local).issues.some((issue) => issue.code === 'note-in-visual'), take.description);
	});

	test('the same plan gives the same takes every time', () => {
		assert.deepEqual(planTakes(screenplay, 5, local), planTakes(structuredClone(screenplay), 5, local));
		assert.deepEqual(planTakes(post, 3, local), planTakes(parseScript(script('reddit-post.txt'), { format: 'post' }), 3, local));
		// Asking for fewer takes gives the first ones of the longer list.
		assert.deepEqual(planTakes(screenplay, 2, local), planTakes(screenplay, 5, local).slice(0, 2));
	});

	test('every take keeps every line of the script, in script order after its opening', () => {
		const lines = spoken(screenplay);
		for (const take of planTakes(screenplay, 5, local)) {
			const own = spoken(take.plan);
			const rest = own.length > lines.length ? own.slice(own.length - lines.length) : own;
			assert.deepEqual(rest, lines, take.description);
			assert.deepEqual(
				take.plan.scenes.map((scene) => scene.number),
				take.plan.scenes.map((_, index) => index + 1),
			);
			const issues = critiquePlan(take.plan, local).issues.filter((issue) => issue.code === 'story-order' || issue.code === 'missing-dialogue');
			assert.deepEqual(issues, [], take.description);
			for (const character of take.plan.characters) {
				const appears = take.plan.scenes
					.filter((scene) => scene.dialogue.some((line) => line.speaker === character.name))
					.map((scene) => scene.number);
				for (const number of appears) assert.ok(character.scenes.includes(number), `${character.name} is listed in scene ${number}`);
			}
		}
	});

	test('several scripts from one post: each take opens on another of its sentences, parts numbered in order', () => {
		const takes = planTakes(post, 3, local);
		assert.equal(takes.length, 3);
		assert.equal(new Set(takes.map((take) => take.plan.scenes[0].narration)).size, 3);
		for (const take of takes) {
			assert.deepEqual(
				take.plan.scenes.map((scene) => scene.heading),
				take.plan.scenes.map((scene) => (scene.number === 1 ? post.title : `${post.title} — Part ${scene.number}`)),
			);
		}
	});

	test('a script with nothing to vary gives one take', () => {
		const tiny = parseScript('INT. ROOM - DAY\n\nA cat sleeps on a chair.\n', { format: 'fountain' });
		assert.equal(planTakes(tiny, 5, local).length, 1);
	});
});
