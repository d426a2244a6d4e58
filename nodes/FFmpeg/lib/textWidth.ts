import font from '../data/subtitleFont.json';

/** Advance width in em of each character the data file lists (DejaVu Sans, the burned subtitles' font). */
const ADVANCE = new Map<string, number>();
for (const [width, characters] of Object.entries(font.widths)) {
	for (const character of characters) ADVANCE.set(character, Number(width) / font.unitsPerEm);
}
/** Characters the file does not list count as the widest that it does, so an estimate is never too narrow. */
const WIDEST = Math.max(...ADVANCE.values());
/** Marks and invisible joiners take no width of their own. */
const ZERO_WIDTH = /[\p{M}\u200B-\u200D\u2060\uFEFF]/u;

/** libass sizes a font by its line height (ascender + descender), not its em: FontSize = this many em. */
export const SUBTITLE_LINE_HEIGHT_EM = (font.ascender + font.descender) / font.unitsPerEm;

/** Width of `text` in em of DejaVu Sans. */
export function subtitleTextEm(text: string): number {
	let width = 0;
	for (const character of text) {
		if (ZERO_WIDTH.test(character)) continue;
		width += ADVANCE.get(character) ?? WIDEST;
	}
	return width;
}
