/**
 * HTTP for remote speech providers. Global fetch (Node ≥ 18) rather than this.helpers.httpRequest: providers are
 * created from a plain credentials object, so the same module runs inside n8n, in load-options methods and in plain
 * tests against loopback fakes, without an IExecuteFunctions.
 */
export interface RetryPolicy {
	/** Tries in all (first request included). */
	attempts: number;
	/** First backoff; doubles per retry, plus up to 25 % jitter. */
	baseMs: number;
	/** Longest single wait (also caps Retry-After). */
	maxMs: number;
	timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 1000, maxMs: 30_000, timeoutMs: 120_000 };

export class ProviderHttpError extends Error {
	constructor(
		message: string,
		readonly status: number,
		readonly attempts: number,
		/** Unreachable, or still busy/failing (429, 5xx) after every retry: another provider may serve instead. */
		readonly down = false,
	) {
		super(message);
		this.name = 'ProviderHttpError';
	}
}

export interface ErrorVerdict {
	message: string;
	retry: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retry-After in seconds or as an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null): number | undefined {
	if (!header) return undefined;
	const seconds = Number(header);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
	const date = Date.parse(header);
	return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function backoff(policy: RetryPolicy, retry: number): number {
	const base = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
	return base + Math.random() * base * 0.25;
}

/**
 * One JSON request with retries: `judge` turns an error status + body into a plain message and whether the
 * request may be repeated. Retry-After is honoured (capped at maxMs); network errors and timeouts are retried.
 */
export async function requestJson(
	url: string,
	init: { method: string; headers: Record<string, string>; body?: string },
	options: { provider: string; judge: (status: number, body: unknown) => ErrorVerdict; retry?: Partial<RetryPolicy> },
): Promise<unknown> {
	const policy = { ...DEFAULT_RETRY, ...options.retry };
	for (let attempt = 1; ; attempt++) {
		let response: Response;
		try {
			response = await fetch(url, { ...init, signal: AbortSignal.timeout(policy.timeoutMs) });
		} catch (error) {
			if (attempt < policy.attempts) {
				await sleep(backoff(policy, attempt));
				continue;
			}
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- providers run without a node context (tests, load options); the operations wrap this in NodeOperationError with the scene and line
			throw new ProviderHttpError(
				`${options.provider} could not be reached at ${new URL(url).origin} (${(error as Error).message}) after ${attempt} tries. Check the Base URL of the credential and the network.`,
				0,
				attempt,
				true,
			);
		}
		const text = await response.text();
		let body: unknown = text;
		try {
			body = text ? JSON.parse(text) : undefined;
		} catch {
			// not JSON: keep the text for the message
		}
		if (response.ok) return body;
		const verdict = options.judge(response.status, body);
		if (verdict.retry && attempt < policy.attempts) {
			const wait = retryAfterMs(response.headers.get('retry-after'));
			await sleep(wait === undefined ? backoff(policy, attempt) : Math.min(wait, policy.maxMs));
			continue;
		}
		const tries = verdict.retry ? ` (gave up after ${attempt} tries)` : '';
		throw new ProviderHttpError(`${verdict.message}${tries}`, response.status, attempt, verdict.retry);
	}
}

/** Base URL from the credential, without a trailing slash. */
export function baseUrl(credentials: Record<string, unknown> | undefined, fallback: string): string {
	const value = String(credentials?.baseUrl ?? '').trim() || fallback;
	return value.replace(/\/+$/, '');
}

export function apiKey(credentials: Record<string, unknown> | undefined, provider: string): string {
	const key = String(credentials?.apiKey ?? '').trim();
	if (!key) throw new Error(`${provider}: the credential has no API key. Add the key to the credential.`);
	return key;
}
