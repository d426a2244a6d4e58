import type { Scene } from '../../shared/plan';
import { drawableText, splitSentences } from '../../shared/text';

export type NarrateAction = 'whenNoDialogue' | 'always' | 'never';
export const NARRATE_ACTION_VALUES: NarrateAction[] = ['whenNoDialogue', 'always', 'never'];

/** Speaker name of everything read by the narrator voice (narration and action). */
export const NARRATOR = 'NARRATOR';

export interface LineToSpeak {
	speaker: string;
	text: string;
	kind: 'dialogue' | 'narration' | 'action';
	/** Said at the same time as the line before it (dual dialogue): the scene track mixes the two. */
	together?: boolean;
}

/** Text as it should be heard: no emoji or control characters, no markdown emphasis marks, one line. */
export function speakableText(text: unknown): string {
	return drawableText(String(text ?? ''))
		.replace(/[*_`~#]+/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
}

/**
 * What a scene says, in order: the action read by the narrator (when `narrateAction` asks for it), the scene's
 * narration (posts), then the dialogue lines. Action is read when 'always', or when 'whenNoDialogue' and the
 * scene has neither dialogue nor narration. Parentheticals are acting notes and are not spoken.
 * Prose is split into sentences so each becomes its own line (and subtitle cue).
 */
export function linesToSpeak(scene: Partial<Scene>, narrateAction: NarrateAction): LineToSpeak[] {
	const dialogue: LineToSpeak[] = (Array.isArray(scene.dialogue) ? scene.dialogue : [])
		.map((line) => ({
			speaker: String(line?.speaker ?? '').trim(),
			text: speakableText(line?.text),
			kind: 'dialogue' as const,
			...(line?.dual === true ? { together: true } : {}),
		}))
		.filter((line) => line.text && /[\p{L}\p{N}]/u.test(line.text))
		// A dual line with nothing before it to overlap is an ordinary line.
		.map((line, index) => (index === 0 && line.together ? { ...line, together: undefined } : line));
	const prose = (text: unknown, kind: 'narration' | 'action'): LineToSpeak[] =>
		splitSentences(speakableText(text))
			.filter((sentence) => /[\p{L}\p{N}]/u.test(sentence))
			.map((sentence) => ({ speaker: NARRATOR, text: sentence, kind }));
	const narration = prose(scene.narration, 'narration');
	const readAction = narrateAction === 'always' || (narrateAction === 'whenNoDialogue' && dialogue.length === 0 && narration.length === 0);
	const action = readAction ? prose(scene.action, 'action') : [];
	return [...action, ...narration, ...dialogue];
}
