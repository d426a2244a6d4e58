import { drawableText } from '../../shared/text';
import { subtitleTextEm } from './textWidth';

export interface SubtitleWord {
	text: string;
	/** Seconds from the start of the video. */
	start: number;
	end: number;
}

export interface SubtitleCue {
	/** Seconds from the start of the video. */
	start: number;
	end: number;
	text: string;
	speaker?: string;
	/** When the speech provider gave word timings (ElevenLabs): the cue is cut at the real word times. */
	words?: SubtitleWord[];
}

export interface SrtOptions {
	/** Put "SPEAKER: " before the text when the cue has a speaker (default false). */
	speakerPrefix?: boolean;
	/** Characters per line before wrapping (default 42, the common broadcast limit). */
	maxLineLength?: number;
	/** Lines per subtitle (default 2); longer text is split into consecutive subtitles. */
	maxLines?: number;
	/**
	 * 'player' (default) keeps the text as typed, emoji included, for soft tracks and the .srt file.
	 * 'libass' is for burning: drops what the font cannot draw and escapes braces, which libass reads as tags.
	 */
	renderer?: 'player' | 'libass';
	/**
	 * For burning: the widest a row may be, in em of the subtitle font (DejaVu Sans), on top of `maxLineLength`.
	 * Rows are filled by measured width, and a word wider than a row (a URL, a hashtag) is broken across rows.
	 */
	maxRowEm?: number;
}

/** hh:mm:ss,mmm as SRT wants it. */
export function formatSrtTime(seconds: number): string {
	const totalMs = Math.max(0, Math.round(seconds * 1000));
	const ms = totalMs % 1000;
	const totalSeconds = Math.floor(totalMs / 1000);
	const s = totalSeconds % 60;
	const m = Math.floor(totalSeconds / 60) % 60;
	const h = Math.floor(totalSeconds / 3600);
	const two = (n: number) => String(n).padStart(2, '0');
	return `${two(h)}:${two(m)}:${two(s)},${String(ms).padStart(3, '0')}`;
}

const WORD_JOINER = '\u2060';

/**
 * Text as it should appear, with nothing a subtitle renderer would read as markup: `{\an8}`-style override
 * blocks, `\N` line breaks and `<i>`-style tags get an invisible word joiner after the `{`, `\` or `<`, so
 * they show as typed. Control characters go; blank lines go (a blank line ends a subtitle in SRT).
 */
export function plainSubtitleText(text: string): string {
	return (
		text
			.normalize('NFC')
			.replace(/\r\n?/g, '\n')
			// eslint-disable-next-line no-control-regex -- dropping control characters is the point
			.replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, '')
			.replace(/\\(?=[A-Za-z])/g, `\\${WORD_JOINER}`)
			.replace(/\{(?=[\\A-Za-z])/g, `{${WORD_JOINER}`)
			.replace(/<(?=\/?[A-Za-z])/g, `<${WORD_JOINER}`)
	);
}

/** One subtitle: its time and its wrapped rows, as written to the SRT (or, for shaped scripts, the ASS) file. */
export interface SubtitleBlock {
	start: number;
	end: number;
	rows: string[];
}

const length = (text: string) => [...text].length;

/** Where a long word breaks best: after these, a URL or path still reads. */
const BREAK_AFTER = /[/?&=#\-_.,:;@+]/;
/** Between a small letter and a capital: a CamelCase hashtag breaks between its words. */
const breaksWell = (before: string, after: string) =>
	BREAK_AFTER.test(before) || (/\p{Ll}/u.test(before) && /\p{Lu}/u.test(after ?? ''));

/**
 * A word too wide for one row, in pieces that each fit: every piece as long as fits, ending after a break character
 * or between the words of a CamelCase hashtag when there is such a place in its second half.
 */
function splitWord(word: string, fits: (row: string) => boolean): string[] {
	const pieces: string[] = [];
	let rest = [...word];
	while (rest.length > 0 && !fits(rest.join(''))) {
		let take = 1;
		while (take < rest.length && fits(rest.slice(0, take + 1).join(''))) take++;
		for (let at = take; at > take / 2; at--) {
			if (breaksWell(rest[at - 1], rest[at])) {
				take = at;
				break;
			}
		}
		pieces.push(rest.slice(0, take).join(''));
		rest = rest.slice(take);
	}
	if (rest.length > 0) pieces.push(rest.join(''));
	return pieces;
}

/** Greedy wrap: words fill rows while `fits` holds; a word that fits no row is split across rows. */
function wrapRows(text: string, fits: (row: string) => boolean): string[] {
	const rows: string[] = [];
	for (const paragraph of text.split('\n')) {
		let row = '';
		for (const word of paragraph.split(/\s+/).filter(Boolean)) {
			if (row && fits(`${row} ${word}`)) {
				row = `${row} ${word}`;
				continue;
			}
			if (row) rows.push(row);
			const pieces = splitWord(word, fits);
			rows.push(...pieces.slice(0, -1));
			row = pieces[pieces.length - 1] ?? '';
		}
		rows.push(row);
	}
	return rows;
}

/** A cue without word times: wrapped rows, split into subtitles of `maxLines` rows sharing the cue's time by length. */
function evenBlocks(cue: SubtitleCue, raw: string, fits: (row: string) => boolean, maxLines: number): SubtitleBlock[] {
	const lines = wrapRows(plainSubtitleText(raw), fits).filter((line) => line.trim() !== '');
	const chunks: string[][] = [];
	for (let i = 0; i < lines.length; i += maxLines) chunks.push(lines.slice(i, i + maxLines));
	const weights = chunks.map((chunk) => chunk.join(' ').length);
	const totalWeight = weights.reduce((a, b) => a + b, 0);
	const blocks: SubtitleBlock[] = [];
	let start = cue.start;
	chunks.forEach((rows, index) => {
		const end = index === chunks.length - 1 ? cue.end : start + ((cue.end - cue.start) * weights[index]) / totalWeight;
		blocks.push({ start, end, rows });
		start = end;
	});
	return blocks;
}

/**
 * A cue with word times: words fill rows while `fits` holds and subtitles of at most `maxLines` rows, breaking
 * between words (a word wider than a row is split across rows); each subtitle starts when its first word is spoken
 * and ends when its last word ends.
 */
function wordBlocks(words: SubtitleWord[], prefix: string, shown: (text: string) => string, fits: (row: string) => boolean, maxLines: number): SubtitleBlock[] {
	const blocks: SubtitleBlock[] = [];
	let block: SubtitleBlock | undefined;
	for (const word of words) {
		const text = plainSubtitleText(shown(blocks.length === 0 && !block ? `${prefix}${word.text}` : word.text)).replace(/\s+/g, ' ').trim();
		if (!text) continue;
		// The pieces of a word split across rows share its time by length, so no two subtitles overlap.
		const pieces = splitWord(text, fits);
		const total = length(text);
		let done = 0;
		for (const piece of pieces) {
			const start = word.start + ((word.end - word.start) * done) / total;
			done += length(piece);
			const end = pieces.length === 1 ? word.end : word.start + ((word.end - word.start) * done) / total;
			if (!block) {
				block = { start, end, rows: [piece] };
				continue;
			}
			const row = block.rows[block.rows.length - 1];
			if (fits(`${row} ${piece}`)) block.rows[block.rows.length - 1] = `${row} ${piece}`;
			else if (block.rows.length < maxLines) block.rows.push(piece);
			else {
				blocks.push(block);
				block = { start, end, rows: [piece] };
				continue;
			}
			block.end = Math.max(block.end, end);
		}
	}
	if (block) blocks.push(block);
	return blocks;
}

/**
 * Builds an SRT file from cues, sorted by start, empty cues skipped, rows wrapped at ~42 characters (and, for
 * burning, at `maxRowEm`), at most two rows per subtitle. A cue with word timings is cut at the real word times (wordBlocks); without them longer text
 * becomes consecutive subtitles sharing the cue's time by length.
 */
export function buildSrt(cues: SubtitleCue[], options: SrtOptions = {}): string {
	return subtitleBlocks(cues, options)
		.map((block, index) => `${index + 1}\n${formatSrtTime(block.start)} --> ${formatSrtTime(block.end)}\n${block.rows.join('\n')}\n`)
		.join('\n');
}

/** The subtitles buildSrt writes, in order: each one's time and rows. */
export function subtitleBlocks(cues: SubtitleCue[], options: SrtOptions = {}): SubtitleBlock[] {
	const width = options.maxLineLength ?? 42;
	const maxLines = Math.max(1, options.maxLines ?? 2);
	const maxEm = options.maxRowEm;
	const fits = (row: string) => length(row) <= width && (maxEm === undefined || subtitleTextEm(row) <= maxEm);
	const shown = (text: string) => (options.renderer === 'libass' ? drawableText(text).replace(/[{}]/g, '\\$&') : text);
	const blocks: SubtitleBlock[] = [];
	const sorted = cues
		.map((cue, index) => ({ cue, index }))
		.sort((a, b) => a.cue.start - b.cue.start || a.index - b.index)
		.map(({ cue }) => cue);

	for (const cue of sorted) {
		if (!cue.text.trim()) continue;
		const speaker = cue.speaker?.trim();
		const prefix = options.speakerPrefix && speaker ? `${speaker}: ` : '';
		const words = (cue.words ?? []).filter((word) => word.text.trim());
		if (words.length > 0) blocks.push(...wordBlocks(words, prefix, shown, fits, maxLines));
		else blocks.push(...evenBlocks(cue, shown(`${prefix}${cue.text}`), fits, maxLines));
	}
	return blocks;
}
