/**
 * The one transport to ElevenLabs' API beyond speech itself: what its refusals mean and its voice list, shared by
 * Text to Speech (speech, its voice search) and Campaign (the webhook checks a voiceMap against the account's voices).
 */
import { ElevenLabsApi } from '../../../credentials/ElevenLabsApi.credentials';
import type { ListedVoice } from '../voices';
import { credentialAccess, requestJson, type Refusal, type RetryPolicy } from './http';

export const ELEVENLABS_DEFAULT_BASE_URL = 'https://api.elevenlabs.io';
const PROVIDER = 'ElevenLabs';
const NON_RETRYABLE = new Set(['invalid_api_key', 'quota_exceeded', 'voice_not_found', 'max_character_limit_exceeded']);

/**
 * `{"detail":{"status","message"}}` (or 422's `{"detail":[{msg}]}`) → a message for the canvas; ElevenLabs' own final
 * refusals say `retry: false`, the rest is left to the retry policy's statuses.
 */
export function judgeElevenLabsError(status: number, body: unknown, voice?: string): Refusal {
	const detail = (body as { detail?: unknown } | undefined)?.detail;
	const code = typeof detail === 'object' && detail && !Array.isArray(detail) ? String((detail as { status?: unknown }).status ?? '') : '';
	const said = Array.isArray(detail)
		? detail.map((entry) => String((entry as { msg?: unknown })?.msg ?? JSON.stringify(entry))).join('; ')
		: typeof detail === 'object' && detail
			? String((detail as { message?: unknown }).message ?? '')
			: typeof detail === 'string'
				? detail
				: typeof body === 'string'
					? body.slice(0, 300)
					: '';
	const tail = said ? ` (ElevenLabs: ${said})` : '';
	if (code === 'invalid_api_key' || (status === 401 && !NON_RETRYABLE.has(code))) {
		return { message: `ElevenLabs rejected the API key${tail}. Check the API key in the ElevenLabs credential.`, retry: false };
	}
	if (code === 'quota_exceeded') {
		return { message: `ElevenLabs character quota is used up${tail}. Upgrade the plan or wait for the quota to reset.`, retry: false };
	}
	if (code === 'voice_not_found') {
		return {
			message: `ElevenLabs has no voice "${voice ?? '?'}"${tail}. Pick a voice from the list or fix the Voice Map.`,
			retry: false,
		};
	}
	if (code === 'max_character_limit_exceeded') {
		return { message: `The text is too long for one ElevenLabs request${tail}. Shorten the line.`, retry: false };
	}
	if (status === 429 || status >= 500) {
		const what = code === 'too_many_concurrent_requests' ? 'too many requests at once' : code === 'system_busy' ? 'busy' : `HTTP ${status}`;
		return { message: `ElevenLabs is ${what === `HTTP ${status}` ? `failing (${what})` : what}${tail}. Lower Concurrency or try again later.` };
	}
	if (status === 422) return { message: `ElevenLabs refused the request as invalid${tail}.` };
	return { message: `ElevenLabs answered HTTP ${status}${tail}.` };
}

/** Base URL and xi-api-key headers from the credential. */
export function elevenLabsAccess(credentials: Record<string, unknown> | undefined): { base: string; headers: Record<string, string> } {
	return credentialAccess(credentials, ELEVENLABS_DEFAULT_BASE_URL, new ElevenLabsApi().authenticate);
}

/** One page of the account's voices (GET /v2/voices, 100 a page), optionally searched by name. */
export async function elevenLabsVoicePage(
	credentials: Record<string, unknown> | undefined,
	options: { token?: string; search?: string },
	limits?: RetryPolicy,
): Promise<{ voices: ListedVoice[]; next?: string }> {
	const { base, headers } = elevenLabsAccess(credentials);
	const query = new URLSearchParams({ page_size: '100' });
	if (options.token) query.set('next_page_token', options.token);
	if (options.search) query.set('search', options.search);
	const body = (await requestJson(
		{
			provider: PROVIDER,
			method: 'GET',
			url: `${base}/v2/voices?${query}`,
			headers,
			refuse: (answer) => judgeElevenLabsError(answer.status, answer.body),
		},
		limits,
	)) as { voices?: Array<Record<string, unknown>>; has_more?: boolean; next_page_token?: string | null };
	const voices: ListedVoice[] = (body?.voices ?? []).map((voice) => {
		const labels = (voice.labels ?? {}) as Record<string, unknown>;
		// verified_languages: the languages (and locales) ElevenLabs checked the voice in; labels.language on older voices.
		const verified = Array.isArray(voice.verified_languages) ? (voice.verified_languages as Array<Record<string, unknown>>) : [];
		const languages = [...new Set([...verified.map((entry) => String(entry.locale || entry.language || '')), String(labels.language ?? '')])].filter(
			Boolean,
		);
		return {
			id: String(voice.voice_id),
			name: String(voice.name ?? voice.voice_id),
			language: String(labels.language ?? labels.accent ?? ''),
			gender: String(labels.gender ?? ''),
			languages,
		};
	});
	return { voices, next: body?.has_more && body.next_page_token ? body.next_page_token : undefined };
}

/** Every voice of the account, page after page (at most 100 pages). */
export async function elevenLabsVoices(credentials: Record<string, unknown> | undefined, limits?: RetryPolicy): Promise<ListedVoice[]> {
	const voices: ListedVoice[] = [];
	let token: string | undefined;
	for (let page = 0; page < 100; page++) {
		const result = await elevenLabsVoicePage(credentials, { token }, limits);
		voices.push(...result.voices);
		token = result.next;
		if (!token) break;
	}
	return voices;
}
