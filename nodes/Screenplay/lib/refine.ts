import parseData from '../../shared/data/parse.json';
import { MAX_SCENES, type Critique, type Plan, type PlanIssueCode, type Scene } from '../../shared/plan';
import { copiesText, notesIn, targetOf, visualProblem } from '../../shared/screenplay/critique';
import { placePhrase, postPartHeading, postVisual, visualFromAction } from '../../shared/screenplay/parse';
import { scenesAfterSplit, splitScene } from '../../shared/screenplay/split';
import {
	minimumDuration,
	roundTenth,
	roundUp,
	sceneDuration,
	spokenSeconds,
	totalDuration,
} from '../../shared/screenplay/timing';
import { countWords, escapeRegExp, firstSentences, formatSeconds, joinNames, sceneList, sentences } from '../../shared/screenplay/text';

/** The scene-limit check lives beside the split in nodes/shared/screenplay/split.ts; Parse and Campaign use it too. */
export { sceneBudgetProblem, scenesAfterSplit } from '../../shared/screenplay/split';

export interface RefineOptions {
	/** Seconds; null/0 falls back to the plan's own targetDuration. */
	targetDuration?: number | null;
	/** Longest clip the video provider renders, seconds. */
	clipLimit: number;
	/** Most scenes the refined plan may have (MAX_SCENES, 50, unless set). */
	maxScenes?: number;
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
	if (listed.has('scene-over-clip-limit') || lengthened) {
		splitLongScenes(next, opts.clipLimit, opts.maxScenes && opts.maxScenes > 0 ? opts.maxScenes : MAX_SCENES, changes);
	}
	if (listed.has('note-in-visual') || listed.has('visual-copies-text')) redrawVisuals(next, changes);
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

function splitLongScenes(plan: Plan, clipLimit: number, maxScenes: number, changes: string[]): void {
	if (!(clipLimit > 0) || !plan.scenes.some((scene) => scene.duration > clipLimit + 1e-9)) return;
	// Within the scene limit, action keeps its reading pace; past it, action is shown faster and only speech is split.
	const { preferred, least } = scenesAfterSplit(plan, clipLimit);
	const compress = preferred > maxScenes;
	if (least > maxScenes) {
		changes.push(
			`Could not split the scenes over the ${clipLimit} s clip limit: their dialogue alone needs ${least} scenes, more than the ${maxScenes} a run takes. Cut dialogue or split the script into several runs.`,
		);
		return;
	}
	const scenes: Scene[] = [];
	const renumbered = new Map<number, number[]>();
	let linesSplit = false;

	for (const scene of plan.scenes) {
		const oldNumber = scene.number;
		const numbers: number[] = [];
		if (scene.duration <= clipLimit + 1e-9) {
			scenes.push({ ...scene, number: scenes.length + 1 });
			numbers.push(scenes.length);
		} else if (compress && minimumDuration(scene) <= clipLimit + 1e-9) {
			scenes.push({ ...scene, number: scenes.length + 1, duration: clipLimit });
			numbers.push(scenes.length);
			changes.push(
				`Shortened scene ${oldNumber} from ${formatSeconds(scene.duration)} to the ${clipLimit} s clip limit (its action is shown faster) so the plan stays within ${maxScenes} scenes.`,
			);
		} else {
			const split = splitScene(scene, clipLimit, compress);
			linesSplit ||= split.linesSplit;
			const stretch = scene.duration / split.parts.reduce((sum, part) => sum + sceneDuration(part), 0);
			split.parts.forEach((part, index) => {
				const own = compress ? Math.min(clipLimit, sceneDuration(part)) : sceneDuration(part);
				// Spread any time the scene had beyond its words (a stretched scene) over the parts, within the limit.
				part.duration = stretch > 1 ? Math.max(own, Math.min(clipLimit, roundTenth(own * stretch))) : own;
				if (split.parts.length === 1) part.duration = Math.max(own, Math.min(clipLimit, scene.duration));
				if (index > 0 && plan.format !== 'post') part.heading = continued(scene.heading);
				part.visualDescription = partVisual(part, scene, index, plan.format === 'post');
				part.transition = index === split.parts.length - 1 ? scene.transition ?? null : null;
				part.onScreenText = index === 0 ? scene.onScreenText ?? [] : [];
				part.sound = index === 0 ? scene.sound ?? [] : [];
				scenes.push({ ...part, number: scenes.length + 1 });
				numbers.push(scenes.length);
			});
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

	if (plan.format === 'post') numberPostParts(scenes, plan.title);
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
 * Posts number their parts in the heading ("Title — Part 3"); keep those in step with the scene numbers. A piece split
 * off a part (same heading as the scene before it) is a part of its own, so it gets the next number too.
 */
function numberPostParts(scenes: Scene[], title: string): void {
	const numbered = new RegExp(`^(?:${escapeRegExp(title)} — )?Part \\d+$`);
	let previous: string | null = null;
	for (const scene of scenes) {
		const heading = scene.heading;
		if (numbered.test(heading) || (scene.number > 1 && heading === previous)) scene.heading = postPartHeading(title, scene.number);
		previous = heading;
	}
}

function continued(heading: string): string {
	if (!heading) return heading;
	return `${heading.replace(/\s*\(CONT['’]D\)$/i, '')} (CONT'D)`;
}

/** Every part gets a picture of its own: its own action, else the people talking in it, else (posts) its own shot. */
function partVisual(part: Scene, scene: Scene, index: number, isPost: boolean): string {
	const own = isPost ? postVisual(part.narration) : visualFromAction(part);
	if (own && !visualProblem(own, part)) return own;
	// A picture written by hand (not the opening action) still suits the first part.
	const written = (scene.visualDescription ?? '').trim();
	if (index === 0 && written && written !== visualFromAction(scene) && !visualProblem(written, part)) return written;
	return composeVisual(part, isPost).text;
}

// ---------- Visual descriptions ----------

/** Visuals that carry notes or cues, or a post's own words, are drawn again from the scene. */
function redrawVisuals(plan: Plan, changes: string[]): void {
	const isPost = plan.format === 'post';
	for (const scene of plan.scenes) {
		const notes = notesIn(scene.visualDescription ?? '');
		const copied = isPost && copiesText(scene.visualDescription ?? '', scene.narration ?? '');
		if (!notes.length && !copied) continue;
		const { text, source } = composeVisual(scene, isPost);
		scene.visualDescription = text;
		changes.push(
			`Redrew the visual description of scene ${scene.number} from ${source}${notes.length ? ` (it carried ${notes.join(', ')})` : ' (it copied the narration)'}: "${text}".`,
		);
	}
}

function fillVisuals(plan: Plan, changes: string[]): void {
	for (const scene of plan.scenes) {
		const problem = visualProblem(scene.visualDescription, scene);
		if (!problem) continue;
		const { text, source } = composeVisual(scene, plan.format === 'post');
		const kept = problem === 'missing' ? '' : scene.visualDescription.trim();
		scene.visualDescription = kept ? `${text} ${kept}` : text;
		changes.push(
			`${problem === 'missing' ? 'Wrote' : 'Expanded'} the visual description of scene ${scene.number} from ${source}: "${scene.visualDescription}".`,
		);
	}
}

/**
 * The first candidate that works as a video prompt: action lines, then the people talking (never a voice that is only
 * heard), then the place. A post's part gets a shot of the narrator with what the part names, never its own words.
 */
function composeVisual(scene: Scene, isPost = false): { text: string; source: string } {
	if (isPost) return { text: postVisual(scene.narration ?? ''), source: 'the things its narration names' };
	const place = placePhrase(scene);
	const withPlace = (text: string) => (place ? `${place}. ${text}` : text);
	const candidates: Array<{ text: string; source: string }> = [];
	if (scene.action?.trim()) candidates.push({ text: visualFromAction(scene), source: 'its action lines' });
	const speakers = [...new Set((scene.dialogue ?? []).filter((line) => !line.offScreen).map((line) => line.speaker))];
	const people = speakers.length ? speakers : scene.characters ?? [];
	if (people.length) {
		const shot =
			people.length === 1
				? `Medium shot of ${people[0]} ${speakers.length ? 'talking to the camera' : 'in the frame'}.`
				: `Medium shot of ${joinNames(people)} ${speakers.length ? 'talking to each other' : 'in the frame'}.`;
		candidates.push({ text: withPlace(shot), source: 'its heading and the characters in it' });
	}
	if (scene.location) {
		candidates.push({
			text: withPlace(`Wide establishing shot of the ${scene.location.toLowerCase()} with nobody in view.`),
			source: 'its heading',
		});
	}
	for (const candidate of candidates) if (candidate.text && !visualProblem(candidate.text, scene)) return candidate;
	// Nothing concrete to show: a title card with the scene's heading (never half a line of its text).
	const words = scene.heading?.trim() || `Scene ${scene.number}`;
	return { text: withPlace(`A title card with the words "${words}" on a plain background.`), source: 'its heading' };
}

// ---------- Character descriptions ----------

function describeCharacters(plan: Plan, changes: string[]): void {
	for (const character of plan.characters ?? []) {
		if (!(character.lines > 0) || character.offScreen) continue;
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

/** The first action sentence the character is the subject of ("Jo slams the door."), never someone else's sentence. */
function firstMention(name: string, scenes: Scene[]): string | null {
	const subject = new RegExp(`^(?:the |a |an |young |old |little )?${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, 'iu');
	for (const scene of scenes) {
		for (const sentence of sentences(scene.action ?? '')) {
			if (subject.test(sentence)) return firstSentences(sentence, parseData.characterDescriptionWords);
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
