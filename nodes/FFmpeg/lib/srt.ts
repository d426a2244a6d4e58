import { drawableText, wrapText } from '../../shared/text';

export interface SubtitleCue {
	/** Seconds from the start of the video. */
	start: number;
	end: number;
	text: string;
	speaker?: string;
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

/**
 * Builds an SRT file from cues: sorted by start, empty cues skipped, lines wrapped at ~42 characters, at
 * most two lines per subtitle — longer text becomes consecutive subtitles sharing the cue's time by length.
 */
export function buildSrt(cues: SubtitleCue[], options: SrtOptions = {}): string {
	const width = options.maxLineLength ?? 42;
	const maxLines = Math.max(1, options.maxLines ?? 2);
	const blocks: string[] = [];
	const sorted = cues
		.map((cue, index) => ({ cue, index }))
		.sort((a, b) => a.cue.start - b.cue.start || a.index - b.index)
		.map(({ cue }) => cue);

	for (const cue of sorted) {
		if (!cue.text.trim()) continue;
		const speaker = cue.speaker?.trim();
		let raw = options.speakerPrefix && speaker ? `${speaker}: ${cue.text}` : cue.text;
		if (options.renderer === 'libass') raw = drawableText(raw).replace(/[{}]/g, '\\$&');
		const lines = wrapText(plainSubtitleText(raw), width).filter((line) => line.trim() !== '');
		if (lines.length === 0) continue;

		const chunks: string[][] = [];
		for (let i = 0; i < lines.length; i += maxLines) chunks.push(lines.slice(i, i + maxLines));
		const weights = chunks.map((chunk) => chunk.join(' ').length);
		const totalWeight = weights.reduce((a, b) => a + b, 0);
		let start = cue.start;
		chunks.forEach((chunk, index) => {
			const end =
				index === chunks.length - 1 ? cue.end : start + ((cue.end - cue.start) * weights[index]) / totalWeight;
			blocks.push(`${blocks.length + 1}\n${formatSrtTime(start)} --> ${formatSrtTime(end)}\n${chunk.join('\n')}\n`);
			start = end;
		});
	}
	return blocks.join('\n');
}
