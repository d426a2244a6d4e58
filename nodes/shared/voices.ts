/**
 * Voice names as the webhook and the speech step check them. Pure: the lists come from the providers (espeak-ng's
 * own `--voices`, the ElevenLabs and Google voice endpoints) through nodes/shared/transport.
 */

/** A voice of a speech provider's list. */
export interface ListedVoice {
	id: string;
	name: string;
	language: string;
	gender: 'male' | 'female' | string;
}

/** What espeak-ng on this host can speak: languages (`-v en-us`) and variants (`-v en-us+f3`), lower case. */
export interface EspeakVoices {
	languages: string[];
	variants: string[];
}

/**
 * Any provider's voice name: espeak-ng "en-us+f3", an ElevenLabs ID "21m00Tcm4TlvDq8ikWAM", a Google name
 * "en-US-Neural2-F". Starting with a letter or digit, a name can never be read as a command-line option ("--help",
 * "-v") or a path ("../../etc/passwd").
 */
const VOICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_+-]{0,99}$/;

/** Why `voice` cannot be any provider's voice name, or null. */
export function voiceNameProblem(voice: string): string | null {
	if (VOICE_NAME.test(voice)) return null;
	return 'a voice name starts with a letter or digit and holds only letters, digits, "-", "_" and "+" (no spaces, dots or slashes)';
}

/** `espeak-ng --voices` and `espeak-ng --voices=variant` output → the names `-v` takes. */
export function parseEspeakVoices(voicesOutput: string, variantsOutput: string): EspeakVoices {
	const languages = new Set<string>();
	for (const line of voicesOutput.split('\n')) {
		// " 5  cmn   --/M   Chinese_(Mandarin) sit/cmn   (zh-cmn 5)(zh 5)": the language, then other languages it answers to.
		const row = /^\s*\d+\s+(\S+)\s+\S+\s+\S+\s+\S+(.*)$/.exec(line);
		if (!row) continue;
		languages.add(row[1].toLowerCase());
		for (const other of row[2].matchAll(/\(([^\s()]+)\s+\d+\)/g)) languages.add(other[1].toLowerCase());
	}
	const variants = new Set<string>();
	for (const line of variantsOutput.split('\n')) {
		const row = /^\s*\d+\s+variant\s+\S+\s+\S+\s+!v\/(\S+)/.exec(line);
		if (row) variants.add(row[1].toLowerCase());
	}
	return { languages: [...languages].sort(), variants: [...variants].sort() };
}

/** A few espeak-ng voices to name in a message: the given ones that this host has, else its first languages. */
export function espeakExamples(list: EspeakVoices, wanted: string[]): string[] {
	const usable = wanted.filter((voice) => espeakVoiceProblem(voice, list) === null);
	return usable.length ? usable : list.languages.slice(0, 4);
}

/** Why espeak-ng cannot speak with `voice` ("language" or "language+variant"), or null when it can. */
export function espeakVoiceProblem(voice: string, list: EspeakVoices): string | null {
	const shape = voiceNameProblem(voice);
	if (shape) return shape;
	const [language, variant, ...rest] = voice.toLowerCase().split('+');
	if (rest.length > 0) return 'a voice is a language and at most one "+variant", e.g. en-us+f3';
	if (!list.languages.includes(language)) {
		const near = list.languages.filter((known) => known.startsWith(language.split('-')[0])).slice(0, 6);
		return `it has no language "${language}"${near.length ? ` (close: ${near.join(', ')})` : ''}; \`espeak-ng --voices\` lists them`;
	}
	if (variant !== undefined && !list.variants.includes(variant)) {
		return `it has no variant "${variant}" (e.g. m1–m7, f1–f5, klatt); \`espeak-ng --voices=variant\` lists them`;
	}
	return null;
}
