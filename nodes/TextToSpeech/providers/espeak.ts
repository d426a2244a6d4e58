import { ESPEAK_BIN, espeakVoices, speakToWav } from '../../shared/transport/espeak';
import { espeakExamples, espeakVoiceProblem } from '../../shared/voices';
import voices from '../data/voices.json';
import { voiceOfScript, type ScriptVoice } from '../lib/scripts';
import { parseWav, pcmDuration } from '../lib/wav';
import type { Language } from '../../shared/languages';
import type { LanguageVoices, SpeechProvider, SpeechProviderDefinition, SpeechRequest, SpeechResult, Voice } from './types';

const DATA = voices.espeak;
const VOICES = DATA.voices as Array<Voice & { pitch?: number; rate?: number }>;
const SCRIPT_VOICES = DATA.scriptVoices.voices as ScriptVoice[];

/**
 * The voice for a line in another script (data/voices.json scriptVoices): that script's language with the speaker's
 * variant ("en-us+f3" reads Arabic as "ar+f3"), so a character keeps their sound; the voice itself otherwise.
 */
export function espeakVoiceForScript(voice: string, text: string, table: ScriptVoice[] = SCRIPT_VOICES): string {
	const language = voiceOfScript(text, table);
	if (!language) return voice;
	return withLanguage(language, voice);
}

/** `voice` with another language and the same variant: "en-us+f3" in German is "de+f3". */
const withLanguage = (language: string, voice: string) => {
	const plus = voice.indexOf('+');
	return plus >= 0 ? `${language}${voice.slice(plus)}` : language;
};

/**
 * The voices of a run in `language`: English keeps the English voices (British narrator, American and other
 * characters); another language speaks with its espeak-ng language and each voice's own variant, so the cast
 * sounds as different as in English. A line in another script still switches language, but not one in the
 * language's own script (a Japanese line in kanji only is Japanese, not Mandarin).
 */
export function espeakVoicesFor(language: Language): LanguageVoices {
	if (language.code === 'en') {
		return { narrator: DATA.narrator, characterVoices: DATA.characterVoices, voiceForScript: espeakVoiceForScript };
	}
	const own = new Set([language.script, ...(language.code === 'ja' ? ['Hiragana', 'Katakana'] : [])]);
	const table = SCRIPT_VOICES.filter((entry) => !own.has(entry.script));
	return {
		narrator: withLanguage(language.espeak, DATA.narrator),
		characterVoices: [...new Set(DATA.characterVoices.map((voice) => withLanguage(language.espeak, voice)))],
		voiceForScript: (voice, text) => espeakVoiceForScript(voice, text, table),
	};
}

class EspeakProvider implements SpeechProvider {
	readonly name = 'espeak';
	readonly model = 'espeak-ng';

	async synthesize(request: SpeechRequest): Promise<SpeechResult> {
		const voice = request.voice.trim();
		// Only a voice this espeak-ng lists reaches its command line: never an option ("--help") or a path.
		const list = await espeakVoices();
		const problem = espeakVoiceProblem(voice, list);
		if (problem) {
			const examples = espeakExamples(list, [DATA.characterVoices[1], DATA.narrator, 'ar']).join(', ');
			throw new Error(`espeak-ng has no voice "${request.voice}": ${problem}. Use an espeak-ng voice such as ${examples}.`);
		}
		const known = VOICES.find((entry) => entry.id === voice);
		const rate = clampInt(request.rate ?? known?.rate ?? DATA.rate, 80, 450);
		const pitch = clampInt(request.pitch ?? known?.pitch ?? 50, 0, 99);
		// The WAV comes back in memory (stdout): the caller converts it without a file written and read per line.
		const { audio, error } = await speakToWav(['-b', '1', `-v${voice}`, '-s', String(rate), '-p', String(pitch)], request.text);
		if (error || !audio) throw new Error(`${ESPEAK_BIN} failed for voice "${voice}": ${error ?? 'no audio'}`);
		return { audio, duration: pcmDuration(parseWav(audio, 'espeak-ng output')) };
	}

	async listVoices(): Promise<Voice[]> {
		return VOICES.map(({ id, name, language, gender }) => ({ id, name, language, gender }));
	}
}

function clampInt(value: number, low: number, high: number): number {
	const number = Math.round(Number(value));
	return Number.isFinite(number) ? Math.min(high, Math.max(low, number)) : low;
}

export const espeakProvider: SpeechProviderDefinition = {
	name: 'espeak',
	displayName: 'espeak-ng (offline)',
	description: 'Speech synthesised on this machine: no account, no cost, robotic but clear',
	narratorVoice: DATA.narrator,
	characterVoices: DATA.characterVoices,
	voices: VOICES.map(({ id, name, language, gender }) => ({ id, name, language, gender })),
	voiceForScript: espeakVoiceForScript,
	voicesFor: espeakVoicesFor,
	create: () => new EspeakProvider(),
};
