import { dirname } from 'node:path';
import { findFont, fontPath } from '../fonts';
import { fontsFor, languageFontProblem, languageOf, needsShaping } from '../languages';
import scriptFonts from '../data/scriptFonts.json';
import coverage from '../data/fontCoverage.json';
import styles from '../data/styles.json';
import { fontMetrics } from './metrics';

export { findFont, fontPath } from '../fonts';

const COVERAGE: Record<string, number[][]> = coverage.fonts;
const DEFAULT_FONTS = scriptFonts.default;

/**
 * The emoji font (styles.json `emojiFont`, Debian's fonts-symbola) when it is installed, else null: emoji are then
 * dropped from drawn text. Symbola is monochrome: ffmpeg 5.1's drawtext draws colour emoji fonts (CBDT, as Noto
 * Color Emoji) only at their one bitmap size (109 px) and as a grey mask, so a colour font cannot serve.
 */
export function emojiFont(): string | null {
	return findFont(styles.emojiFont) ? styles.emojiFont : null;
}

function covers(ranges: number[][], codePoint: number): boolean {
	let low = 0;
	let high = ranges.length - 1;
	while (low <= high) {
		const middle = (low + high) >> 1;
		const [first, last] = ranges[middle];
		if (codePoint < first) high = middle - 1;
		else if (codePoint > last) low = middle + 1;
		else return true;
	}
	return false;
}

/**
 * True when the font has a glyph for the character: from fontCoverage.json, else from the font's own cmap (the
 * language fonts of scriptFonts.json); a font that is not installed is trusted (drawing it fails with what to install).
 */
export function hasGlyph(font: string, char: string): boolean {
	const codePoint = char.codePointAt(0) ?? 0;
	const ranges = COVERAGE[font];
	if (ranges) return covers(ranges, codePoint);
	const file = findFont(font);
	return !file || char === ' ' || fontMetrics(file).advance(codePoint) !== undefined;
}

/** True when the font has a glyph for every character. */
export function canDraw(font: string, text: string): boolean {
	for (const char of text) if (char !== '\n' && !hasGlyph(font, char)) return false;
	return true;
}

/** Drops what none of the fonts can draw, so the picture shows nothing rather than empty boxes. */
export function keepDrawable(fonts: string | Array<string | null>, text: string): string {
	const usable = (Array.isArray(fonts) ? fonts : [fonts]).filter((font): font is string => !!font);
	let kept = '';
	for (const char of text) {
		if (char === '\n' || usable.some((font) => hasGlyph(font, char))) kept += char;
	}
	return kept;
}

/** The fonts one clip is drawn with: its language's (scriptFonts.json), then the style's own for what those lack. */
export interface DrawFonts {
	heading: string;
	body: string;
	mono: string;
	/** Fonts tried, in order, for characters the main font has no glyph for (the style's Latin font, then emoji). */
	fallbacks: string[];
	/** Width of a character of the language's script in em, when wider than the style's (CJK: 1), for wrapping. */
	charWidth?: number;
	/**
	 * For a script that needs shaping (Devanagari): the family libass draws it with and the folder that holds the
	 * font, for the ass filter's `fontsdir`. Such text is drawn by libass, not drawtext.
	 */
	shaped?: { family: string; directory: string };
}

/**
 * The fonts for a clip in `language`: the style's own (DejaVu) for Latin, Greek, Cyrillic, Arabic, Hebrew…, the
 * script's font otherwise (CJK, Devanagari), with the style's font behind it. A language no installed font draws is
 * an error naming `language` (the webhook refuses such a run before any work).
 */
export function drawFonts(language: string | undefined, own: { heading: string; body: string; mono: string }): DrawFonts {
	const chosen = languageOf(language);
	const problem = languageFontProblem(chosen);
	if (problem) throw new Error(`"language" ${chosen.tag}: ${problem}`);
	const fonts = fontsFor(chosen);
	const emoji = emojiFont();
	if (fonts.regular === DEFAULT_FONTS.regular) return { ...own, fallbacks: emoji ? [emoji] : [] };
	return {
		heading: fonts.bold,
		body: fonts.regular,
		mono: fonts.mono,
		fallbacks: [...new Set([own.body, ...(emoji ? [emoji] : [])])],
		charWidth: fonts.charWidth,
		...(needsShaping(chosen) ? { shaped: { family: fonts.family, directory: dirname(fontPath(fonts.regular, fonts.package)) } } : {}),
	};
}
