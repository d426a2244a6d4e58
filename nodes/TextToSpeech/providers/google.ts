import { join } from 'node:path';
import { googleAccess, googleVoices, judgeGoogleError, languageOf } from '../../shared/transport/googleTts';
import { requestJson, retryPolicy, type RetryPolicy } from '../../shared/transport/http';
import data from '../data/google.json';
import { BrokenAudioError, describeBytes, retakeBrokenAudio } from '../lib/audio';
import { parseWav, pcmDuration, writeWav, type Pcm } from '../lib/wav';
import { apiKey, type SpeechProvider, type SpeechProviderDefinition, type SpeechRequest, type SpeechResult, type Voice } from './types';

const PROVIDER = 'Google Text-to-Speech';

export { judgeGoogleError, languageOf } from '../../shared/transport/googleTts';

/**
 * Text cut into pieces of at most `maxBytes` UTF-8 bytes: at sentence ends when possible, else at spaces, else
 * between characters (never inside a character). Pieces are trimmed and none is empty.
 */
export function splitByBytes(text: string, maxBytes: number): string[] {
	const bytes = (value: string) => Buffer.byteLength(value, 'utf8');
	const pieces: string[] = [];
	const pack = (units: string[], joiner: string, fallback: (unit: string) => string[]) => {
		let current = '';
		for (const unit of units) {
			if (!unit) continue;
			const candidate = current ? `${current}${joiner}${unit}` : unit;
			if (bytes(candidate) <= maxBytes) {
				current = candidate;
				continue;
			}
			if (current) pieces.push(current);
			current = '';
			if (bytes(unit) <= maxBytes) current = unit;
			else {
				const parts = fallback(unit);
				const last = parts.pop() ?? '';
				pieces.push(...parts);
				current = last;
			}
		}
		if (current) pieces.push(current);
	};
	const byCharacters = (unit: string): string[] => {
		const out: string[] = [];
		let current = '';
		for (const character of unit) {
			if (bytes(current + character) > maxBytes) {
				out.push(current);
				current = '';
			}
			current += character;
		}
		out.push(current);
		return out;
	};
	const byWords = (sentence: string): string[] => {
		const out: string[] = [];
		let current = '';
		for (const word of sentence.split(/\s+/).filter(Boolean)) {
			const candidate = current ? `${current} ${word}` : word;
			if (bytes(candidate) <= maxBytes) current = candidate;
			else {
				if (current) out.push(current);
				if (bytes(word) <= maxBytes) current = word;
				else {
					const parts = byCharacters(word);
					current = parts.pop() ?? '';
					out.push(...parts);
				}
			}
		}
		out.push(current);
		return out;
	};
	const sentences = text.trim().match(/[^.!?。！？]+[.!?。！？]*["'”’)\]]*\s*|[.!?。！？]+\s*/gu) ?? [];
	pack(
		sentences.map((sentence) => sentence.trim()),
		' ',
		byWords,
	);
	return pieces.filter((piece) => piece.trim());
}

let counter = 0;

class GoogleProvider implements SpeechProvider {
	readonly name = 'google';
	private readonly base: string;
	/** X-goog-api-key, as the credential declares it. */
	private readonly auth: Record<string, string>;
	private readonly limits: RetryPolicy;

	constructor(
		private readonly credentials: Record<string, unknown> | undefined,
		retry?: Partial<RetryPolicy>,
	) {
		apiKey(credentials, PROVIDER);
		const access = googleAccess(credentials);
		this.base = access.base;
		this.auth = access.headers;
		this.limits = retryPolicy(retry);
	}

	async synthesize(request: SpeechRequest): Promise<SpeechResult> {
		const voice = request.voice.trim();
		if (!/^[a-z]{2,3}-[A-Za-z]{2,4}-[A-Za-z0-9_.-]+$/.test(voice)) {
			throw new Error(`"${request.voice}" is not a Google voice name (e.g. ${data.narrator}). Pick one from the voice list.`);
		}
		const pieces = splitByBytes(request.text, data.maxInputBytes);
		if (pieces.length === 0) throw new Error('There is nothing to say in the text.');
		// Speaking rate and pitch go to Google as asked: it refuses values out of its range (400), requests are checked before.
		const chosen = request.voiceSettings ?? {};
		const speakingRate = chosen.speakingRate ?? (request.rate ? Math.min(4, Math.max(0.25, request.rate / data.referenceRate)) : 1);
		const pitch = chosen.pitch === undefined ? {} : { pitch: chosen.pitch };
		const parts: Pcm[] = [];
		for (const text of pieces) {
			// Google charges every synthesis it answers: a broken one, one lost on the way, the good one.
			const charged = () => request.billed?.(Array.from(text).length);
			// A cut-off or non-audio answer is asked for once more, never joined into the line as it is.
			const { value: part } = await retakeBrokenAudio(async () => {
				const body = (await requestJson(
					{
						provider: PROVIDER,
						method: 'POST',
						url: `${this.base}/v1/text:synthesize`,
						headers: this.auth,
						body: {
							input: { text },
							voice: { languageCode: languageOf(voice), name: voice },
							audioConfig: { audioEncoding: 'LINEAR16', speakingRate, ...pitch, sampleRateHertz: data.sampleRate },
						},
						// Synthesis leaves nothing running at Google: a repeat after a lost answer is safe.
						repeatable: true,
						refuse: (answer) => judgeGoogleError(answer.status, answer.body, voice),
						lostAnswer: (answer) => {
							if (answer.status >= 200 && answer.status < 300) charged();
						},
					},
					this.limits,
				)) as { audioContent?: string };
				charged();
				if (!body || typeof body.audioContent !== 'string' || !body.audioContent) {
					throw new Error('Google Text-to-Speech answered without audio (no audioContent). Try again.');
				}
				const bytes = Buffer.from(body.audioContent, 'base64');
				try {
					return parseWav(bytes, 'The audio', { whole: true });
				} catch (error) {
					// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- provider code: the operation wraps it in a NodeOperationError naming the scene
					throw new BrokenAudioError(`${PROVIDER} returned broken audio: ${(error as Error).message} (${describeBytes(bytes)}).`);
				}
			});
			parts.push(part);
		}
		const first = parts[0];
		if (parts.some((part) => part.sampleRate !== first.sampleRate || part.channels !== first.channels)) {
			throw new Error('Google returned the pieces of one line in different audio formats; cannot join them.');
		}
		const pcm: Pcm = { sampleRate: first.sampleRate, channels: first.channels, data: Buffer.concat(parts.map((part) => part.data)) };
		counter += 1;
		const file = join(request.directory, `google-${process.pid}-${counter}.wav`);
		await writeWav(file, pcm);
		return { file, duration: pcmDuration(pcm) };
	}

	async listVoices(languageCode?: string): Promise<Voice[]> {
		return googleVoices(this.credentials, this.limits, languageCode);
	}

	async listVoicesPage(options: { search?: string } = {}) {
		const all = await this.listVoices();
		const search = options.search?.toLowerCase();
		return { voices: search ? all.filter((voice) => `${voice.id} ${voice.language}`.toLowerCase().includes(search)) : all };
	}
}

export const googleProvider: SpeechProviderDefinition = {
	name: 'google',
	displayName: 'Google Cloud Text-to-Speech',
	description: 'Google Cloud voices (API key, paid per character); long text is split within the 5,000-byte limit',
	narratorVoice: data.narrator,
	characterVoices: data.characterVoices,
	voices: data.voices,
	voicesFor: (language) => {
		if (language.code === 'en') return { narrator: data.narrator, characterVoices: data.characterVoices };
		const { narrator, characters, type } = data.languageVoices;
		const name = (letter: string) => `${language.google}-${type}-${letter}`;
		return { narrator: name(narrator), characterVoices: characters.map(name) };
	},
	credentialName: 'reelsmithGoogleTtsApi',
	create: ({ credentials, retry }) => new GoogleProvider(credentials, retry),
};
