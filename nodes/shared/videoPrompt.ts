import type { ClipRequest } from './render/request';

/**
 * Scene text as one prompt: heading, what the camera shows, who is in it (each character's reusable description, the
 * same words in every clip, so a character looks alike across scenes), action, dialogue and the look. Cutting to the
 * provider's limit drops from the end, so the descriptions outlive the action text.
 */
export function scenePrompt(request: ClipRequest, styleHint: string | undefined): string {
	const scene = request.scene;
	const dialogue = (scene.dialogue ?? []).map((line) => `${line.speaker}: ${line.text}`).join(' ');
	const present = (request.characters ?? []).filter(
		(character) =>
			character.description?.trim() &&
			((character.scenes ?? []).includes(scene.number) || (scene.dialogue ?? []).some((line) => line.speaker === character.name)),
	);
	const cast = present.map((character) => `${character.name}: ${character.description.trim()}`).join('; ');
	return sentences([scene.heading, scene.visualDescription, cast, scene.action, dialogue, styleHint]);
}

/** A sentence already ends here: no period is added after it (a description ending "room." must not become "room.."). */
const ENDED = /[.!?…:;]$/;

/**
 * Parts joined as sentences: each trimmed, runs of spaces made one, empty parts dropped, and ". " between parts
 * unless a part already ends its sentence. The last part keeps its own ending.
 */
export function sentences(parts: Array<string | undefined>): string {
	const kept = parts.map((part) => String(part ?? '').replace(/\s+/g, ' ').trim()).filter(Boolean);
	return kept.map((part, index) => (index < kept.length - 1 && !ENDED.test(part) ? `${part}.` : part)).join(' ');
}

/** Cuts `text` to `limit` characters; returns the note to show when it did. */
export function cutPrompt(text: string, limit: number, provider: string): { text: string; note?: string } {
	if (text.length <= limit) return { text };
	return {
		text: `${text.slice(0, limit - 1)}…`,
		note: `The scene prompt was ${text.length} characters; ${provider} takes at most ${limit}, so it was cut to ${limit}. Shorten the scene's action to control what is kept.`,
	};
}

/**
 * The scene prompt within the provider's limit, with "Fix from the last check: …" at the end when the last clip of
 * the scene failed its frame check. The fix is kept whole (up to half the limit); the scene text is cut to make room.
 */
export function fitPrompt(request: ClipRequest, styleHint: string | undefined, limit: number, provider: string): { text: string; note?: string } {
	const base = request.promptRewrite?.trim() ? sentences([request.promptRewrite, styleHint]) : scenePrompt(request, styleHint);
	const reasons = (request.feedback ?? []).map((reason) => reason.trim().replace(/[.;]+$/, '')).filter(Boolean);
	if (!reasons.length) return cutPrompt(base, limit, provider);
	let fix = `Fix from the last check: ${reasons.join('; ')}.`;
	const half = Math.floor(limit / 2);
	if (fix.length > half) fix = `${fix.slice(0, half - 1)}…`;
	const room = limit - fix.length - 2;
	const scene = cutPrompt(base, room, provider);
	return { text: sentences([scene.text, fix]), note: scene.note };
}
