import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { Fountain } from 'fountain-js';
import { parseScript, ScriptError } from '../../nodes/shared/screenplay/parse';
import type { Plan } from '../../nodes/shared/plan';
import { SCRIPTS } from './fixtures';

/**
 * Real screenplays nobody here wrote (test/fixtures/scripts/corpus, sources and licences in SOURCES.md), read by our
 * parser and by fountain-js, an independent Fountain parser. Our parser does not use fountain-js, so its counts are a
 * fair second opinion: scenes, speaking characters and every dialogue block (who says what, in order) must agree.
 */
const CORPUS = join(SCRIPTS, 'corpus');
const files = readdirSync(CORPUS).filter((name) => name.endsWith('.fountain'));
const read = (name: string) => readFileSync(join(CORPUS, name), 'utf8');

/** Words as a viewer hears them: emphasis markers, brackets of lyrics and case do not matter. */
const words = (text: string) =>
	text
		.toLowerCase()
		.replace(/[*_]/g, '')
		.split(/\s+/)
		.filter(Boolean);

interface Block {
	speaker: string;
	words: string[];
}

/** fountain-js's dialogue blocks: a character cue and the dialogue under it (parentheticals are directions, not words). */
function fountainJsBlocks(text: string): { scenes: number; blocks: Block[] } {
	const { tokens } = new Fountain().parse(text, true);
	const blocks: Block[] = [];
	let scenes = 0;
	for (const token of tokens) {
		if (token.type === 'scene_heading') scenes++;
		if (token.type === 'character') {
			blocks.push({ speaker: (token.text ?? '').replace(/\s*\^$/, '').replace(/(\s*\([^)]*\))+$/, '').trim().toUpperCase(), words: [] });
		}
		if ((token.type === 'dialogue' || token.type === 'lyrics') && blocks.length) blocks[blocks.length - 1].words.push(...words(token.text ?? ''));
	}
	return { scenes, blocks };
}

/** Ours: consecutive lines of one speaker with no action between them are one block (a parenthetical starts a new line). */
function ourBlocks(plan: Plan): Block[] {
	const blocks: Block[] = [];
	for (const scene of plan.scenes) {
		let previous: { speaker: string; actionBefore?: number } | null = null;
		for (const line of scene.dialogue) {
			const same = previous && previous.speaker === line.speaker && previous.actionBefore === line.actionBefore && line.parenthetical;
			if (same) blocks[blocks.length - 1].words.push(...words(line.text));
			else blocks.push({ speaker: line.speaker.toUpperCase(), words: words(line.text) });
			previous = line;
		}
	}
	return blocks;
}

test('the corpus holds at least ten real screenplays, each with its source and licence noted', () => {
	const sources = readFileSync(join(CORPUS, 'SOURCES.md'), 'utf8');
	for (const name of files) assert.ok(sources.includes(`\`${name}\``), `${name} is listed in SOURCES.md`);
	assert.ok(files.filter((name) => /earthbound19/.test(sources) && !name.startsWith('dual') && !name.startsWith('brick')).length >= 10);
});

for (const name of files) {
	test(`${name}: scenes, speakers and every dialogue block agree with fountain-js`, () => {
		const text = read(name);
		const theirs = fountainJsBlocks(text);
		if (theirs.scenes === 0) {
			// A draft without a single scene heading is refused with a message that says what to add.
			assert.throws(
				() => parseScript(text, { format: 'fountain' }),
				(error: unknown) => error instanceof ScriptError && error.field === 'script' && /INT\. KITCHEN - NIGHT/.test(error.message),
			);
			return;
		}
		const plan = parseScript(text, { format: 'fountain' });
		assert.equal(plan.scenes.length, theirs.scenes, 'scene count');
		const speakers = (blocks: Block[]) => [...new Set(blocks.map((block) => block.speaker))].sort();
		const ours = ourBlocks(plan);
		assert.deepEqual(speakers(ours), speakers(theirs.blocks), 'speaking characters');
		assert.deepEqual(
			ours.map((block) => `${block.speaker}: ${block.words.join(' ')}`),
			theirs.blocks.map((block) => `${block.speaker}: ${block.words.join(' ')}`),
			'dialogue blocks',
		);
		// Auto-detection gives the same speeches (Fountain, or a PDF paste for the indented scene).
		assert.deepEqual(ourBlocks(parseScript(text)), ours);
	});
}

test('nothing that is not story reaches the pictures or the voices of the corpus', () => {
	for (const name of files) {
		let plan: Plan;
		try {
			plan = parseScript(read(name), { format: 'fountain' });
		} catch {
			continue;
		}
		for (const scene of plan.scenes) {
			const shown = [scene.action, scene.visualDescription, ...scene.dialogue.map((line) => line.text)].join('\n');
			for (const hidden of ['THE END', 'FADE IN', 'FADE OUT', 'CUT TO', 'Note:', 'NOTE:', '[[', '/*', 'ADAPT THIS SCRIPT']) {
				assert.ok(!shown.includes(hidden), `${name} scene ${scene.number} shows or says "${hidden}"`);
			}
		}
	}
});

test('titles come from the title page; a file with two title pages takes the episode (the last one)', () => {
	assert.equal(parseScript(read('ascent-to-guru-peak.fountain')).title, 'ASCENT TO GURU PEAK');
	assert.equal(parseScript(read('library-freak-out.fountain')).title, 'THE LIBRARY FREAK-OUT');
	assert.equal(
		parseScript(read('cyber-bob-03-two-title-pages.fountain')).title,
		'BOB THE CYBER PAWN AND HIS CYBER CLOUD BOSS THING: EPISODE 3 NON-PSA PSAs',
	);
});

test('characters are described by their own introduction in the corpus', () => {
	const library = parseScript(read('library-freak-out.fountain'));
	const describe = (plan: Plan, name: string) => plan.characters.find((character) => character.name === name)?.description;
	assert.equal(
		describe(library, 'CHARYA'),
		'CHARYA, a stereotype nice Librarian lady, 30, in a black robe with embroidered gold fire, sits at a library help desk twenty paces away from Chalf, Nar and Yor.',
	);
	assert.equal(
		describe(library, 'THRAIN'),
		'Also seated is THRAIN, a brown Unicorn mare with black horn and long mane, and a rainbow-dyed braid, 6 (26 in human years), spunky and cheery, with a friendly expression carved into her features.',
	);
	const dogs = parseScript(read('cyber-bob-01-traffic-control-dogs.fountain'));
	// MARGARET is introduced inside a sentence about Bob: her description starts at her name.
	assert.equal(
		describe(dogs, 'MARGARET'),
		'MARGARET, 37, a white woman, amicable, mild, curious, and very sharp, who cross his path.',
	);
	const guru = parseScript(read('ascent-to-guru-peak.fountain'));
	assert.equal(describe(guru, 'GURU'), 'A GURU, 32, any ethnicity and any gender, sits on a large stone throne in a lotus position.');
	// The bold author's note in the first scene is not the picture.
	assert.ok(!guru.scenes[0].action.includes('convenience'));
});

test('a speech indented as in a PDF inside a Fountain file is still a speech', () => {
	const plan = parseScript(read('brick-and-steel-indenting.fountain'), { format: 'fountain' });
	assert.deepEqual(
		plan.scenes[0].dialogue.map((line) => [line.speaker, line.text, line.parenthetical ?? null]),
		[
			['BRICK', "This is everybody we've ever put away.", null],
			['STEEL', 'So much for retirement!', 'starting the engine'],
		],
	);
	assert.ok(!plan.scenes[0].action.includes('retirement'));
});
