/**
 * Text from scripts reaches ffmpeg only through files (drawtext `textfile=` with `expansion=none`), so quotes,
 * colons, backslashes and percent signs are safe as they are. What remains unsafe is what moves the layout or
 * cannot be drawn: control characters, zero-width and bidi controls, the parts of emoji sequences no monochrome
 * font joins into one picture. Right-to-left letters are kept (drawn in logical order; DejaVu has Hebrew/Arabic).
 */
// eslint-disable-next-line no-control-regex -- dropping control characters is the point
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;
// Skin tones, regional indicators (flags), the keycap mark, tag characters and variation selectors: a font without
// colour emoji draws them as boxes of their own, so they go and the emoji they modify stays.
// The combining marks are alternatives, not inside the class: they combine with the character before them.
const EMOJI_PARTS = /[\u{1F3FB}-\u{1F3FF}\u{1F1E6}-\u{1F1FF}\u{E0000}-\u{E007F}]|\u20E3|\uFE0E|\uFE0F/gu;
// Emoji themselves, for text drawn or spoken without an emoji font; "#", "*" and digits are emoji components too.
const EMOJI = /[\p{Extended_Pictographic}\p{Emoji_Component}]/gu;

// Zero-width characters. A zero-width space marks a break between words; a joiner inside an emoji sequence or
// between letters (Persian, Indic scripts) joins; a soft hyphen, a word joiner or a byte-order mark is nothing.
const ZERO_WIDTH = /[\u00AD\u180E\u200B-\u200D\u2060-\u2064\uFEFF]/gu;
const JOINS = /[\p{L}\p{M}\p{N}\p{Extended_Pictographic}\p{Emoji_Modifier}]|\uFE0F|\u20E3/u;

function codePointBefore(text: string, offset: number): string {
	return [...text.slice(Math.max(0, offset - 2), offset)].pop() ?? '';
}

/**
 * Zero-width characters resolved: a zero-width space becomes a space (so "one\u200Btwo" reads "one two", not
 * "onetwo"); ZWJ and ZWNJ stay where they join (`keepJoiners`, for the plan) or go (for drawing and speech), and
 * become a space where nothing on both sides could be joined; soft hyphens, word joiners and BOMs are nothing.
 */
export function resolveZeroWidth(text: string, { keepJoiners = false } = {}): string {
	return text.replace(ZERO_WIDTH, (char: string, offset: number, all: string) => {
		if (char === '\u200B') return ' ';
		if (char !== '\u200C' && char !== '\u200D') return '';
		const before = codePointBefore(all, offset);
		const after = String.fromCodePoint(all.codePointAt(offset + 1) ?? 32);
		if (!JOINS.test(before) || !JOINS.test(after)) return ' ';
		return keepJoiners ? char : '';
	});
}

/** Script text made safe to draw and to speak: NFC, one kind of line end, no controls or zero-width characters. Emoji stay. */
export function cleanText(text: string): string {
	return resolveZeroWidth(text.normalize('NFC').replace(/\r\n?/g, '\n').replace(/\t/g, '    '))
		.replace(CONTROLS, '')
		.replace(EMOJI_PARTS, '')
		.replace(/[ \u00A0]{2,}/g, ' ');
}

/** cleanText without emoji: for what is drawn with a font that has none (subtitles, the watermark) or spoken. */
export function drawableText(text: string): string {
	return cleanText(text)
		.replace(EMOJI, (ch) => (/[0-9#*]/.test(ch) ? ch : ''))
		.replace(/[ \u00A0]{2,}/g, ' ');
}

/** Greedy word wrap to `width` columns; long words are broken. */
export function wrapText(text: string, width: number): string[] {
	const lines: string[] = [];
	for (const paragraph of text.split('\n')) {
		let line = '';
		for (const word of paragraph.split(/\s+/).filter(Boolean)) {
			let rest = word;
			while ([...rest].length > width) {
				if (line) {
					lines.push(line);
					line = '';
				}
				lines.push([...rest].slice(0, width).join(''));
				rest = [...rest].slice(width).join('');
			}
			if (!line) line = rest;
			else if ([...line].length + 1 + [...rest].length <= width) line += ` ${rest}`;
			else {
				lines.push(line);
				line = rest;
			}
		}
		lines.push(line);
	}
	return lines;
}

/** Splits prose into sentences (the unit typed or spoken as one line); short fragments join the next one. */
export function splitSentences(text: string, minLength = 12): string[] {
	const pieces = text
		.replace(/\s+/g, ' ')
		.trim()
		.split(/(?<=[.!?…]["'”’)\]]?)\s+(?=\S)/u)
		.map((piece) => piece.trim())
		.filter(Boolean);
	const sentences: string[] = [];
	let pending = '';
	for (const piece of pieces) {
		pending = pending ? `${pending} ${piece}` : piece;
		if (pending.length >= minLength) {
			sentences.push(pending);
			pending = '';
		}
	}
	if (pending) {
		if (sentences.length > 0) sentences[sentences.length - 1] += ` ${pending}`;
		else sentences.push(pending);
	}
	return sentences;
}

/** `{{name}}` placeholders filled from `values`. */
export function fill(template: string, values: Record<string, string>): string {
	return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}
