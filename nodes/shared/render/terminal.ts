import { assDocument, type AssEvent } from '../ass';
import looks from '../data/terminalLooks.json';
import styles from '../data/styles.json';
import type { ClipRequest, SpokenLineTiming } from './request';
import { canDraw, drawFonts, fontPath } from './fonts';
import { between, drawAss, drawBox, drawText, frameCount, holdStill, num, silentAudio, type TextFiles } from './filters';
import { fontMetrics } from './metrics';
import { splitSentences } from '../text';
import { textFor, wrapLines } from './text';

const STYLE = styles.styles.terminal;
const TYPING = STYLE.typing;
const SPOKEN = TYPING.spoken;

export type TerminalScheme = keyof typeof looks.schemes.list;
export type TerminalCursor = keyof typeof looks.cursors.list;
export const TERMINAL_SCHEMES = Object.keys(looks.schemes.list) as TerminalScheme[];
export const TERMINAL_CURSORS = Object.keys(looks.cursors.list) as TerminalCursor[];
export type TerminalPrompt = keyof typeof looks.prompts.list;
export type TerminalChrome = keyof typeof looks.chromes.list;
export type TerminalEffect = keyof typeof looks.effects.list;
export const TERMINAL_PROMPTS = Object.keys(looks.prompts.list) as TerminalPrompt[];
export const TERMINAL_CHROMES = Object.keys(looks.chromes.list) as TerminalChrome[];
export const TERMINAL_EFFECTS = Object.keys(looks.effects.list) as TerminalEffect[];
export const DEFAULT_SCHEME = looks.schemes.default as TerminalScheme;
export const DEFAULT_CURSOR = looks.cursors.default as TerminalCursor;
export const DEFAULT_PROMPT = looks.prompts.default as TerminalPrompt;
export const DEFAULT_CHROME = looks.chromes.default as TerminalChrome;

type LookRequest = Pick<ClipRequest, 'terminalScheme' | 'terminalCursor' | 'terminalPrompt' | 'terminalChrome' | 'terminalEffects'>;

/** The entry `name` of a terminalLooks.json list, or an error naming the field and the choices. */
function entryOf<T>(list: Record<string, T>, name: string, field: string): T {
	if (!Object.prototype.hasOwnProperty.call(list, name)) {
		throw new Error(`"${field}" must be one of ${Object.keys(list).join(', ')} (got "${name}").`);
	}
	return list[name];
}

/**
 * The clip's colours, cursor character, prompt, window chrome and effects from its terminal* fields (the defaults
 * when not given). A name terminalLooks.json does not have is an error naming the field, not a silent green.
 */
export function terminalLook(request: LookRequest) {
	const effects = [...new Set(request.terminalEffects ?? [])].map((name) => {
		entryOf(looks.effects.list, name, 'terminalEffects');
		return name as TerminalEffect;
	});
	return {
		colours: entryOf(looks.schemes.list, request.terminalScheme || DEFAULT_SCHEME, 'terminalScheme'),
		cursor: entryOf<string>(looks.cursors.list, request.terminalCursor || DEFAULT_CURSOR, 'terminalCursor'),
		prompt: entryOf(looks.prompts.list, request.terminalPrompt || DEFAULT_PROMPT, 'terminalPrompt'),
		chrome: entryOf(looks.chromes.list, request.terminalChrome || DEFAULT_CHROME, 'terminalChrome'),
		effects,
	};
}

/** Seconds of one line's life on screen: typed from `start` to `typed`, then the cursor blinks until `until`. */
export interface LineSchedule {
	start: number;
	typed: number;
	until: number;
	/** With narration timing: when each character of the shown line appears (seconds, in order), the last at `typed`. */
	reveal?: number[];
}

/** One picture of the terminal held over [from, to); `blink` = the cursor blinks instead of staying on. */
export interface ScreenState {
	from: number;
	to: number;
	/** Text rows, the last one ending with the cursor when shown. */
	rows: string[];
	blink: boolean;
}

export interface TerminalLayout {
	/** Which of styles.json terminal.layouts applies (landscape, square, portrait). */
	shape: string;
	fontSize: number;
	lineSpacing: number;
	/** Row pitch in pixels: the cursor block's height plus the line spacing. */
	pitch: number;
	columns: number;
	rows: number;
	barHeight: number;
	/** Top of the first text row; a hidden strut row sits one pitch above it. */
	contentTop: number;
	marginX: number;
	titleSize: number;
}

type Frame = Pick<ClipRequest, 'width' | 'height' | 'language'>;

/** The layout entry of styles.json for the frame's shape: the first whose minAspect the frame reaches. */
export function terminalShape(request: Pick<ClipRequest, 'width' | 'height'>) {
	const aspect = request.width / request.height;
	const list = STYLE.layouts.list;
	return list.find((entry) => aspect >= entry.minAspect) ?? list[list.length - 1];
}

/**
 * Where the text goes. Letters are sized from the frame height per shape, so a phone frame gets letters a phone can
 * show. A desktop (landscape) terminal starts under its title bar and fills the screen; on phone shapes the block of
 * the scene's rows (`lines`, wrapped) is centred at the shape's anchor, where the eye is, instead of hugging the top.
 */
export function layoutTerminal(request: Frame & Pick<ClipRequest, 'terminalChrome'>, lines: string[] = []): TerminalLayout {
	const shape = terminalShape(request);
	const charWidth = Math.max(STYLE.text.charWidth, languageFonts(request).charWidth ?? 0);
	const short = Math.min(request.width, request.height);
	const fontSize = Math.max(8, Math.round(request.height * shape.size));
	const lineSpacing = Math.round(fontSize * STYLE.text.lineSpacing);
	// No window chrome: no title bar, the text starts at the top margin.
	const barHeight = terminalLook(request).chrome.titleBar ? Math.round(short * STYLE.titleBar.height) : 0;
	const marginX = Math.round(request.width * shape.marginX);
	// Row pitch: the cursor block spans DejaVu Sans Mono's full line height (about 1.17 em), plus the spacing.
	const pitch = fontSize * 1.17 + lineSpacing;
	// drawtext rounds each advance to whole pixels; one column stays free for the cursor after a full row.
	const columns = Math.max(8, Math.floor((request.width - 2 * marginX) / Math.max(1, Math.round(fontSize * charWidth))) - 1);
	const bottom = request.height * (1 - STYLE.marginBottom);
	const firstTop = Math.round(barHeight + request.height * STYLE.marginTop + pitch);
	const fit = Math.max(1, Math.floor((bottom - firstTop) / pitch));
	let contentTop = firstTop;
	if (shape.anchor !== null) {
		// The scene's rows plus the cursor's row, as many as fit; centred on the anchor, kept inside the screen.
		const needed = lines.reduce((sum, line) => sum + Math.max(1, wrapLines(line, columns, Number.MAX_SAFE_INTEGER).length), 1);
		const block = Math.min(needed, fit) * pitch - lineSpacing;
		const centred = Math.round(request.height * shape.anchor - block / 2);
		contentTop = Math.max(firstTop, Math.min(centred, Math.floor(bottom - Math.min(needed, fit) * pitch)));
	}
	const rows = Math.max(1, Math.floor((bottom - contentTop) / pitch));
	const titleSize = Math.max(8, Math.round(short * STYLE.titleBar.size));
	return { shape: shape.name, fontSize, lineSpacing, pitch, columns, rows, barHeight, contentTop, marginX, titleSize };
}

function isDialogue(line: SpokenLineTiming): boolean {
	if (line.kind) return line.kind === 'dialogue';
	return Boolean(line.speaker) && line.speaker.toUpperCase() !== 'NARRATOR';
}

/**
 * What the terminal types: the spoken lines when narration timing is given (so picture and voice agree),
 * else the dialogue as `SPEAKER: text`, else the narration, else the action, one sentence per line.
 */
export function terminalLines(request: Pick<ClipRequest, 'scene' | 'lines' | 'terminalPrompt'>): string[] {
	const { text: prefix, beforeDialogue } = terminalLook(request).prompt;
	const said = beforeDialogue ? prefix : '';
	if (request.lines && request.lines.length > 0) {
		return request.lines.map((line) => (isDialogue(line) ? `${said}${line.speaker}: ${line.text}` : `${prefix}${line.text}`));
	}
	const scene = request.scene;
	if (scene.dialogue?.length) {
		return scene.dialogue.map((line) => {
			const how = line.parenthetical ? ` (${line.parenthetical})` : '';
			return `${said}${line.speaker}${how}: ${line.text}`;
		});
	}
	const prose = [scene.narration, scene.action, scene.visualDescription].find((text) => String(text ?? '').trim());
	return prose ? splitSentences(String(prose)).map((sentence) => `${prefix}${sentence}`) : [];
}

/**
 * When each line is typed. With narration timing a line is typed while it is spoken: given the shown `texts`, each
 * character appears when it is said (revealTimes). Without, the scene (after a short lead-in, before a short hold)
 * is shared by line length, and typing runs at a readable pace inside each share.
 */
export function scheduleLines(lengths: number[], duration: number, timing?: SpokenLineTiming[], texts?: string[]): LineSchedule[] {
	const minimumTyping = 1 / 30;
	if (timing && timing.length === lengths.length && lengths.length > 0) {
		return timing.map((line, index) => {
			const start = clamp(line.start, 0, duration);
			const next = index + 1 < timing.length ? clamp(timing[index + 1].start, start, duration) : duration;
			if (texts?.[index] !== undefined && [...texts[index]].length > 0) {
				const reveal = revealTimes(texts[index], line, start, next);
				return { start, typed: Math.max(reveal[reveal.length - 1], Math.min(next, start + minimumTyping)), until: next, reveal };
			}
			const typed = clamp(Math.max(line.end, start + minimumTyping), start, next);
			return { start, typed, until: next };
		});
	}
	const leadIn = Math.min(TYPING.leadIn, duration * 0.1);
	const hold = duration * TYPING.hold;
	const available = Math.max(0, duration - leadIn - hold);
	// A constant per line stands for the pause a reader needs, so short lines still get some time.
	const weights = lengths.map((length) => length + 12);
	const total = weights.reduce((sum, weight) => sum + weight, 0) || 1;
	const schedule: LineSchedule[] = [];
	let start = leadIn;
	lengths.forEach((length, index) => {
		const share = (available * weights[index]) / total;
		const typing = Math.min(share * TYPING.typingShare, Math.max(length / TYPING.charsPerSecond, minimumTyping));
		const until = index === lengths.length - 1 ? duration : start + share;
		schedule.push({ start, typed: start + typing, until });
		start += share;
	});
	return schedule;
}

/**
 * When each character of a shown line appears, from the line's narration timing. With word timings (ElevenLabs'
 * alignment) a word's letters appear across its spoken time, the spaces and punctuation after it at its end, and
 * what comes before the first word (the speaker's name, the prompt) at the line's start. Without, the characters
 * are spread over the line's audio. Then the data's limits: never faster than maxCharsPerSecond, inside a word never
 * slower than minCharsPerSecond; all inside [start, until].
 */
export function revealTimes(shown: string, line: Pick<SpokenLineTiming, 'start' | 'end' | 'words'>, start: number, until: number): number[] {
	const chars = [...shown];
	const spoken = new Array<number>(chars.length).fill(NaN);
	/** Which word a character belongs to (-1: none), so the slowest pace applies inside words only. */
	const wordOf = new Array<number>(chars.length).fill(-1);
	const lower = chars.map((char) => char.toLowerCase());
	let from = 0;
	(line.words ?? []).forEach((word, index) => {
		const letters = [...word.text.trim().toLowerCase()];
		if (letters.length === 0) return;
		const at = findFrom(lower, letters, from);
		if (at < 0) return;
		const wordStart = Math.max(start, word.start);
		const wordEnd = Math.max(wordStart, word.end);
		letters.forEach((_, offset) => {
			spoken[at + offset] = wordStart + ((offset + 1) / letters.length) * (wordEnd - wordStart);
			wordOf[at + offset] = index;
		});
		from = at + letters.length;
	});
	if (spoken.every((time) => Number.isNaN(time))) {
		// No word matched (espeak-ng gives none): the line's audio spread by characters, one long word.
		const end = Math.max(start, Math.min(until, line.end));
		chars.forEach((_, index) => {
			spoken[index] = start + ((index + 1) / chars.length) * (end - start);
			wordOf[index] = 0;
		});
	}
	// Unmatched characters: before the first word at the start, else with the word before them.
	let last = start;
	for (let index = 0; index < chars.length; index++) {
		if (Number.isNaN(spoken[index])) spoken[index] = last;
		else last = spoken[index];
	}
	const fastest = 1 / SPOKEN.maxCharsPerSecond;
	const slowest = 1 / SPOKEN.minCharsPerSecond;
	const reveal: number[] = [];
	spoken.forEach((time, index) => {
		if (index === 0) {
			reveal.push(clamp(time, start, until));
			return;
		}
		const previous = reveal[index - 1];
		let at = Math.max(time, previous + fastest);
		if (wordOf[index] >= 0 && wordOf[index] === wordOf[index - 1]) at = Math.min(at, previous + slowest);
		reveal.push(clamp(at, previous, until));
	});
	return reveal;
}

/** Where `needle` starts in `haystack` at or after `from`; -1 when it does not. */
function findFrom(haystack: string[], needle: string[], from: number): number {
	for (let at = from; at + needle.length <= haystack.length; at++) {
		if (needle.every((char, offset) => haystack[at + offset] === char)) return at;
	}
	return -1;
}

function clamp(value: number, low: number, high: number): number {
	return Math.min(high, Math.max(low, Number.isFinite(value) ? value : low));
}

/**
 * The screen over time. A line is revealed in a few steps (prefixes of its wrapped rows) with a solid cursor,
 * then the cursor blinks on a fresh row until the next line starts. Only the last `layout.rows` rows are shown,
 * so long text scrolls up.
 */
export function screenStates(
	lines: string[],
	schedule: LineSchedule[],
	duration: number,
	layout: Pick<TerminalLayout, 'columns' | 'rows'>,
	cursor: string = looks.cursors.list[DEFAULT_CURSOR],
): ScreenState[] {
	const states: ScreenState[] = [];
	const visible = (rows: string[]) => rows.slice(-layout.rows);
	// Hundreds of lines would mean thousands of drawtext filters: fewer steps per line then.
	const maxSteps = Math.max(1, Math.min(TYPING.maxSteps, Math.floor(400 / Math.max(1, lines.length))));
	const done: string[] = [];
	const push = (state: ScreenState) => {
		if (state.to - state.from > 1e-6) states.push(state);
	};

	push({ from: 0, to: schedule[0]?.start ?? duration, rows: [cursor], blink: true });
	const maxSpokenSteps = Math.max(1, Math.min(SPOKEN.maxSteps, Math.floor(400 / Math.max(1, lines.length))));
	lines.forEach((line, index) => {
		const { start, typed, until, reveal } = schedule[index];
		const wrapped = wrapLines(line, layout.columns, Number.MAX_SAFE_INTEGER);
		const rows = wrapped.length > 0 ? wrapped : [''];
		const total = rows.reduce((sum, row) => sum + [...row].length, 0);
		const typingTime = typed - start;
		const typing = (from: number, to: number, count: number) => {
			const shown = partialRows(rows, count);
			shown[shown.length - 1] += cursor;
			const state = { from, to, rows: visible([...done, ...shown]), blink: false };
			const previous = states[states.length - 1];
			// The same picture on as the step before (a pause in the speech): one state, one drawtext.
			if (previous && !previous.blink && Math.abs(previous.to - from) < 1e-9 && previous.rows.join('\n') === state.rows.join('\n')) {
				previous.to = to;
			} else push(state);
		};
		if (reveal && reveal.length > 0) {
			// Spoken: the screen shows, in each step, what has been said by the middle of the step.
			const steps = Math.max(1, Math.min(maxSpokenSteps, Math.ceil(typingTime / TYPING.stepSeconds - 1e-9)));
			for (let step = 1; step <= steps; step++) {
				const from = start + ((step - 1) * typingTime) / steps;
				const to = start + (step * typingTime) / steps;
				const said = step === steps ? reveal.length : reveal.filter((time) => time <= (from + to) / 2).length;
				// Wrapping drops the spaces at row ends: count in the rows' characters.
				typing(from, to, Math.round((said * total) / reveal.length));
			}
		} else {
			const steps = Math.max(1, Math.min(maxSteps, total, Math.round(typingTime / TYPING.stepSeconds)));
			for (let step = 1; step <= steps; step++) {
				typing(start + ((step - 1) * typingTime) / steps, start + (step * typingTime) / steps, Math.ceil((step * total) / steps));
			}
		}
		done.push(...rows);
		push({ from: typed, to: until, rows: visible([...done, cursor]), blink: true });
	});
	return states;
}

/** The first `count` characters of wrapped rows, row breaks kept. */
function partialRows(rows: string[], count: number): string[] {
	const shown: string[] = [];
	let left = count;
	for (const row of rows) {
		const chars = [...row];
		shown.push(chars.slice(0, Math.max(0, left)).join(''));
		left -= chars.length;
		if (left <= 0) break;
	}
	return shown;
}

/**
 * Terminal style: a window title bar with the scene heading over a dark screen on which the lines are typed.
 * Every screen state is a text file drawn by its own drawtext, enabled only during its time window.
 */
export async function terminalGraph(request: ClipRequest, files: TextFiles): Promise<string> {
	const { colours, cursor, chrome, effects } = terminalLook(request);
	const frames = frameCount(request.duration);
	const duration = frames / request.fps;
	const lines = terminalLines(request);

	// The mono font lacks some scripts (Hebrew, for one): then the whole screen uses the fallback font.
	const fonts = languageFonts(request);
	const font = pickFont(lines, fonts.mono);
	const shownLines = lines.map((line) => textFor(font, line).replace(/\n+/g, ' '));
	const layout = layoutTerminal(request, shownLines);
	const timing = request.lines?.length === lines.length ? request.lines : undefined;
	const schedule = scheduleLines(
		shownLines.map((line) => [...line].length),
		duration,
		timing,
		shownLines,
	);
	const states = screenStates(shownLines, schedule, duration, layout, cursor);

	// Each state file starts with a hidden "strut" row holding the full block, the tallest glyph in the font, whatever the cursor:
	// drawtext spaces rows by the tallest glyph present, so this keeps rows still while the text changes.
	const y = `${layout.contentTop}-(line_h+${layout.lineSpacing})`;
	const blinkPeriod = 1 / STYLE.blinkHz;
	/** drawtext filters for one state: one, or two for a blinking cursor (on / off half-periods). */
	const stateFilters = async (state: ScreenState): Promise<string[]> => {
		const draw = async (rows: string[], enable: string) =>
			drawText({
				font,
				textFile: await files.write([STYLE.strut, ...rows].join('\n')),
				size: layout.fontSize,
				color: colours.text,
				x: String(layout.marginX),
				y,
				lineSpacing: layout.lineSpacing,
				enable,
			});
		const window = between(state.from, state.to);
		if (!state.blink || state.to - state.from < blinkPeriod / 2) return [await draw(state.rows, window)];
		const withoutCursor = [...state.rows];
		withoutCursor[withoutCursor.length - 1] = withoutCursor[withoutCursor.length - 1].slice(0, -cursor.length) + ' ';
		const phase = `mod(t-${num(state.from)},${num(blinkPeriod)})`;
		return [
			await draw(state.rows, `${window}*lt(${phase},${num(blinkPeriod / 2)})`),
			await draw(withoutCursor, `${window}*gte(${phase},${num(blinkPeriod / 2)})`),
		];
	};

	const screen: string[] = [`color=c=${colours.background}:s=${request.width}x${request.height}:r=${request.fps}`];
	const shaped = fonts.shaped ? shapedScript(fonts.shaped.family, font) : null;
	if (shaped && fonts.shaped) {
		const events = states.flatMap((state) => shaped.stateEvents(state, layout, cursor, blinkPeriod));
		const script = shaped.document(request.width, request.height, layout.fontSize, colours.text, events);
		screen.push(drawAss(await files.write(script, 'ass'), fonts.shaped.directory, false));
	} else for (const state of states) screen.push(...(await stateFilters(state)));

	// The top strip (title bar, its three window dots and the heading, over the hidden strut row) never changes: it
	// is drawn once and stacked on every frame, where drawing its boxes per frame cost most of the filter time.
	const { barHeight, titleSize, marginX } = layout;
	const strip = Math.min(request.height - 2, Math.max(2, 2 * Math.floor((layout.contentTop - 1) / 2)));
	const top: string[] = [`color=c=${colours.background}:s=${request.width}x${strip}:r=${request.fps}`, 'trim=end_frame=1'];
	if (chrome.titleBar) top.push(drawBox(0, 0, request.width, barHeight, colours.titleBar));
	const dot = Math.round(barHeight * 0.28);
	if (chrome.dots) {
		STYLE.titleBar.dots.forEach((color, index) => {
			top.push(drawBox(marginX + index * dot * 1.8, (barHeight - dot) / 2, dot, dot, color));
		});
	}
	const titleFont = pickFont([String(request.scene.heading ?? '')], fonts.mono);
	const titleColumns = Math.max(
		4,
		Math.floor((request.width - 2 * (marginX + dot * 6)) / (titleSize * Math.max(STYLE.text.charWidth, fonts.charWidth ?? 0))),
	);
	const title = wrapLines(textFor(titleFont, request.scene.heading).replace(/\n+/g, ' '), titleColumns, 1)[0] ?? '';
	if (title && chrome.titleBar && shaped && fonts.shaped) {
		const event = { start: 0, end: 32400, style: 'text', tags: `{\\an5\\pos(${num(request.width / 2)},${num(barHeight / 2)})}`, rows: [title] };
		top.push(drawAss(await files.write(shaped.document(request.width, strip, titleSize, colours.title, [event]), 'ass'), fonts.shaped.directory, false));
	} else if (title && chrome.titleBar) {
		top.push(
			drawText({
				font: titleFont,
				textFile: await files.write(title),
				size: titleSize,
				color: colours.title,
				x: '(w-text_w)/2',
				y: `${num(barHeight / 2)}-(ascent-descent)/2`,
			}),
		);
	}
	top.push('format=yuv420p', ...holdStill(request.fps));
	screen.push(`crop=${request.width}:${request.height - strip}:0:${strip}`, 'format=yuv420p');
	return [
		`${top.join(',\n')}[top]`,
		`${screen.join(',\n')}[screen]`,
		`[top][screen]vstack,trim=end_frame=${frames},setsar=1,format=yuv420p[${effects.length ? 'plain' : 'v'}]`,
		...effectFilters(effects, request, 'plain', 'v'),
		silentAudio(frames),
	].join(';\n');
}

/**
 * The terminal drawn by libass, for a script that needs shaping (Devanagari): each screen state is an event per row
 * at the row's place for the state's time (a blinking cursor: one event per half-period), in the script's font at
 * the em size drawtext would use. ASS times are centiseconds: a state's edges move by at most 5 ms, well inside a
 * frame, and neighbouring states share their rounded edge, so none overlap.
 */
function shapedScript(family: string, font: string) {
	const metrics = fontMetrics(fontPath(font));
	const lineHeight = (metrics.ascent + metrics.descent) / metrics.unitsPerEm;
	const document = (width: number, height: number, size: number, colour: string, events: AssEvent[]) =>
		assDocument({ width, height, styles: [{ name: 'text', family, size: size * lineHeight, colour, alignment: 7 }], events });
	const stateEvents = (state: ScreenState, layout: TerminalLayout, cursor: string, blinkPeriod: number): AssEvent[] => {
		// The cursor keeps the mono font's block, one row tall: the script's font has no block and a taller line.
		const mono = fontMetrics(fontPath(STYLE.text.font));
		const cursorSize = layout.fontSize * ((mono.ascent + mono.descent) / mono.unitsPerEm);
		const cursorTail = `{\\fnDejaVu Sans Mono\\fs${num(cursorSize)}}${cursor}`;
		const rowEvents = (rows: string[], from: number, to: number): AssEvent[] =>
			rows.map((row, index) => {
				const withCursor = index === rows.length - 1 && row.endsWith(cursor);
				return {
					start: from,
					end: to,
					style: 'text',
					// The row's top where drawtext's row would start; \an7 puts the line's top-left at \pos.
					tags: `{\\pos(${num(layout.marginX)},${num(layout.contentTop + index * layout.pitch)})}`,
					rows: [withCursor ? row.slice(0, -cursor.length) : row],
					...(withCursor ? { tail: cursorTail } : {}),
				};
			});
		const half = blinkPeriod / 2;
		if (!state.blink || state.to - state.from < half) return rowEvents(state.rows, state.from, state.to);
		const withoutCursor = [...state.rows];
		withoutCursor[withoutCursor.length - 1] = withoutCursor[withoutCursor.length - 1].slice(0, -cursor.length);
		const events: AssEvent[] = [];
		for (let from = state.from, on = true; from < state.to - 1e-6; from += half, on = !on) {
			events.push(...rowEvents(on ? state.rows : withoutCursor, from, Math.min(state.to, from + half)));
		}
		return events;
	};
	return { document, stateEvents };
}

/**
 * The screen effects of terminalLooks.json over the finished picture `input`, ending in `output`. Scanlines: a still
 * of dark bands made once and laid over every frame. Glitch: now and then a band of the picture jumps sideways.
 */
function effectFilters(effects: TerminalEffect[], request: Pick<ClipRequest, 'width' | 'height' | 'fps'>, input: string, output: string): string[] {
	const chains: string[] = [];
	let current = input;
	effects.forEach((effect, index) => {
		const next = index === effects.length - 1 ? output : `fx${index}`;
		if (effect === 'scanlines') {
			const look = looks.effects.list.scanlines;
			const period = Math.max(2, Math.round(request.height * look.period));
			const alpha = Math.round(255 * Math.min(1, Math.max(0, look.darken)));
			chains.push(
				[
					`color=c=black:s=${request.width}x${request.height}:r=${request.fps}`,
					'trim=end_frame=1',
					'format=yuva420p',
					`geq=lum=0:cb=128:cr=128:a='if(gte(mod(Y,${period}),${period / 2}),${alpha},0)'`,
					...holdStill(request.fps),
				].join(',') + `[lines${index}]`,
				`[${current}][lines${index}]overlay=shortest=1:format=yuv420,format=yuv420p[${next}]`,
			);
		} else if (effect === 'glitch') {
			const look = looks.effects.list.glitch;
			const band = Math.max(2, 2 * Math.round((request.height * look.band) / 2));
			const shift = Math.max(2, Math.round(request.width * look.shift));
			// Which glitch this is (0, 1, 2, …): each one tears another band, left and right in turn.
			const which = `floor((t-${num(look.first)})/${num(look.every)})`;
			const y = `2*trunc(mod((${which}+1)*0.618,1)*${(request.height - band) / 2})`;
			const on = `gte(t,${num(look.first)})*lt(mod(t-${num(look.first)},${num(look.every)}),${num(look.frames / request.fps)})`;
			chains.push(
				`[${current}]split[keep${index}][tear${index}]`,
				`[tear${index}]crop=w=${request.width}:h=${band}:x=0:y='${y}'[band${index}]`,
				`[keep${index}][band${index}]overlay=x='${shift}*(1-2*mod(${which},2))':y='${y}':enable='${on}'[${next}]`,
			);
		}
		current = next;
	});
	return chains;
}

/** The language's fonts for the terminal: DejaVu Sans Mono, or its script's font (CJK, Devanagari). */
function languageFonts(request: Pick<ClipRequest, 'language'>) {
	return drawFonts(request.language, { heading: STYLE.text.fallbackFont, body: STYLE.text.fallbackFont, mono: STYLE.text.font });
}

/** The language's font (the mono font, for Latin and most scripts) when it draws everything, else the fallback when that draws more. */
function pickFont(lines: string[], languageFont: string): string {
	const all = lines.join('\n');
	if (languageFont !== STYLE.text.font) return languageFont;
	if (canDraw(STYLE.text.font, all)) return STYLE.text.font;
	const mono = [...textFor(STYLE.text.font, all)].length;
	const fallback = [...textFor(STYLE.text.fallbackFont, all)].length;
	return fallback > mono ? STYLE.text.fallbackFont : STYLE.text.font;
}
