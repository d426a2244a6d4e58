import type { Language } from '../../shared/languages';
import type { RetryPolicy } from '../../shared/transport/http';

/** What a provider speaks a language with (see SpeechProviderDefinition.voicesFor). */
export interface LanguageVoices {
	narrator: string;
	characterVoices: string[];
	voiceForScript?(voice: string, text: string): string;
}

export interface SpeechRequest {
	text: string;
	/** Provider voice id, e.g. "en-us+f3" for espeak-ng. */
	voice: string;
	/** Words per minute; the voice's own rate when not given. */
	rate?: number;
	/** 0–99 (espeak scale); the voice's own pitch when not given. */
	pitch?: number;
	/** The provider's own voice settings (each provider reads its own, ignores the others'). */
	voiceSettings?: VoiceSettings;
	/** Folder the audio file is written to; the caller owns and removes it. */
	directory: string;
	/**
	 * Told the characters each time the provider charged for an answer to this request: the good one, one whose audio
	 * came back broken and was asked again, one cut off on the way. Also when the line fails in the end: it was paid.
	 * Free providers never call it.
	 */
	billed?(characters: number): void;
}

/** Voice settings by provider; the ranges requests are checked against are in lib/preview.ts (PREVIEW_SETTINGS). */
export interface VoiceSettings {
	/** ElevenLabs, 0–1 each, over data/elevenlabs.json's. */
	stability?: number;
	similarity?: number;
	style?: number;
	/** Google audioConfig.speakingRate, 0.25–4 (1 = the voice's own); over the words-per-minute rate. */
	speakingRate?: number;
	/** Google audioConfig.pitch in semitones, −20 to 20 (0 = the voice's own); not espeak-ng's 0–99 pitch. */
	pitch?: number;
}

export interface SpeechResult {
	/** Local audio file (any format ffmpeg reads); absent when the provider hands the audio over in memory. */
	file?: string;
	/** The audio itself (espeak-ng's WAV from its stdout), when there is no file. */
	audio?: Buffer;
	/** Seconds. */
	duration: number;
	/** Word timings from the provider's alignment (seconds from the start of this audio), when it gives one. */
	words?: WordTiming[];
}

export interface WordTiming {
	text: string;
	start: number;
	end: number;
}

export interface VoicePage {
	voices: Voice[];
	/** Token for the next page; undefined on the last one. */
	next?: string;
}

export interface Voice {
	id: string;
	name: string;
	language: string;
	gender: 'male' | 'female' | string;
}

/** A text-to-speech provider: one call per spoken line. Remote providers (ElevenLabs, …) slot in as one module each. */
export interface SpeechProvider {
	readonly name: string;
	/** Model the provider speaks with, for the price (ElevenLabs model id, espeak-ng); Google prices by voice. */
	readonly model?: string;
	synthesize(request: SpeechRequest): Promise<SpeechResult>;
	listVoices(): Promise<Voice[]>;
	/** One page of the voice list (remote providers); the node's voice search pages through it. */
	listVoicesPage?(options: { token?: string; search?: string }): Promise<VoicePage>;
}

export interface SpeechProviderDefinition {
	/** Value of the node's Provider parameter. */
	name: string;
	displayName: string;
	description: string;
	/** Voice for narration and action. */
	narratorVoice: string;
	/** Voices handed to characters by their position in the plan's character list. */
	characterVoices: string[];
	voices: Voice[];
	/**
	 * The voice for a line whose script the voice's language cannot read (espeak-ng spells Arabic out letter by letter
	 * in English): used when neither the voice map nor the node names the voice. Providers that read any script omit it.
	 */
	voiceForScript?(voice: string, text: string): string;
	/**
	 * The narrator, the character voices and the script rule for a run in another language than English (providers whose
	 * voices speak every language, such as ElevenLabs' multilingual ones, omit it).
	 */
	voicesFor?(language: Language): LanguageVoices;
	/** n8n credential type the provider needs (none for offline providers). */
	credentialName?: string;
	create(context: { credentials?: Record<string, unknown>; retry?: Partial<RetryPolicy> }): SpeechProvider;
}

/** The credential's API key, or a message that says to add it (checked before any request). */
export function apiKey(credentials: Record<string, unknown> | undefined, provider: string): string {
	const key = String(credentials?.apiKey ?? '').trim();
	if (!key) throw new Error(`${provider}: the credential has no API key. Add the key to the credential.`);
	return key;
}
