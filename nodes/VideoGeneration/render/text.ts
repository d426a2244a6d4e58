import { drawableText, wrapText } from '../../shared/text';
import { keepDrawable } from './fonts';

/** Script text made safe for drawtext and for one font: no control/bidi characters, no glyphs the font lacks. */
export function textFor(font: string, text: string | undefined | null): string {
	return keepDrawable(font, drawableText(String(text ?? '')))
		.split('\n')
		.map((line) => line.replace(/\s+/g, ' ').trim())
		.join('\n')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
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
