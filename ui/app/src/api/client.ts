/**
 * The one place the app talks to the dashboard API. Every failure becomes an ApiError whose message a person can
 * act on: the server being down, a session that ended (401 → login), a rate limit, a field the server rejected.
 */

export class ApiError extends Error {
	/** HTTP status; 0 when the server did not answer at all. */
	readonly status: number;
	/** The request field the server named (400 on the run form). */
	readonly field?: string;
	/** Seconds to wait (429). */
	readonly retryAfter?: number;
	/** The answer's body, for errors that carry more than a message (a batch's refused rows). */
	readonly body?: unknown;

	constructor(status: number, message: string, extra: { field?: string; retryAfter?: number; body?: unknown } = {}) {
		super(message);
		this.name = 'ApiError';
		this.status = status;
		this.field = extra.field;
		this.retryAfter = extra.retryAfter;
		this.body = extra.body;
	}
}

let unauthorized: (() => void) | undefined;

/** Called when any request answers 401: the app sends the person to the login page. */
export function onUnauthorized(handler: () => void): void {
	unauthorized = handler;
}

/** First line only, never a stack trace: messages are shown to people. */
export function plainMessage(text: unknown): string {
	const lines = String(text ?? '')
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => line && !/^at\s/.test(line));
	const first = lines[0] ?? '';
	return first.length > 500 ? `${first.slice(0, 497)}…` : first;
}

function messageFrom(body: unknown): { message?: string; field?: string } {
	if (!body || typeof body !== 'object') return {};
	const error = (body as { error?: unknown }).error;
	if (typeof error === 'string') return { message: error, field: (body as { field?: string }).field };
	if (error && typeof error === 'object') {
		const { message, field } = error as { message?: string; field?: string };
		return { message, field };
	}
	const { message, field } = body as { message?: string; field?: string };
	return { message, field };
}

function statusMessage(status: number): string {
	if (status === 401) return 'Your session has ended. Log in again.';
	if (status === 403) return 'You do not have access to this. Ask an admin to add you to the campaign.';
	if (status === 404) return 'Not found: it may have been deleted, or the link is wrong. Go back to the campaigns.';
	if (status === 429) return 'Too many attempts. Wait a few minutes, then try again.';
	if (status >= 500)
		return `The dashboard server had a problem (HTTP ${status}). Try again in a moment; if it keeps happening, look at the server log.`;
	return `The request was refused (HTTP ${status}).`;
}

/** No request waits for ever: a page shows a message instead of an eternal spinner. */
const TIMEOUT_MS = 20_000;
/** An upload of a clip of up to 200 MB takes longer than a page load. */
const UPLOAD_TIMEOUT_MS = 10 * 60_000;

export async function api<T>(path: string, options: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
	const controller = new AbortController();
	let timedOut = false;
	// A FormData body is a file upload: the browser sets its multipart content type.
	const form = options.body instanceof FormData;
	const timeoutMs = form ? UPLOAD_TIMEOUT_MS : TIMEOUT_MS;
	const timer = setTimeout(() => {
		timedOut = true;
		controller.abort();
	}, timeoutMs);
	const abort = () => controller.abort();
	options.signal?.addEventListener('abort', abort);
	let response: Response;
	let text: string;
	try {
		response = await fetch(path, {
			method: options.method ?? 'GET',
			headers:
				options.body === undefined || form ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
			body: options.body === undefined ? undefined : form ? (options.body as FormData) : JSON.stringify(options.body),
			credentials: 'same-origin',
			signal: controller.signal,
		});
		text = await response.text();
	} catch (error) {
		if (timedOut) {
			throw new ApiError(
				0,
				`The dashboard server did not answer within ${timeoutMs / 1000} s. It may be overloaded; try again in a moment.`,
			);
		}
		if ((error as Error).name === 'AbortError') throw error;
		throw new ApiError(
			0,
			'The dashboard server does not answer: check that `npm start` is still running (start it again if it stopped) and that your network is up, then try again.',
		);
	} finally {
		clearTimeout(timer);
		options.signal?.removeEventListener('abort', abort);
	}
	let body: unknown = undefined;
	if (text) {
		try {
			body = JSON.parse(text);
		} catch {
			body = undefined;
		}
	}
	if (response.ok) return body as T;
	const { message, field } = messageFrom(body);
	const retryAfter = Number(response.headers.get('retry-after')) || undefined;
	if (response.status === 401 && !path.startsWith('/api/login')) unauthorized?.();
	throw new ApiError(response.status, plainMessage(message) || statusMessage(response.status), { field, retryAfter, body });
}

export const post = <T>(path: string, body: unknown = {}) => api<T>(path, { method: 'POST', body });

/** What POST /api/campaigns/:id/media answers: the key to name the file by in sceneMedia or music. */
export interface UploadedMedia {
	key: string;
	kind: 'clip' | 'still' | 'voiceOver' | 'music';
	bytes: number;
	duration: number | null;
	url: string;
}

/** Uploads a file of your own to the campaign (a clip, a still, a voice-over or music). */
export function uploadMedia(campaignId: string, kind: UploadedMedia['kind'], file: File): Promise<UploadedMedia> {
	const form = new FormData();
	form.set('kind', kind);
	form.set('file', file);
	return api<UploadedMedia>(`/api/campaigns/${campaignId}/media`, { method: 'POST', body: form });
}
export const patch = <T>(path: string, body: unknown) => api<T>(path, { method: 'PATCH', body });

/** The message to show for any thrown value. */
export function errorMessage(error: unknown): string {
	if (error instanceof ApiError) return error.message;
	if (error instanceof Error) return plainMessage(error.message) || 'Something went wrong. Reload the page.';
	return 'Something went wrong. Reload the page.';
}
