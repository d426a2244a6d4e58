import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ElevenLabsApi } from '../../../credentials/ElevenLabsApi.credentials';
import { baseUrl, credentialHeaders, requestJson, retryPolicy, type Refusal, type RetryPolicy } from '../../shared/transport/http';
import data from '../data/elevenlabs.json';
import { toClipWav } from '../lib/audio';
import { pcmDuration, readWav } from '../lib/wav';
import { apiKey } from './types';
import type { SpeechProvider, SpeechProviderDefinition, SpeechRequest, SpeechResult, Voice, VoicePage, WordTiming } from './types';

const PROVIDER = 'ElevenLabs';
const NON_RETRYABLE = new Set(['invalid_api_key', 'quota_exceeded', 'voice_not_found', 'max_character_limit_exceeded']);

interface Alignment {
	characters: string[];
	character_start_times_seconds: number[];
	character_end_times_seconds: number[];
}

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

/** Words from a character alignment: runs of non-space characters, timed by their first and last character. */
export function wordsFromAlignment(alignment: Alignment | undefined): WordTiming[] {
	const words: WordTiming[] = [];
	if (!alignment || !Array.isArray(alignment.characters)) return words;
	let current: WordTiming | undefined;
	alignment.characters.forEach((character, index) => {
		const start = Number(alignment.character_start_times_seconds?.[index]);
		const end = Number(alignment.character_end_times_seconds?.[index]);
		if (/\s/.test(character)) {
			current = undefined;
			return;
		}
		if (!current) {
			current = { text: '', start, end };
			words.push(current);
		}
		current.text += character;
		current.end = end;
	});
	return words;
}

let counter = 0;

class ElevenLabsProvider implements SpeechProvider {
	readonly name = 'elevenlabs';
	private readonly base: string;
	/** xi-api-key, as the credential declares it. */
	private readonly auth: Record<string, string>;
	private readonly limits: RetryPolicy;
	readonly model: string;

	constructor(credentials: Record<string, unknown> | undefined, retry?: Partial<RetryPolicy>) {
		this.base = baseUrl(credentials, data.baseUrl);
		apiKey(credentials, PROVIDER);
		this.auth = credentialHeaders(new ElevenLabsApi().authenticate, credentials ?? {});
		this.limits = retryPolicy(retry);
		this.model = String(credentials?.model ?? '').trim() || data.model;
	}

	async synthesize(request: SpeechRequest): Promise<SpeechResult> {
		const voice = request.voice.trim();
		if (!/^[A-Za-z0-9_-]+$/.test(voice)) {
			throw new Error(`"${request.voice}" is not an ElevenLabs voice ID (e.g. ${data.narrator}). Pick one from the voice list.`);
		}
		const model = data.models.find((entry) => entry.id === this.model);
		const limit = model?.maxCharacters ?? 5000;
		if (request.text.length > limit) {
			throw new Error(`The text has ${request.text.length} characters; ${this.model} takes at most ${limit} per request. Shorten the line.`);
		}
		const voice_settings: Record<string, unknown> = { ...data.voiceSettings };
		if (request.rate) voice_settings.speed = Math.min(1.2, Math.max(0.7, request.rate / data.referenceRate));
		const url = `${this.base}/v1/text-to-speech/${encodeURIComponent(voice)}/with-timestamps?output_format=${data.outputFormat}`;
		const body = (await requestJson(
			{
				provider: PROVIDER,
				method: 'POST',
				url,
				headers: this.auth,
				body: { text: request.text, model_id: this.model, voice_settings, seed: seedFor(request.text, voice) },
				// Nothing is left running at ElevenLabs, and the seed makes a repeat the same take.
				repeatable: true,
				refuse: (answer) => judgeElevenLabsError(answer.status, answer.body, voice),
			},
			this.limits,
		)) as { audio_base64?: string; alignment?: Alignment; normalized_alignment?: Alignment };
		if (!body || typeof body.audio_base64 !== 'string' || !body.audio_base64) {
			throw new Error('ElevenLabs answered without audio (no audio_base64). Try again; if it persists, check the model and voice.');
		}
		counter += 1;
		const name = join(request.directory, `elevenlabs-${process.pid}-${counter}`);
		await writeFile(`${name}.mp3`, Buffer.from(body.audio_base64, 'base64'));
		const file = `${name}.wav`;
		await toClipWav(`${name}.mp3`, file);
		return { file, duration: pcmDuration(await readWav(file)), words: wordsFromAlignment(body.alignment ?? body.normalized_alignment) };
	}

	async listVoicesPage(options: { token?: string; search?: string } = {}): Promise<VoicePage> {
		const query = new URLSearchParams({ page_size: '100' });
		if (options.token) query.set('next_page_token', options.token);
		if (options.search) query.set('search', options.search);
		const body = (await requestJson(
			{
				provider: PROVIDER,
				method: 'GET',
				url: `${this.base}/v2/voices?${query}`,
				headers: this.auth,
				refuse: (answer) => judgeElevenLabsError(answer.status, answer.body),
			},
			this.limits,
		)) as { voices?: Array<Record<string, unknown>>; has_more?: boolean; next_page_token?: string | null };
		const voices: Voice[] = (body?.voices ?? []).map((voice) => {
			const labels = (voice.labels ?? {}) as Record<string, unknown>;
			return {
				id: String(voice.voice_id),
				name: String(voice.name ?? voice.voice_id),
				language: String(labels.language ?? labels.accent ?? ''),
				gender: String(labels.gender ?? ''),
			};
		});
		return { voices, next: body?.has_more && body.next_page_token ? body.next_page_token : undefined };
	}

	async listVoices(): Promise<Voice[]> {
		const voices: Voice[] = [];
		let token: string | undefined;
		for (let page = 0; page < 100; page++) {
			const result = await this.listVoicesPage({ token });
			voices.push(...result.voices);
			token = result.next;
			if (!token) break;
		}
		return voices;
	}
}

/** Same text + voice → same seed, so re-running a scene gives the same take. */
function seedFor(text: string, voice: string): number {
	let hash = 2166136261;
	for (const character of `${voice}\n${text}`) hash = Math.imul(hash ^ character.codePointAt(0)!, 16777619) >>> 0;
	return hash % 4294967295;
}

export const elevenLabsProvider: SpeechProviderDefinition = {
	name: 'elevenlabs',
	displayName: 'ElevenLabs',
	description: 'Natural voices from ElevenLabs (API key, paid per character); word timings for subtitles',
	narratorVoice: data.narrator,
	characterVoices: data.characterVoices,
	voices: data.voices,
	credentialName: 'reelsmithElevenLabsApi',
	create: ({ credentials, retry }) => new ElevenLabsProvider(credentials, retry),
};
