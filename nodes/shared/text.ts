/**
 * Text from scripts reaches ffmpeg only through files (drawtext `textfile=` with `expansion=none`), so quotes,
 * colons, backslashes and percent signs are safe as they are. What remains unsafe is what the font cannot draw
 * or what moves the layout: control characters, emoji (DejaVu has no colour glyphs), zero-width and bidi controls.
 * Those are dropped; right-to-left letters are kept (drawn in logical order; DejaVu has Hebrew/Arabic glyphs).
 */
// Variation selectors are listed as an alternative, not inside the class: they combine with the previous character.
// eslint-disable-next-line no-control-regex -- dropping control characters is the point
const DROP = /[\p{Extended_Pictographic}\p{Emoji_Component}\u200B-\u200F\u202A-\u202E\u2066-\u2069\u{E0000}-\u{E007F}\u0000-\u0008\u000B-\u001F\u007F-\u009F]|\uFE0E|\uFE0F/gu;

export function drawableText(text: string): string {
	return text
		.normalize('NFC')
		.replace(/\r\n?/g, '\n')
		.replace(/\t/g, '    ')
		.replace(DROP, (ch) => (/[0-9#*]/.test(ch) ? ch : ''))
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
