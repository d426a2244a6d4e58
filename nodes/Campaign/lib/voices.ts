import { espeakExamples, espeakVoiceProblem, type EspeakVoices, type ListedVoice } from '../../shared/voices';
import { closeMatches } from '../../shared/voiceProfile';
import type { SpeechProvider } from './request';

/**
 * The voiceMap against the voices of the run's first speech provider, when the run is accepted: a voice it does not
 * have would otherwise be accepted with a 202 and fail the scene three times later. Plain voiceMap entries are voices
 * of the first provider of the order (Text to Speech gives a fallback provider its own voices).
 */
export type KnownVoices =
	| { provider: 'espeak'; espeak: EspeakVoices }
	| { provider: 'elevenlabs' | 'google'; voices: ListedVoice[] };

export interface VoiceRejection {
	field: string;
	message: string;
}

const NAMES: Record<SpeechProvider, string> = { espeak: 'espeak-ng', elevenlabs: 'ElevenLabs', google: 'Google Text-to-Speech' };
/** Voices a message names as examples, when the provider has them. */
const ESPEAK_EXAMPLES = ['en-us+f3', 'en-gb+m3', 'ar'];

/** The first entry `known` cannot speak with, as a 400 naming voiceMap.<character>; `why` says why this provider. */
export function voiceMapRejection(voiceMap: Record<string, string>, known: KnownVoices, why: string): VoiceRejection | null {
	const provider = NAMES[known.provider];
	for (const [character, voice] of Object.entries(voiceMap)) {
		const field = `voiceMap.${character}`;
		const leaveOut = `or leave ${character} out of "voiceMap" to give them a voice by their place in the cast`;
		if (known.provider === 'espeak') {
			const problem = espeakVoiceProblem(voice, known.espeak);
			if (!problem) continue;
			const examples = espeakExamples(known.espeak, ESPEAK_EXAMPLES).join(', ');
			return {
				field,
				message: `"${field}" is "${voice}", and ${provider} (${why}) has no such voice: ${problem}. Use an ${provider} voice such as ${examples}, ${leaveOut}.`,
			};
		}
		if (known.voices.some((listed) => listed.id === voice)) continue;
		const named = known.voices.find((listed) => listed.name.toLowerCase() === voice.toLowerCase());
		if (named && named.id !== voice) {
			return { field, message: `"${field}" is "${voice}", the name of the ${provider} voice ${named.id}: send its ID, {"${character}": "${named.id}"}.` };
		}
		const near = closeMatches(voice, known.voices.map((listed) => listed.id));
		const examples = (near.length ? known.voices.filter((listed) => near.includes(listed.id)) : known.voices.slice(0, 3))
			.map((listed) => (listed.name && listed.name !== listed.id ? `${listed.id} (${listed.name})` : listed.id))
			.join(', ');
		const what = known.provider === 'elevenlabs' ? 'a voice ID of this ElevenLabs account' : 'a Google Text-to-Speech voice name';
		return {
			field,
			message: `"${field}" is "${voice}", which is not ${what} (${provider} is ${why}). Use ${near.length ? 'a close one' : 'one'} such as ${examples || 'one from its voice list'}, ${leaveOut}.`,
		};
	}
	return null;
}

/**
 * The run's narrator.voice against the voices of the provider that speaks it, as a 400 naming narrator.voice with
 * close matches: `why` says why this provider ("narrator.provider", or the first of "speech").
 */
export function narratorRejection(voice: string, known: KnownVoices, why: string): VoiceRejection | null {
	const field = 'narrator.voice';
	const provider = NAMES[known.provider];
	const whose = why === 'narrator.provider' ? `${provider} ("narrator.provider")` : `${provider} (${why})`;
	if (known.provider === 'espeak') {
		const problem = espeakVoiceProblem(voice, known.espeak);
		if (!problem) return null;
		const examples = espeakExamples(known.espeak, ESPEAK_EXAMPLES).join(', ');
		return { field, message: `"${field}" is "${voice}", and ${whose} has no such voice: ${problem}. Use an ${provider} voice such as ${examples}.` };
	}
	if (known.voices.some((listed) => listed.id === voice)) return null;
	const named = known.voices.find((listed) => listed.name.toLowerCase() === voice.toLowerCase());
	if (named) return { field, message: `"${field}" is "${voice}", the name of the ${provider} voice ${named.id}: send its ID, "${named.id}".` };
	const near = closeMatches(voice, known.voices.map((listed) => listed.id));
	const examples = (near.length ? known.voices.filter((listed) => near.includes(listed.id)) : known.voices.slice(0, 3))
		.map((listed) => (listed.name && listed.name !== listed.id ? `${listed.id} (${listed.name})` : listed.id))
		.join(', ');
	return {
		field,
		message: `"${field}" is "${voice}", which ${whose} does not have. Use ${near.length ? 'a close one' : 'one'} such as ${examples || 'one from GET /api/voices'}.`,
	};
}
