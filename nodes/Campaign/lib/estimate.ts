import type { Plan, Scene } from '../../shared/plan';
import { billedSeconds, speechCostUsd, typicalClaudeCallUsd, videoCostUsd } from '../../shared/prices';
import type { RunOptions, RunProviders } from './request';

/**
 * What a run will cost, from the one price table: every scene still to make × its billed seconds × the video price
 * of the first provider of the order, + the characters it speaks × the speech price, + the Claude calls still to
 * come × a typical call. Fallbacks are not counted: the first choice is what the run means to use.
 */
export interface Estimate {
	/** Spent so far + everything below: what the run will have cost when it completes. */
	totalUsd: number;
	spentUsd: number;
	videoUsd: number;
	speechUsd: number;
	claudeUsd: number;
	scenes: number;
	billedSeconds: number;
	/** Scenes to make that show the caller's own clip (sceneMedia): no video cost. */
	ownClips: number;
	/** Scenes to make from the caller's own still: paid like any clip with Kling/Runway (image-to-video), $0 locally. */
	ownStills: number;
	characters: number;
	claudeCalls: number;
	videoProvider: string;
	speechProvider: string;
}

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;

/** The characters a scene speaks, as Text to Speech reads it (narrateAction decides whether the action is read). */
export function spokenCharacters(scene: Partial<Scene>, narrateAction: RunOptions['narrateAction'] = 'whenNoDialogue'): number {
	const dialogue = (scene.dialogue ?? []).reduce((sum, line) => sum + String(line?.text ?? '').trim().length, 0);
	const narration = String(scene.narration ?? '').trim().length;
	const action = String(scene.action ?? '').trim().length;
	const readAction = narrateAction === 'always' || (narrateAction === 'whenNoDialogue' && dialogue === 0 && narration === 0);
	return dialogue + narration + (readAction ? action : 0);
}

/**
 * Claude calls the workflows make after planning when Claude plans the run: a frame check per scene still to make
 * (Validation; regenerations add more) and the export metadata (Assembly).
 */
export function claudeCallsAfterPlanning(providers: RunProviders, scenes = 0): number {
	return providers.planner === 'claude' ? scenes + 1 : 0;
}

/**
 * What planning may cost before it starts: with Claude planning, each take is planned and critiqued, then refined and
 * critiqued again up to `iterations` times, so the most calls (and dollars) grow with the takes asked for.
 * Zero for the offline rules planner.
 */
export function planningEstimate(
	providers: RunProviders,
	options: Pick<RunOptions, 'iterations'> & { variations?: number },
): { claudeCalls: number; claudeUsd: number; takes: number } {
	const takes = Math.max(1, options.variations ?? 1);
	const claudeCalls = providers.planner === 'claude' ? takes * (2 + 2 * Math.max(0, options.iterations)) : 0;
	return { claudeCalls, claudeUsd: round(claudeCalls * typicalClaudeCallUsd()), takes };
}

export function estimateRun(input: {
	plan: Pick<Plan, 'scenes'>;
	providers: RunProviders;
	narrateAction?: RunOptions['narrateAction'];
	/** Scene numbers already completed (a resume): they cost nothing more. */
	completed?: number[];
	/** Scene numbers that show the caller's own clip (sceneMedia): made without a video provider, at $0. */
	ownClips?: Iterable<number>;
	/** Scene numbers that have the caller's own voice-over (sceneMedia): nothing is spoken by a speech provider. */
	ownVoices?: Iterable<number>;
	/**
	 * Scene number → seconds of its own voice-over, where measured: the voice-over's length is the scene's (clipDuration),
	 * so the paid clip is billed for it instead of the planned duration.
	 */
	voiceSeconds?: Map<number, number>;
	/** Scene numbers made from the caller's own still: counted, priced as the clip the first provider makes of it. */
	ownStills?: Iterable<number>;
	spentUsd?: number;
}): Estimate {
	const done = new Set(input.completed ?? []);
	const scenes = (input.plan.scenes ?? []).filter((scene) => !done.has(scene.number));
	const videoProvider = input.providers.video[0] ?? 'local';
	const speechProvider = input.providers.speech[0] ?? 'espeak';
	let videoUsd = 0;
	let seconds = 0;
	let characters = 0;
	const own = new Set(input.ownClips ?? []);
	const voiced = new Set(input.ownVoices ?? []);
	let ownClips = 0;
	const stills = new Set(input.ownStills ?? []);
	let ownStills = 0;
	for (const scene of scenes) {
		const voice = input.voiceSeconds?.get(scene.number);
		// As the video step sizes it: an own voice-over's length, rounded up to 0.1 s.
		const duration = voice !== undefined ? Math.ceil(Math.round(voice * 1e6) / 1e5) / 10 : Math.max(0, Number(scene.duration) || 0);
		if (own.has(scene.number)) ownClips++;
		else {
			if (stills.has(scene.number)) ownStills++;
			seconds += billedSeconds(videoProvider, duration);
			videoUsd += videoCostUsd(videoProvider, undefined, duration);
		}
		if (!voiced.has(scene.number)) characters += spokenCharacters(scene, input.narrateAction);
	}
	const speechUsd = speechCostUsd(speechProvider, undefined, characters);
	const claudeCalls = claudeCallsAfterPlanning(input.providers, scenes.length);
	const claudeUsd = claudeCalls * typicalClaudeCallUsd();
	const spentUsd = input.spentUsd ?? 0;
	return {
		totalUsd: round(spentUsd + videoUsd + speechUsd + claudeUsd),
		spentUsd: round(spentUsd),
		videoUsd: round(videoUsd),
		speechUsd: round(speechUsd),
		claudeUsd: round(claudeUsd),
		scenes: scenes.length,
		billedSeconds: round(seconds),
		ownClips,
		ownStills,
		characters,
		claudeCalls,
		videoProvider,
		speechProvider,
	};
}

/** Dollars as people read them: $0.28, $1.40; under a cent shows more digits ($0.0042). */
export function usd(amount: number): string {
	if (amount > 0 && amount < 0.01) return `$${amount.toFixed(4)}`;
	return `$${amount.toFixed(2)}`;
}

/** One line for the run's events: the total and what it is made of. */
export function describeEstimate(estimate: Estimate): string {
	const parts = [
		`${estimate.scenes} scene(s), ${estimate.billedSeconds} s on ${estimate.videoProvider}: ${usd(estimate.videoUsd)}` +
			(estimate.ownClips ? ` (${estimate.ownClips} with your own clip: $0)` : '') +
			(estimate.ownStills ? ` (${estimate.ownStills} from your own still${estimate.videoProvider === 'local' ? ', a slow zoom: $0' : `, animated by ${estimate.videoProvider}`})` : ''),
		`${estimate.characters} characters on ${estimate.speechProvider}: ${usd(estimate.speechUsd)}`,
		estimate.claudeCalls ? `${estimate.claudeCalls} Claude call(s): ${usd(estimate.claudeUsd)}` : '',
		estimate.spentUsd ? `spent so far ${usd(estimate.spentUsd)}` : '',
	].filter(Boolean);
	return `Estimate ${usd(estimate.totalUsd)} (${parts.join('; ')}).`;
}

/** When the budget is checked: before generation (the pipeline), or when a manager picks take N on approval. */
export type BudgetMoment = { take?: number };

/**
 * The budget stop message when the estimate does not fit the run's or the campaign's cap, else null. The caps
 * compare with the whole estimate (spent included), i.e. with what is left of each budget.
 */
export function budgetStop(
	estimate: Estimate,
	caps: { runBudget: number | null; campaignBudget: number | null; campaignSpent: number; campaignName: string },
	moment: BudgetMoment = {},
): string | null {
	const tolerance = 1e-9;
	const picked = moment.take !== undefined;
	const opening = picked ? `Take ${moment.take} does not fit the budget: its estimate is` : 'Budget stop before generation: the estimate is';
	if (caps.runBudget !== null && estimate.totalUsd > caps.runBudget + tolerance) {
		const left = Math.max(0, caps.runBudget - estimate.spentUsd);
		return (
			`${opening} ${usd(estimate.totalUsd)} and the run budget is ${usd(caps.runBudget)}` +
			(estimate.spentUsd > 0 ? ` (${usd(left)} left after ${usd(estimate.spentUsd)} spent on planning)` : '') +
			(picked ? '. Pick a cheaper take, or approve the take the run would make.' : `. Raise "budget" or shorten the script, then resume.`)
		);
	}
	if (caps.campaignBudget !== null) {
		// The campaign's other runs have spent what the campaign total holds beyond this run.
		const others = Math.max(0, caps.campaignSpent - estimate.spentUsd);
		const left = Math.max(0, caps.campaignBudget - others);
		if (estimate.totalUsd > left + tolerance) {
			return (
				`${opening} ${usd(estimate.totalUsd)} and campaign '${caps.campaignName}' has ` +
				`${usd(left)} left of its ${usd(caps.campaignBudget)} budget. ` +
				(picked ? "Pick a cheaper take, or raise the campaign's budget first." : 'Raise "campaignBudget" or shorten the script, then resume.')
			);
		}
	}
	return null;
}
