import { cleanText, drawableText, wrapText } from '../text';
import styles from '../data/styles.json';
import { fontPath, hasGlyph, keepDrawable } from './fonts';
import { fontMetrics, textWidth } from './metrics';

/** Fallback fonts as a list: one font (the emoji font), none, or several (a language font's Latin and emoji fonts). */
export type Fallbacks = string | null | string[];
const listOf = (fallback: Fallbacks): string[] => (Array.isArray(fallback) ? fallback : fallback ? [fallback] : []);
/** Emoji are kept for a fallback font (the emoji font) or a list that holds the emoji font. */
const keepsEmoji = (fallback: Fallbacks) => (Array.isArray(fallback) ? fallback.includes(styles.emojiFont) : Boolean(fallback));

/**
 * Script text made safe for drawtext: no control, bidi or zero-width characters, nothing the fonts can draw. With a
 * `fallback` font (the emoji font) what it can draw stays too; without one, emoji go (the text font has none).
 */
export function textFor(font: string, text: string | undefined | null, fallback: Fallbacks = null): string {
	const raw = String(text ?? '');
	return keepDrawable([font, ...listOf(fallback)], keepsEmoji(fallback) ? cleanText(raw) : drawableText(raw))
		.split('\n')
		.map((line) => line.replace(/\s+/g, ' ').trim())
		.join('\n')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

/** Part of a line drawn with one font; `x` is where it starts, in pixels from the start of the line. */
export interface TextRun {
	text: string;
	font: string;
	x: number;
}

const RIGHT_TO_LEFT = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;

/**
 * One line as runs of one font each, placed side by side, when `font` cannot draw all of it and the fallbacks (the
 * style's Latin font, the emoji font) can draw the rest; otherwise just the line's text, for one drawtext. drawtext reorders right-to-left text within
 * one filter only, so a right-to-left line keeps its text font alone and drops what only the fallback draws (its emoji)
 * rather than scrambling the order.
 */
export function lineRuns(
	font: string,
	fallback: Fallbacks,
	line: string,
	size: number,
): { text: string; runs?: TextRun[]; width?: number } {
	const fallbacks = listOf(fallback);
	if (fallbacks.length === 0 || [...line].every((char) => hasGlyph(font, char))) return { text: line };
	if (RIGHT_TO_LEFT.test(line)) return { text: keepDrawable(font, line).replace(/ {2,}/g, ' ').trim() };
	const runs: TextRun[] = [];
	let width = 0;
	for (const char of line) {
		const own = hasGlyph(font, char) ? font : (fallbacks.find((other) => hasGlyph(other, char)) ?? fallbacks[fallbacks.length - 1]);
		const last = runs[runs.length - 1];
		if (last && last.font === own) last.text += char;
		else runs.push({ text: char, font: own, x: width });
		width += textWidth(fontMetrics(fontPath(own)), char, size);
	}
	return { text: line, runs, width };
}

/** Wraps to `columns` and keeps at most `maxLines`, ending the last kept line with an ellipsis when text was cut. */
export function wrapLines(text: string, columns: number, maxLines: number): string[] {
	const lines = wrapText(text, columns);
	while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
	if (lines.length <= maxLines) return lines;
	const kept = lines.slice(0, Math.max(0, maxLines));
	if (kept.length > 0) {
		const last = [...kept[kept.length - 1]];
		kept[kept.length - 1] = `${last.slice(0, Math.max(0, columns - 1)).join('').trimEnd()}…`;
	}
	return kept;
}
