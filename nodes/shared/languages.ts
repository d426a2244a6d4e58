import { findFont } from './fonts';
import data from './data/languages.json';
import scriptFonts from './data/scriptFonts.json';

/**
 * The run's language (the request's `language`, BCP 47): what the planner writes in, which voices speak, which fonts
 * draw. Rows of data/languages.json by the tag's first subtag; fonts by the language's script (data/scriptFonts.json).
 */
export interface Language {
	/** The tag as sent, normalised: "ja-JP", "pt-BR", "de". */
	tag: string;
	/** Its first subtag, the row of languages.json: "ja". */
	code: string;
	name: string;
	script: string;
	/** espeak-ng's language for it (a region espeak-ng lists, such as pt-br, wins over the row's). */
	espeak: string;
	iso639_2: string;
	/** Google's languageCode: the tag when it has a region, else the row's. */
	google: string;
}

export interface ScriptFonts {
	regular: string;
	bold: string;
	mono: string;
	/** What libass is told (burned subtitles). */
	family: string;
	/** The Debian package that installs them. */
	package: string;
	/** Width of one character of the script in em, when wider than Latin text (CJK: 1). */
	charWidth?: number;
	/** "complex": the script needs shaping, so its text is drawn by libass (nodes/shared/ass.ts), not drawtext. */
	shaping?: string;
}

type Row = (typeof data.languages)['en'];
const ROWS: Record<string, Row> = data.languages;
export const DEFAULT_LANGUAGE = data.default;
export const LANGUAGE_CODES = Object.keys(ROWS);
/** espeak-ng languages that carry a region (pt-br, en-us): a tag naming one is read with it. */
const ESPEAK_REGIONS = new Set(data.espeakRegions);

/** BCP 47 in the shape people send it: a 2–3 letter language, then optional script, region or variant subtags. */
const TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

/** Why `tag` is not a language a run can be in, or null. Pure: the fonts are checked by languageFontProblem. */
export function languageProblem(tag: string): string | null {
	if (!TAG.test(tag) || tag.length > 35) return 'is not a BCP 47 language tag such as "de", "ja-JP" or "ar"';
	const code = tag.split('-')[0].toLowerCase();
	if (!ROWS[code]) return `is a language Reelsmith has no voices and fonts for; use one of ${LANGUAGE_CODES.join(', ')} (a region may follow, e.g. "pt-BR")`;
	return null;
}

/** The language of a valid tag (see languageProblem); anything else is the default language. */
export function languageOf(tag: string | null | undefined): Language {
	const given = tag && !languageProblem(tag) ? tag : DEFAULT_LANGUAGE;
	const parts = given.split('-');
	const code = parts[0].toLowerCase();
	const row = ROWS[code];
	const normalised = [code, ...parts.slice(1).map((part) => (part.length === 2 ? part.toUpperCase() : part))].join('-');
	const espeakRegion = normalised.toLowerCase();
	const region = parts.slice(1).find((part) => /^([A-Za-z]{2}|\d{3})$/.test(part));
	return {
		tag: normalised,
		code,
		name: row.name,
		script: row.script,
		espeak: ESPEAK_REGIONS.has(espeakRegion) ? espeakRegion : row.espeak,
		iso639_2: row.iso639_2,
		google: region ? `${code}-${region.toUpperCase()}` : row.google,
	};
}

/** The fonts of a script, or null when scriptFonts.json has none for it. */
export function fontsForScript(script: string): ScriptFonts | null {
	const entry = (scriptFonts.scripts as Record<string, ScriptFonts | 'default'>)[script];
	if (!entry) return null;
	return entry === 'default' ? scriptFonts.default : entry;
}

/** True when the language's script needs complex shaping (scriptFonts.json `shaping`): libass draws its text. */
export function needsShaping(language: Language): boolean {
	return fontsForScript(language.script)?.shaping === 'complex';
}

/** The fonts that draw the language's text (scriptFonts.json), when they are installed. */
export function fontsFor(language: Language): ScriptFonts {
	const fonts = fontsForScript(language.script);
	if (!fonts) throw new Error(languageFontProblem(language) ?? `No font draws ${language.script}.`);
	return fonts;
}

/**
 * Why this host cannot draw the language's text (no font for its script in scriptFonts.json, or the font is not
 * installed), in words that say what to install; null when it can.
 */
export function languageFontProblem(language: Language): string | null {
	const fonts = fontsForScript(language.script);
	if (!fonts) {
		return `${language.name} is written in ${language.script} script, and no font Reelsmith knows draws it (nodes/shared/data/scriptFonts.json). Use another language, or add a font for ${language.script} there.`;
	}
	const missing = [...new Set([fonts.regular, fonts.bold, fonts.mono])].filter((file) => !findFont(file));
	if (missing.length === 0) return null;
	return `${language.name} is written in ${language.script} script, and its font (${missing.join(', ')}) is not installed on the n8n host. Install it (Debian: apt-get install ${fonts.package}) or set REELSMITH_FONT_DIR to the folder that holds it.`;
}

/**
 * A node's Language parameter as a language: empty is the default (en); a tag that is not a language Reelsmith
 * has, or one no installed font draws, is an error that names "Language" and says what to send.
 */
export function languageParameterValue(value: unknown, options: { needsFont?: boolean } = {}): Language {
	const tag = String(value ?? '').trim() || DEFAULT_LANGUAGE;
	const problem = languageProblem(tag);
	if (problem) throw new Error(`"Language" "${tag.slice(0, 40)}" ${problem}. Set "language" in the run request or on the node.`);
	const language = languageOf(tag);
	const fonts = options.needsFont ? languageFontProblem(language) : null;
	if (fonts) throw new Error(`"Language" ${language.tag}: ${fonts}`);
	return language;
}
