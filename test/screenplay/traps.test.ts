import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseScript } from '../../nodes/shared/screenplay/parse';
import { critiquePlan } from '../../nodes/Screenplay/lib/critique';
import { refinePlan, sceneBudgetProblem } from '../../nodes/Screenplay/lib/refine';
import type { Plan, Scene } from '../../nodes/shared/plan';
import { SCRIPTS, expectedDuration } from './fixtures';

/**
 * The failures of issue 10, each on an input in the shape people paste (test/fixtures/scripts/pasted, described in
 * its README). Every expectation here is written out by hand from the script text.
 */
const pasted = (name: string) => readFileSync(join(SCRIPTS, 'pasted', name), 'utf8');
const said = (scene: Scene) => scene.dialogue.map((line) => [line.speaker, line.text]);
const local = { clipLimit: 20 };

test('one tab-indented speech in a Fountain file is still a speech, and the file is still Fountain', () => {
	for (const format of ['auto', 'fountain'] as const) {
		const plan = parseScript(pasted('fountain-traps.fountain'), { format });
		assert.equal(plan.format, 'fountain');
		const garage = plan.scenes[2];
		assert.equal(garage.heading, 'INT. GARAGE - DAY');
		assert.deepEqual(garage.dialogue[1], { speaker: 'STEEL', text: "Beer's ready!", parenthetical: 'starting the engine', actionBefore: 2 });
		assert.ok(!garage.action.includes('ready') && !garage.visualDescription.includes('ready'));
	}
});

test('story before the first heading is the first scene: its action and both voice-overs are kept', () => {
	const plan = parseScript(pasted('fountain-traps.fountain'));
	assert.equal(plan.title, 'Retirement Plan');
	assert.equal(plan.scenes.length, 4);
	assert.equal(plan.scenes[0].action, 'Wind over an empty harbour. Gulls circle the cranes at first light.');
	assert.deepEqual(said(plan.scenes[0]), [
		['NARRATOR', 'Every town has one night it never talks about.'],
		['MAYA', 'Ours was the night the harbour burned.'],
	]);
	// A cover page is not story: the PDF export's title, "Written by" and name make no scene.
	const pdf = parseScript(pasted('pdf-export.txt'));
	assert.deepEqual(pdf.scenes.map((scene) => scene.heading), ['INT. DINER - NIGHT', 'EXT. DINER - PARKING LOT - NIGHT']);
	assert.equal(pdf.title, 'NIGHT SHIFT');
});

test('transitions, supers and sound cues go where they belong; THE END and notes go nowhere', () => {
	const plan = parseScript(pasted('fountain-traps.fountain'));
	const garage = plan.scenes[2];
	assert.equal(garage.transition, 'CUT TO:');
	assert.deepEqual(garage.onScreenText, ['Thirty years later', 'Lisbon, 1984']);
	assert.deepEqual(garage.sound, ['Sirens in the distance.']);
	assert.equal(plan.scenes[3].transition, 'FADE OUT.');
	assert.equal(plan.scenes[3].action, 'MAYA (38, tired, paint on her sleeves) stirs a coffee she will not drink.');

	const markdown = parseScript(pasted('notes-and-cues.md'));
	// SUPER and SFX are not people: only Maya and Dev speak.
	assert.deepEqual(markdown.characters.map((character) => character.name), ['MAYA', 'DEV']);
	assert.deepEqual(markdown.scenes.map((scene) => scene.onScreenText), [['Three years later'], [], ['The next morning']]);
	assert.deepEqual(markdown.scenes[0].sound, ['A phone buzzes on the table.']);
	assert.equal(markdown.scenes[1].transition, 'CUT TO:');

	for (const plan_ of [plan, markdown, parseScript(pasted('pdf-export.txt'))]) {
		for (const scene of plan_.scenes) {
			const shownOrSpoken = [scene.action, scene.visualDescription, ...scene.dialogue.map((line) => line.text)].join(' ');
			for (const hidden of ['THE END', 'SUPER', 'SFX', 'TITLE OVER', 'CUT TO', 'FADE', 'Note:', 'maybe cut', 'draft 2']) {
				assert.ok(!shownOrSpoken.includes(hidden), `scene ${scene.number} shows or says "${hidden}"`);
			}
		}
	}
	// Author notes reach no field at all, so no provider ever sees them.
	assert.ok(!JSON.stringify(markdown).includes('maybe cut'));
});

test('a PDF export: page breaks inside a speech, lost blank lines and scene numbers at both ends', () => {
	const plan = parseScript(pasted('pdf-export.txt'));
	assert.equal(plan.format, 'screenplay');
	assert.deepEqual(said(plan.scenes[0]), [
		['JUNE', "You're still open?"],
		['MARCUS', 'Kitchen closed at eleven.'],
		['JUNE', "Coffee's not kitchen."],
		['MARCUS', 'Long night?'],
		['JUNE', 'Three codes and a man who wanted his mother. I held his hand till the end. Nobody else came. Nobody ever comes at four in the morning.'],
	]);
	assert.equal(
		plan.scenes[0].action,
		"Rain streaks the windows. MARCUS (50s, apron, reading glasses on a chain) wipes the counter. JUNE (20s, nurse's scrubs, soaked) pushes through the door.\n\nMarcus pours. She wraps both hands around the mug.",
	);
	assert.deepEqual(plan.scenes[0].onScreenText, ['Tuesday, 4:07 a.m.']);
	assert.deepEqual(plan.scenes[0].sound, ['Thunder, close.']);
	assert.equal(plan.scenes[0].transition, 'CUT TO:');
	assert.deepEqual(said(plan.scenes[1]), [['JUNE', 'I never pick up on the first ring.']]);
	assert.equal(plan.scenes[1].action, 'June sits in her car, engine off. Her phone lights up: MOM. She lets it ring.');
	assert.equal(plan.scenes[1].transition, 'FADE OUT.');
});

test('dual dialogue is marked as said at the same time, and the scene is timed for the two voices at once', () => {
	const plan = parseScript(pasted('fountain-traps.fountain'));
	const garage = plan.scenes[2];
	const adam = garage.dialogue.findIndex((line) => line.speaker === 'ADAM');
	assert.deepEqual(garage.dialogue[adam], { speaker: 'ADAM', text: 'Yes.', actionBefore: 2 });
	assert.deepEqual(garage.dialogue[adam + 1], { speaker: 'EVE', text: 'No.', dual: true, actionBefore: 2 });
	// The speech step mixes the two, so together they take the time of the longer one.
	assert.equal(garage.duration, expectedDuration(garage));
	const apart = { ...garage, dialogue: garage.dialogue.map(({ dual: _dual, ...line }) => line) };
	assert.ok(expectedDuration(apart) > expectedDuration(garage), 'said together is shorter than one after the other');
});

test('characters: joint cues are two people, voices need no look, and each is described by their own introduction', () => {
	const plan = parseScript(pasted('fountain-traps.fountain'));
	assert.deepEqual(
		plan.characters.map((character) => [character.name, character.lines, Boolean(character.offScreen)]),
		[
			['NARRATOR', 1, true],
			['MAYA', 2, false],
			['A VOICE', 1, true],
			['BRICK', 1, false],
			['STEEL', 1, false],
			['EDWARD', 2, false],
			['WILL', 2, false],
			['ADAM', 1, false],
			['EVE', 1, false],
			['THE CROWD', 1, true],
			["MAN'S VOICE", 1, true],
		],
	);
	const together = plan.scenes[2].dialogue.filter((line) => line.text === 'Together.');
	assert.deepEqual(together.map((line) => [line.speaker, Boolean(line.dual)]), [['EDWARD', false], ['WILL', true]]);
	const describe = (name: string) => plan.characters.find((character) => character.name === name)?.description;
	// The adult, not "YOUNG MAYA (8, …)"; Brick by his own sentence; Steel by nobody else's.
	assert.equal(describe('MAYA'), 'MAYA (38, tired, paint on her sleeves) stirs a coffee she will not drink.');
	assert.equal(describe('BRICK'), 'BRICK (60s, grey stubble, Hawaiian shirt) checks the mirror.');
	assert.equal(describe('STEEL'), '');
	// The critic asks for the look of people on screen only, and Refine never borrows another character's sentence.
	const critique = critiquePlan(plan, local);
	assert.deepEqual(
		critique.issues.filter((issue) => issue.code === 'character-missing-description').map((issue) => issue.character),
		['STEEL', 'EDWARD', 'WILL', 'ADAM', 'EVE'],
	);
	const refined = refinePlan(plan, critique, local).plan;
	const steel = refined.characters.find((character) => character.name === 'STEEL')!.description;
	assert.ok(!steel.includes('BRICK'), steel);
	assert.equal(refined.characters.find((character) => character.name === 'A VOICE')!.description, '');
});

test('Markdown: an action line under a speech is action, a wrapped speech goes on, notes never reach a provider', () => {
	const plan = parseScript(pasted('notes-and-cues.md'));
	assert.equal(plan.title, 'The Last Delivery');
	assert.deepEqual(said(plan.scenes[0]), [
		['MAYA', 'Pick up, pick up.'],
		['DEV', "I'm outside. Look down."],
	]);
	assert.equal(plan.scenes[0].action, 'MAYA (30s, hoodie, tired eyes) paces by the window, phone in hand.\n\nShe grabs the phone and dials.');
	assert.deepEqual(said(plan.scenes[1]), [
		['DEV', 'You kept the ticket.'],
		['MAYA', "I keep everything. That's the problem."],
	]);
	assert.equal(plan.scenes[1].action, 'DEV (30s, courier jacket, soaked) waves from the curb.\n\nShe laughs and wipes her eyes.');
	assert.equal(plan.characters.find((character) => character.name === 'DEV')!.offScreen, undefined);
});

/** A scene's beats in reading order: action paragraphs and lines, as the refined parts present them. */
function beats(scenes: Scene[]): string[] {
	return scenes.flatMap((scene) => {
		const paragraphs = scene.action ? scene.action.split('\n\n') : [];
		const out: string[] = [];
		let shown = 0;
		for (const line of scene.dialogue) {
			while (shown < (line.actionBefore ?? paragraphs.length)) out.push(`action: ${paragraphs[shown++]}`);
			out.push(`${line.speaker}: ${line.text}`);
		}
		while (shown < paragraphs.length) out.push(`action: ${paragraphs[shown++]}`);
		return out;
	});
}

const CALL = [
	'INT. APARTMENT - NIGHT',
	'',
	'MAYA (30s, hoodie) paces by the rain-streaked window, turning a phone over and over in her hands.',
	'',
	'MAYA',
	'He said he would call by ten. It is almost midnight now.',
	'',
	'She grabs the phone and dials.',
	'',
	'DEV (V.O.)',
	'Maya? I am at the station. The last train never came.',
	'',
	'MAYA',
	'Stay where you are. I am coming to get you right now.',
	'',
	'She pulls on her coat, grabs her keys from the bowl by the door and runs down the stairwell two steps at a time.',
	'',
	'DEV (V.O.)',
	'Bring the umbrella. It is pouring out here.',
].join('\n');

test('a split keeps script order: the call is dialled before it is answered, and every part has its own picture', () => {
	const plan = parseScript(CALL);
	const critique = critiquePlan(plan, { clipLimit: 10 });
	const { plan: refined } = refinePlan(plan, critique, { clipLimit: 10 });
	assert.ok(refined.scenes.length >= 3, `${refined.scenes.length} parts`);
	// Reading the parts one after another gives the script, beat for beat.
	assert.deepEqual(beats(refined.scenes), beats(plan.scenes));
	assert.deepEqual(beats(plan.scenes).slice(0, 4), [
		'action: MAYA (30s, hoodie) paces by the rain-streaked window, turning a phone over and over in her hands.',
		'MAYA: He said he would call by ten. It is almost midnight now.',
		'action: She grabs the phone and dials.',
		'DEV: Maya? I am at the station. The last train never came.',
	]);
	for (const scene of refined.scenes) assert.ok(scene.duration <= 10, `part ${scene.number} lasts ${scene.duration} s`);
	const visuals = refined.scenes.map((scene) => scene.visualDescription);
	assert.equal(new Set(visuals).size, visuals.length, `every part has its own picture: ${visuals.join(' | ')}`);
	assert.ok(!visuals.slice(1).includes(plan.scenes[0].visualDescription));
	assert.deepEqual(critiquePlan(refined, { clipLimit: 10 }).issues.filter((issue) => issue.code === 'story-order'), []);
});

/** A script of `scenes` scenes, each with `actionWords` words of action and `lines` lines of 12 words. */
function longScript(scenes: number, actionWords: number, lines: number): string {
	const out: string[] = [];
	for (let index = 1; index <= scenes; index++) {
		out.push(`INT. ROOM ${index} - NIGHT`, '');
		if (actionWords) out.push(Array.from({ length: actionWords }, (_, word) => (word % 12 === 11 ? 'slowly.' : 'Alice walks')).join(' '), '');
		for (let line = 0; line < lines; line++) {
			out.push(line % 2 ? 'BOB' : 'ALICE', 'We have to leave this place before the lights go out again tonight.', '');
		}
	}
	return out.join('\n');
}

test('the 50-scene limit holds after refinement: long action is shown faster instead of split past the limit', () => {
	// Nine scenes of 450 words of action each: read at 3 words/s, 150 s a scene, 8 clips of 20 s each = 72 scenes.
	let plan: Plan = parseScript(longScript(9, 450, 2));
	assert.equal(plan.scenes.length, 9);
	assert.equal(sceneBudgetProblem(plan, { clipLimit: 20 }), null);
	for (let iteration = 0; iteration < 3; iteration++) {
		const critique = critiquePlan(plan, local);
		plan = refinePlan(plan, critique, local).plan;
		assert.ok(plan.scenes.length <= 50, `iteration ${iteration + 1}: ${plan.scenes.length} scenes`);
	}
	for (const scene of plan.scenes) assert.ok(scene.duration <= 20, `scene ${scene.number} lasts ${scene.duration} s`);
	assert.equal(plan.scenes.flatMap((scene) => scene.dialogue).length, 18);
});

test('a script that cannot fit 50 clips is refused before any work, saying what to do', () => {
	assert.equal(
		sceneBudgetProblem(parseScript(longScript(60, 10, 1)), { clipLimit: 20 }),
		'The script has 60 scenes; a run takes at most 50. Split it into several runs.',
	);
	// Ten scenes of 30 lines of 13 words (13 / 2.5 + 0.5 = 5.7 s each): three lines (17.1 s) fill a 20 s clip, so each
	// scene needs 10 clips for its dialogue alone, 100 in all.
	const talky = parseScript(longScript(10, 0, 30));
	assert.equal(
		sceneBudgetProblem(talky, { clipLimit: 20 }),
		'The script needs at least 100 scenes of at most 20 s for its dialogue alone; a run takes at most 50. Split it into several runs, cut dialogue, or use a video provider with longer clips.',
	);
});

test('the critic costs a screenplay with no dialogue, speech in the action, broken order and notes in the picture', () => {
	const plan = parseScript(pasted('fountain-traps.fountain'));
	// What the old reading made of it: every speech in the action, no dialogue anywhere.
	for (const scene of plan.scenes) {
		scene.action = [scene.action, ...scene.dialogue.map((line) => `${line.speaker} ${line.text}`)].join(' ');
		scene.dialogue = [];
	}
	plan.scenes[1].visualDescription = 'Note: maybe cut this scene. A girl runs along the pier at night.';
	const critique = critiquePlan(plan, local);
	const codes = new Set(critique.issues.map((issue) => issue.code));
	for (const code of ['missing-dialogue', 'speech-in-action', 'note-in-visual'] as const) assert.ok(codes.has(code), code);
	assert.ok(critique.score <= 50, `score ${critique.score}`);
	const refined = refinePlan(plan, critique, local).plan;
	const after = critiquePlan(refined, local);
	// Refining cannot put the speeches back: the plan stays far from "good enough".
	assert.ok(after.score <= 60, `score after refining ${after.score}`);
	assert.ok(after.issues.some((issue) => issue.code === 'missing-dialogue'));
	assert.ok(!refined.scenes[1].visualDescription.includes('Note:'));

	const ordered = parseScript(CALL);
	ordered.scenes[0].dialogue[2].actionBefore = 0;
	assert.deepEqual(
		critiquePlan(ordered, local).issues.filter((issue) => issue.code === 'story-order').map((issue) => issue.scene),
		[1],
	);
});

test('posts: pictures describe what to show, and parts end at sentence ends', () => {
	const plan = parseScript(pasted('reddit-long.txt'));
	assert.equal(plan.title, 'TIFU by bringing my boss the wrong cake');
	assert.equal(plan.scenes[0].narration, "So this happened yesterday and I'm still cringing.");
	for (const scene of plan.scenes) {
		assert.match(scene.narration, /[.!?]["”’]?$/, `part ${scene.number} ends mid-sentence: ${scene.narration}`);
		assert.ok(!/\b(I|I'm|my|me|we)\b/.test(scene.visualDescription), scene.visualDescription);
	}
	assert.equal(plan.scenes[1].visualDescription, 'Medium shot of the narrator talking to the camera in a softly lit room, with an office, a cake and a coffee in view.');
	assert.deepEqual(critiquePlan(plan, local).issues.filter((issue) => issue.code === 'visual-copies-text'), []);

	// The 82-word sentence is longer than a clip: it is cut at its clauses, and no part gets a card with half a quote.
	const refined = refinePlan(plan, critiquePlan(plan, local), local).plan;
	for (const scene of refined.scenes) {
		assert.match(scene.narration, /[.!?,]["”’]?$/, `part ${scene.number}: ${scene.narration}`);
		assert.ok(!scene.visualDescription.includes('title card'), scene.visualDescription);
		assert.ok(scene.duration <= 20);
	}

	// A plan whose pictures are the post's own words is marked down and redrawn.
	const copied = parseScript(pasted('reddit-long.txt'));
	copied.scenes[0].visualDescription = copied.scenes[0].narration;
	const critique = critiquePlan(copied, local);
	assert.deepEqual(critique.issues.filter((issue) => issue.code === 'visual-copies-text').map((issue) => issue.scene), [1]);
	const redrawn = refinePlan(copied, critique, local).plan;
	assert.equal(redrawn.scenes[0].visualDescription, 'Medium shot of the narrator talking to the camera in a softly lit room.');
});

test('issue 15, text-traps.md: bold and hashed headings come out plain, zero-width spaces part words, emoji and Arabic stay', () => {
	const plan = parseScript(pasted('text-traps.md'));
	assert.equal(plan.format, 'markdown');
	assert.equal(plan.title, 'Late Shift');
	assert.deepEqual(
		plan.scenes.map((scene) => [scene.heading, scene.interior, scene.location, scene.timeOfDay]),
		[
			['Scene 1: INT. OFFICE KITCHEN - MORNING', 'INT', 'OFFICE KITCHEN', 'MORNING'],
			['Scene 2: EXT. ROOF - DAY', 'EXT', 'ROOF', 'DAY'],
		],
	);
	assert.deepEqual(
		plan.scenes[0].dialogue.map((line) => [line.speaker, line.text]),
		[
			['JO', 'Zero width there too, said the note on the fridge.'],
			['SAM', 'مرحبا يا صديقي كيف حالك'],
			['JO', 'Fine, I am coding 👩\u200D💻 all day.'],
		],
	);
	assert.equal(plan.scenes[0].action, 'JO stares at the coffee machine 🤖 and sighs.');
});
