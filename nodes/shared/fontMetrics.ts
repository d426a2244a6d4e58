import { readFileSync } from 'node:fs';

/**
 * Advance widths and line metrics of a TrueType font, read from its own tables (cmap, hmtx, OS/2), so a line that
 * mixes two fonts (text in DejaVu, emoji in the emoji font) can be drawn as runs placed side by side: drawtext draws
 * one font per filter and tells no other filter how wide its text was. Widths are what drawtext gives at a pixel size: each advance rounded
 * to whole pixels, no kerning (ffmpeg 5.1's drawtext applies none to DejaVu; measured to the pixel).
 */
export interface FontMetrics {
	unitsPerEm: number;
	/**
	 * Line ascent and descent in font units, as libass reads them (OS/2 winAscent/winDescent, else hhea): libass sizes
	 * a font so that ascent + descent is its font size, and puts a top-aligned line's top `ascent` above its baseline.
	 */
	ascent: number;
	descent: number;
	/** Advance of the code point in font units; undefined when the font has no glyph for it. */
	advance(codePoint: number): number | undefined;
}

const cache = new Map<string, FontMetrics>();

export function fontMetrics(file: string): FontMetrics {
	let metrics = cache.get(file);
	if (!metrics) {
		metrics = readMetrics(readFileSync(file));
		cache.set(file, metrics);
	}
	return metrics;
}

/** Width in pixels of `text` drawn at `size` px, as drawtext lays it out (the advances, each rounded). */
export function textWidth(metrics: FontMetrics, text: string, size: number): number {
	const scale = size / metrics.unitsPerEm;
	let width = 0;
	for (const char of text) width += Math.round((metrics.advance(char.codePointAt(0)!) ?? 0) * scale);
	return width;
}

function tables(font: Buffer): Map<string, number> {
	const found = new Map<string, number>();
	// A collection (.ttc, e.g. WenQuanYi Micro Hei): its first face, the one drawtext and libass use by default.
	const start = font.toString('latin1', 0, 4) === 'ttcf' ? font.readUInt32BE(12) : 0;
	const count = font.readUInt16BE(start + 4);
	for (let i = 0; i < count; i++) {
		const record = start + 12 + 16 * i;
		found.set(font.toString('latin1', record, record + 4), font.readUInt32BE(record + 8));
	}
	return found;
}

function readMetrics(font: Buffer): FontMetrics {
	const at = tables(font);
	const need = (tag: string) => {
		const offset = at.get(tag);
		if (offset === undefined) throw new Error(`The font has no "${tag}" table; use a TrueType font.`);
		return offset;
	};
	const unitsPerEm = font.readUInt16BE(need('head') + 18);
	const longMetrics = font.readUInt16BE(need('hhea') + 34);
	const hmtx = need('hmtx');
	const glyphOf = readCmap(font, need('cmap'));
	const advanceOfGlyph = (glyph: number) => font.readUInt16BE(hmtx + 4 * Math.min(glyph, longMetrics - 1));
	const os2 = at.get('OS/2');
	const winAscent = os2 === undefined ? 0 : font.readUInt16BE(os2 + 74);
	const winDescent = os2 === undefined ? 0 : font.readUInt16BE(os2 + 76);
	const hhea = need('hhea');
	const [ascent, descent] =
		winAscent + winDescent > 0 ? [winAscent, winDescent] : [font.readInt16BE(hhea + 4), -font.readInt16BE(hhea + 6)];
	return {
		unitsPerEm,
		ascent,
		descent,
		advance(codePoint) {
			const glyph = glyphOf(codePoint);
			return glyph ? advanceOfGlyph(glyph) : undefined;
		},
	};
}

/** The Unicode cmap subtable (format 12 when there is one, else format 4) as a code point → glyph lookup. */
function readCmap(font: Buffer, cmap: number): (codePoint: number) => number {
	const count = font.readUInt16BE(cmap + 2);
	let format4: number | undefined;
	let format12: number | undefined;
	for (let i = 0; i < count; i++) {
		const platform = font.readUInt16BE(cmap + 4 + 8 * i);
		const encoding = font.readUInt16BE(cmap + 6 + 8 * i);
		const table = cmap + font.readUInt32BE(cmap + 8 + 8 * i);
		const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
		if (!unicode) continue;
		const format = font.readUInt16BE(table);
		if (format === 12) format12 ??= table;
		if (format === 4) format4 ??= table;
	}
	if (format12 !== undefined) {
		const table = format12;
		const groups = font.readUInt32BE(table + 12);
		return (codePoint) => {
			let low = 0;
			let high = groups - 1;
			while (low <= high) {
				const middle = (low + high) >> 1;
				const group = table + 16 + 12 * middle;
				const first = font.readUInt32BE(group);
				const last = font.readUInt32BE(group + 4);
				if (codePoint < first) high = middle - 1;
				else if (codePoint > last) low = middle + 1;
				else return font.readUInt32BE(group + 8) + (codePoint - first);
			}
			return 0;
		};
	}
	if (format4 === undefined) return () => 0;
	const table = format4;
	const segments = font.readUInt16BE(table + 6) / 2;
	const ends = table + 14;
	const starts = ends + 2 * segments + 2;
	const deltas = starts + 2 * segments;
	const rangeOffsets = deltas + 2 * segments;
	return (codePoint) => {
		if (codePoint > 0xffff) return 0;
		for (let i = 0; i < segments; i++) {
			if (codePoint > font.readUInt16BE(ends + 2 * i)) continue;
			const start = font.readUInt16BE(starts + 2 * i);
			if (codePoint < start) return 0;
			const delta = font.readInt16BE(deltas + 2 * i);
			const rangeOffset = font.readUInt16BE(rangeOffsets + 2 * i);
			if (rangeOffset === 0) return (codePoint + delta) & 0xffff;
			const glyph = font.readUInt16BE(rangeOffsets + 2 * i + rangeOffset + 2 * (codePoint - start));
			return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
		}
		return 0;
	};
}
