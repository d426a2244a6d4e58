/** Which writing system a line is in, for speaking it with a voice of that language (data/voices.json scriptVoices). */

export interface ScriptVoice {
	/** Unicode script name, as in \p{Script=…}. */
	script: string;
	voice: string;
	/** Letters of this script count for `withVoice` in a line that also has letters of `withScripts` (kanji beside kana). */
	withScripts?: string[];
	withVoice?: string;
}

const matchers = new Map<string, RegExp>();
const inScript = (script: string, char: string) => {
	let matcher = matchers.get(script);
	if (!matcher) {
		matcher = new RegExp(`\\p{Script=${script}}`, 'u');
		matchers.set(script, matcher);
	}
	return matcher.test(char);
};

/**
 * The voice of the script most of the line's letters are written in, or null when most are in a script the table does
 * not name (Latin, for one) or there is a tie: then the speaker's own voice reads it.
 */
export function voiceOfScript(text: string, table: ScriptVoice[]): string | null {
	const letters = new Map<string, number>();
	for (const char of text) {
		if (!/\p{L}/u.test(char)) continue;
		const entry = table.find((candidate) => inScript(candidate.script, char));
		const key = entry ? entry.script : '';
		letters.set(key, (letters.get(key) ?? 0) + 1);
	}
	const votes = new Map<string | null, number>();
	for (const [script, count] of letters) {
		const entry = table.find((candidate) => candidate.script === script);
		const beside = entry?.withScripts?.some((other) => letters.has(other));
		const voice = entry ? (beside && entry.withVoice ? entry.withVoice : entry.voice) : null;
		votes.set(voice, (votes.get(voice) ?? 0) + count);
	}
	let best: string | null = null;
	let most = votes.get(null) ?? 0;
	for (const [voice, count] of votes) {
		if (voice !== null && count > most) {
			best = voice;
			most = count;
		}
	}
	return best;
}
