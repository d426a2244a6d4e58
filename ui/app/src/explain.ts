import { plainMessage } from './api/client';
import type { RunSummary, SceneRow } from './api/types';

/**
 * Failure states in plain words, each with what to do next. The pipeline's own messages are already written for
 * people (they name the scene and the cause); this adds the next step the dashboard offers.
 */
export interface Problem {
	tone: 'error' | 'warning' | 'info';
	title: string;
	message: string;
	next: string;
}

/** A queued run this long without starting, or a running run this long without a step, is called slow. */
export const QUEUED_SLOW_MS = 10 * 60_000;
export const RUNNING_SLOW_MS = 5 * 60_000;

const rules: Array<{ test: RegExp; next: string; title?: string }> = [
	{
		test: /budget stop|budget/i,
		title: 'Budget reached',
		next: "Raise the run's budget (or the campaign's), or lower scenes and duration, then resume the run.",
	},
	{ test: /storyboard rejected/i, title: 'Storyboard rejected', next: 'Change the script to answer the note, then start a new run.' },
	{ test: /cancelled by/i, title: 'Cancelled', next: 'Resume the run to continue from where it stopped, or start a new run.' },
	{
		test: /voice/i,
		title: 'Voice not available',
		next: 'Use a voice the speech provider has (e.g. en-us for espeak-ng) in the voice map and start a new run; retrying with the same voice fails again.',
	},
	{
		test: /polic|moderat|safety|not allowed|inappropriate/i,
		title: 'Refused by the provider',
		next: 'Reword the scene in the script and start a new run; retrying the same text is refused again.',
	},
	{
		test: /api key|unauthori[sz]ed|forbidden|credential|\b401\b|\b403\b/i,
		title: 'Provider login failed',
		next: "Check the provider's credential (API key) in n8n, then retry the failed scenes.",
	},
	{
		test: /\bdown\b|unavailable|did not answer|timed? ?out|ECONN|ENOTFOUND|\b5\d\d\b|\b429\b|rate.?limit|throttl|overloaded/i,
		title: 'Provider down',
		next: 'The provider did not answer. Retry the failed scenes in a few minutes, or start the run with another provider in the video order as a fallback.',
	},
	{
		test: /script|scene count|no scene|fountain|format/i,
		title: 'Script rejected',
		next: 'Fix the script as the message says and start a new run.',
	},
	{
		test: /^Scene \d+/i,
		title: 'A scene failed',
		next: 'Open the failed scene below for its reason, fix the cause, then retry the failed scenes.',
	},
];

function nextStepFor(message: string, fallback: string): { title?: string; next: string } {
	for (const rule of rules) if (rule.test.test(message)) return { title: rule.title, next: rule.next };
	return { next: fallback };
}

/** The time the run last moved: its latest event when the API gives it, else its last known timestamp. */
export function lastMoved(run: RunSummary, latestEventAt?: string | null): number {
	const stamps = [latestEventAt, run.lastEventAt, run.updatedAt, run.startedAt, run.createdAt]
		.filter((s): s is string => Boolean(s))
		.map((s) => new Date(s).getTime());
	return stamps.length ? Math.max(...stamps) : Date.now();
}

export function runProblem(run: RunSummary, now = Date.now(), latestEventAt?: string | null): Problem | null {
	if (run.status === 'failed') {
		const message = plainMessage(run.error) || 'The run failed without a message.';
		const { title, next } = nextStepFor(message, 'Resume the run: scenes already made are kept and only the rest is made again.');
		return { tone: 'error', title: title ?? 'Run failed', message, next };
	}
	if (run.status === 'cancelled') {
		const message = plainMessage(run.error) || 'The run was cancelled.';
		const rejected = /rejected/i.test(message);
		return {
			tone: 'warning',
			title: rejected ? 'Storyboard rejected' : 'Cancelled',
			message,
			next: rejected
				? 'Change the script to answer the note, then start a new run.'
				: 'Resume the run to continue from where it stopped, or start a new run.',
		};
	}
	const idle = now - lastMoved(run, latestEventAt);
	if (run.status === 'queued' && idle > QUEUED_SLOW_MS) {
		const position = run.queuePosition ? ` at position ${run.queuePosition}` : run.queuePosition === 0 ? ' as next in line' : '';
		return {
			tone: 'warning',
			title: 'Waiting in the queue',
			message: `This run has waited${position} for ${Math.round(idle / 60_000)} min. Runs start when a running one finishes.`,
			next: 'If nothing is running, n8n may be stopped: check that `npm start` is still up and look at n8n’s executions list. You can cancel the run.',
		};
	}
	if ((run.status === 'running' || run.status === 'starting') && idle > RUNNING_SLOW_MS) {
		return {
			tone: 'warning',
			title: 'The pipeline is slow',
			message: `No step has finished for ${Math.round(idle / 60_000)} min${run.stage ? ` (stage: ${run.stage})` : ''}.`,
			next: 'A provider may be slow to render. If it stays like this, n8n may have stopped: check that it runs and look at its executions list. After 10 min without a step you can resume the run (completed scenes are kept) or cancel it.',
		};
	}
	return null;
}

export function sceneProblem(scene: SceneRow): Problem | null {
	if (scene.status !== 'failed') return null;
	const message = plainMessage(scene.error) || `Scene ${scene.number} failed without a message.`;
	const { title, next } = nextStepFor(
		message,
		'Retry the failed scenes; if it fails again, change the scene in the script and start a new run.',
	);
	return { tone: 'error', title: title ?? `Scene ${scene.number} failed`, message, next };
}
