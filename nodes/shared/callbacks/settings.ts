/**
 * The callback settings, read from the environment by every process that sends callbacks (n8n main and workers,
 * the dashboard for "send again"), so give them all the same values.
 */
export interface CallbackSettings {
	/** http:// and https:// to this machine's loopback addresses are allowed (tests, a receiver beside n8n). */
	allowLoopback: boolean;
	/** Seconds to wait before retry 1, 2, …; the last one repeats until `retryForSeconds` have passed. */
	retrySeconds: number[];
	/** After this many seconds since the run ended (or the stage finished) a failing delivery is undeliverable. */
	retryForSeconds: number;
	/** How long one request may take before it counts as timed out (and is retried). */
	timeoutSeconds: number;
	/** How long the presigned link to the final video in the payload stays valid (S3 allows at most 7 days). */
	linkSeconds: number;
}

export const DEFAULT_CALLBACK_SETTINGS: CallbackSettings = {
	allowLoopback: false,
	// About 20 tries over 24 h: quick at first (a receiver being redeployed), then every 2 h.
	retrySeconds: [10, 30, 120, 600, 1800, 3600, 7200],
	retryForSeconds: 24 * 3600,
	timeoutSeconds: 10,
	linkSeconds: 24 * 3600,
};

const WEEK = 7 * 24 * 3600;

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number, max = Infinity): number {
	const raw = env[name]?.trim();
	if (!raw) return fallback;
	const value = Number(raw);
	if (!Number.isFinite(value) || value <= 0 || value > max) {
		throw new Error(`${name} must be a number of seconds above 0${max < Infinity ? ` and at most ${max}` : ''} (got "${raw}"). Fix it or leave it unset for ${fallback}.`);
	}
	return value;
}

export function callbackSettings(env: NodeJS.ProcessEnv = process.env): CallbackSettings {
	const d = DEFAULT_CALLBACK_SETTINGS;
	const rawSchedule = env.REELSMITH_CALLBACK_RETRY_SECONDS?.trim();
	let retrySeconds = d.retrySeconds;
	if (rawSchedule) {
		retrySeconds = rawSchedule.split(',').map((part) => Number(part.trim()));
		if (retrySeconds.some((value) => !Number.isFinite(value) || value <= 0)) {
			throw new Error(
				`REELSMITH_CALLBACK_RETRY_SECONDS must be a comma-separated list of seconds above 0, e.g. "10,60,600" (got "${rawSchedule}"). Fix it or leave it unset for ${d.retrySeconds.join(',')}.`,
			);
		}
	}
	return {
		allowLoopback: ['1', 'true', 'yes'].includes((env.REELSMITH_CALLBACK_ALLOW_LOOPBACK ?? '').trim().toLowerCase()),
		retrySeconds,
		retryForSeconds: seconds(env, 'REELSMITH_CALLBACK_RETRY_FOR_SECONDS', d.retryForSeconds),
		timeoutSeconds: seconds(env, 'REELSMITH_CALLBACK_TIMEOUT_SECONDS', d.timeoutSeconds, 300),
		linkSeconds: seconds(env, 'REELSMITH_CALLBACK_LINK_SECONDS', d.linkSeconds, WEEK),
	};
}

/**
 * Seconds until the next try after `failedAttempts` failed ones (1 = the first try failed), with up to 10 % added at
 * random so receivers that came back are not hit by every sender at the same second.
 */
export function retryDelaySeconds(failedAttempts: number, schedule: number[], random: () => number = Math.random): number {
	const base = schedule[Math.min(Math.max(failedAttempts, 1), schedule.length) - 1];
	return base * (1 + 0.1 * random());
}

/** What a failed attempt means: try again later, or stop (the receiver refused it for good). */
export function isRetryable(outcome: { statusCode: number | null; refused?: boolean }): boolean {
	if (outcome.refused) return false;
	const code = outcome.statusCode;
	// No answer at all: a timeout or a connection error.
	if (code === null) return true;
	return code === 408 || code === 429 || code >= 500;
}
