import { existsSync } from 'node:fs';
import { join } from 'node:path';
import scriptFonts from './data/scriptFonts.json';

const resolved = new Map<string, string>();

/** The folders fonts are looked up in: REELSMITH_FONT_DIR first, then the usual Debian/Alpine folders. */
export const fontDirectories = () => [process.env.REELSMITH_FONT_DIR, ...scriptFonts.fontDirectories].filter(Boolean) as string[];

/** Where a font file lives, or null when it is not there. */
export function findFont(file: string): string | null {
	const cached = resolved.get(file);
	if (cached) return cached;
	for (const directory of fontDirectories()) {
		const candidate = join(directory, file);
		if (existsSync(candidate)) {
			resolved.set(file, candidate);
			return candidate;
		}
	}
	return null;
}

/** Where a font file lives; a missing font is an error that says what to install. */
export function fontPath(file: string, debianPackage = 'fonts-dejavu-core'): string {
	const found = findFont(file);
	if (found) return found;
	throw new Error(
		`The font "${file}" was not found in ${fontDirectories().join(', ')}. Install it (Debian: apt-get install ${debianPackage}) or set REELSMITH_FONT_DIR to the folder that holds it.`,
	);
}
