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
	/** Every language the provider says the voice speaks (BCP 47), when it says more than one. */
	languages?: string[];
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

/** One row of `espeak-ng --voices`: a language espeak-ng speaks, with its name and the other languages it answers to. */
export interface EspeakVoiceRow {
	id: string;
	name: string;
	languages: string[];
	gender?: 'male' | 'female';
}

/** "en-gb-scotland" → "en-GB-scotland": espeak-ng's lower-case names in BCP 47 case (region upper, script title). */
export function bcp47Case(tag: string): string {
	return tag
		.split('-')
		.map((part, index) => {
			if (index === 0) return part.toLowerCase();
			if (/^[a-z]{2}$/i.test(part)) return part.toUpperCase();
			if (/^[a-z]{4}$/i.test(part) && index === 1) return part.charAt(0).toUpperCase() + part.slice(1).toLowerCase();
			return part.toLowerCase();
		})
		.join('-');
}

/**
 * `espeak-ng --voices` → one row per language voice. MBROLA voices (file `mb/…`) are left out: they need the mbrola
 * program and its voice files, which a host with espeak-ng alone does not have.
 */
export function parseEspeakVoiceTable(output: string): EspeakVoiceRow[] {
	const rows: EspeakVoiceRow[] = [];
	const seen = new Set<string>();
	for (const line of output.split('\n')) {
		// " 5  es-419  --/M  Spanish_(Latin_America)  roa/es-419  (es-mx 6)(es 6)"
		const row = /^\s*\d+\s+(\S+)\s+\S*\/([MF-]?)\s+(\S+)\s+(\S+)(.*)$/.exec(line);
		if (!row || row[4].startsWith('mb/') || row[1] === 'variant') continue;
		const id = row[1].toLowerCase();
		if (seen.has(id)) continue;
		seen.add(id);
		const others = [...row[5].matchAll(/\(([^\s()]+)\s+\d+\)/g)].map((match) => bcp47Case(match[1]));
		const gender = row[2] === 'M' ? 'male' : row[2] === 'F' ? 'female' : undefined;
		rows.push({ id, name: row[3].replace(/_/g, ' '), languages: [...new Set([bcp47Case(id), ...others])], ...(gender ? { gender } : {}) });
	}
	return rows;
}

/**
 * Whether a voice of `languages` speaks `wanted` (BCP 47, any case): the same tag, or one that is a prefix of the
 * other at a subtag boundary — an "en" voice speaks "en-US", and "en" finds "en-GB-scotland".
 */
export function speaksLanguage(languages: string[], wanted: string): boolean {
	const want = wanted.trim().toLowerCase();
	if (!want) return true;
	return languages.some((language) => {
		const have = language.toLowerCase();
		return have === want || have.startsWith(`${want}-`) || want.startsWith(`${have}-`);
	});
}
