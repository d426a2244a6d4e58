import { drawableText, wrapText } from '../../shared/text';

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

interface Block {
	start: number;
	end: number;
	rows: string[];
}

const length = (text: string) => [...text].length;

/** A cue without word times: wrapped rows, split into subtitles of `maxLines` rows sharing the cue's time by length. */
function evenBlocks(cue: SubtitleCue, raw: string, width: number, maxLines: number): Block[] {
	const lines = wrapText(plainSubtitleText(raw), width).filter((line) => line.trim() !== '');
	const chunks: string[][] = [];
	for (let i = 0; i < lines.length; i += maxLines) chunks.push(lines.slice(i, i + maxLines));
	const weights = chunks.map((chunk) => chunk.join(' ').length);
	const totalWeight = weights.reduce((a, b) => a + b, 0);
	const blocks: Block[] = [];
	let start = cue.start;
	chunks.forEach((rows, index) => {
		const end = index === chunks.length - 1 ? cue.end : start + ((cue.end - cue.start) * weights[index]) / totalWeight;
		blocks.push({ start, end, rows });
		start = end;
	});
	return blocks;
}

/**
 * A cue with word times: words fill rows of at most `width` characters and subtitles of at most `maxLines` rows,
 * breaking only between words; each subtitle starts when its first word is spoken and ends when its last word ends.
 */
function wordBlocks(words: SubtitleWord[], prefix: string, shown: (text: string) => string, width: number, maxLines: number): Block[] {
	const blocks: Block[] = [];
	let block: Block | undefined;
	for (const word of words) {
		const text = plainSubtitleText(shown(blocks.length === 0 && !block ? `${prefix}${word.text}` : word.text)).replace(/\s+/g, ' ').trim();
		if (!text) continue;
		if (!block) {
			block = { start: word.start, end: word.end, rows: [text] };
			continue;
		}
		const row = block.rows[block.rows.length - 1];
		if (length(row) + 1 + length(text) <= width) block.rows[block.rows.length - 1] = `${row} ${text}`;
		else if (block.rows.length < maxLines) block.rows.push(text);
		else {
			blocks.push(block);
			block = { start: word.start, end: word.end, rows: [text] };
			continue;
		}
		block.end = Math.max(block.end, word.end);
	}
	if (block) blocks.push(block);
	return blocks;
}

/**
 * Builds an SRT file from cues, sorted by start, empty cues skipped, rows wrapped at ~42 characters, at most two
 * rows per subtitle. A cue with word timings is cut at the real word times (wordBlocks); without them longer text
 * becomes consecutive subtitles sharing the cue's time by length.
 */
export function buildSrt(cues: SubtitleCue[], options: SrtOptions = {}): string {
	const width = options.maxLineLength ?? 42;
	const maxLines = Math.max(1, options.maxLines ?? 2);
	const shown = (text: string) => (options.renderer === 'libass' ? drawableText(text).replace(/[{}]/g, '\\$&') : text);
	const blocks: Block[] = [];
	const sorted = cues
		.map((cue, index) => ({ cue, index }))
		.sort((a, b) => a.cue.start - b.cue.start || a.index - b.index)
		.map(({ cue }) => cue);

	for (const cue of sorted) {
		if (!cue.text.trim()) continue;
		const speaker = cue.speaker?.trim();
		const prefix = options.speakerPrefix && speaker ? `${speaker}: ` : '';
		const words = (cue.words ?? []).filter((word) => word.text.trim());
		if (words.length > 0) blocks.push(...wordBlocks(words, prefix, shown, width, maxLines));
		else blocks.push(...evenBlocks(cue, shown(`${prefix}${cue.text}`), width, maxLines));
	}
	return blocks
		.map((block, index) => `${index + 1}\n${formatSrtTime(block.start)} --> ${formatSrtTime(block.end)}\n${block.rows.join('\n')}\n`)
		.join('\n');
}
