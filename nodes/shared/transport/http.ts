/**
 * HTTP to the paid providers (Kling, Runway, ElevenLabs, Google TTS): one JSON request helper, one download helper
 * and one retry loop, all under the one policy in ../data/retry.json (Claude reads the same file through the SDK).
 *
 * Global fetch, not this.helpers.httpRequestWithAuthentication: the providers also run where n8n's helper does not
 * exist (the Kling credential test gets only the deprecated `request`, the provider tests have no n8n context), the
 * clip download streams to disk, and the retry loop needs every answer's status and Retry-After. The header-based
 * credentials still state their headers once, in their `authenticate` (see credentialHeaders); Kling signs a JWT.
 *
 * No retry library: Retry-After must set the wait before the next try, and neither exponential-backoff 3 nor
 * async-retry lets one attempt choose its own delay (p-retry is ESM-only); the loop below is twenty lines.
 */
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IAuthenticateGeneric } from 'n8n-workflow';
import policy from '../data/retry.json';
import { recordCall } from '../store/aiCalls';
import { isDiskFull } from '../workdir';

export interface RetryPolicy {
	/** Tries in all, the first included. */
	attempts: number;
	/** Wait before the first retry; doubles per retry. */
	baseDelayMs: number;
	/** Longest single wait, Retry-After included. */
	maxDelayMs: number;
	/** Up to this fraction is added to each backoff wait at random, so parallel scenes do not retry in step. */
	jitter: number;
	/** One request (or one Claude answer) may take this long. */
	timeoutMs: number;
	/** A GET that only asks (task status, a lookup) may take this long; never more than timeoutMs. */
	statusTimeoutMs: number;
	/** Answers that may be sent again; every other status is final. */
	retryStatuses: number[];
}

export const RETRY_POLICY: Readonly<RetryPolicy> = policy;

/** The policy with some knobs changed (node options, faster waits in tests); undefined knobs keep the policy's. */
export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
	const set = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
	return { ...RETRY_POLICY, ...set };
}

/** A provider answer in plain words; `retryable` says whether the same request may be sent again. */
export class ProviderError extends Error {
	/** HTTP status of the answer; 0 when there was none (network, timeout). */
	readonly status: number;
	readonly retryable: boolean;
	readonly retryAfterMs?: number;
	/** The provider could not be reached at all (network, timeout), whatever the method. */
	readonly unreachable: boolean;
	/** Unreachable before the request went out (the connection was never made): the provider cannot have acted on it. */
	readonly unsent: boolean;
	/** A content-policy refusal (Refusal.policy). */
	readonly policy: boolean;
	/** Requests sent before giving up. */
	attempts = 1;

	constructor(
		message: string,
		options: { status?: number; retryable?: boolean; retryAfterMs?: number; unreachable?: boolean; unsent?: boolean; policy?: boolean } = {},
	) {
		super(message);
		this.name = 'ProviderError';
		this.status = options.status ?? 0;
		this.retryable = options.retryable ?? false;
		this.retryAfterMs = options.retryAfterMs;
		this.unreachable = options.unreachable ?? false;
		this.unsent = options.unsent ?? false;
		this.policy = options.policy ?? false;
	}

	/** Unreachable, or still busy/failing after the retries: another provider of the fallback order may serve. */
	get down(): boolean {
		return this.retryable || this.unreachable;
	}
}

/**
 * The provider is down for now (unreachable, or 429 / 5xx still after the retries): the scene may go to the next
 * provider of the fallback order. Content-policy, credential and account refusals are not "down".
 */
export function isProviderDown(error: unknown): boolean {
	return error instanceof ProviderError && error.down;
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined): number | undefined {
	if (!header) return undefined;
	const seconds = Number(header);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(header);
	return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** The wait before retry number `retry` (1 = the first): Retry-After when the provider gave one, else backoff. */
export function retryDelay(limits: RetryPolicy, retry: number, retryAfter?: number): number {
	if (retryAfter !== undefined) return Math.min(retryAfter, limits.maxDelayMs);
	const backoff = limits.baseDelayMs * 2 ** (retry - 1);
	return Math.min(limits.maxDelayMs, backoff * (1 + Math.random() * limits.jitter));
}

/** Runs `attempt` until it succeeds, throws a non-retryable error, or the attempts run out. */
export async function withRetry<T>(limits: RetryPolicy, attempt: () => Promise<T>): Promise<T> {
	const attempts = Math.max(1, Math.floor(limits.attempts));
	for (let n = 1; ; n++) {
		try {
			return await attempt();
		} catch (error) {
			if (!(error instanceof ProviderError) || !error.retryable || n >= attempts) {
				if (error instanceof ProviderError) {
					error.attempts = n;
					if (error.retryable && n > 1) error.message = `${error.message} (gave up after ${n} attempts)`;
				}
				throw error;
			}
			await sleep(retryDelay(limits, n, error.retryAfterMs));
		}
	}
}

export interface HttpAnswer {
	status: number;
	headers: Headers;
	/** Parsed JSON; the text when it is not JSON; undefined when empty. */
	body: unknown;
}

/** Why an answer is not a success, in words for the canvas; `retry` unset = the policy decides by the status. */
export interface Refusal {
	message: string;
	retry?: boolean;
	/** The provider's content policy refused what was asked (a rewritten prompt may pass; the same one never will). */
	policy?: boolean;
}

export interface JsonRequest {
	/** "Kling", "ElevenLabs": named in messages. */
	provider: string;
	method: string;
	url: string;
	headers?: Record<string, string>;
	/** Sent as JSON. */
	body?: unknown;
	/**
	 * May the request go again after a network failure or timeout, when it may have reached the provider? Default:
	 * only GET/HEAD/DELETE; a task submit is not repeated blind (it could be paid twice), the scene moves on instead.
	 */
	repeatable?: boolean;
	/** Is the answer a success? Default: a 2xx status. */
	accept?: (answer: HttpAnswer) => boolean;
	/** A non-success answer in plain words. */
	refuse: (answer: HttpAnswer) => Refusal;
	/**
	 * The provider answered (its status and headers arrived) but the body was lost on the way: cut off, or stalled
	 * past the timeout. It acted on the request, so a provider that bills per request records the cost here; the
	 * request then fails (or is sent again) as any broken connection.
	 */
	lostAnswer?: (answer: Omit<HttpAnswer, 'body'>) => void;
}

/** The answer's body as an object (a text body becomes `{ message }`), for providers whose errors are JSON objects. */
export function bodyObject(answer: HttpAnswer): Record<string, unknown> {
	const body = answer.body;
	if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
	return typeof body === 'string' && body ? { message: body.slice(0, 200) } : {};
}

/**
 * A field of an error body as one line of text. Proxies and gateways in front of a provider answer in shapes of their
 * own (`{"error": {"message": …}}`, HTML), so a field may be an object: its message, else its JSON, never
 * "[object Object]".
 */
export function plainText(value: unknown, max = 200): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value.trim().slice(0, max);
	if (typeof value === 'object' && !Array.isArray(value) && typeof (value as { message?: unknown }).message === 'string') {
		return plainText((value as { message: string }).message, max);
	}
	return (JSON.stringify(value) ?? String(value)).slice(0, max);
}

/** Errors of the connect step: no byte of the request went out. */
const NEVER_CONNECTED = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'];

async function sendOnce(request: JsonRequest, limits: RetryPolicy): Promise<HttpAnswer> {
	const origin = new URL(request.url).origin;
	const asks = ['GET', 'HEAD'].includes(request.method.toUpperCase());
	const timeoutMs = asks ? Math.min(limits.statusTimeoutMs ?? limits.timeoutMs, limits.timeoutMs) : limits.timeoutMs;
	const started = performance.now();
	const sent = { provider: request.provider, method: request.method, url: request.url, headers: request.headers, body: request.body };
	let response: Response | undefined;
	try {
		response = await fetch(request.url, {
			method: request.method,
			headers: {
				accept: 'application/json',
				...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
				...request.headers,
			},
			body: request.body === undefined ? undefined : JSON.stringify(request.body),
			signal: AbortSignal.timeout(timeoutMs),
		});
		const text = await response.text();
		let body: unknown = text || undefined;
		try {
			if (text) body = JSON.parse(text);
		} catch {
			// not JSON: the text is kept for the message
		}
		const accepted = (request.accept ?? is2xx)({ status: response.status, headers: response.headers, body });
		await recordCall({ ...sent, status: response.status, ok: accepted, answer: body, ms: performance.now() - started });
		return { status: response.status, headers: response.headers, body };
	} catch (error) {
		const repeatable = request.repeatable ?? ['GET', 'HEAD', 'DELETE'].includes(request.method.toUpperCase());
		const timedOut = (error as Error).name === 'TimeoutError';
		const cause = (error as { cause?: { code?: string; message?: string } }).cause;
		const code = cause?.code ?? cause?.message ?? (error as Error).message;
		// A connection that was open and broke says nothing about the address; one never made does.
		const broke = ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'UND_ERR_CLOSED'].includes(String(cause?.code));
		const unsent = repeatable ? '' : ` It was not sent again: ${request.provider} may have acted on it.`;
		// The status came and the body did not: the provider answered (and may have billed), we never read it.
		if (response) request.lostAnswer?.({ status: response.status, headers: response.headers });
		await recordCall({
			...sent,
			status: 0,
			ok: false,
			error: `${response ? `HTTP ${response.status}, body lost: ` : ''}${timedOut ? `no answer within ${timeoutMs / 1000} s` : String(code)}`,
			ms: performance.now() - started,
		});
		throw new ProviderError(
			response
				? `${request.provider}'s answer (HTTP ${response.status}) broke off on the way (${timedOut ? `not all there within ${timeoutMs / 1000} s` : code}, ${origin}).${unsent}`
				: timedOut
					? `${request.provider} did not answer within ${timeoutMs / 1000} s (${origin}).${unsent || ' Try again later.'}`
					: broke
						? `The connection to ${request.provider} broke before it answered (${code}, ${origin}).${unsent}`
						: `${request.provider} could not be reached at ${origin} (${code}). Check the Base URL of the credential and the network.`,
			// Only a connection never made (refused, no such host) proves the provider did not see the request.
			{ retryable: repeatable, unreachable: true, unsent: !response && !timedOut && NEVER_CONNECTED.includes(String(cause?.code)) },
		);
	}
}

/**
 * One JSON request with the policy's retries: 429 and 5xx (the policy's statuses) and network failures of repeatable
 * requests are sent again after Retry-After or a backoff; refusals the provider marks final are not. Returns the body.
 */
const is2xx = (answer: HttpAnswer) => answer.status >= 200 && answer.status < 300;

export async function requestJson(request: JsonRequest, limits: RetryPolicy = RETRY_POLICY): Promise<unknown> {
	const accept = request.accept ?? is2xx;
	return withRetry(limits, async () => {
		const answer = await sendOnce(request, limits);
		if (accept(answer)) return answer.body;
		const refusal = request.refuse(answer);
		const retryable = refusal.retry ?? limits.retryStatuses.includes(answer.status);
		throw new ProviderError(refusal.message, {
			status: answer.status,
			retryable,
			policy: refusal.policy,
			retryAfterMs: retryable ? retryAfterMs(answer.headers.get('retry-after')) : undefined,
		});
	});
}

/** Streams a result URL to `file` (one try; wrap it in withRetry). Result URLs are presigned: no credential. */
export async function download(provider: string, url: string, file: string, limits: RetryPolicy = RETRY_POLICY): Promise<void> {
	// One deadline for the answer and its body: a download that stalls is cut and retried, never waited on forever.
	const signal = AbortSignal.timeout(limits.timeoutMs);
	const started = performance.now();
	const record = (status: number, ok: boolean, more: { answer?: unknown; error?: string }) =>
		recordCall({ provider, method: 'GET', url, download: true, status, ok, ms: performance.now() - started, ...more });
	let response: Response;
	try {
		response = await fetch(url, { signal });
	} catch (error) {
		await record(0, false, { error: reason(error, limits) });
		throw new ProviderError(`The finished clip could not be downloaded from ${provider} (${reason(error, limits)}).`, {
			retryable: true,
			unreachable: true,
		});
	}
	if (!response.ok || !response.body) {
		await record(response.status, false, { error: `HTTP ${response.status}` });
		throw new ProviderError(
			`The finished clip could not be downloaded from ${provider}: HTTP ${response.status}. The result link may have expired; run the scene again.`,
			{ status: response.status, retryable: limits.retryStatuses.includes(response.status) },
		);
	}
	try {
		await pipeline(Readable.fromWeb(response.body as unknown as WebReadableStream), createWriteStream(file));
	} catch (error) {
		// Our own disk filled up, not the provider's fault: no retry, no "broke off"; the work folder says it in words.
		if (isDiskFull(error)) throw error;
		await record(response.status, false, { error: `broke off: ${reason(error, limits)}` });
		throw new ProviderError(`The download of the finished clip from ${provider} broke off (${reason(error, limits)}).`, {
			retryable: true,
			unreachable: true,
		});
	}
	const expected = Number(response.headers.get('content-length'));
	const { size } = await stat(file);
	const answer = { bytes: size, contentType: response.headers.get('content-type') };
	if (expected && size !== expected) {
		await record(response.status, false, { answer, error: `broke off after ${size} of ${expected} bytes` });
		throw new ProviderError(`The download of the finished clip from ${provider} broke off after ${size} of ${expected} bytes.`, {
			retryable: true,
			unreachable: true,
		});
	}
	await record(response.status, true, { answer });
}

/** A fetch or stream error in words: the timeout by its length, else the cause undici hides under "fetch failed". */
function reason(error: unknown, limits: RetryPolicy): string {
	const err = error as Error & { cause?: { code?: string; message?: string } };
	if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${Math.round(limits.timeoutMs / 1000)} s`;
	return err.cause?.code ?? err.cause?.message ?? err.message;
}

/**
 * The headers a credential's generic `authenticate` declares, with `{{$credentials.field}}` filled in: the credential
 * file is the one place that says how its provider authenticates (n8n's credential test reads the same declaration).
 */
export function credentialHeaders(authenticate: IAuthenticateGeneric, credentials: Record<string, unknown>): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(authenticate.properties.headers ?? {})) {
		const text = String(value);
		if (!text.startsWith('=')) {
			headers[name] = text;
			continue;
		}
		const filled = text.slice(1).replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_all, field: string) => String(credentials[field] ?? '').trim());
		if (filled.includes('{{')) throw new Error(`The credential header ${name} uses an expression this package cannot fill: ${text}`);
		headers[name] = filled.trim();
	}
	return headers;
}

/** Where a provider answers and the headers that authenticate there, both from its credential. */
export function credentialAccess(
	credentials: Record<string, unknown> | undefined,
	defaultBaseUrl: string,
	authenticate: IAuthenticateGeneric,
): { base: string; headers: Record<string, string> } {
	return { base: baseUrl(credentials, defaultBaseUrl), headers: credentialHeaders(authenticate, credentials ?? {}) };
}

/** Base URL from the credential (or the provider's default), without a trailing slash. */
export function baseUrl(credentials: Record<string, unknown> | undefined, fallback: string): string {
	const value = String(credentials?.baseUrl ?? '').trim() || fallback;
	return value.replace(/\/+$/, '');
}
