import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SCRIPTS = join(__dirname, '..', 'fixtures', 'scripts');

export function script(name: string): string {
	return readFileSync(join(SCRIPTS, name), 'utf8');
}

/** Counted independently of the code under test: whitespace tokens holding a letter or digit. */
export function wordCount(text: string): number {
	return text.split(/\s+/).filter((token) => /[\p{L}\p{N}]/u.test(token)).length;
}

/**
 * The documented rule, written out again: max(dialogue/2.5 + 0.5 per line + narration/2.5, action/3, 2), up to 0.1 s.
 * Lines said together (dual dialogue) take the time of the longest of them.
 */
export function expectedDuration(scene: { dialogue: { text: string; dual?: boolean }[]; action: string; narration: string }): number {
	const beats: number[] = [];
	for (const line of scene.dialogue) {
		const own = wordCount(line.text) / 2.5 + 0.5;
		if (line.dual && beats.length) beats[beats.length - 1] = Math.max(beats[beats.length - 1], own);
		else beats.push(own);
	}
	const spoken = beats.reduce((sum, beat) => sum + beat, 0) + wordCount(scene.narration) / 2.5;
	const seconds = Math.max(spoken, wordCount(scene.action) / 3, 2);
	return Math.round(Math.ceil(seconds * 10 - 1e-6)) / 10;
}

/** A scene with lots of talk, to push a scene past the clip limit. */
export function longScene(lines: number): string {
	const speech = [
		'I told you the train leaves at nine and not a minute later.',
		'You also told me the station was on the other side of town.',
		'It is on the other side of town, that is why we are running.',
		'Then stop talking and run faster, we still have a chance.',
	];
	const out: string[] = [];
	for (let index = 0; index < lines; index++) {
		out.push(index % 2 === 0 ? 'ALICE' : 'BOB', speech[index % speech.length], '');
	}
	return out.join('\n');
}
