import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { elevenLabsAccess, elevenLabsVoicePage, elevenLabsVoices, judgeElevenLabsError } from '../../shared/transport/elevenlabs';
import { requestJson, retryPolicy, type RetryPolicy } from '../../shared/transport/http';
import data from '../data/elevenlabs.json';
import { FfmpegError } from '../../shared/transport/ffmpeg';
import { isDiskFull } from '../../shared/workdir';
import { BrokenAudioError, describeBytes, retakeBrokenAudio, toClipWav } from '../lib/audio';
import { pcmDuration, readWav } from '../lib/wav';
import { apiKey } from './types';
import type { SpeechProvider, SpeechProviderDefinition, SpeechRequest, SpeechResult, Voice, VoicePage, WordTiming } from './types';

const PROVIDER = 'ElevenLabs';
/** How much shorter than its timings the audio may be before it counts as cut off (an MP3 frame is 26 ms). */
const CUT_TOLERANCE_SECONDS = 0.25;

export { judgeElevenLabsError } from '../../shared/transport/elevenlabs';

interface Alignment {
	characters: string[];
	character_start_times_seconds: number[];
	character_end_times_seconds: number[];
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

	constructor(
		private readonly credentials: Record<string, unknown> | undefined,
		retry?: Partial<RetryPolicy>,
	) {
		apiKey(credentials, PROVIDER);
		const access = elevenLabsAccess(credentials);
		this.base = access.base;
		this.auth = access.headers;
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
		const chosen = request.voiceSettings ?? {};
		if (chosen.stability !== undefined) voice_settings.stability = chosen.stability;
		if (chosen.similarity !== undefined) voice_settings.similarity_boost = chosen.similarity;
		if (chosen.style !== undefined) voice_settings.style = chosen.style;
		if (request.rate) voice_settings.speed = Math.min(1.2, Math.max(0.7, request.rate / data.referenceRate));
		// ElevenLabs charges every answer it sends: a broken one, one lost on the way, the good one.
		const characters = Array.from(request.text).length;
		const charged = () => request.billed?.(characters);
		// A cut-off or non-audio answer is asked for once more, never stored as the line.
		const { value } = await retakeBrokenAudio(async (): Promise<SpeechResult> => {
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
					lostAnswer: (answer) => {
						if (answer.status >= 200 && answer.status < 300) charged();
					},
				},
				this.limits,
			)) as { audio_base64?: string; alignment?: Alignment; normalized_alignment?: Alignment };
			charged();
			if (!body || typeof body.audio_base64 !== 'string' || !body.audio_base64) {
				throw new Error('ElevenLabs answered without audio (no audio_base64). Try again; if it persists, check the model and voice.');
			}
			counter += 1;
			const name = join(request.directory, `elevenlabs-${process.pid}-${counter}`);
			const bytes = Buffer.from(body.audio_base64, 'base64');
			await writeFile(`${name}.mp3`, bytes);
			const file = `${name}.wav`;
			try {
				await toClipWav(`${name}.mp3`, file);
			} catch (error) {
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- provider code: the operation wraps it in a NodeOperationError naming the scene
				if (!(error instanceof FfmpegError) || isDiskFull(error)) throw error;
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- provider code: the operation wraps it in a NodeOperationError naming the scene
				throw new BrokenAudioError(`${PROVIDER} returned audio that is not a readable MP3 (${describeBytes(bytes)}).`);
			}
			const duration = pcmDuration(await readWav(file));
			const alignment = body.alignment ?? body.normalized_alignment;
			// The timings cover the whole text: audio that stops well before their end was cut off on its way.
			const spoken = Math.max(0, ...(alignment?.character_end_times_seconds ?? []).map(Number).filter(Number.isFinite));
			if (spoken > 0 && duration + CUT_TOLERANCE_SECONDS < spoken) {
				throw new BrokenAudioError(
					`${PROVIDER} returned audio cut short: ${duration.toFixed(2)} s of the ${spoken.toFixed(2)} s its timings cover (${describeBytes(bytes)}).`,
				);
			}
			return { file, duration, words: wordsFromAlignment(alignment) };
		});
		return value;
	}

	async listVoicesPage(options: { token?: string; search?: string } = {}): Promise<VoicePage> {
		return elevenLabsVoicePage(this.credentials, options, this.limits);
	}

	async listVoices(): Promise<Voice[]> {
		return elevenLabsVoices(this.credentials, this.limits);
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
