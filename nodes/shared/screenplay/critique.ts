import rubric from '../data/rubric.json';
import type { Critique, Plan, PlanIssue, PlanIssueCode, Scene } from '../plan';
import { DEFAULT_TIMING, roundUp, spokenSeconds } from './timing';
import { countWords, formatSeconds, nameMatcher, words } from './text';

export interface CritiqueOptions {
	/** Seconds; null/0 falls back to the plan's own targetDuration. */
	targetDuration?: number | null;
	/** Longest clip the video provider renders, seconds. */
	clipLimit: number;
}

export const RUBRIC = rubric;

const VISIBLE_WORDS = new Set(rubric.visibleWords.map((word) => word.toLowerCase()));

/** Why a visual description would not work as a video prompt, or null when it would. */
export type VisualProblem = 'missing' | 'too-short' | 'nothing-visible';

/**
 * A concrete visual description is non-empty, has at least `minWords` words, and names something a camera can show:
 * a word from the rubric's list of visible things, the scene's location, or a character in the scene.
 */
export function visualProblem(
	description: string,
	scene: Pick<Scene, 'location' | 'characters'>,
): VisualProblem | null {
	const text = (description ?? '').trim();
	if (!text) return 'missing';
	if (countWords(text) < rubric.visualDescription.minWords) return 'too-short';
	return mentionsSomethingVisible(text, scene) ? null : 'nothing-visible';
}

function mentionsSomethingVisible(text: string, scene: Pick<Scene, 'location' | 'characters'>): boolean {
	for (const token of words(text.toLowerCase())) {
		const word = token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
		if (VISIBLE_WORDS.has(word) || VISIBLE_WORDS.has(singular(word))) return true;
	}
	const names = [...(scene.characters ?? [])];
	for (const part of (scene.location ?? '').split(/[\s\-–—,/]+/)) if (part.length >= 3) names.push(part);
	return names.some((name) => name && nameMatcher(name).test(text));
}

function singular(word: string): string {
	if (word.endsWith('ies')) return word.slice(0, -3) + 'y';
	if (/(ches|shes|xes|sses)$/.test(word)) return word.slice(0, -2);
	return word.endsWith('s') ? word.slice(0, -1) : word;
}

/** The critic's target: the option when set (> 0), else the plan's own. */
export function targetOf(plan: Pick<Plan, 'targetDuration'>, targetDuration?: number | null): number | null {
	if (targetDuration && targetDuration > 0) return targetDuration;
	return plan.targetDuration && plan.targetDuration > 0 ? plan.targetDuration : null;
}

/** "Scene 2 (INT. KITCHEN - NIGHT)". */
export function sceneLabel(scene: Pick<Scene, 'number' | 'heading'>): string {
	// "## Scene 3: The call" reads as "Scene 3 (The call)", not "Scene 3 (## Scene 3: The call)".
	const heading = (scene.heading ?? '')
		.replace(/^#+\s*/, '')
		.replace(/^scene\s*[\w.]*\s*[:.)\-–—]*\s*/i, '')
		.trim();
	return heading ? `Scene ${scene.number} (${heading})` : `Scene ${scene.number}`;
}

/**
 * The rules critic, shared so every planner is held to it (the Screenplay node's Critique, and Claude's critique,
 * which adds these issues to its own). Scores a plan 0–100 against data/rubric.json and lists what to fix. Deterministic: the same plan and options
 * always give the same score and issues, in scene order within each rubric category.
 */
export function critiquePlan(plan: Plan, opts: CritiqueOptions): Critique {
	const issues: PlanIssue[] = [
		...visualIssues(plan),
		...characterIssues(plan),
		...durationIssues(plan, targetOf(plan, opts.targetDuration)),
		...clipLimitIssues(plan, opts.clipLimit),
		...dialogueTimeIssues(plan),
		...missingDialogueIssues(plan),
		...speechInActionIssues(plan),
		...storyOrderIssues(plan),
		...noteIssues(plan),
		...copiedTextIssues(plan),
	];
	const taken = issues.reduce((sum, issue) => sum + issue.penalty, 0);
	return { score: Math.max(0, Math.min(100, Math.round(100 - taken))), issues, critic: 'rules' };
}

/** Gives each issue its raw penalty until the category's cap is used up; later issues still list, at 0 points. */
function capped(issues: Array<Omit<PlanIssue, 'penalty'> & { raw: number }>, maxTotal: number): PlanIssue[] {
	let left = maxTotal;
	return issues.map(({ raw, ...issue }) => {
		const penalty = Math.max(0, Math.min(Math.round(raw), left));
		left -= penalty;
		return { ...issue, penalty };
	});
}

type Draft = Omit<PlanIssue, 'penalty'> & { raw: number };

function visualIssues(plan: Plan): PlanIssue[] {
	const rules = rubric.visualDescription;
	const found: Draft[] = [];
	for (const scene of plan.scenes) {
		const problem = visualProblem(scene.visualDescription, scene);
		if (!problem) continue;
		const code: PlanIssueCode = 'scene-missing-visual';
		const label = sceneLabel(scene);
		if (problem === 'missing') {
			found.push({
				code,
				scene: scene.number,
				message: `${label} has no visual description. Describe what the camera shows: the place, who is there and what they do.`,
				raw: rules.penaltyMissing,
			});
		} else if (problem === 'too-short') {
			found.push({
				code,
				scene: scene.number,
				message: `${label} has a thin visual description ("${scene.visualDescription.trim()}", ${countWords(scene.visualDescription)} words; at least ${rules.minWords} needed). Add the place, the people and what they do.`,
				raw: rules.penaltyNotConcrete,
			});
		} else {
			found.push({
				code,
				scene: scene.number,
				message: `${label}: the visual description names nothing a camera can show. Mention the place, a person or an object in view.`,
				raw: rules.penaltyNotConcrete,
			});
		}
	}
	return capped(found, rules.maxTotal);
}

function characterIssues(plan: Plan): PlanIssue[] {
	const rules = rubric.characterDescription;
	const found: Draft[] = [];
	for (const character of plan.characters ?? []) {
		// A voice that is only heard (V.O., A VOICE, THE CROWD) is never drawn, so it needs no look.
		if (!(character.lines > 0) || character.offScreen) continue;
		const description = (character.description ?? '').trim();
		if (countWords(description) >= rules.minWords) continue;
		found.push({
			code: 'character-missing-description',
			character: character.name,
			message: description
				? `${character.name}'s description ("${description}") is too short to draw the same person in every clip. Say what ${character.name} looks like: age, build, clothes.`
				: `${character.name} speaks ${character.lines} ${character.lines === 1 ? 'line' : 'lines'} but has no visual description. Say what ${character.name} looks like (age, build, clothes) so every clip shows the same person.`,
			raw: rules.penalty,
		});
	}
	return capped(found, rules.maxTotal);
}

function durationIssues(plan: Plan, target: number | null): PlanIssue[] {
	if (!target) return [];
	const rules = rubric.duration;
	const total = plan.scenes.reduce((sum, scene) => sum + (Number(scene.duration) || 0), 0);
	const off = (total - target) / target;
	if (Math.abs(off) <= rules.tolerance + 1e-9) return [];
	const percentOver = (Math.abs(off) - rules.tolerance) * 100;
	const raw = Math.max(rules.minPenalty, Math.ceil(percentOver * rules.penaltyPerPercentOver));
	const percent = Math.round(Math.abs(off) * 100);
	const message =
		off > 0
			? `The plan runs ${formatSeconds(total)}, ${percent}% over the ${target} s target (±${rules.tolerance * 100}% is fine). Trim action or dialogue, or drop a scene.`
			: `The plan runs ${formatSeconds(total)}, ${percent}% under the ${target} s target (±${rules.tolerance * 100}% is fine). Lengthen scenes or add one.`;
	return capped([{ code: 'duration-off-target', message, raw }], rules.maxTotal);
}

function clipLimitIssues(plan: Plan, clipLimit: number): PlanIssue[] {
	if (!(clipLimit > 0)) return [];
	const rules = rubric.clipLimit;
	const found: Draft[] = [];
	for (const scene of plan.scenes) {
		const over = scene.duration - clipLimit;
		if (over <= 1e-9) continue;
		found.push({
			code: 'scene-over-clip-limit',
			scene: scene.number,
			message: `${sceneLabel(scene)} runs ${formatSeconds(scene.duration)}, over the ${clipLimit} s clip limit of the video provider. Split it into shorter scenes.`,
			raw: Math.min(rules.maxPerScene, rules.penalty + Math.floor(over) * rules.penaltyPerSecondOver),
		});
	}
	return capped(found, rules.maxTotal);
}

function dialogueTimeIssues(plan: Plan): PlanIssue[] {
	const rules = rubric.dialogueTime;
	const found: Draft[] = [];
	for (const scene of plan.scenes) {
		if (!scene.dialogue?.length && !scene.narration) continue;
		const needed = roundUp(spokenSeconds(scene));
		if (needed <= scene.duration + 1e-9) continue;
		const what = scene.dialogue?.length ? 'dialogue' : 'narration';
		found.push({
			code: 'dialogue-over-scene-time',
			scene: scene.number,
			message: `${sceneLabel(scene)} lasts ${formatSeconds(scene.duration)} but its ${what} needs ${formatSeconds(needed)} at ${DEFAULT_TIMING.dialogueWordsPerSecond} words per second. Lengthen the scene to at least ${formatSeconds(needed)} or cut lines.`,
			raw: rules.penalty,
		});
	}
	return capped(found, rules.maxTotal);
}

const SCRIPT_FORMATS = new Set(['fountain', 'screenplay', 'markdown']);

/** A screenplay whose plan has no line of dialogue lost its speeches (read as action), or was never a screenplay. */
function missingDialogueIssues(plan: Plan): PlanIssue[] {
	if (!SCRIPT_FORMATS.has(plan.format)) return [];
	if (plan.scenes.some((scene) => scene.dialogue?.length || scene.narration?.trim())) return [];
	return capped(
		[
			{
				code: 'missing-dialogue',
				message: `The ${plan.format} plan has no dialogue in any of its ${plan.scenes.length} scenes. If the script has speeches, they were read as action: check the character cues (a name in capitals on its own line over the speech) or choose the format that matches the script.`,
				raw: rubric.missingDialogue.penalty,
			},
		],
		rubric.missingDialogue.maxTotal,
	);
}

// "MARCUS Coffee's not kitchen." / "STEEL (V.O.) Beer's ready!": a cue in capitals, then a capitalised sentence.
const SPEECH_IN_ACTION = /(?:^|[.!?]["”]?\s+)(\p{Lu}[\p{Lu}'’.\- ]*\p{Lu})(?:\s*\((?:V\.O\.|O\.S\.|O\.C\.|CONT['’]D)\))?\s+(?!I\b|A\b)(\p{Lu}\p{Ll}+['’\p{Ll}]*\b)/gu;

/** Speech that ended up in the action: a known speaker (or a cue-like name) followed straight by a spoken sentence. */
export function speechInAction(action: string, speakers: Set<string>): string[] {
	const found: string[] = [];
	for (const match of action.matchAll(SPEECH_IN_ACTION)) {
		const name = match[1].trim();
		const extension = /\((?:V\.O\.|O\.S\.|O\.C\.|CONT['’]D)\)/.test(match[0]);
		if (speakers.has(name) || extension || (speakers.size === 0 && name.length >= 3)) found.push(`${name} ${match[2]}`);
	}
	return found;
}

function speechInActionIssues(plan: Plan): PlanIssue[] {
	if (!SCRIPT_FORMATS.has(plan.format)) return [];
	const speakers = new Set((plan.characters ?? []).map((character) => character.name.toUpperCase()));
	const found: Draft[] = [];
	for (const scene of plan.scenes) {
		const hits = speechInAction(scene.action ?? '', speakers);
		if (!hits.length) continue;
		found.push({
			code: 'speech-in-action',
			scene: scene.number,
			message: `${sceneLabel(scene)}: the action reads like speech ("${hits[0]}…"), so it would be drawn instead of spoken. Put the name on its own line above the speech, with a blank line before it.`,
			raw: rubric.speechInAction.penalty,
		});
	}
	return capped(found, rubric.speechInAction.maxTotal);
}

/** Lines placed after action that does not exist, or before action they followed: a split that broke script order. */
function storyOrderIssues(plan: Plan): PlanIssue[] {
	const found: Draft[] = [];
	for (const scene of plan.scenes) {
		const paragraphs = (scene.action ?? '').split(/\n{2,}/).filter((paragraph) => paragraph.trim()).length;
		let last = 0;
		const broken = (scene.dialogue ?? []).some((line) => {
			if (line.actionBefore === undefined) return false;
			const wrong = line.actionBefore < last || line.actionBefore > paragraphs;
			last = line.actionBefore;
			return wrong;
		});
		if (!broken) continue;
		found.push({
			code: 'story-order',
			scene: scene.number,
			message: `${sceneLabel(scene)}: its lines and action are out of script order (a line is placed after action that is not there, or before action it follows). Put each line back after the action it answers.`,
			raw: rubric.storyOrder.penalty,
		});
	}
	return capped(found, rubric.storyOrder.maxTotal);
}

const NOTE_PATTERNS: Array<[RegExp, string]> = [
	[/\b(?:note|notes|todo|n\.b\.)\s*:/i, 'a note'],
	[/\[\[|\]\]/, 'a note'],
	[/\((?:MORE|CONT['’]D|CONTINUED)\)/i, 'a page-break cue'],
	[/\b(?:SUPER|TITLE OVER|SFX|SOUND|CHYRON)\s*:/, 'a super or sound cue'],
	[/\b(?:CUT TO|DISSOLVE TO|SMASH CUT TO|FADE TO BLACK)\b|\bFADE (?:IN|OUT)\b/, 'a transition'],
	[/\bTHE END\b/, '"THE END"'],
];

/** What in a visual description is not a picture: notes, page-break cues, supers, transitions. */
export function notesIn(text: string): string[] {
	return [...new Set(NOTE_PATTERNS.filter(([pattern]) => pattern.test(text)).map(([, what]) => what))];
}

function noteIssues(plan: Plan): PlanIssue[] {
	const found: Draft[] = [];
	for (const scene of plan.scenes) {
		const notes = notesIn(scene.visualDescription ?? '');
		if (!notes.length) continue;
		found.push({
			code: 'note-in-visual',
			scene: scene.number,
			message: `${sceneLabel(scene)}: the visual description carries ${notes.join(' and ')}, which would be sent to the video provider. Describe only what the camera shows.`,
			raw: rubric.noteInVisual.penalty,
		});
	}
	return capped(found, rubric.noteInVisual.maxTotal);
}

const FIRST_PERSON = /\b(I|I'm|I’m|I've|I’ve|I'd|I’d|me|my|mine|we|our|us)\b/;

/** A post's visual that is its own first-person text, not a picture. */
export function copiesText(visual: string, narration: string): boolean {
	const text = visual.trim();
	if (!text) return false;
	const opening = text.replace(/…$/, '').slice(0, 40);
	return FIRST_PERSON.test(text) || (opening.length >= 15 && narration.includes(opening));
}

function copiedTextIssues(plan: Plan): PlanIssue[] {
	if (plan.format !== 'post') return [];
	const found: Draft[] = [];
	for (const scene of plan.scenes) {
		if (!copiesText(scene.visualDescription ?? '', scene.narration ?? '')) continue;
		found.push({
			code: 'visual-copies-text',
			scene: scene.number,
			message: `${sceneLabel(scene)}: the visual description is the post's own words ("${(scene.visualDescription ?? '').slice(0, 40)}…"), not a picture. Describe what to show while the narrator reads.`,
			raw: rubric.copiedText.penalty,
		});
	}
	return capped(found, rubric.copiedText.maxTotal);
}

/**
 * Claude's critique held to the rules critic's standard: every issue the rules critic finds is listed (those Claude
 * already names for the same scene or character are not repeated), and the score is the lower of the two.
 */
export function withRulesCritic(critique: Critique, rules: Critique): Critique {
	const key = (issue: PlanIssue) => `${issue.code}|${issue.scene ?? ''}|${issue.character ?? ''}`;
	const named = new Set(critique.issues.map(key));
	return {
		score: Math.min(critique.score, rules.score),
		issues: [...critique.issues, ...rules.issues.filter((issue) => !named.has(key(issue)))],
		critic: critique.critic,
	};
}
