import rules from '../data/trailer.json';
import type { Plan, Scene } from '../plan';
import { countWords } from './text';

/** The trailer's rules (data/trailer.json): length, number of moments, what makes a moment telling. */
export const TRAILER_RULES = rules;

export type MomentKind = 'dialogue' | 'narration' | 'visual';

/** One shot of the trailer: a line of a scene (or the scene's picture alone), in story order. */
export interface TrailerMoment {
	scene: number;
	/** Index of the dialogue line (dialogue) or of the narration's sentence (narration); null for a scene without words. */
	line: number | null;
	kind: MomentKind;
	speaker: string | null;
	/** The caption: the line as written (empty for a scene without words). */
	text: string;
	/** Seconds on screen. */
	duration: number;
	/** Why it was chosen, in words (opening, climax, spoken, question…). */
	reasons: string[];
}

export interface TrailerCut {
	title: string;
	/** Seconds of the opening title card. */
	titleCard: number;
	moments: TrailerMoment[];
	/** Title card + moments, seconds. */
	totalDuration: number;
	chosenBy: 'rules' | 'claude';
}

interface Candidate extends Omit<TrailerMoment, 'duration'> {
	score: number;
	/** Position in the story, for keeping story order. */
	order: number;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/** Sentences of a narration, so a long narrated scene gives one telling sentence, not its whole text. */
export function sentencesOf(text: string): string[] {
	return (text.match(/[^.!?…]+[.!?…]*["'”’)]*/g) ?? []).map((sentence) => sentence.trim()).filter((sentence) => sentence.length > 0);
}

/** The scene the story's turning point falls in: the one playing at `climaxAt` of the plan's running time. */
export function climaxScene(plan: Pick<Plan, 'scenes'>): number | null {
	const scenes = plan.scenes;
	if (scenes.length === 0) return null;
	const total = scenes.reduce((sum, scene) => sum + Math.max(0, scene.duration), 0);
	if (!(total > 0)) return scenes[Math.min(scenes.length - 1, Math.floor(scenes.length * rules.climaxAt))].number;
	const at = total * rules.climaxAt;
	let elapsed = 0;
	for (const scene of scenes) {
		elapsed += Math.max(0, scene.duration);
		if (elapsed > at) return scene.number;
	}
	return scenes[scenes.length - 1].number;
}

function lineScore(text: string, kind: MomentKind): { score: number; reasons: string[] } {
	const s = rules.score;
	const reasons: string[] = [];
	let score = 0;
	if (kind === 'dialogue') {
		score += s.spoken;
		reasons.push('spoken');
	} else if (kind === 'narration') {
		score += s.narration;
	}
	if (/\?["'”’)]*\s*$/.test(text)) {
		score += s.question;
		reasons.push('question');
	}
	if (/!["'”’)]*\s*$/.test(text)) {
		score += s.exclamation;
		reasons.push('exclamation');
	}
	const count = countWords(text);
	if (count >= s.punchyWords.min && count <= s.punchyWords.max) {
		score += s.punchyWords.bonus;
		reasons.push('short enough to read');
	} else if (count > s.punchyWords.max) {
		score -= (count - s.punchyWords.max) * s.longLinePenaltyPerWord;
	}
	return { score, reasons };
}

/** Every line that could be a moment, scored, in story order. */
function candidatesOf(plan: Plan): Candidate[] {
	const climax = climaxScene(plan);
	const opening = plan.scenes[0]?.number ?? null;
	const candidates: Candidate[] = [];
	for (const scene of plan.scenes) {
		const place: string[] = [];
		let bonus = 0;
		if (scene.number === opening) {
			bonus += rules.score.opening;
			place.push('opening');
		}
		if (scene.number === climax && scene.number !== opening) {
			bonus += rules.score.climax;
			place.push('climax');
		}
		const lines = linesOf(scene);
		for (const line of lines) {
			const { score, reasons } = lineScore(line.text, line.kind);
			candidates.push({ ...line, scene: scene.number, score: score + bonus, reasons: [...place, ...reasons], order: candidates.length });
		}
	}
	return candidates;
}

function linesOf(scene: Scene): Array<Pick<Candidate, 'line' | 'kind' | 'speaker' | 'text'>> {
	const spoken = scene.dialogue
		.map((line, index) => ({ line: index, kind: 'dialogue' as const, speaker: line.speaker, text: line.text.trim() }))
		.filter((line) => line.text.length > 0);
	if (spoken.length > 0) return spoken;
	const narrated = sentencesOf(scene.narration ?? '').map((text, index) => ({ line: index, kind: 'narration' as const, speaker: null, text }));
	if (narrated.length > 0) return narrated;
	return [{ line: null, kind: 'visual', speaker: null, text: '' }];
}

/** Long enough to read the caption, within the rules' bounds. */
export function readingSeconds(text: string): number {
	const { min, max } = rules.momentSeconds;
	const reading = countWords(text) / rules.readingWordsPerSecond + rules.readingPadSeconds;
	return round1(Math.min(max, Math.max(min, reading)));
}

/**
 * Fits the moments' durations so title card + moments lands within totalSeconds: too long, the longest shots are
 * shortened (never under momentSeconds.min); too short (a plan with few lines), every shot is held longer.
 */
function fitDurations(durations: number[], titleCard: number): number[] {
	const { min, max } = rules.totalSeconds;
	const sum = () => titleCard + durations.reduce((a, b) => a + b, 0);
	const result = [...durations];
	if (result.length === 0) return result;
	if (sum() > max) {
		// Take a tenth of a second at a time off the longest shot: the short punchy ones stay as they are.
		while (sum() > max + 1e-9) {
			let longest = 0;
			for (let i = 1; i < result.length; i++) if (result[i] > result[longest]) longest = i;
			if (result[longest] <= rules.momentSeconds.min) break;
			result[longest] = round1(result[longest] - 0.1);
		}
	}
	if (sum() < min) {
		const extra = (min - sum()) / result.length;
		for (let i = 0; i < result.length; i++) result[i] = Math.ceil((result[i] + extra) * 10) / 10;
	}
	return result;
}

function cut(plan: Plan, chosen: Candidate[], chosenBy: TrailerCut['chosenBy']): TrailerCut {
	const ordered = [...chosen].sort((a, b) => a.order - b.order);
	const titleCard = rules.titleCardSeconds;
	const durations = fitDurations(
		ordered.map((moment) => readingSeconds(moment.text)),
		titleCard,
	);
	const moments = ordered.map((candidate, index) => ({
		scene: candidate.scene,
		line: candidate.line,
		kind: candidate.kind,
		speaker: candidate.speaker,
		text: candidate.text,
		duration: durations[index],
		reasons: candidate.reasons,
	}));
	const totalDuration = round1(titleCard + durations.reduce((a, b) => a + b, 0));
	return { title: plan.title, titleCard, moments, totalDuration, chosenBy };
}

/**
 * The trailer's moments by the rules: the most telling line of each scene (the opening and the climax first, then
 * spoken, short, questions and exclamations), at most one per scene while there are scenes enough, 4–6 of them,
 * kept in story order, 15–30 s with the title card.
 */
export function chooseMoments(plan: Plan): TrailerCut {
	const candidates = candidatesOf(plan);
	if (candidates.length === 0) throw new Error('The plan has no scenes to make a trailer from.');
	const best = [...candidates].sort((a, b) => b.score - a.score || a.order - b.order);
	const chosen: Candidate[] = [];
	const scenes = new Set<number>();
	// One line per scene first, so the trailer spans the story; a second line of a scene only when scenes run out.
	for (const candidate of best) {
		if (chosen.length >= rules.moments.max) break;
		if (scenes.has(candidate.scene)) continue;
		chosen.push(candidate);
		scenes.add(candidate.scene);
	}
	for (const candidate of best) {
		if (chosen.length >= rules.moments.min) break;
		if (!chosen.includes(candidate) && candidate.kind !== 'visual') chosen.push(candidate);
	}
	// Over the longest length even at the shortest shots: drop the least telling moments (down to the minimum).
	const shortest = (count: number) => rules.titleCardSeconds + count * rules.momentSeconds.min;
	while (chosen.length > rules.moments.min && shortest(chosen.length) > rules.totalSeconds.max) chosen.pop();
	const totalAt = (list: Candidate[]) => rules.titleCardSeconds + list.reduce((sum, moment) => sum + readingSeconds(moment.text), 0);
	while (chosen.length > rules.moments.min && totalAt(chosen) > rules.totalSeconds.max) chosen.pop();
	return cut(plan, chosen, 'rules');
}

/** A choice made elsewhere (Claude's): which lines, by scene number and line index. */
export interface MomentPick {
	scene: number;
	line: number | null;
}

/**
 * Claude's picks as a trailer cut, with the same lengths as the rules'. Picks naming no line of the plan are
 * dropped; fewer than the minimum left, the rules choose instead (so a bad answer still gives a trailer).
 */
export function momentsFromPicks(plan: Plan, picks: MomentPick[]): TrailerCut {
	const candidates = candidatesOf(plan);
	const chosen: Candidate[] = [];
	for (const pick of picks) {
		const found = candidates.find((candidate) => candidate.scene === pick.scene && candidate.line === (pick.line ?? null));
		if (found && !chosen.includes(found)) chosen.push(found);
		if (chosen.length >= rules.moments.max) break;
	}
	if (chosen.length < Math.min(rules.moments.min, candidates.length)) return chooseMoments(plan);
	return cut(plan, chosen, 'claude');
}
