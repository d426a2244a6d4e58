/** Small text helpers shared by the parser, the critic and the refiner. */

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** Words are whitespace-separated tokens holding a letter or digit, so "—", "..." and emoji alone do not count. */
export function words(text: string): string[] {
	return text.split(/\s+/).filter((token) => LETTER_OR_DIGIT.test(token));
}

// One pass over the text: a run of non-space characters holding a letter or digit is a word.
const WORD = /[^\s\p{L}\p{N}]*[\p{L}\p{N}]\S*/gu;

export function countWords(text: string): number {
	let count = 0;
	WORD.lastIndex = 0;
	while (WORD.exec(text)) count++;
	return count;
}

export function hasWords(text: string): boolean {
	return LETTER_OR_DIGIT.test(text);
}

// Abbreviations whose period does not end a sentence ("MR. SMITH enters.").
const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'jr', 'sr', 'vs', 'prof', 'sgt', 'lt', 'capt', 'e.g', 'i.e', 'etc']);
const SENTENCE_END = /[.!?…؟。！？]+["'”’)\]]*\s+/gu;

/** Splits text into sentences at end punctuation followed by space; keeps the punctuation. */
export function sentences(text: string): string[] {
	const flat = text.replace(/\s+/g, ' ').trim();
	if (!flat) return [];
	const result: string[] = [];
	let start = 0;
	for (const match of flat.matchAll(SENTENCE_END)) {
		const end = match.index + match[0].length;
		const before = flat.slice(start, match.index);
		const lastWord = (before.split(' ').pop() ?? '').toLowerCase();
		if (match[0].startsWith('.') && ABBREVIATIONS.has(lastWord)) continue;
		result.push(flat.slice(start, end).trim());
		start = end;
	}
	if (start < flat.length) result.push(flat.slice(start).trim());
	return result.filter(hasWords);
}

/** The opening sentences of `text`, up to `maxWords` words (the first sentence is cut with "…" when longer). */
export function firstSentences(text: string, maxWords: number): string {
	const picked: string[] = [];
	let total = 0;
	for (const sentence of sentences(text)) {
		const count = countWords(sentence);
		if (picked.length === 0 && count > maxWords) {
			return sentence.split(' ').slice(0, maxWords).join(' ') + '…';
		}
		if (total + count > maxWords) break;
		picked.push(sentence);
		total += count;
	}
	return picked.join(' ');
}

/** Cuts text into pieces of at most `maxWords` words: at sentence ends first, then at commas, then anywhere. */
export function chunkText(text: string, maxWords: number): string[] {
	const limit = Math.max(1, Math.floor(maxWords));
	const pieces: string[] = [];
	let current: string[] = [];
	let currentWords = 0;
	const flush = () => {
		if (current.length) pieces.push(current.join(' '));
		current = [];
		currentWords = 0;
	};
	const units = sentences(text).flatMap((sentence) =>
		countWords(sentence) <= limit ? [sentence] : splitLongSentence(sentence, limit),
	);
	for (const unit of units) {
		const count = countWords(unit);
		if (currentWords + count > limit) flush();
		current.push(unit);
		currentWords += count;
	}
	flush();
	return pieces;
}

function splitLongSentence(sentence: string, limit: number): string[] {
	const clauses = sentence.split(/(?<=[,;:])\s+/);
	const result: string[] = [];
	for (const clause of clauses) {
		if (countWords(clause) <= limit) {
			result.push(clause);
			continue;
		}
		const tokens = clause.split(' ');
		let piece: string[] = [];
		let pieceWords = 0;
		for (const token of tokens) {
			const isWord = LETTER_OR_DIGIT.test(token);
			if (isWord && pieceWords === limit) {
				result.push(piece.join(' '));
				piece = [];
				pieceWords = 0;
			}
			piece.push(token);
			if (isWord) pieceWords++;
		}
		if (piece.length) result.push(piece.join(' '));
	}
	return result;
}

/**
 * Fountain emphasis (*italic*, **bold**, ***both***, _underline_) is markup, not words to say or show.
 * Escaped markers (\* and \_) stay as literal characters; other backslashes are left alone.
 */
export function stripEmphasis(text: string): string {
	return text
		.replace(/\\\*/g, '\uE001')
		.replace(/\\_/g, '\uE002')
		.replace(/\*{3}(?=\S)(.+?)(?<=\S)\*{3}/g, '$1')
		.replace(/\*{2}(?=\S)(.+?)(?<=\S)\*{2}/g, '$1')
		.replace(/\*(?=\S)(.+?)(?<=\S)\*/g, '$1')
		.replace(/(^|[^\p{L}\p{N}_])_(?=\S)(.+?)(?<=\S)_(?![\p{L}\p{N}_])/gu, '$1$2')
		.replace(/\uE001/g, '*')
		.replace(/\uE002/g, '_');
}

/** "ALICE'S APARTMENT - KITCHEN" → "Alice's Apartment - Kitchen"; mixed-case text is left as written. */
export function titleCase(text: string): string {
	if (text !== text.toUpperCase()) return text;
	return text.toLowerCase().replace(/(^|[\s\-/(])(\p{L})/gu, (_all, before: string, letter: string) => before + letter.toUpperCase());
}

/** "Alice", "Alice and Bob", "Alice, Bob and Carol". */
export function joinNames(names: string[]): string {
	if (names.length <= 1) return names.join('');
	return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** "scene 1", "scenes 1 and 3", "scenes 1, 2 and 4". */
export function sceneList(numbers: number[]): string {
	return numbers.length === 1 ? `scene ${numbers[0]}` : `scenes ${joinNames(numbers.map(String))}`;
}

export function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches `name` as a whole word (letters and digits around it break the match), case-insensitively. */
export function nameMatcher(name: string): RegExp {
	return new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, 'giu');
}

/** "24 s", "5.2 s" — tenths shown only when there are some. */
export function formatSeconds(value: number): string {
	const tenths = Math.round(value * 10) / 10;
	return `${Number.isInteger(tenths) ? tenths : tenths.toFixed(1)} s`;
}

/** Upper-cases the first letter: a piece cut mid-sentence ("so I did…") still reads as a prompt. */
export function capitalise(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}
