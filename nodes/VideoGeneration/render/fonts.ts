import { existsSync } from 'node:fs';
import { join } from 'node:path';
import coverage from '../data/fontCoverage.json';
import styles from '../data/styles.json';

const COVERAGE: Record<string, number[][]> = coverage.fonts;
const resolved = new Map<string, string>();

const directories = () => [process.env.REELSMITH_FONT_DIR, ...styles.fontDirectories].filter(Boolean) as string[];

/** Where a font file lives (REELSMITH_FONT_DIR first, then the usual Debian/Alpine folders), or null when it is not there. */
export function findFont(file: string): string | null {
	const cached = resolved.get(file);
	if (cached) return cached;
	for (const directory of directories()) {
		const candidate = join(directory, file);
		if (existsSync(candidate)) {
			resolved.set(file, candidate);
			return candidate;
		}
	}
	return null;
}

/** Where a style's font file lives; a missing font is an error that says what to install. */
export function fontPath(file: string): string {
	const found = findFont(file);
	if (found) return found;
	throw new Error(
		`The font "${file}" was not found in ${directories().join(', ')}. Install the DejaVu fonts (Debian: apt-get install fonts-dejavu-core, Alpine: apk add font-dejavu) or set REELSMITH_FONT_DIR to the folder that holds it.`,
	);
}

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

/** True when the font has a glyph for the character (fonts without coverage data are trusted). */
export function hasGlyph(font: string, char: string): boolean {
	const ranges = COVERAGE[font];
	return !ranges || covers(ranges, char.codePointAt(0) ?? 0);
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
