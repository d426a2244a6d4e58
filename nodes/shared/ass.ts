/**
 * ASS documents for libass (ffmpeg's `ass=` filter), for text in a script that needs shaping (Devanagari: conjuncts,
 * vowel signs drawn before their consonant). ffmpeg 5.1's drawtext has no HarfBuzz and its `subtitles=` filter
 * leaves libass unshaped, so such text is drawn from an ASS file with `shaping=complex`
 * (scriptFonts.json `shaping`).
 */

export interface AssStyle {
	name: string;
	/** Font family, as fontconfig or the filter's `fontsdir` knows it. */
	family: string;
	/** libass font size: the font's ascent + descent in script pixels (see FontMetrics). */
	size: number;
	/** ffmpeg colours: 0xRRGGBB, optionally @opacity. */
	colour: string;
	outlineColour?: string;
	/** The shadow's colour. */
	backColour?: string;
	outline?: number;
	shadow?: number;
	/** Numpad position: 2 bottom centre, 8 top centre. */
	alignment: number;
	marginL?: number;
	marginR?: number;
	marginV?: number;
}

export interface AssEvent {
	start: number;
	end: number;
	style: string;
	/** Override tags in front of the text, e.g. `{\pos(320,40)}`; ours only, never user text. */
	tags?: string;
	/** Rows of plain text (escaped here), drawn one under the other. */
	rows: string[];
	/** Tags and text of ours after the rows (the terminal's cursor in its own font); never user text. */
	tail?: string;
}

/** An ffmpeg colour (0xRRGGBB or 0xRRGGBB@0.6) as ASS's &HAABBGGRR, whose alpha is transparency. */
export function assColour(colour: string): string {
	const match = /^(?:0x|#)?([0-9a-f]{6})(?:@([\d.]+))?$/i.exec(colour);
	if (!match) throw new Error(`"${colour}" is not a colour such as 0xffffff or 0x000000@0.6.`);
	const [red, green, blue] = [0, 2, 4].map((at) => match[1].slice(at, at + 2));
	const opacity = match[2] === undefined ? 1 : Math.min(1, Math.max(0, Number(match[2])));
	const alpha = Math.round((1 - opacity) * 255)
		.toString(16)
		.padStart(2, '0');
	return `&H${alpha}${blue}${green}${red}`.toUpperCase();
}

/** h:mm:ss.cc, ASS's time (centiseconds). */
export function assTime(seconds: number): string {
	const total = Math.max(0, Math.round(seconds * 100));
	const two = (value: number) => String(value).padStart(2, '0');
	return `${Math.floor(total / 360000)}:${two(Math.floor(total / 6000) % 60)}:${two(Math.floor(total / 100) % 60)}.${two(total % 100)}`;
}

const WORD_JOINER = '\u2060';

/**
 * Text libass shows as typed: braces escaped (libass reads `{…}` as tags), a backslash kept from starting `\N` or
 * `\h` by an invisible word joiner, no line breaks (rows are separate). Text already escaped for libass (`\{`, the
 * burned SRT rows) is passed with `escaped`.
 */
export function assText(text: string, escaped = false): string {
	const flat = text.replace(/[\r\n]+/g, ' ');
	if (escaped) return flat;
	return flat.replace(/\\/g, `\\${WORD_JOINER}`).replace(/[{}]/g, '\\$&');
}

const number = (value: number) => String(Math.round(value * 100) / 100);

/**
 * A whole ASS script: the canvas is `width`×`height` script pixels (PlayResX/Y; the filter scales it to the frame),
 * no wrapping (rows are wrapped before), and Encoding -1 so each line's direction comes from its own text.
 */
export function assDocument(options: { width: number; height: number; styles: AssStyle[]; events: AssEvent[]; escaped?: boolean }): string {
	const styleLine = (style: AssStyle) =>
		`Style: ${[
			style.name,
			style.family,
			number(style.size),
			assColour(style.colour),
			assColour(style.colour),
			assColour(style.outlineColour ?? '0x000000'),
			assColour(style.backColour ?? '0x000000'),
			0,
			0,
			0,
			0,
			100,
			100,
			0,
			0,
			1,
			number(style.outline ?? 0),
			number(style.shadow ?? 0),
			style.alignment,
			Math.round(style.marginL ?? 0),
			Math.round(style.marginR ?? 0),
			Math.round(style.marginV ?? 0),
			-1,
		].join(',')}`;
	const eventLine = (event: AssEvent) =>
		`Dialogue: 0,${assTime(event.start)},${assTime(event.end)},${event.style},,0,0,0,,${event.tags ?? ''}${event.rows
			.map((row) => assText(row, options.escaped))
			.join('\\N')}${event.tail ?? ''}`;
	return [
		'[Script Info]',
		'ScriptType: v4.00+',
		`PlayResX: ${Math.round(options.width)}`,
		`PlayResY: ${Math.round(options.height)}`,
		'WrapStyle: 2',
		'ScaledBorderAndShadow: yes',
		'YCbCr Matrix: None',
		'',
		'[V4+ Styles]',
		'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
		...options.styles.map(styleLine),
		'',
		'[Events]',
		'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
		...options.events.map(eventLine),
		'',
	].join('\n');
}
