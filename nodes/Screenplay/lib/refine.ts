import parseData from '../../shared/data/parse.json';
import type { Critique, DialogueLine, Plan, PlanIssueCode, Scene } from '../../shared/plan';
import { placePhrase, visualFromAction, namedInText } from '../../shared/screenplay/parse';
import { targetOf, visualProblem } from './critique';
import {
	DEFAULT_TIMING,
	actionSeconds,
	minimumDuration,
	roundTenth,
	roundUp,
	sceneDuration,
	spokenSeconds,
	totalDuration,
} from '../../shared/screenplay/timing';
import { capitalise, chunkText, countWords, firstSentences, formatSeconds, joinNames, sceneList, sentences } from '../../shared/screenplay/text';

export interface RefineOptions {
	/** Seconds; null/0 falls back to the plan's own targetDuration. */
	targetDuration?: number | null;
	/** Longest clip the video provider renders, seconds. */
	clipLimit: number;
}

export interface Refinement {
	plan: Plan;
	/** What was changed, one sentence each, for the plan version history. */
	changes: string[];
}

/**
 * Applies deterministic fixes for the issues the critique lists, in this order: lengthen scenes whose dialogue does not
 * fit, split scenes over the clip limit, write missing visual descriptions, write missing character descriptions,
 * rebalance durations toward the target. A fix runs only when the critique lists its issue code (splitting also runs
 * when lengthening pushed a scene over the limit). The input plan is not modified.
 */
export function refinePlan(plan: Plan, critique: Pick<Critique, 'issues'>, opts: RefineOptions): Refinement {
	const listed = new Set<PlanIssueCode>((critique?.issues ?? []).map((issue) => issue.code));
	const next: Plan = structuredClone(plan);
	const changes: string[] = [];
	if (listed.size === 0) return { plan: next, changes };

	let lengthened = false;
	if (listed.has('dialogue-over-scene-time')) lengthened = fitDialogue(next, changes);
	if (listed.has('scene-over-clip-limit') || lengthened) splitLongScenes(next, opts.clipLimit, changes);
	if (listed.has('scene-missing-visual')) fillVisuals(next, changes);
	if (listed.has('character-missing-description')) describeCharacters(next, changes);
	if (listed.has('duration-off-target')) {
		const target = targetOf(next, opts.targetDuration);
		if (target) rebalance(next, target, opts.clipLimit, changes);
	}
	if (changes.length) next.totalDuration = totalDuration(next.scenes);
	return { plan: next, changes };
}

// ---------- Dialogue that does not fit ----------

function fitDialogue(plan: Plan, changes: string[]): boolean {
	let changed = false;
	for (const scene of plan.scenes) {
		if (roundUp(spokenSeconds(scene)) <= scene.duration + 1e-9) continue;
		const needed = minimumDuration(scene);
		changes.push(
			`Lengthened scene ${scene.number} from ${formatSeconds(scene.duration)} to ${formatSeconds(needed)} so its ${scene.dialogue.length ? 'dialogue' : 'narration'} fits.`,
		);
		scene.duration = needed;
		changed = true;
	}
	return changed;
}

// ---------- Scenes over the clip limit ----------

function splitLongScenes(plan: Plan, clipLimit: number, changes: string[]): void {
	if (!(clipLimit > 0) || !plan.scenes.some((scene) => scene.duration > clipLimit + 1e-9)) return;
	const scenes: Scene[] = [];
	const renumbered = new Map<number, number[]>();
	let linesSplit = false;

	for (const scene of plan.scenes) {
		const oldNumber = scene.number;
		const numbers: number[] = [];
		if (scene.duration <= clipLimit + 1e-9) {
			scenes.push({ ...scene, number: scenes.length + 1 });
			numbers.push(scenes.length);
		} else {
			const split = splitScene(scene, clipLimit, plan.format === 'post');
			linesSplit ||= split.linesSplit;
			for (const part of split.parts) {
				scenes.push({ ...part, number: scenes.length + 1 });
				numbers.push(scenes.length);
			}
			if (split.parts.length > 1) {
				changes.push(
					`Split scene ${oldNumber} (${formatSeconds(scene.duration)}) into ${sceneList(numbers)} to fit the ${clipLimit} s clip limit.`,
				);
			} else {
				changes.push(
					`Shortened scene ${oldNumber} from ${formatSeconds(scene.duration)} to ${formatSeconds(split.parts[0].duration)}, the ${clipLimit} s clip limit; its dialogue and action need only ${formatSeconds(sceneDuration(scene))}.`,
				);
			}
		}
		if (!renumbered.has(oldNumber)) renumbered.set(oldNumber, numbers);
	}

	// Posts number their parts in the heading; keep those in step with the scene numbers.
	for (const scene of scenes) if (/^Part \d+$/.test(scene.heading)) scene.heading = `Part ${scene.number}`;
	const mapNumbers = (numbers: number[]) =>
		[...new Set(numbers.flatMap((number) => renumbered.get(number) ?? []))].sort((a, b) => a - b);
	for (const character of plan.characters ?? []) character.scenes = mapNumbers(character.scenes ?? []);
	for (const setting of plan.settings ?? []) setting.scenes = mapNumbers(setting.scenes ?? []);
	if (linesSplit) {
		for (const character of plan.characters ?? []) {
			const key = character.name.toUpperCase();
			character.lines = scenes.reduce(
				(sum, scene) => sum + scene.dialogue.filter((line) => line.speaker.toUpperCase() === key).length,
				0,
			);
		}
	}
	plan.scenes = scenes;
}

/**
 * Cuts a scene into the fewest consecutive parts that each fit the limit: dialogue at line boundaries, action at
 * paragraph boundaries, narration at sentence boundaries. A single line or paragraph too long for one clip is cut at
 * sentence ends (then commas, then words) first. Every part keeps the scene's place and characters.
 */
function splitScene(scene: Scene, limit: number, isPost: boolean): { parts: Scene[]; linesSplit: boolean } {
	const rule = DEFAULT_TIMING;
	let linesSplit = false;
	const lineWords = Math.max(1, Math.floor((limit - rule.pauseAfterDialogueLine) * rule.dialogueWordsPerSecond));
	const dialogue: DialogueLine[] = (scene.dialogue ?? []).flatMap((line) => {
		if (countWords(line.text) <= lineWords) return [line];
		linesSplit = true;
		return chunkText(line.text, lineWords).map((text, index) =>
			index === 0 && line.parenthetical ? { ...line, text } : { speaker: line.speaker, text },
		);
	});
	const actionWords = Math.max(1, Math.floor(limit * rule.actionWordsPerSecond));
	const action = (scene.action ?? '')
		.split(/\n{2,}/)
		.map((paragraph) => paragraph.trim())
		.filter(Boolean)
		.flatMap((paragraph) => (actionSeconds({ action: paragraph }) <= limit ? [paragraph] : chunkText(paragraph, actionWords)));
	const narrationWords = Math.max(1, Math.floor(limit * rule.narrationWordsPerSecond));
	const narration = sentences(scene.narration ?? '').flatMap((sentence) =>
		countWords(sentence) <= narrationWords ? [sentence] : chunkText(sentence, narrationWords),
	);

	const most = Math.max(dialogue.length, action.length, narration.length, 1);
	let parts: Scene[] = [];
	for (let count = Math.max(2, Math.ceil(scene.duration / limit)); ; count++) {
		const size = Math.min(count, most);
		const lines = partition(dialogue, (line) => spokenSeconds({ dialogue: [line], narration: '' }), size);
		const paragraphs = partition(action, (paragraph) => countWords(paragraph), size);
		const narrated = partition(narration, (sentence) => countWords(sentence), size);
		parts = [];
		for (let index = 0; index < size; index++) {
			const part = {
				...scene,
				dialogue: lines[index],
				action: paragraphs[index].join('\n\n'),
				narration: narrated[index].join(' '),
			};
			if (part.dialogue.length || part.action || part.narration) parts.push(part);
		}
		if (size === most || parts.every((part) => sceneDuration(part) <= limit + 1e-9)) break;
	}

	// Spread any time the scene had beyond its words (a stretched scene) over the parts, within the limit.
	const needed = parts.map((part) => sceneDuration(part));
	const stretch = scene.duration / needed.reduce((sum, value) => sum + value, 0);
	parts.forEach((part, index) => {
		const own = needed[index];
		part.duration = stretch > 1 ? Math.max(own, Math.min(limit, roundTenth(own * stretch))) : own;
		if (parts.length === 1) part.duration = Math.max(own, Math.min(limit, scene.duration));
		if (index > 0) part.heading = isPost ? part.heading : continued(scene.heading);
		part.visualDescription = partVisual(part, scene, index, isPost);
	});
	return { parts, linesSplit };
}

function continued(heading: string): string {
	return `${heading.replace(/\s*\(CONT['’]D\)$/i, '')} (CONT'D)`;
}

/** The first part keeps the scene's picture; later parts get one of their own (action, people, narration, title card). */
function partVisual(part: Scene, scene: Scene, index: number, isPost: boolean): string {
	const own = isPost ? capitalise(firstSentences(part.narration, parseData.visualDescriptionWords)) : visualFromAction(part);
	const works = Boolean(own) && !visualProblem(own, part);
	// A post's picture was made from its opening words, so each part's own opening fits it better.
	if (index === 0) return isPost && works ? own : scene.visualDescription ?? '';
	return works ? own : composeVisual(part).text;
}

/** Splits items into `count` consecutive groups of about equal weight; fewer items than groups leaves later groups empty. */
function partition<T>(items: T[], weight: (item: T) => number, count: number): T[][] {
	const groups: T[][] = Array.from({ length: count }, () => []);
	if (items.length <= count) {
		items.forEach((item, index) => groups[index].push(item));
		return groups;
	}
	const weights = items.map(weight);
	const total = weights.reduce((sum, value) => sum + value, 0);
	let group = 0;
	let sum = 0;
	items.forEach((item, index) => {
		const remainingItems = items.length - index;
		const remainingGroups = count - group;
		// Move on once this group has its share, or when every later group needs one of the items left.
		if (groups[group].length && group < count - 1) {
			const share = ((group + 1) * total) / count;
			const before = Math.abs(sum - share);
			const after = Math.abs(sum + weights[index] - share);
			if (after > before || remainingItems < remainingGroups) group++;
		}
		groups[group].push(item);
		sum += weights[index];
	});
	return groups;
}

// ---------- Visual descriptions ----------

function fillVisuals(plan: Plan, changes: string[]): void {
	for (const scene of plan.scenes) {
		const problem = visualProblem(scene.visualDescription, scene);
		if (!problem) continue;
		const { text, source } = composeVisual(scene);
		const kept = problem === 'missing' ? '' : scene.visualDescription.trim();
		scene.visualDescription = kept ? `${text} ${kept}` : text;
		changes.push(
			`${problem === 'missing' ? 'Wrote' : 'Expanded'} the visual description of scene ${scene.number} from ${source}: "${scene.visualDescription}".`,
		);
	}
}

/** The first candidate that works as a video prompt: action lines, then the people talking, then the narration. */
function composeVisual(scene: Scene): { text: string; source: string } {
	const place = placePhrase(scene);
	const withPlace = (text: string) => (place ? `${place}. ${text}` : text);
	const candidates: Array<{ text: string; source: string }> = [];
	if (scene.action?.trim()) candidates.push({ text: visualFromAction(scene), source: 'its action lines' });
	const speakers = [...new Set((scene.dialogue ?? []).map((line) => line.speaker))];
	const people = speakers.length ? speakers : scene.characters ?? [];
	if (people.length) {
		const shot =
			people.length === 1
				? `Medium shot of ${people[0]} ${speakers.length ? 'talking to the camera' : 'in the frame'}.`
				: `Medium shot of ${joinNames(people)} ${speakers.length ? 'talking to each other' : 'in the frame'}.`;
		candidates.push({ text: withPlace(shot), source: 'its heading and the characters in it' });
	}
	if (scene.narration?.trim()) {
		candidates.push({
			text: capitalise(firstSentences(scene.narration, parseData.visualDescriptionWords)),
			source: 'its narration',
		});
	}
	if (scene.location) {
		candidates.push({
			text: withPlace(`Wide establishing shot of the ${scene.location.toLowerCase()} with nobody in view.`),
			source: 'its heading',
		});
	}
	for (const candidate of candidates) if (candidate.text && !visualProblem(candidate.text, scene)) return candidate;
	// Nothing concrete to show: a title card with the scene's first words always is.
	const words = firstSentences(scene.narration || scene.action || scene.heading || `Scene ${scene.number}`, 20);
	return { text: withPlace(`A title card with the words "${words}" on a plain background.`), source: 'its text' };
}

// ---------- Character descriptions ----------

function describeCharacters(plan: Plan, changes: string[]): void {
	for (const character of plan.characters ?? []) {
		if (!(character.lines > 0)) continue;
		const current = (character.description ?? '').trim();
		if (countWords(current) >= 3) continue;
		const key = character.name.toUpperCase();
		const inScenes = plan.scenes.filter(
			(scene) =>
				(character.scenes ?? []).includes(scene.number) ||
				scene.dialogue.some((line) => line.speaker.toUpperCase() === key) ||
				(scene.characters ?? []).some((name) => name.toUpperCase() === key),
		);
		const numbers = inScenes.map((scene) => scene.number);
		const places = [...new Set(inScenes.map((scene) => placePhrase(scene)).filter(Boolean))].slice(0, 2);
		let description = numbers.length
			? `${character.name}, a character who appears in ${sceneList(numbers)}${places.length ? ` (${places.join('; ')})` : ''}.`
			: `${character.name}, a character in "${plan.title}".`;
		const seen = firstMention(character.name, inScenes);
		if (seen) description += ` First seen: ${seen}`;
		if (current) description += ` ${current}`;
		character.description = description;
		changes.push(`Wrote a description for ${character.name} from the scenes they appear in: "${description}".`);
	}
}

/** The first action sentence that names the character (with a capital letter). */
function firstMention(name: string, scenes: Scene[]): string | null {
	for (const scene of scenes) {
		for (const sentence of sentences(scene.action ?? '')) {
			if (namedInText(sentence, [name]).length) return firstSentences(sentence, parseData.characterDescriptionWords);
		}
	}
	return null;
}

// ---------- Durations toward the target ----------

/**
 * Moves the total toward the target by scaling the time each scene has beyond its spoken words (its action time):
 * shortening never cuts below the dialogue (or the 2 s minimum), lengthening never passes the clip limit.
 */
function rebalance(plan: Plan, target: number, clipLimit: number, changes: string[]): void {
	const scenes = plan.scenes;
	const before = totalDuration(scenes);
	const floors = scenes.map((scene) => Math.min(scene.duration, minimumDuration(scene)));
	const caps = scenes.map((scene) => (clipLimit > 0 ? Math.max(scene.duration, clipLimit) : Infinity));
	const durations = scenes.map((scene) => scene.duration);
	let limited = false;

	if (before > target) {
		const excess = before - target;
		const room = durations.reduce((sum, duration, index) => sum + (duration - floors[index]), 0);
		const share = room > 0 ? Math.min(1, excess / room) : 0;
		limited = room < excess - 1e-9;
		durations.forEach((duration, index) => (durations[index] = duration - share * (duration - floors[index])));
	} else {
		let missing = target - before;
		// Grow every scene in proportion to its length; scenes that hit the clip limit stop and the rest share what is left.
		const open = new Set(scenes.map((_scene, index) => index).filter((index) => caps[index] > durations[index]));
		while (missing > 1e-6 && open.size) {
			const weight = [...open].reduce((sum, index) => sum + durations[index], 0);
			let used = 0;
			for (const index of [...open]) {
				const grow = (missing * durations[index]) / weight;
				const room = caps[index] - durations[index];
				const step = Math.min(grow, room);
				durations[index] += step;
				used += step;
				if (grow >= room) open.delete(index);
			}
			missing -= used;
		}
		limited = missing > 1e-6;
	}

	let changed = 0;
	scenes.forEach((scene, index) => {
		const rounded = Math.min(caps[index], Math.max(floors[index], roundTenth(durations[index])));
		if (Math.abs(rounded - scene.duration) > 1e-9) {
			scene.duration = rounded;
			changed++;
		}
	});
	const after = totalDuration(scenes);
	if (!changed) {
		changes.push(
			before > target
				? `Could not shorten the plan toward the ${target} s target: every scene is already as short as its dialogue and narration allow. Cut lines or drop a scene.`
				: `Could not lengthen the plan toward the ${target} s target: every scene is already at the ${clipLimit} s clip limit. Add scenes or raise the clip limit.`,
		);
		return;
	}
	let sentence = `Rebalanced scene durations toward the ${target} s target: ${formatSeconds(before)} → ${formatSeconds(after)} (${changed} ${changed === 1 ? 'scene' : 'scenes'} ${after < before ? 'shortened' : 'lengthened'}).`;
	if (limited && after > target) {
		sentence += ' The dialogue and narration need the rest, so the plan stays over the target: cut lines or drop a scene.';
	} else if (limited) {
		sentence += ` Clips stop at the ${clipLimit} s limit, so the plan stays under the target: add scenes or raise the clip limit.`;
	}
	changes.push(sentence);
}
