import timingData from '../data/timing.json';
import type { Scene } from '../plan';
import { countWords } from './text';

/** The words-per-second rule (data/timing.json, explained in the node README). */
export interface TimingRule {
	dialogueWordsPerSecond: number;
	pauseAfterDialogueLine: number;
	narrationWordsPerSecond: number;
	actionWordsPerSecond: number;
	minimumSceneSeconds: number;
	roundUpToSeconds: number;
}

export const DEFAULT_TIMING: TimingRule = {
	dialogueWordsPerSecond: timingData.dialogueWordsPerSecond,
	pauseAfterDialogueLine: timingData.pauseAfterDialogueLine,
	narrationWordsPerSecond: timingData.narrationWordsPerSecond,
	actionWordsPerSecond: timingData.actionWordsPerSecond,
	minimumSceneSeconds: timingData.minimumSceneSeconds,
	roundUpToSeconds: timingData.roundUpToSeconds,
};

type Timed = Pick<Scene, 'dialogue' | 'narration' | 'action'>;

/** Seconds the voices need: dialogue words + a pause per line, plus narration words. Not rounded. */
export function spokenSeconds(scene: Pick<Scene, 'dialogue' | 'narration'>, rule: TimingRule = DEFAULT_TIMING): number {
	let seconds = 0;
	// A dual line (`dual: true`) is spoken at the same time as the line before it (the speech step mixes the two), so
	// it adds only what it runs past that line.
	let previous = 0;
	for (const [index, line] of (scene.dialogue ?? []).entries()) {
		const own = countWords(line.text ?? '') / rule.dialogueWordsPerSecond + rule.pauseAfterDialogueLine;
		if (line.dual === true && index > 0) {
			seconds += Math.max(0, own - previous);
			previous = Math.max(previous, own);
		} else {
			seconds += own;
			previous = own;
		}
	}
	seconds += countWords(scene.narration ?? '') / rule.narrationWordsPerSecond;
	return seconds;
}

/** Seconds a viewer needs to take in the action on screen. Not rounded. */
export function actionSeconds(scene: Pick<Scene, 'action'>, rule: TimingRule = DEFAULT_TIMING): number {
	return countWords(scene.action ?? '') / rule.actionWordsPerSecond;
}

/** Rounds up to the rule's step (0.1 s); the epsilon keeps 4.0000000001 (float noise) at 4.0. */
export function roundUp(seconds: number, step = DEFAULT_TIMING.roundUpToSeconds): number {
	const steps = Math.ceil(seconds / step - 1e-9);
	return roundTenth(steps * step);
}

/** Removes float noise from sums of tenths (0.1 + 0.2). */
export function roundTenth(seconds: number): number {
	return Math.round(seconds * 10) / 10;
}

/** Spoken and action time overlap (the camera shows the action while people talk), so the longer one wins. */
export function sceneDuration(scene: Timed, rule: TimingRule = DEFAULT_TIMING): number {
	return roundUp(Math.max(spokenSeconds(scene, rule), actionSeconds(scene, rule), rule.minimumSceneSeconds), rule.roundUpToSeconds);
}

/** The shortest a scene may be without cutting its dialogue: spoken time rounded up, never under the minimum. */
export function minimumDuration(scene: Timed, rule: TimingRule = DEFAULT_TIMING): number {
	return roundUp(Math.max(spokenSeconds(scene, rule), rule.minimumSceneSeconds), rule.roundUpToSeconds);
}

export function totalDuration(scenes: Pick<Scene, 'duration'>[]): number {
	return roundTenth(scenes.reduce((sum, scene) => sum + (Number(scene.duration) || 0), 0));
}
