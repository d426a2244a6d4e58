import { MAX_SCENES, type DialogueLine, type Plan, type Scene } from '../plan';
import { chunkText, countWords, sentences } from './text';
import { DEFAULT_TIMING, actionSeconds, minimumDuration, roundUp, spokenSeconds, type TimingRule } from './timing';

/**
 * Splitting scenes to fit the clip limit, in script order (the Screenplay node's Refine), and the scene-limit check
 * made before any work (Parse, and the webhook's accept): shared so every node that plans agrees on the count.
 */

/** One piece of a scene in script order: an action paragraph, a dialogue line or a narration sentence. */
type Beat = { kind: 'action'; text: string } | { kind: 'line'; line: DialogueLine } | { kind: 'narration'; text: string };

/**
 * The scene's beats in script order. Lines carry how many action paragraphs come before them (`actionBefore`);
 * a line without it (a plan from another planner) goes after the action, as it was read before.
 */
function beatsOf(scene: Scene, limit: number, rule: TimingRule): { beats: Beat[]; linesSplit: boolean } {
	let linesSplit = false;
	const lineWords = Math.max(1, Math.floor((limit - rule.pauseAfterDialogueLine) * rule.dialogueWordsPerSecond));
	const actionWords = Math.max(1, Math.floor(limit * rule.actionWordsPerSecond));
	const narrationWords = Math.max(1, Math.floor(limit * rule.narrationWordsPerSecond));
	const paragraphs = (scene.action ?? '')
		.split(/\n{2,}/)
		.map((paragraph) => paragraph.trim())
		.filter(Boolean);
	const beats: Beat[] = [];
	const narration = sentences(scene.narration ?? '').flatMap((sentence) =>
		// A sentence longer than one clip is cut at its clauses; shorter ones stay whole, so parts end at sentence ends.
		countWords(sentence) <= narrationWords ? [sentence] : chunkText(sentence, narrationWords),
	);
	for (const text of narration) beats.push({ kind: 'narration', text });
	const lines = scene.dialogue ?? [];
	let next = 0;
	const pushLinesUpTo = (paragraphCount: number) => {
		while (next < lines.length && (lines[next].actionBefore ?? paragraphs.length) <= paragraphCount) {
			const line = lines[next++];
			if (countWords(line.text) <= lineWords) {
				beats.push({ kind: 'line', line });
				continue;
			}
			linesSplit = true;
			chunkText(line.text, lineWords).forEach((text, index) => {
				const piece: DialogueLine = { ...line, text };
				if (index > 0) delete piece.parenthetical;
				beats.push({ kind: 'line', line: piece });
			});
		}
	};
	paragraphs.forEach((paragraph, index) => {
		pushLinesUpTo(index);
		const pieces = actionSeconds({ action: paragraph }, rule) <= limit ? [paragraph] : chunkText(paragraph, actionWords);
		for (const text of pieces) beats.push({ kind: 'action', text });
	});
	pushLinesUpTo(Infinity);
	return { beats, linesSplit };
}

/** A part of `scene` holding `beats`, with its lines' actionBefore counted within the part. */
function partOf(scene: Scene, beats: Beat[]): Scene {
	const action: string[] = [];
	const dialogue: DialogueLine[] = [];
	const narration: string[] = [];
	for (const beat of beats) {
		if (beat.kind === 'action') action.push(beat.text);
		else if (beat.kind === 'narration') narration.push(beat.text);
		else dialogue.push({ ...beat.line, actionBefore: action.length });
	}
	return { ...scene, action: action.join('\n\n'), dialogue, narration: narration.join(' ') };
}

/**
 * Cuts a scene into consecutive parts in script order, each as long as fits the limit: the lines and the action
 * between them stay together and in order. `compress`: the action may be shown faster than it reads (only the spoken
 * time must fit), which is how a long script stays within the scene limit.
 */
export function splitScene(scene: Scene, limit: number, compress: boolean): { parts: Scene[]; linesSplit: boolean } {
	const rule = DEFAULT_TIMING;
	const { beats, linesSplit } = beatsOf(scene, limit, rule);
	// Running totals of the part being filled (the timing rule, summed beat by beat), so each beat costs O(1).
	const spokenOf = (beat: Beat) =>
		beat.kind === 'line'
			? spokenSeconds({ dialogue: [beat.line], narration: '' }, rule)
			: beat.kind === 'narration'
				? spokenSeconds({ dialogue: [], narration: beat.text }, rule)
				: 0;
	const actionOf = (beat: Beat) => (beat.kind === 'action' ? actionSeconds({ action: beat.text }, rule) : 0);
	const fits = (spoken: number, action: number) =>
		roundUp(Math.max(spoken, compress ? 0 : action, rule.minimumSceneSeconds), rule.roundUpToSeconds) <= limit + 1e-9;
	const groups: Beat[][] = [];
	let current: Beat[] = [];
	let spoken = 0;
	let action = 0;
	for (const beat of beats) {
		const beatSpoken = spokenOf(beat);
		const beatAction = actionOf(beat);
		if (current.length && !fits(spoken + beatSpoken, action + beatAction)) {
			groups.push(current);
			current = [];
			spoken = 0;
			action = 0;
		}
		current.push(beat);
		spoken += beatSpoken;
		action += beatAction;
	}
	if (current.length) groups.push(current);
	const parts = groups.map((group) => partOf(scene, group));
	return { parts: parts.length ? parts : [{ ...scene }], linesSplit };
}

/** How many scenes the plan has once every scene fits the clip limit: reading the action at its pace, and at the least. */
export function scenesAfterSplit(plan: Pick<Plan, 'scenes'>, clipLimit: number): { preferred: number; least: number } {
	let preferred = 0;
	let least = 0;
	for (const scene of plan.scenes) {
		if (!(clipLimit > 0) || scene.duration <= clipLimit + 1e-9) {
			preferred++;
			least++;
			continue;
		}
		preferred += splitScene(scene, clipLimit, false).parts.length;
		least += minimumDuration(scene) <= clipLimit + 1e-9 ? 1 : splitScene(scene, clipLimit, true).parts.length;
	}
	return { preferred, least };
}

/**
 * Why the plan cannot become a run of at most `maxScenes` clips of `clipLimit` seconds, or null when it can. Checked
 * before any work (Parse, and the webhook's accept), so a run never starts that refinement would push past the limit.
 */
export function sceneBudgetProblem(plan: Pick<Plan, 'scenes'>, opts: { clipLimit: number; maxScenes?: number }): string | null {
	const maxScenes = opts.maxScenes && opts.maxScenes > 0 ? opts.maxScenes : MAX_SCENES;
	if (plan.scenes.length > maxScenes) {
		return `The script has ${plan.scenes.length} scenes; a run takes at most ${maxScenes}. Split it into several runs.`;
	}
	const { least } = scenesAfterSplit(plan, opts.clipLimit);
	if (least <= maxScenes) return null;
	return `The script needs at least ${least} scenes of at most ${opts.clipLimit} s for its dialogue alone; a run takes at most ${maxScenes}. Split it into several runs, cut dialogue, or use a video provider with longer clips.`;
}

