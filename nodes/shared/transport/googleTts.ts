/**
 * The one transport to Google Text-to-Speech beyond synthesis: what its refusals mean and its voice list, shared by
 * Text to Speech (speech, its voice search) and Campaign (the webhook checks a voiceMap against Google's voices).
 */
import { GoogleTtsApi } from '../../../credentials/GoogleTtsApi.credentials';
import type { ListedVoice } from '../voices';
import { credentialAccess, requestJson, type Refusal, type RetryPolicy } from './http';

export const GOOGLE_TTS_DEFAULT_BASE_URL = 'https://texttospeech.googleapis.com';
const PROVIDER = 'Google Text-to-Speech';

/** Google's error body → a message for the canvas; a refused key is final, the rest is left to the retry policy. */
export function judgeGoogleError(status: number, body: unknown, voice?: string): Refusal {
	const error = (body as { error?: { code?: number; message?: string; status?: string } } | undefined)?.error;
	const said = error?.message ?? (typeof body === 'string' ? body.slice(0, 300) : '');
	const tail = said ? ` (Google: ${said})` : '';
	const code = error?.status ?? '';
	if (status === 429 || code === 'RESOURCE_EXHAUSTED' || status >= 500) {
		return { message: `Google Text-to-Speech is over its quota or failing (HTTP ${status})${tail}. Lower Concurrency or try again later.` };
	}
	if (status === 401 || status === 403 || code === 'PERMISSION_DENIED' || code === 'UNAUTHENTICATED') {
		return {
			message: `Google refused the API key${tail}. Check the key in the Google TTS credential and that the Text-to-Speech API is enabled for its project.`,
			retry: false,
		};
	}
	if (status === 400 || code === 'INVALID_ARGUMENT') {
		return { message: `Google Text-to-Speech refused the request${voice ? ` for voice "${voice}"` : ''}${tail}.` };
	}
	return { message: `Google Text-to-Speech answered HTTP ${status}${tail}.` };
}

/** "en-GB-Neural2-B" → "en-GB". */
export function languageOf(voice: string): string {
	const match = /^([a-z]{2,3}-[A-Za-z]{2,4})-/.exec(voice);
	return match ? match[1] : 'en-US';
}

/** Base URL and X-goog-api-key headers from the credential. */
export function googleAccess(credentials: Record<string, unknown> | undefined): { base: string; headers: Record<string, string> } {
	return credentialAccess(credentials, GOOGLE_TTS_DEFAULT_BASE_URL, new GoogleTtsApi().authenticate);
}

/** Google's voices (GET /v1/voices), of one language when `languageCode` is given. */
export async function googleVoices(
	credentials: Record<string, unknown> | undefined,
	limits?: RetryPolicy,
	languageCode?: string,
): Promise<ListedVoice[]> {
	const { base, headers } = googleAccess(credentials);
	const query = languageCode ? `?languageCode=${encodeURIComponent(languageCode)}` : '';
	const body = (await requestJson(
		{
			provider: PROVIDER,
			method: 'GET',
			url: `${base}/v1/voices${query}`,
			headers,
			refuse: (answer) => judgeGoogleError(answer.status, answer.body),
		},
		limits,
	)) as { voices?: Array<{ name: string; languageCodes?: string[]; ssmlGender?: string }> };
	return (body?.voices ?? []).map((voice) => ({
		id: voice.name,
		name: voice.name,
		language: voice.languageCodes?.[0] ?? languageOf(voice.name),
		gender: String(voice.ssmlGender ?? '').toLowerCase(),
		languages: voice.languageCodes?.length ? voice.languageCodes : [languageOf(voice.name)],
	}));
}
