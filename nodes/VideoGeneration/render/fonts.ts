import { existsSync } from 'node:fs';
import { join } from 'node:path';
import coverage from '../data/fontCoverage.json';
import styles from '../data/styles.json';

const COVERAGE: Record<string, number[][]> = coverage.fonts;
const resolved = new Map<string, string>();

/** Where a style's font file lives: REELSMITH_FONT_DIR first, then the usual Debian/Alpine folders. */
export function fontPath(file: string): string {
	const cached = resolved.get(file);
	if (cached) return cached;
	const directories = [process.env.REELSMITH_FONT_DIR, ...styles.fontDirectories].filter(Boolean) as string[];
	for (const directory of directories) {
		const candidate = join(directory, file);
		if (existsSync(candidate)) {
			resolved.set(file, candidate);
			return candidate;
		}
	}
	throw new Error(
		`The font "${file}" was not found in ${directories.join(', ')}. Install the DejaVu fonts (Debian: apt-get install fonts-dejavu-core, Alpine: apk add font-dejavu) or set REELSMITH_FONT_DIR to the folder that holds it.`,
	);
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

/** True when the font has a glyph for every character (fonts without coverage data are trusted). */
export function canDraw(font: string, text: string): boolean {
	const ranges = COVERAGE[font];
	if (!ranges) return true;
	for (const char of text) {
		if (char === '\n') continue;
		if (!covers(ranges, char.codePointAt(0) ?? 0)) return false;
	}
	return true;
}

/** Drops what the font cannot draw, so the picture shows nothing rather than empty boxes. */
export function keepDrawable(font: string, text: string): string {
	const ranges = COVERAGE[font];
	if (!ranges) return text;
	let kept = '';
	for (const char of text) {
		if (char === '\n' || covers(ranges, char.codePointAt(0) ?? 0)) kept += char;
	}
	return kept;
}
