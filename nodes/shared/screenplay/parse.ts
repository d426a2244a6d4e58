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
import { DEFAULT_TIMING, sceneDuration, totalDuration, type TimingRule } from './timing';
import {
	capitalise,
	chunkText,
	countWords,
	firstSentences,
	hasWords,
	nameMatcher,
	sentences,
	stripEmphasis,
	titleCase,
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
	else draft = parseScreenplay(clean);

	if (draft.scenes.length === 0) {
		const named = { fountain: 'Fountain script', screenplay: 'screenplay', markdown: 'Markdown script', post: 'post' }[format];
		throw new ScriptError(`No scene found in the ${named}. ${SCENE_HELP}`);
	}

	const rule: TimingRule = { ...DEFAULT_TIMING };
	if (opts.wordsPerSecond && opts.wordsPerSecond > 0) {
		rule.dialogueWordsPerSecond = opts.wordsPerSecond;
		rule.narrationWordsPerSecond = opts.wordsPerSecond;
	}
	const title = cleanTitle(opts.title) ?? draft.title ?? (format === 'post' ? 'Untitled post' : 'Untitled');
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
	if (slugs > 0) return hasIndentedCues(lines) ? 'screenplay' : 'fountain';
	if (looksLikeHeadlessScreenplay(lines)) return null;
	return 'post';
}

function normalise(text: string): string {
	return text
		.replace(/^\uFEFF/, '')
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
	const heading = MARKDOWN_HEADING.exec(line);
	if (heading) return SCENE_WORD.test(heading[2]);
	return BOLD_SCENE_LINE.test(line);
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

/** Character names more indented than the action, as in a screenplay copied out of a PDF. */
function hasIndentedCues(lines: string[]): boolean {
	const base = actionIndent(lines);
	for (let i = 0; i + 1 < lines.length; i++) {
		const line = lines[i];
		if (!line.trim() || !lines[i + 1].trim()) continue;
		if (indentOf(line) >= base + 5 && cueName(line.trim()) && indentOf(lines[i + 1]) >= base + 5) return true;
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

/** Reads a Fountain title page (`Key: value`, indented continuation lines) off the top of the text. */
function readTitlePage(text: string): { title: string | null; rest: string } {
	const lines = text.split('\n');
	let start = 0;
	while (start < lines.length && !lines[start].trim()) start++;
	if (start >= lines.length || !titlePageKey(lines[start])) return { title: null, rest: text };
	let end = start;
	const values = new Map<string, string[]>();
	let key = '';
	for (; end < lines.length && lines[end].trim(); end++) {
		const line = lines[end];
		const found = titlePageKey(line);
		if (found && !/^\s{2,}/.test(line)) {
			key = found;
			const value = line.slice(line.indexOf(':') + 1).trim();
			values.set(key, value ? [value] : []);
		} else if (key) {
			values.get(key)?.push(line.trim());
		}
	}
	const titleLines = values.get('title') ?? [];
	return { title: cleanTitle(titleLines.join(' ')), rest: lines.slice(end).join('\n') };
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

/** The character name of a cue line ("ALICE (V.O.)", "@McCLANE", "BOB ^"), or null if the line is not a cue. */
function cueName(line: string): string | null {
	let name = line.trim();
	if (name.startsWith('@')) {
		name = name.slice(1).replace(/\s*\^$/, '').replace(/(\s*\([^)]*\))+$/, '').trim();
		return name && hasWords(name) ? name : null;
	}
	name = name.replace(/\s*\^$/, '').replace(/(\s*\([^)]*\))+$/, '').trim();
	if (!name || name.length > 40 || !/\p{Lu}/u.test(name) || name !== name.toUpperCase()) return null;
	if (/[!?:;,.]$/.test(name) && !/(MR|MRS|MS|DR|JR|SR|ST)\.$/.test(name)) return null;
	if (name.split(/\s+/).length > 5 || /^[!.>~=#]/.test(name)) return null;
	if (matchSlug(name) || isTransition(line.trim())) return null;
	return name;
}

function isTransition(line: string): boolean {
	if (line.startsWith('>') && !line.endsWith('<')) return true;
	if (line !== line.toUpperCase() || !/\p{Lu}/u.test(line)) return false;
	if (/TO:$/.test(line)) return true;
	const bare = line.replace(/[.:]+$/, '').trim();
	return TRANSITIONS.some((word) => bare === word || bare.startsWith(word + ' '));
}

/** Lines a PDF or a Fountain file carries that are not part of the story. */
function isPageFurniture(line: string, indented: boolean): boolean {
	if (/^={3,}$/.test(line)) return true;
	if (/^\(?(MORE|CONTINUED|CONT'D|CONT’D)\)?:?$/i.test(line)) return true;
	return indented && /^\d+\.?$/.test(line);
}

function parseScreenplay(text: string): Draft {
	const { title, rest } = readTitlePage(text);
	const lines = removeBoneyardAndNotes(rest).split('\n');
	const indented = hasIndentedCues(lines);
	const base = actionIndent(lines);
	const deep = base + 5;
	const scenes: DraftScene[] = [];
	let scene: DraftScene | null = null;
	let paragraph: string[] = [];

	const flushAction = () => {
		if (scene && paragraph.length) {
			const action = stripEmphasis(paragraph.join(' ')).replace(/\s+/g, ' ').trim();
			if (action) scene.action.push(action);
		}
		paragraph = [];
	};

	for (let i = 0; i < lines.length; i++) {
		const raw = lines[i];
		const line = raw.trim();
		const prevBlank = i === 0 || !lines[i - 1].trim();
		if (!line) {
			flushAction();
			continue;
		}
		if (isPageFurniture(line, indented)) continue;
		// Sections (#) and synopses (=) outline the script; they are not shown or spoken.
		if (/^#/.test(line) || /^=(?!==)/.test(line)) {
			flushAction();
			continue;
		}

		const heading = readHeading(line, prevBlank);
		if (heading) {
			flushAction();
			scene = { ...heading, action: [], dialogue: [], narration: '' };
			scenes.push(scene);
			continue;
		}
		// Text before the first heading is front matter (title page, FADE IN:), not part of a scene.
		if (!scene) continue;
		if (isTransition(line) && (prevBlank || indentOf(raw) >= deep)) {
			flushAction();
			continue;
		}

		const next = lines[i + 1];
		const name = next !== undefined && next.trim() ? cueName(line) : null;
		const cueIndented = indented && indentOf(raw) >= deep;
		// Pasted screenplays mark speakers by indentation, so an upper-case action line ("THE DOOR SLAMS") stays action.
		if (name && (line.startsWith('@') || (indented ? cueIndented : prevBlank))) {
			flushAction();
			i = readSpeech(lines, i + 1, name, scene.dialogue, cueIndented ? deep : null);
			continue;
		}
		paragraph.push(actionText(line));
	}
	flushAction();
	return { title: title ?? (indented ? frontMatterTitle(lines) : null), scenes };
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
 * `minIndent` (pasted screenplays) ends the speech when the text drops back to the action margin.
 */
function readSpeech(lines: string[], start: number, speaker: string, dialogue: DialogueLine[], minIndent: number | null): number {
	let parenthetical: string | undefined;
	let words: string[] = [];
	let openParen: string[] | null = null;
	const flush = () => {
		const text = stripEmphasis(words.join(' ')).replace(/\s+/g, ' ').trim();
		if (text) dialogue.push(parenthetical ? { speaker, text, parenthetical } : { speaker, text });
		words = [];
		parenthetical = undefined;
	};

	let i = start;
	for (; i < lines.length; i++) {
		const raw = lines[i];
		const line = raw.trim();
		// Fountain keeps a speech going over a line of exactly two spaces.
		if (!line && raw !== '  ') break;
		if (!line) continue;
		if (minIndent !== null && indentOf(raw) < minIndent) break;
		if (isPageFurniture(line, minIndent !== null)) continue;
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
		const heading = MARKDOWN_HEADING.exec(line);
		const bold = BOLD_SCENE_LINE.exec(line);
		if ((heading && SCENE_WORD.test(heading[2])) || bold) {
			flush();
			const headingText = stripEmphasis(heading ? heading[2] : bold![2]).trim();
			scene = { heading: heading ? line : headingText, ...markdownSlug(headingText), action: [], dialogue: [], narration: '' };
			scenes.push(scene);
			continue;
		}
		if (heading) {
			flush();
			if (heading[1] === '#' && !title && !scene) title = cleanTitle(heading[2]);
			continue;
		}
		if (!scene) continue;
		if (/^([-*_])(\s*\1){2,}$/.test(line)) {
			flush();
			continue;
		}
		const body = stripEmphasis(line.replace(/^>\s?/, '').replace(/^[-*+]\s+/, '')).trim();
		const speech = readMarkdownSpeech(body);
		if (speech === 'empty') continue;
		if (speech && 'label' in speech) {
			paragraph.push(speech.text);
			lastSpeech = null;
			continue;
		}
		if (speech) {
			if (paragraph.length) flush();
			scene.dialogue.push(speech);
			lastSpeech = speech;
			continue;
		}
		if (lastSpeech) {
			// A line straight under a speech continues it.
			lastSpeech.text = `${lastSpeech.text} ${body}`.trim();
			continue;
		}
		paragraph.push(body);
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
	return parenthetical ? { speaker: name, text, parenthetical } : { speaker: name, text };
}

/** "ALICE", "Alice", "Dr. Smith", "COP #2", "מיכל" — not "Then it happened" or "10". */
function isSpeakerName(name: string): boolean {
	const parts = name.split(/\s+/);
	if (parts.length > 4 || !/^\p{L}/u.test(name) || /[.!?,;"“”]$/.test(name.replace(/(Mr|Mrs|Ms|Dr|Jr|Sr|St)\.$/i, ''))) return false;
	if (name === name.toUpperCase()) return true;
	return parts.every((part) => !/^\p{Ll}/u.test(part));
}

// ---------- Posts ----------

interface PostSentence {
	text: string;
	words: number;
	endsParagraph: boolean;
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
		const heading = MARKDOWN_HEADING.exec(first);
		const firstText = cleanTitle(heading ? heading[2] : first) ?? '';
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

	const units: PostSentence[] = [];
	const paragraphs = lines
		.map((line) => stripEmphasis(line.replace(/^#{1,6}\s+/, '').replace(/^>\s?/, '').replace(/^[-*+]\s+/, '')))
		.map((line) => line.replace(/\bhttps?:\/\/\S+/g, '').trim())
		.join('\n')
		.split(/\n{2,}/);
	for (const paragraph of paragraphs) {
		const parts = sentences(paragraph).flatMap((sentence) => chunkText(sentence, parseData.post.maxSentenceWords));
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
	const scenes = groups.map((group, index): DraftScene => ({
		heading: `Part ${index + 1}`,
		interior: null,
		location: '',
		timeOfDay: null,
		action: [],
		dialogue: [],
		narration: group.map((unit) => unit.text).join(' '),
	}));
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
			const cost = Math.abs(cumulative[j] - ideal) - (units[j].endsParagraph ? perGroup * 0.25 : 0);
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

function buildPlan(
	drafts: DraftScene[],
	meta: { title: string; format: ScriptFormat; targetDuration: number | null; rule: TimingRule },
): Plan {
	// Characters in order of their first line, so voices assigned by position stay stable.
	const characterByKey = new Map<string, Character>();
	for (const draft of drafts) {
		for (const line of draft.dialogue) {
			const key = line.speaker.toUpperCase();
			const known = characterByKey.get(key);
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
		};
		scene.visualDescription =
			meta.format === 'post'
				? capitalise(firstSentences(scene.narration, parseData.visualDescriptionWords))
				: visualFromAction(scene);
		scene.duration = sceneDuration(scene, meta.rule);
		return scene;
	});

	for (const character of characters) character.description = introduction(character.name, scenes);

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

/** The sentence of the action that first names the character in capitals, as screenplays introduce people. */
function introduction(name: string, scenes: Scene[]): string {
	const capitals = name.toUpperCase();
	for (const scene of scenes) {
		if (!scene.action.includes(capitals)) continue;
		for (const sentence of sentences(scene.action)) {
			for (const match of sentence.matchAll(nameMatcher(capitals))) {
				if (match[0] === capitals) return firstSentences(sentence, parseData.characterDescriptionWords);
			}
		}
	}
	return '';
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
