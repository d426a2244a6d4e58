import parseData from '../data/parse.json';
import {
	PLAN_SCHEMA_VERSION,
	type Character,
	type DialogueLine,
	type Plan,
	type Scene,
	type ScriptFormat,
	type Setting,
} from '../plan';
import { resolveZeroWidth } from '../text';
import { DEFAULT_TIMING, sceneDuration, totalDuration, type TimingRule } from './timing';
import {
	capitalise,
	countWords,
	firstSentences,
	hasWords,
	joinNames,
	nameMatcher,
	sentences,
	stripEmphasis,
	titleCase,
	words,
} from './text';

export type FormatOption = 'auto' | ScriptFormat;

export interface ParseOptions {
	format?: FormatOption;
	/** Title from the request; wins over a title page or `# Title`. For posts, the post title. */
	title?: string | null;
	targetDuration?: number | null;
	/** Posts only: how many scenes to cut the post into (null/0 = by length). */
	sceneCount?: number | null;
	/** Speaking rate for dialogue and narration, overriding data/timing.json (2.5). */
	wordsPerSecond?: number | null;
}

/** A script the parser cannot turn into scenes. `field` names the request field to fix. */
export class ScriptError extends Error {
	field: string;

	constructor(message: string, field = 'script') {
		super(message);
		this.name = 'ScriptError';
		this.field = field;
	}
}

export const SCENE_HELP =
	'Start each scene with a heading such as `INT. KITCHEN - NIGHT` (screenplay/Fountain) or `## Scene 1` (Markdown), or send the text as a post with format "post".';

/** What the parser reads before a scene is turned into the plan's Scene. */
interface DraftScene {
	heading: string;
	interior: Scene['interior'];
	location: string;
	timeOfDay: string | null;
	action: string[];
	dialogue: DialogueLine[];
	narration: string;
	transition: string | null;
	onScreenText: string[];
	sound: string[];
}

interface Draft {
	title: string | null;
	scenes: DraftScene[];
}

type Slug = Pick<DraftScene, 'interior' | 'location' | 'timeOfDay'>;

const TITLE_KEYS = new Set(parseData.titlePageKeys);
const TIME_OF_DAY = new RegExp(`(?<![A-Z])(?:${parseData.timeOfDayWords.join('|')})(?![A-Z])`);
const TRANSITIONS = parseData.transitions;
const ACTION_LABELS = new Set(parseData.markdownActionLabels);
const NOT_SPEAKERS = new Set(parseData.markdownNotSpeakers);

const SLUG = /^(int\.?\s*\/\s*ext|ext\.?\s*\/\s*int|i\s*\/\s*e|int|ext|est)(?:\.\s*|\s+)(\S.*)$/i;
const MARKDOWN_HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const SCENE_WORD = /(?<![\p{L}\p{N}])scene(?![\p{L}])/iu;
const BOLD_SCENE_LINE = /^(\*\*|__)(scene\b.*?)\1\s*$/i;

/**
 * Turns a script into a plan. Throws ScriptError (field "script") on empty text or text with no scene.
 *
 * Format "auto" picks, in order: Markdown when it has `## Scene` headings (at least as many as INT./EXT. headings);
 * Fountain or pasted screenplay when it has INT./EXT. (or forced `.`) headings — pasted screenplay when character
 * names are indented as in a PDF; otherwise a post, unless the text looks like a screenplay that lost its headings
 * (a Fountain title page, or character names over dialogue), which fails so the user adds headings instead of getting
 * their dialogue read out as narration.
 */
export function parseScript(text: string, opts: ParseOptions = {}): Plan {
	if (typeof text !== 'string' || !text.trim()) {
		throw new ScriptError(`The script is empty. ${SCENE_HELP}`);
	}
	const clean = normalise(text);
	const requested = opts.format ?? 'auto';
	const format = requested === 'auto' ? detectFormat(clean) : requested;
	if (!format) throw new ScriptError(`No scene found: the text looks like a screenplay without scene headings. ${SCENE_HELP}`);

	let draft: Draft;
	if (format === 'markdown') draft = parseMarkdown(clean);
	else if (format === 'post') draft = parsePost(clean, opts);
	else draft = parseScreenplay(clean, { pdf: format === 'screenplay' });

	if (draft.scenes.length === 0) {
		const named = { fountain: 'Fountain script', screenplay: 'screenplay', markdown: 'Markdown script', post: 'post' }[format];
		throw new ScriptError(`No scene found in the ${named}. ${SCENE_HELP}`);
	}

	const rule: TimingRule = { ...DEFAULT_TIMING };
	if (opts.wordsPerSecond && opts.wordsPerSecond > 0) {
		rule.dialogueWordsPerSecond = opts.wordsPerSecond;
		rule.narrationWordsPerSecond = opts.wordsPerSecond;
	}
	const title = cleanTitle(opts.title) ?? draft.title ?? (format === 'post' ? UNTITLED_POST : 'Untitled');
	const target = opts.targetDuration && opts.targetDuration > 0 ? opts.targetDuration : null;
	return buildPlan(draft.scenes, { title, format, targetDuration: target, rule });
}

/**
 * The format "auto" would use, or null when the text looks like a screenplay with no scene headings.
 * Expects text already normalised (parseScript does that); raw text works for most inputs too.
 */
export function detectFormat(text: string): ScriptFormat | null {
	const lines = normalise(text).split('\n');
	let markdownScenes = 0;
	let slugs = 0;
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i].trim();
		if (!line) continue;
		// Prose can start a line with "Est. 1999" or ".5 percent": a heading in any case other than capitals must
		// stand alone between blank lines, be short and not end like a sentence, as Fountain writes them.
		const alone =
			(i === 0 || !lines[i - 1].trim()) &&
			!lines[i + 1]?.trim() &&
			countWords(line) <= 10 &&
			!/[.!?,;:]$/.test(line);
		if (isMarkdownSceneHeading(line)) markdownScenes++;
		else if (matchSlug(stripSceneNumbers(line)) && (alone || line === line.toUpperCase())) slugs++;
		else if (/^\.[^.\s\d]/.test(line) && alone) slugs++;
	}
	if (markdownScenes > 0 && markdownScenes >= slugs) return 'markdown';
	// Fountain's own markup wins over indentation; otherwise most speeches decide.
	if (slugs > 0) return !hasFountainMarkers(lines) && hasIndentedCues(lines) ? 'screenplay' : 'fountain';
	if (looksLikeHeadlessScreenplay(lines)) return null;
	return 'post';
}

function normalise(text: string): string {
	// A zero-width space between words is a space to every later step (cues, word counts, what is drawn and said).
	return resolveZeroWidth(text, { keepJoiners: true })
		.replace(/\r\n?/g, '\n')
		.replace(/[\u2028\u2029]/g, '\n')
		.replace(/\t/g, '    ')
		.replace(/\u00A0/g, ' ');
}

function cleanTitle(title: string | null | undefined): string | null {
	if (typeof title !== 'string') return null;
	const clean = stripEmphasis(title).replace(/\s+/g, ' ').trim();
	return clean || null;
}

// ---------- Headings ----------

function isMarkdownSceneHeading(line: string): boolean {
	const heading = markdownHeading(line);
	if (heading) return SCENE_WORD.test(heading.text);
	return BOLD_SCENE_LINE.test(line);
}

/** "## Scene 1", "## **Scene 1**", "**## Scene 1**" (a heading set in bold as a whole): its level and its plain text. */
function markdownHeading(line: string): { level: number; text: string } | null {
	const trimmed = line.trim();
	const inner = /^(\*\*|__)(#{1,6}\s.*?)\1$/.exec(trimmed)?.[2] ?? trimmed;
	const match = MARKDOWN_HEADING.exec(inner);
	return match ? { level: match[1].length, text: plainMarkdown(match[2]) } : null;
}

/** Inline Markdown off a line, as a title card shows it: emphasis (**, __, *, _, ~~), code spans and links keep their text. */
export function plainMarkdown(text: string): string {
	const marked = text
		.replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
		.replace(/`([^`]+)`/g, '$1')
		.replace(/~~(?=\S)(.+?)(?<=\S)~~/g, '$1')
		.replace(/__(?=\S)(.+?)(?<=\S)__/g, '$1');
	return stripEmphasis(marked).replace(/\s+/g, ' ').trim();
}

/** "12  INT. KITCHEN - NIGHT  12" (PDF) and "INT. KITCHEN - NIGHT #12#" (Fountain) → the bare slug line. */
function stripSceneNumbers(line: string): string {
	return line
		.replace(/\s*#[\w.-]+#\s*$/, '')
		.replace(/^\d+[A-Z]?\.?\s+(?=\S)/i, '')
		.replace(/\s+\d+[A-Z]?\.?$/i, '')
		.trim();
}

function matchSlug(line: string): Slug | null {
	const match = SLUG.exec(line);
	if (!match) return null;
	const prefix = match[1].toUpperCase().replace(/[\s.]/g, '');
	const interior: Scene['interior'] = prefix === 'INT' ? 'INT' : prefix === 'EXT' || prefix === 'EST' ? 'EXT' : 'INT/EXT';
	return { interior, ...splitLocationAndTime(match[2]) };
}

/** "HOUSE - KITCHEN - NIGHT" → location "HOUSE - KITCHEN", time "NIGHT"; the last part counts as time only if it names one. */
function splitLocationAndTime(rest: string): { location: string; timeOfDay: string | null } {
	const cleaned = rest.trim().replace(/[.:]+$/, '');
	const parts = cleaned.split(/\s+(?:-{1,2}|–|—)\s+|\s*[–—]\s*|,\s+/);
	if (parts.length > 1) {
		const last = parts[parts.length - 1].trim();
		if (isTimeOfDay(last)) {
			const location = cleaned.slice(0, cleaned.length - last.length).replace(/[\s,\-–—]+$/, '').trim();
			return { location, timeOfDay: last };
		}
	}
	return { location: cleaned, timeOfDay: null };
}

function isTimeOfDay(text: string): boolean {
	return TIME_OF_DAY.test(text.toUpperCase());
}

// ---------- Screenplay and Fountain ----------

/**
 * Character cue blocks whose name is indented further than the action, as in a screenplay copied out of a PDF,
 * against cue blocks written at the margin (Fountain). Judged block by block: one indented speech in a Fountain
 * file does not make the file a PDF paste.
 */
function cueIndentation(lines: string[]): { indented: number; flush: number } {
	const base = actionIndent(lines);
	let indented = 0;
	let flush = 0;
	for (let i = 0; i + 1 < lines.length; i++) {
		const line = lines[i];
		if (!line.trim() || !lines[i + 1].trim() || !cueName(line.trim())) continue;
		if (indentOf(line) >= base + 5 && indentOf(lines[i + 1]) > base) indented++;
		else if ((i === 0 || !lines[i - 1].trim()) && indentOf(line) < base + 5) flush++;
	}
	return { indented, flush };
}

/** Most speeches are indented as in a PDF. */
function hasIndentedCues(lines: string[]): boolean {
	const { indented, flush } = cueIndentation(lines);
	return indented > 0 && indented >= flush;
}

/** Markup only Fountain has: a title page, forced headings, dual dialogue, centered text, notes, boneyard, @cues, #1# scene numbers. */
function hasFountainMarkers(lines: string[]): boolean {
	const first = lines.find((line) => line.trim());
	if (first && titlePageKey(first) && !/^\s/.test(first)) return true;
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i].trim();
		if (!line) continue;
		const prevBlank = i === 0 || !lines[i - 1].trim();
		if (prevBlank && /^\.[A-Z]/.test(line)) return true;
		if (/^>.*<$/.test(line) || line.includes('[[') || line.includes('/*') || /^={3,}$/.test(line)) return true;
		if (prevBlank && /^@\S/.test(line)) return true;
		if (/\s\^$/.test(line) && cueName(line)) return true;
		if (/#[\w.-]+#$/.test(line) && matchSlug(stripSceneNumbers(line))) return true;
	}
	return false;
}

/** The action margin: the least indented text, leaving out scene headings (PDFs put scene numbers in the margin). */
function actionIndent(lines: string[]): number {
	let min = Infinity;
	for (const line of lines) {
		const text = line.trim();
		if (!text || matchSlug(stripSceneNumbers(text)) || /^\d+\.?$/.test(text)) continue;
		min = Math.min(min, indentOf(line));
	}
	return min === Infinity ? 0 : min;
}

function indentOf(line: string): number {
	return line.length - line.trimStart().length;
}

/** A Fountain title page, or blocks of upper-case names each over a line of speech. */
function looksLikeHeadlessScreenplay(lines: string[]): boolean {
	const first = lines.find((line) => line.trim());
	if (first && titlePageKey(first)) return true;
	let cues = 0;
	for (let i = 0; i + 1 < lines.length; i++) {
		const prevBlank = i === 0 || !lines[i - 1].trim();
		const line = lines[i].trim();
		const name = prevBlank && line && lines[i + 1].trim() ? cueName(line) : null;
		// Posts shout too ("EDIT", "UPDATE"): those words are not speakers.
		if (name && !line.includes(':') && !NOT_SPEAKERS.has(name)) cues++;
	}
	return cues >= 2;
}

function titlePageKey(line: string): string | null {
	const match = /^([A-Za-z][A-Za-z ]*?)\s*:/.exec(line.trim());
	return match && TITLE_KEYS.has(match[1].toLowerCase()) ? match[1].toLowerCase() : null;
}

/**
 * Reads Fountain title pages (`Key: value`, indented continuation lines) off the top of the text. Some files carry
 * two (a series page, then the episode's): each is read, and the last title wins.
 */
function readTitlePage(text: string): { title: string | null; rest: string } {
	const lines = text.split('\n');
	let title: string | null = null;
	let start = 0;
	for (;;) {
		while (start < lines.length && !lines[start].trim()) start++;
		if (start >= lines.length || !titlePageKey(lines[start]) || /^\s/.test(lines[start])) break;
		let end = start;
		const values = new Map<string, string[]>();
		let key = '';
		for (; end < lines.length && lines[end].trim(); end++) {
			const line = lines[end];
			const found = titlePageKey(line);
			if (found && !/^\s/.test(line)) {
				key = found;
				const value = line.slice(line.indexOf(':') + 1).trim();
				values.set(key, value ? [value] : []);
			} else if (key) {
				values.get(key)?.push(line.trim());
			}
		}
		const titleLines = values.get('title');
		// Lines wrapped in quotes ("ASCENT TO GURU PEAK") lose the quotes; quotes inside a title stay.
		if (titleLines) title = cleanTitle(titleLines.map((line) => line.replace(/^"(.*)"$/, '$1')).join(' ')) ?? title;
		start = end;
	}
	return { title, rest: lines.slice(start).join('\n') };
}

/**
 * Boneyard (/* … *\/) and notes ([[ … ]]) are for the writer only. A line that held nothing else is removed
 * outright, so a note between a character name and the dialogue does not split the speech.
 */
function removeBoneyardAndNotes(text: string): string {
	// A private-use character marks what was removed; scripts do not contain it.
	const GONE = '\uE000';
	const marked = text.replace(/\/\*[\s\S]*?\*\//g, GONE).replace(/\[\[[\s\S]*?\]\]/g, GONE);
	if (!marked.includes(GONE)) return text;
	return marked
		.split('\n')
		.filter((line) => !(line.includes(GONE) && !line.replaceAll(GONE, '').trim()))
		.map((line) => line.replaceAll(GONE, ''))
		.join('\n');
}

const EXTENSIONS = /(\s*\([^)]*\))+$/;
const OFF_SCREEN_EXTENSION = /^(V\.?\s?O\.?|O\.?\s?S\.?|O\.?\s?C\.?|OFF|OFF[- ]?SCREEN|OFF[- ]?CAMERA)$/i;

/** The character name of a cue line ("ALICE (V.O.)", "@McCLANE", "BOB ^"), or null if the line is not a cue. */
function cueName(line: string): string | null {
	let name = line.trim();
	if (name.startsWith('@')) {
		name = name.slice(1).replace(/\s*\^$/, '').replace(EXTENSIONS, '').trim();
		return name && hasWords(name) ? name : null;
	}
	name = name.replace(/\s*\^$/, '').replace(EXTENSIONS, '').trim();
	if (!name || name.length > 40 || !/\p{Lu}/u.test(name) || name !== name.toUpperCase()) return null;
	if (/[!?:;,.]$/.test(name) && !/(MR|MRS|MS|DR|JR|SR|ST)\.$/.test(name)) return null;
	if (name.split(/\s+/).length > 5 || /^[!.>~=#"“]/.test(name)) return null;
	if (matchSlug(name) || isTransition(line.trim()) || storyCue(name)) return null;
	return name;
}

/** `(V.O.)`, `(O.S.)`, `(O.C.)` on the cue: the speaker is heard, not seen. */
function cueIsOffScreen(line: string): boolean {
	const extensions = EXTENSIONS.exec(line.trim().replace(/\s*\^$/, ''));
	if (!extensions) return false;
	return [...extensions[0].matchAll(/\(([^)]*)\)/g)].some((match) => OFF_SCREEN_EXTENSION.test(match[1].trim()));
}

function isTransition(line: string): boolean {
	if (line.startsWith('>') && !line.endsWith('<')) return true;
	if (line !== line.toUpperCase() || !/\p{Lu}/u.test(line)) return false;
	if (/TO:$/.test(line)) return true;
	const bare = line.replace(/[.:]+$/, '').trim();
	return TRANSITIONS.some((word) => bare === word || bare.startsWith(word + ' '));
}

export type StoryCue =
	| { kind: 'end' }
	| { kind: 'onScreenText'; text: string }
	| { kind: 'sound'; text: string }
	| { kind: 'note' };

const END_LINE = /^(THE END|END|FIN|END OF (FILM|SHOW|EPISODE|ACT \w+))\.?$/i;
const SUPER_LABEL = new RegExp(`^(${parseData.onScreenTextLabels.join('|')})\\s*:\\s*(.*)$`, 'i');
const SOUND_LABEL = new RegExp(`^(${parseData.soundLabels.join('|')})\\s*:\\s*(.*)$`, 'i');
const NOTE = /^[*_\s]*(\[|\()?\s*(note|notes|n\.b\.|nb|todo|author['’]?s note|writer['’]?s note)\b\s*[:\-–—]/i;

/**
 * Lines that are not story: `THE END`, supers (`SUPER:`, `TITLE OVER:`), sound cues (`SFX:`), author notes
 * (`Note: maybe cut this…`). None of them is spoken or drawn as action.
 */
export function storyCue(line: string): StoryCue | null {
	const text = line.trim().replace(/^>\s*|\s*<$/g, '').trim();
	if (END_LINE.test(text)) return { kind: 'end' };
	if (NOTE.test(text)) return { kind: 'note' };
	const shown = SUPER_LABEL.exec(text);
	if (shown) return { kind: 'onScreenText', text: stripEmphasis(shown[2]).replace(/^["“]|["”]$/g, '').trim() };
	const heard = SOUND_LABEL.exec(text);
	if (heard) return { kind: 'sound', text: stripEmphasis(heard[2]).trim() };
	return null;
}

/** Lines a PDF or a Fountain file carries that are not part of the story. */
function isPageFurniture(line: string, indented: boolean): boolean {
	if (/^={3,}$/.test(line)) return true;
	if (/^\(?(MORE|CONTINUED|CONT'D|CONT’D)\)?:?$/i.test(line)) return true;
	if (/^(\(?CONTINUED\)?:?)\s*(\(\d+\))?$/i.test(line)) return true;
	return indented && /^\d+\.?$/.test(line);
}

interface ScreenplayOptions {
	/** Pasted from a PDF: cues and speeches are told apart from action by their indentation. */
	pdf: boolean;
}

function newScene(heading: Slug & { heading: string }): DraftScene {
	return { ...heading, action: [], dialogue: [], narration: '', transition: null, onScreenText: [], sound: [] };
}

function parseScreenplay(text: string, options: ScreenplayOptions): Draft {
	const { title, rest } = readTitlePage(text);
	let lines = removeBoneyardAndNotes(rest).split('\n');
	// Fountain ignores indentation (a tab-indented speech is still a speech); only a PDF paste is read by its margins.
	const pdf = options.pdf && hasIndentedCues(lines);
	if (!pdf) lines = lines.map((line) => (line === '  ' ? line : line.trimStart()));
	const base = pdf ? actionIndent(lines) : 0;
	const deep = base + 5;
	const scenes: DraftScene[] = [];
	// Story before the first heading (a prologue) is a scene too; it is kept only when it holds story, not a cover page.
	const prologue = newScene({ heading: '', interior: null, location: '', timeOfDay: null });
	let scene: DraftScene = prologue;
	let paragraph: string[] = [];
	let pendingSuper = false;

	const flushAction = () => {
		const raw = paragraph.join(' ');
		paragraph = [];
		if (!raw.trim()) return;
		const cue = storyCue(stripEmphasis(raw));
		if (cue?.kind === 'note') return;
		// A paragraph wholly in bold before the first heading is a note to the reader ("**ADAPT THIS SCRIPT…**").
		if (scene === prologue && /^\*\*[\s\S]*\*\*$/.test(raw.trim())) return;
		const action = stripEmphasis(raw).replace(/\s+/g, ' ').trim();
		if (!action) return;
		if (pendingSuper) {
			scene.onScreenText.push(action.replace(/^["“]|["”]$/g, ''));
			pendingSuper = false;
			return;
		}
		scene.action.push(action);
	};

	for (let i = 0; i < lines.length; i++) {
		const raw = lines[i];
		const line = raw.trim();
		const prevBlank = i === 0 || !lines[i - 1].trim();
		if (!line) {
			flushAction();
			continue;
		}
		if (isPageFurniture(line, pdf)) continue;
		// Sections (#) and synopses (=) outline the script; they are not shown or spoken.
		if (/^#/.test(line) || /^=(?!==)/.test(line)) {
			flushAction();
			continue;
		}

		const heading = readHeading(line, prevBlank);
		if (heading) {
			flushAction();
			pendingSuper = false;
			scene = newScene(heading);
			scenes.push(scene);
			continue;
		}
		if (isTransition(line) && (prevBlank || !pdf || indentOf(raw) >= deep)) {
			flushAction();
			// FADE IN: opens the script; a transition names how the scene it follows ends.
			if (scene !== prologue && !/^>?\s*FADE IN/i.test(line)) scene.transition = line.replace(/^>\s*/, '').trim();
			continue;
		}
		const cue = storyCue(actionText(line));
		if (cue && (prevBlank || cue.kind !== 'note')) {
			flushAction();
			if (cue.kind === 'onScreenText') {
				if (cue.text) scene.onScreenText.push(cue.text);
				else pendingSuper = true;
			} else if (cue.kind === 'sound') {
				if (cue.text) scene.sound.push(cue.text);
			} else if (cue.kind === 'note') {
				// Skip the whole note paragraph.
				while (i + 1 < lines.length && lines[i + 1].trim()) i++;
			}
			continue;
		}

		const next = lines[i + 1];
		const name = next !== undefined && next.trim() ? cueName(line) : null;
		const cueIndented = pdf && indentOf(raw) >= deep;
		// Pasted screenplays mark speakers by indentation, so an upper-case action line ("THE DOOR SLAMS") stays action.
		if (name && (line.startsWith('@') || cueIndented || prevBlank)) {
			flushAction();
			pendingSuper = false;
			const from = scene.dialogue.length;
			i = readSpeech(lines, i + 1, name, scene.dialogue, cueIndented ? { minIndent: base + 1, cueIndent: indentOf(raw) } : null);
			const dual = /\s\^$/.test(line);
			const offScreen = cueIsOffScreen(line);
			for (const spoken of scene.dialogue.slice(from)) {
				spoken.actionBefore = scene.action.length;
				if (dual) spoken.dual = true;
				if (offScreen) spoken.offScreen = true;
			}
			continue;
		}
		paragraph.push(actionText(line));
	}
	flushAction();
	const prologueWords = prologue.action.reduce((sum, paragraph) => sum + countWords(paragraph), 0);
	if (scenes.length && (prologue.dialogue.length || prologueWords >= 8)) scenes.unshift(prologue);
	return { title: title ?? (pdf ? frontMatterTitle(lines) : null), scenes };
}

function readHeading(line: string, prevBlank: boolean): (Slug & { heading: string }) | null {
	// Forced heading: ".FLASHBACK" (but not "...and then").
	if (/^\.[^.\s\d]/.test(line) && prevBlank) {
		const heading = stripSceneNumbers(line.slice(1));
		const slug = matchSlug(heading) ?? { interior: null, ...splitLocationAndTime(heading) };
		return { heading, ...slug };
	}
	const heading = stripSceneNumbers(line);
	const slug = matchSlug(heading);
	// A lower-case "int. kitchen" counts only after a blank line, as Fountain says; upper case always (PDF pastes lose blank lines).
	if (!slug || !(prevBlank || heading === heading.toUpperCase())) return null;
	return { heading, ...slug };
}

function actionText(line: string): string {
	let text = line;
	if (text.startsWith('!')) text = text.slice(1);
	if (text.startsWith('~')) text = text.slice(1);
	const centered = /^>\s*(.*?)\s*<$/.exec(text);
	if (centered) text = centered[1];
	return text.trim();
}

/**
 * Reads the speech under a character cue, from line `start`, into `dialogue`. A parenthetical applies to the words after
 * it, so one in the middle of a speech starts a new line for the same speaker. Returns the index of the last line read.
 * `indents` (pasted screenplays): the speech ends when the text drops back to the action margin, or at the next cue
 * (a PDF paste that lost its blank lines); a page break (`(MORE)`, the page number, `NAME (CONT'D)`) inside a speech
 * is skipped and the speech goes on.
 */
function readSpeech(
	lines: string[],
	start: number,
	speaker: string,
	dialogue: DialogueLine[],
	indents: { minIndent: number; cueIndent: number } | null,
): number {
	let parenthetical: string | undefined;
	let words: string[] = [];
	let openParen: string[] | null = null;
	let pageBreak = false;
	const flush = () => {
		const text = stripEmphasis(words.join(' ')).replace(/\s+/g, ' ').trim();
		if (text) dialogue.push(parenthetical ? { speaker, text, parenthetical } : { speaker, text });
		words = [];
		parenthetical = undefined;
	};
	/** After `(MORE)`: the index of the same speaker's `(CONT'D)` cue past blank lines and page numbers, or -1. */
	const continuation = (from: number): number => {
		let j = from;
		while (j < lines.length && (!lines[j].trim() || isPageFurniture(lines[j].trim(), true) || /^\d+\.?$/.test(lines[j].trim()))) j++;
		return j < lines.length && cueName(lines[j].trim()) === speaker ? j : -1;
	};

	let i = start;
	for (; i < lines.length; i++) {
		const raw = lines[i];
		const line = raw.trim();
		// Fountain keeps a speech going over a line of exactly two spaces.
		if (!line && raw !== '  ') {
			if (pageBreak) {
				const resume = continuation(i);
				if (resume >= 0) {
					i = resume;
					pageBreak = false;
					continue;
				}
			}
			break;
		}
		if (!line) continue;
		if (/^\(?MORE\)?$/i.test(line)) {
			pageBreak = true;
			continue;
		}
		if (isPageFurniture(line, indents !== null) || (pageBreak && /^\d+\.?$/.test(line))) continue;
		if (words.length || parenthetical !== undefined) {
			const again = cueName(line);
			if (again === speaker && (pageBreak || /CONT['’]?D/i.test(line))) {
				pageBreak = false;
				continue;
			}
			// A cue at the cue margin without a blank line before it: the next speech starts.
			if (indents && again && indentOf(raw) >= indents.cueIndent - 2 && !line.startsWith('(')) break;
		}
		if (indents && indentOf(raw) < indents.minIndent) break;
		if (openParen) {
			openParen.push(line);
			if (line.endsWith(')')) {
				parenthetical = openParen.join(' ').replace(/^\(|\)$/g, '').trim();
				openParen = null;
			}
			continue;
		}
		if (line.startsWith('(')) {
			if (words.length) flush();
			if (line.endsWith(')')) parenthetical = line.slice(1, -1).trim();
			else openParen = [line];
			continue;
		}
		words.push(line.startsWith('~') ? line.slice(1) : line);
	}
	flush();
	return i - 1;
}

/** A pasted screenplay's cover page: its first short line. */
function frontMatterTitle(lines: string[]): string | null {
	for (const raw of lines) {
		const line = raw.trim();
		if (!line) continue;
		if (matchSlug(stripSceneNumbers(line)) || isTransition(line)) return null;
		return countWords(line) <= 12 ? cleanTitle(line) : null;
	}
	return null;
}

// ---------- Markdown ----------

function parseMarkdown(text: string): Draft {
	const lines = stripMarkdownNoise(text).split('\n');
	const scenes: DraftScene[] = [];
	let title: string | null = null;
	let scene: DraftScene | null = null;
	let paragraph: string[] = [];
	let lastSpeech: DialogueLine | null = null;

	const flush = () => {
		if (scene && paragraph.length) {
			const action = paragraph.join(' ').replace(/\s+/g, ' ').trim();
			if (action) scene.action.push(action);
		}
		paragraph = [];
		lastSpeech = null;
	};

	for (const raw of lines) {
		const line = raw.trim();
		if (!line) {
			flush();
			continue;
		}
		const heading = markdownHeading(line);
		const bold = heading ? null : BOLD_SCENE_LINE.exec(line);
		if ((heading && SCENE_WORD.test(heading.text)) || bold) {
			flush();
			// The heading as the title card draws it: "Scene 1: INT. KITCHEN - NIGHT", never "## **Scene 1…**".
			const headingText = heading ? heading.text : plainMarkdown(bold![2]);
			scene = newScene({ heading: headingText, ...markdownSlug(headingText) });
			scenes.push(scene);
			continue;
		}
		if (heading) {
			flush();
			if (heading.level === 1 && !title && !scene) title = cleanTitle(heading.text);
			continue;
		}
		if (!scene) continue;
		if (/^([-*_])(\s*\1){2,}$/.test(line)) {
			flush();
			continue;
		}
		const unquoted = line.replace(/^>\s?/, '').replace(/^[-*+]\s+/, '').trim();
		const body = stripEmphasis(unquoted).trim();
		// Notes, supers, sound cues and transitions are not story: never spoken, never in the picture.
		const cue = storyCue(body);
		if (cue) {
			if (paragraph.length) flush();
			lastSpeech = null;
			if (cue.kind === 'onScreenText' && cue.text) scene.onScreenText.push(cue.text);
			if (cue.kind === 'sound' && cue.text) scene.sound.push(cue.text);
			continue;
		}
		if (isTransition(body.toUpperCase() === body ? body : '')) {
			flush();
			if (!/^FADE IN/i.test(body)) scene.transition = body;
			continue;
		}
		// *She slams the door.* or (She slams the door.) is action, wherever it stands.
		const marked = /^(\*[^*].*\*|_[^_].*_|\(.*\)|\[.*\])$/.test(unquoted);
		const speech = marked ? null : readMarkdownSpeech(body);
		if (speech === 'empty') continue;
		if (speech && 'label' in speech) {
			paragraph.push(speech.text);
			lastSpeech = null;
			continue;
		}
		if (speech) {
			if (paragraph.length) flush();
			speech.actionBefore = scene.action.length;
			scene.dialogue.push(speech);
			lastSpeech = speech;
			continue;
		}
		const current = lastSpeech as DialogueLine | null;
		if (current && !marked && !/[.!?…]["'”’)]*$/.test(current.text)) {
			// A speech wrapped mid-sentence goes on on the next line; a line after a finished sentence is action.
			current.text = `${current.text} ${body}`.trim();
			continue;
		}
		if (current && marked && /^\(.*\)$/.test(unquoted) && countWords(body) <= 3) continue;
		lastSpeech = null;
		paragraph.push(marked ? body.replace(/^[([]|[)\]]$/g, '').trim() : body);
	}
	flush();
	return { title, scenes };
}

/** Markdown noise the script does not say or show: comments, code fences, links (their text is kept), images. */
function stripMarkdownNoise(text: string): string {
	return text
		.replace(/<!--[\s\S]*?-->/g, '')
		.replace(/^\s*```.*$/gm, '')
		.replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
		.replace(/`([^`]+)`/g, '$1');
}

/** "## Scene 2: INT. KITCHEN - NIGHT", "## Scene 3 — Kitchen, night", "## Scene 4: The call". */
function markdownSlug(headingText: string): Slug {
	const rest = headingText
		.replace(
			/^scene\b\s*(?:\d+[a-z]?|[ivxlcdm]+\b|one|two|three|four|five|six|seven|eight|nine|ten)?\s*[:.)\-–—]*\s*/i,
			'',
		)
		.trim();
	if (!rest) return { interior: null, location: '', timeOfDay: null };
	return matchSlug(rest) ?? { interior: null, ...splitLocationAndTime(rest) };
}

/** "ALICE: Hi.", "Alice (whispering): Hi.", "BOB: (beat) Fine." → a dialogue line; "Action: …" → action text. */
function readMarkdownSpeech(line: string): DialogueLine | { label: string; text: string } | 'empty' | null {
	const match = /^([^:]{1,60}?)\s*:\s+(.*\S)\s*$/.exec(line);
	if (!match) return null;
	let name = match[1].trim();
	let text = match[2].trim();
	let parenthetical: string | undefined;
	const nameParen = /^(.*?)\s*\(([^)]*)\)$/.exec(name);
	if (nameParen) {
		name = nameParen[1].trim();
		// "(V.O.)" and "(CONT'D)" say how the line is heard, not how it is said.
		const extension = /^(V\.?O\.?|O\.?S\.?|O\.?C\.?|CONT['’]?D)$/i.test(nameParen[2].trim());
		parenthetical = extension ? undefined : nameParen[2].trim() || undefined;
	}
	const upper = name.toUpperCase();
	if (ACTION_LABELS.has(upper)) return { label: upper, text };
	if (NOT_SPEAKERS.has(upper) || !isSpeakerName(name)) return null;
	const textParen = /^\(([^)]*)\)\s*(.*)$/.exec(text);
	if (textParen && textParen[2]) {
		parenthetical = parenthetical ?? (textParen[1].trim() || undefined);
		text = textParen[2].trim();
	}
	if (!hasWords(text)) return 'empty';
	const said: DialogueLine = parenthetical ? { speaker: name, text, parenthetical } : { speaker: name, text };
	if (nameParen && OFF_SCREEN_EXTENSION.test(nameParen[2].trim())) said.offScreen = true;
	return said;
}

/** "ALICE", "Alice", "Dr. Smith", "COP #2", "מיכל" — not "Then it happened" or "10". */
function isSpeakerName(name: string): boolean {
	const parts = name.split(/\s+/);
	if (parts.length > 4 || !/^\p{L}/u.test(name) || /[.!?,;"“”]$/.test(name.replace(/(Mr|Mrs|Ms|Dr|Jr|Sr|St)\.$/i, ''))) return false;
	if (name === name.toUpperCase()) return true;
	return parts.every((part) => !/^\p{Ll}/u.test(part));
}

// ---------- Posts ----------

/** The plan title of a post that has none. */
export const UNTITLED_POST = 'Untitled post';

/**
 * The heading a post's part is drawn with: part 1 shows the post's title, later parts "Title — Part 2" (or, set by
 * the parser, the subheading the part opens with); "Part N" when the post has no title.
 */
export function postPartHeading(title: string | null | undefined, number: number): string {
	const named = title && title !== UNTITLED_POST ? title : null;
	if (!named) return `Part ${number}`;
	return number === 1 ? named : `${named} — Part ${number}`;
}

interface PostSentence {
	text: string;
	words: number;
	endsParagraph: boolean;
	/** A subheading of the post ("## What went wrong"): read as a sentence, and the heading of the part it opens. */
	heading?: string;
}

function parsePost(text: string, opts: ParseOptions): Draft {
	const lines = stripMarkdownNoise(text)
		.split('\n')
		.map((line) => line.trim());
	let title = cleanTitle(opts.title);
	// Drop the title from the body when the post repeats it, or take it from a `# Title` or a short first line.
	const firstIndex = lines.findIndex((line) => line);
	if (firstIndex >= 0) {
		const first = lines[firstIndex];
		const heading = markdownHeading(first);
		const firstText = cleanTitle(heading ? heading.text : first) ?? '';
		const followedByBlank = !lines[firstIndex + 1];
		const hasMore = lines.slice(firstIndex + 1).some((line) => hasWords(line));
		if (title && firstText.toLowerCase() === title.toLowerCase()) {
			lines[firstIndex] = '';
		} else if (
			!title &&
			hasMore &&
			(heading ||
				(followedByBlank &&
					countWords(firstText) <= parseData.post.titleMaxWords &&
					!/[.,;:]$/.test(firstText)))
		) {
			title = firstText;
			lines[firstIndex] = '';
		}
	}

	// Paragraphs, and subheadings as blocks of their own (a subheading never runs into the sentence under it).
	const blocks: Array<{ text: string; heading: boolean }> = [];
	let paragraph: string[] = [];
	const flush = () => {
		if (paragraph.length) blocks.push({ text: paragraph.join('\n'), heading: false });
		paragraph = [];
	};
	for (const line of lines) {
		const heading = line ? markdownHeading(line) : null;
		if (heading) {
			flush();
			if (hasWords(heading.text)) blocks.push({ text: heading.text, heading: true });
			continue;
		}
		const shown = stripEmphasis(line.replace(/^>\s?/, '').replace(/^[-*+]\s+/, ''))
			.replace(/\bhttps?:\/\/\S+/g, '')
			.trim();
		if (shown) paragraph.push(shown);
		else flush();
	}
	flush();

	const units: PostSentence[] = [];
	for (const block of blocks) {
		if (block.heading) {
			// Read as a sentence of its own, so the voice pauses after it.
			const said = /[.!?…:]$/.test(block.text) ? block.text : `${block.text}.`;
			units.push({ text: said, words: countWords(said), endsParagraph: true, heading: block.text });
			continue;
		}
		// Whole sentences only: a part that ends mid-sentence reads (and subtitles) as half a quote.
		const parts = sentences(block.text);
		parts.forEach((part, index) =>
			units.push({ text: part, words: countWords(part), endsParagraph: index === parts.length - 1 }),
		);
	}
	const total = units.reduce((sum, unit) => sum + unit.words, 0);
	if (total === 0) {
		throw new ScriptError(`The post has no words to narrate. ${SCENE_HELP}`);
	}

	const wanted =
		opts.sceneCount && opts.sceneCount > 0
			? Math.floor(opts.sceneCount)
			: Math.max(1, Math.round(total / parseData.post.wordsPerScene));
	const groups = balancedGroups(units, Math.min(wanted, units.length));
	const scenes = groups.map((group, index): DraftScene => {
		// The title opens the video; a later part shows the subheading it holds, else "Title — Part N".
		const own = group.find((unit) => unit.heading)?.heading;
		const heading = index === 0 ? (title ?? own ?? postPartHeading(null, 1)) : (own ?? postPartHeading(title, index + 1));
		return {
			...newScene({ heading, interior: null, location: '', timeOfDay: null }),
			narration: group.map((unit) => unit.text).join(' '),
		};
	});
	return { title, scenes };
}

/**
 * Cuts sentences into `count` consecutive groups of about equal length. Each cut goes to the sentence end nearest the
 * ideal word position, preferring a paragraph end when one is about as near.
 */
function balancedGroups(units: PostSentence[], count: number): PostSentence[][] {
	if (count <= 1) return [units];
	const total = units.reduce((sum, unit) => sum + unit.words, 0);
	const cumulative: number[] = [];
	units.reduce((sum, unit, index) => (cumulative[index] = sum + unit.words), 0);
	const perGroup = total / count;
	const cuts: number[] = [];
	let previous = -1;
	for (let k = 1; k < count; k++) {
		const ideal = k * perGroup;
		let best = -1;
		let bestCost = Infinity;
		// Leave at least one sentence for each group still to come.
		for (let j = previous + 1; j <= units.length - 1 - (count - k); j++) {
			// A cut before a subheading is best, then at a paragraph end; a subheading opens its part, never ends one.
			const bonus = units[j + 1]?.heading ? perGroup * 0.5 : units[j].endsParagraph ? perGroup * 0.25 : 0;
			const cost = Math.abs(cumulative[j] - ideal) - bonus + (units[j].heading ? perGroup * 10 : 0);
			if (cost < bestCost) {
				bestCost = cost;
				best = j;
			}
		}
		cuts.push(best);
		previous = best;
	}
	const groups: PostSentence[][] = [];
	let start = 0;
	for (const cut of [...cuts, units.length - 1]) {
		groups.push(units.slice(start, cut + 1));
		start = cut + 1;
	}
	return groups;
}

// ---------- Plan ----------

const INTERIOR_WORDS: Record<string, string> = { INT: 'Interior', EXT: 'Exterior', 'INT/EXT': 'Interior/exterior' };

/** "Interior, Kitchen, night" — the place and time a video prompt should start with. */
export function placePhrase(scene: Pick<Scene, 'interior' | 'location' | 'timeOfDay'>): string {
	const parts: string[] = [];
	if (scene.interior) parts.push(INTERIOR_WORDS[scene.interior] ?? scene.interior);
	if (scene.location) parts.push(titleCase(scene.location));
	if (scene.timeOfDay) parts.push(scene.timeOfDay.toLowerCase());
	return parts.join(', ');
}

/** Place phrase + the opening action sentences; "" when the scene has no action (the critic flags that). */
export function visualFromAction(scene: Pick<Scene, 'interior' | 'location' | 'timeOfDay' | 'action'>): string {
	const opening = firstSentences(scene.action, parseData.visualDescriptionWords);
	if (!opening) return '';
	const shown = capitalise(opening);
	const place = placePhrase(scene);
	return place ? `${place}. ${shown}` : shown;
}

/** Characters named in the action, as a whole word starting with a capital ("Alice", "ALICE"; not "alice"). */
const matchers = new Map<string, RegExp>();

export function namedInText(text: string, names: string[]): string[] {
	if (!text) return [];
	return names.filter((name) => {
		let matcher = matchers.get(name);
		if (!matcher) {
			if (matchers.size > 1000) matchers.clear();
			matcher = nameMatcher(name);
			matchers.set(name, matcher);
		}
		for (const match of text.matchAll(matcher)) {
			if (!/^\p{Ll}/u.test(match[0])) return true;
		}
		return false;
	});
}

/** "EDWARD AND WILL", "EDWARD & WILL", "ANN, BO AND CY": speakers who each have cues of their own, speaking together. */
function jointSpeakers(name: string, known: Set<string>): string[] | null {
	const parts = name.split(/\s*(?:,|&|\bAND\b|\/)\s*/i).map((part) => part.trim()).filter(Boolean);
	if (parts.length < 2 || !parts.every((part) => known.has(part.toUpperCase()))) return null;
	return parts;
}

const VOICE_NAME = new RegExp(`(^|\\s)(${parseData.offScreenWords.join('|')})(\\s|$)|['’]S VOICE$`, 'i');

function buildPlan(
	drafts: DraftScene[],
	meta: { title: string; format: ScriptFormat; targetDuration: number | null; rule: TimingRule },
): Plan {
	// "EDWARD AND WILL" is two people saying one line together (the second at the same time), not a third character.
	const known = new Set(drafts.flatMap((draft) => draft.dialogue.map((line) => line.speaker.toUpperCase())));
	for (const draft of drafts) {
		draft.dialogue = draft.dialogue.flatMap((line) => {
			const together = jointSpeakers(line.speaker, known);
			if (!together) return [line];
			return together.map((speaker, index) => (index === 0 ? { ...line, speaker } : { ...line, speaker, dual: true }));
		});
	}
	// Characters in order of their first line, so voices assigned by position stay stable.
	const characterByKey = new Map<string, Character>();
	const heardOnly = new Map<string, boolean>();
	for (const draft of drafts) {
		for (const line of draft.dialogue) {
			const key = line.speaker.toUpperCase();
			const known = characterByKey.get(key);
			heardOnly.set(key, (heardOnly.get(key) ?? true) && Boolean(line.offScreen));
			if (known) {
				line.speaker = known.name;
				known.lines++;
			} else {
				characterByKey.set(key, { name: line.speaker, lines: 1, scenes: [], description: '' });
			}
		}
	}
	const characters = [...characterByKey.values()];
	const names = characters.map((character) => character.name);

	const scenes = drafts.map((draft, index): Scene => {
		const number = index + 1;
		const action = draft.action.join('\n\n');
		const speakers = new Set(draft.dialogue.map((line) => line.speaker));
		const named = new Set(namedInText(action, names));
		const present = names.filter((name) => speakers.has(name) || named.has(name));
		for (const name of present) characterByKey.get(name.toUpperCase())!.scenes.push(number);
		const scene: Scene = {
			number,
			heading: draft.heading,
			interior: draft.interior,
			location: draft.location,
			timeOfDay: draft.timeOfDay,
			action,
			visualDescription: '',
			dialogue: draft.dialogue,
			narration: draft.narration,
			characters: present,
			duration: 0,
			transition: draft.transition,
			onScreenText: draft.onScreenText,
			sound: draft.sound,
		};
		scene.visualDescription = meta.format === 'post' ? postVisual(scene.narration) : visualFromAction(scene);
		scene.duration = sceneDuration(scene, meta.rule);
		return scene;
	});

	for (const character of characters) {
		const key = character.name.toUpperCase();
		// Heard and never seen: every line off screen (V.O., O.S.), or a voice by name (A VOICE, THE CROWD).
		if (heardOnly.get(key) || VOICE_NAME.test(character.name)) character.offScreen = true;
		else character.description = introduction(character.name, scenes);
	}

	return {
		schemaVersion: PLAN_SCHEMA_VERSION,
		title: meta.title,
		format: meta.format,
		targetDuration: meta.targetDuration,
		scenes,
		characters,
		settings: buildSettings(scenes),
		totalDuration: totalDuration(scenes),
	};
}

/**
 * A post's picture: what to show while the narrator reads, never the post's own first-person words. The things the
 * part names that a camera can show (a phone, the kitchen, rain) go into the shot.
 */
export function postVisual(narration: string): string {
	const seen: string[] = [];
	for (const token of words(narration.toLowerCase())) {
		const word = token.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
		if (POST_THINGS.has(word) && !seen.includes(word)) seen.push(word);
		if (seen.length === 3) break;
	}
	const things = seen.length ? `, with ${joinNames(seen.map((word) => `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`))} in view` : '';
	return `Medium shot of the narrator talking to the camera in a softly lit room${things}.`;
}

const POST_THINGS = new Set(parseData.postVisualThings);

/**
 * How the script introduces the character: the first action sentence that names them in capitals on their own
 * (not inside a longer capitalised name such as YOUNG MAYA), from their name to the sentence end, so it describes
 * them and not whoever the sentence starts with. A thin introduction (no age or look) gives way to a later, fuller one.
 */
function introduction(name: string, scenes: Scene[]): string {
	const capitals = name.toUpperCase();
	let thin = '';
	for (const scene of scenes) {
		if (!scene.action.includes(capitals)) continue;
		for (const sentence of sentences(scene.action)) {
			for (const match of sentence.matchAll(nameMatcher(capitals))) {
				if (match[0] !== capitals) continue;
				const before = sentence.slice(0, match.index).trimEnd();
				const after = sentence.slice(match.index + capitals.length);
				// Part of a longer name in capitals ("YOUNG MAYA", "MAYA'S MOTHER").
				if (/\p{Lu}{2,}$/u.test(before) || /^(['’]S\b|\s+\p{Lu}{2,}\b)/u.test(after)) continue;
				// The sentence is theirs when they are its subject ("A younger ZOË runs…"); otherwise it starts at the name.
				const theirs = countWords(before) <= 3 && !/\p{Lu}{2,}/u.test(before);
				const own = firstSentences(theirs ? sentence : capitals + after, parseData.characterDescriptionWords);
				const described = /^\s*[,(]/.test(after) && countWords(after) >= 3;
				if (described) return own;
				// A bare mention counts only in a sentence about them, never a fragment of someone else's.
				if (!thin && theirs) thin = own;
			}
		}
	}
	return thin;
}

function buildSettings(scenes: Scene[]): Setting[] {
	const settings = new Map<string, Setting>();
	for (const scene of scenes) {
		if (!scene.location) continue;
		const key = `${scene.interior ?? ''}|${scene.location.toUpperCase()}`;
		let setting = settings.get(key);
		if (!setting) {
			setting = { name: scene.location, interior: scene.interior, timeOfDay: scene.timeOfDay, description: '', scenes: [] };
			settings.set(key, setting);
		}
		setting.scenes.push(scene.number);
		if (!setting.description && scene.action) {
			setting.description = firstSentences(scene.action, parseData.visualDescriptionWords);
		}
	}
	return [...settings.values()];
}
