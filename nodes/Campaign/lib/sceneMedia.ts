import { z } from 'zod/v4';
import { mediaKeyProblem, mediaUrlProblem } from './mediaRef';

/**
 * `sceneMedia`: files of the caller's own that a scene uses instead of generating them. Checked here, once: the shape
 * when the request arrives (every 400 names the exact field, `sceneMedia[0].clip.url`), the scene numbers once the
 * plan exists (sceneMediaPlanProblem).
 */

/** A file of the caller's: a public https URL (downloaded when the scene is made) or an object key outside runs/. */
export type MediaSource = { url: string } | { key: string };

/** One scene's own media, as the run keeps it (runs.options.sceneMedia). */
export interface SceneMedia {
	/** The plan's scene number (1 = the script's first scene). */
	scene: number;
	/** The clip the scene shows instead of a generated one: trimmed or looped to the scene's length, fitted to the frame. */
	clip?: MediaSource;
	/**
	 * A picture the scene starts from instead of a generated one: Kling and Runway animate it (image-to-video, the
	 * still is the first frame); the local renderer moves slowly over it (Ken Burns). Not with `clip`.
	 */
	still?: MediaSource;
	/** The sound the scene has instead of speech: its length is the scene's; `text` is shown as subtitles over it. */
	voiceOver?: MediaSource & {
		text?: string;
		/** Its length in seconds, measured once by the Estimate step (the paid clip is sized by it); absent until then. */
		seconds?: number;
	};
}

const ENTRY_FIELDS = ['scene', 'clip', 'still', 'voiceOver'];
/** Subtitle text of a voice-over, at most (a scene's spoken text is far shorter). */
const VOICE_TEXT_LIMIT = 5000;
const SOURCE_FIELDS = ['url', 'key'];
/** As many entries as a run may have scenes (request.ts MAX_SCENES). */
const MAX_ENTRIES = 50;

export const SCENE_MEDIA_RULE =
	'a list of the scenes that use a clip, a still or a voice-over of your own instead of a generated one: [{"scene": 2, "clip": {"key": "<object key>"}, "voiceOver": {"url": "https://…", "text": "what it says"}}, {"scene": 3, "still": {"key": "<object key>"}}], each file by key (in the bucket, outside runs/; an upload of the run\'s campaign) or by URL (a public host; downloaded when the scene is made)';

export interface MediaProblem {
	field: string;
	message: string;
}

function show(value: unknown): string {
	const text = JSON.stringify(value) ?? String(value);
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const given = (value: unknown) => value !== undefined && value !== null;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const KEY_EXAMPLES: Record<string, string> = { 'the clip': 'clips/intro.mp4', 'the still': 'stills/opening.png', 'the voice-over': 'voice/two.wav' };

/** Why a `{url} | {key}` at `field` is not one; null when it is. */
function sourceProblem(value: unknown, field: string, what: string, extra: string[] = []): MediaProblem | null {
	const use = `Send {"key": "<object key>"} or {"url": "https://…"}${extra.length ? `, optionally with ${extra.map((name) => `"${name}"`).join(', ')}` : ''}.`;
	if (!isObject(value))
		return {
			field,
			message: `"${field}" must be ${what} as {"key": …} or {"url": …} (got ${show(value)}). ${use}`,
		};
	const unknown = Object.keys(value).find((key) => !SOURCE_FIELDS.includes(key) && !extra.includes(key));
	if (unknown !== undefined) {
		return {
			field: `${field}.${unknown}`,
			message: `"${field}" has an unknown field "${unknown.slice(0, 40)}"; it may have ${[...SOURCE_FIELDS, ...extra].join(', ')}. ${use}`,
		};
	}
	if (given(value.url) && given(value.key))
		return {
			field,
			message: `"${field}" has both "url" and "key"; give one of them. ${use}`,
		};
	if (!given(value.url) && !given(value.key)) return { field, message: `"${field}" has neither "url" nor "key". ${use}` };
	if (given(value.url)) {
		const problem = mediaUrlProblem(value.url);
		if (problem) {
			return {
				field: `${field}.url`,
				message: `"${field}.url" ${problem} (got ${show(value.url)}). Send an https URL of a public host, e.g. "https://example.com/clip.mp4".`,
			};
		}
		return null;
	}
	const problem = mediaKeyProblem(value.key, what);
	if (problem) {
		return {
			field: `${field}.key`,
			message: `"${field}.key" ${problem} (got ${show(value.key)}). Send the key of an object in the run's bucket, e.g. "${KEY_EXAMPLES[what] ?? 'clips/intro.mp4'}", or upload the file on the dashboard and use the key it answers.`,
		};
	}
	return null;
}

/** Why a `sceneMedia` value is not one, naming the exact part (sceneMedia[0].clip.url); null when it is. Null/absent = none. */
export function sceneMediaProblem(value: unknown): MediaProblem | null {
	if (!given(value)) return null;
	if (!Array.isArray(value))
		return {
			field: 'sceneMedia',
			message: `"sceneMedia" must be ${SCENE_MEDIA_RULE} (got ${show(value)}).`,
		};
	if (value.length > MAX_ENTRIES) {
		return {
			field: 'sceneMedia',
			message: `"sceneMedia" has ${value.length} entries; a run has at most ${MAX_ENTRIES} scenes. Give one entry per scene.`,
		};
	}
	const seen = new Map<number, number>();
	for (const [index, entry] of value.entries()) {
		const at = `sceneMedia[${index}]`;
		if (!isObject(entry))
			return {
				field: at,
				message: `"${at}" must be an object such as {"scene": 2, "clip": {"key": "clips/intro.mp4"}} (got ${show(entry)}).`,
			};
		const unknown = Object.keys(entry).find((key) => !ENTRY_FIELDS.includes(key));
		if (unknown !== undefined) {
			return {
				field: `${at}.${unknown}`,
				message: `"${at}" has an unknown field "${unknown.slice(0, 40)}"; it may have ${ENTRY_FIELDS.join(', ')}.`,
			};
		}
		if (!(typeof entry.scene === 'number' && Number.isInteger(entry.scene) && entry.scene >= 1)) {
			return {
				field: `${at}.scene`,
				message: `"${at}.scene" must be a scene number from 1 up: the script's scenes in order (got ${show(entry.scene)}).`,
			};
		}
		const earlier = seen.get(entry.scene);
		if (earlier !== undefined) {
			return {
				field: `${at}.scene`,
				message: `"${at}.scene" is ${entry.scene}, which sceneMedia[${earlier}] already gives media for. Give each scene one entry.`,
			};
		}
		seen.set(entry.scene, index);
		if (!given(entry.clip) && !given(entry.still) && !given(entry.voiceOver)) {
			return {
				field: at,
				message: `"${at}" has none of "clip", "still" and "voiceOver": give the scene's clip, still or voice-over as {"key": …} or {"url": …}.`,
			};
		}
		if (given(entry.clip) && given(entry.still)) {
			return {
				field: `${at}.still`,
				message: `"${at}" has both "clip" and "still"; a scene shows one of them. Keep the clip, or the still (animated by Kling or Runway, or a slow zoom with the local renderer).`,
			};
		}
		const clip = given(entry.clip) ? sourceProblem(entry.clip, `${at}.clip`, 'the clip') : null;
		if (clip) return clip;
		const still = given(entry.still) ? sourceProblem(entry.still, `${at}.still`, 'the still') : null;
		if (still) return still;
		const voice = given(entry.voiceOver) ? sourceProblem(entry.voiceOver, `${at}.voiceOver`, 'the voice-over', ['text']) : null;
		if (voice) return voice;
		const text = isObject(entry.voiceOver) ? entry.voiceOver.text : undefined;
		if (given(text) && !(typeof text === 'string' && text.trim() !== '' && text.length <= VOICE_TEXT_LIMIT)) {
			return {
				field: `${at}.voiceOver.text`,
				message: `"${at}.voiceOver.text" must be the words of the voice-over, 1 to ${VOICE_TEXT_LIMIT} characters, shown as subtitles over it (got ${show(text)}). Leave it out for no subtitles in that scene.`,
			};
		}
	}
	return null;
}

/** A scene number the plan does not have, as a 400 on that entry's `scene`; null when every entry has its scene. */
export function sceneMediaPlanProblem(media: SceneMedia[], sceneCount: number): MediaProblem | null {
	const index = media.findIndex((entry) => entry.scene > sceneCount);
	if (index < 0) return null;
	const at = `sceneMedia[${index}].scene`;
	return {
		field: at,
		message: `"${at}" is ${media[index].scene}, but the script has ${sceneCount} scene${sceneCount === 1 ? '' : 's'}. Use scene numbers from 1 to ${sceneCount}.`,
	};
}

/** The checked value as the run keeps it: trimmed keys, url or key, never both. Call after sceneMediaProblem. */
export function sceneMediaOf(value: unknown): SceneMedia[] {
	if (!Array.isArray(value)) return [];
	const source = (ref: { url?: string; key?: string }): MediaSource => (given(ref.url) ? { url: ref.url! } : { key: ref.key!.trim() });
	type Ref = { url?: string; key?: string };
	return value.map((entry: { scene: number; clip?: Ref; still?: Ref; voiceOver?: Ref & { text?: string } }) => ({
		scene: entry.scene,
		...(entry.clip ? { clip: source(entry.clip) } : {}),
		...(entry.still ? { still: source(entry.still) } : {}),
		...(entry.voiceOver
			? { voiceOver: { ...source(entry.voiceOver), ...(given(entry.voiceOver.text) ? { text: entry.voiceOver.text!.trim() } : {}) } }
			: {}),
	}));
}

/** The scenes of a run that have a voice-over of their own (they cost no speech). */
export function ownVoiceScenes(media: SceneMedia[] | undefined): Set<number> {
	return new Set((media ?? []).filter((entry) => entry.voiceOver).map((entry) => entry.scene));
}

/** Scene number → the measured length of its own voice-over (what sets the scene's length), for those measured. */
export function ownVoiceSeconds(media: SceneMedia[] | undefined): Map<number, number> {
	const lengths = new Map<number, number>();
	for (const entry of media ?? []) {
		const seconds = Number(entry.voiceOver?.seconds);
		if (Number.isFinite(seconds) && seconds > 0) lengths.set(entry.scene, seconds);
	}
	return lengths;
}

/** The scenes of a run that show a clip of their own (they cost no video). */
export function ownClipScenes(media: SceneMedia[] | undefined): Set<number> {
	return new Set((media ?? []).filter((entry) => entry.clip).map((entry) => entry.scene));
}

/** The scenes of a run that start from a still of their own (a paid provider animates it; the local renderer moves over it). */
export function ownStillScenes(media: SceneMedia[] | undefined): Set<number> {
	return new Set((media ?? []).filter((entry) => entry.still).map((entry) => entry.scene));
}

/** Every file a run's sceneMedia names by key, with the field that names it (sceneMedia[0].still.key). */
export function sceneMediaKeys(media: SceneMedia[] | undefined): Array<{ field: string; key: string }> {
	const keys: Array<{ field: string; key: string }> = [];
	for (const [index, entry] of (media ?? []).entries()) {
		for (const part of ['clip', 'still', 'voiceOver'] as const) {
			const source = entry[part];
			if (source && 'key' in source) keys.push({ field: `sceneMedia[${index}].${part}.key`, key: source.key });
		}
	}
	return keys;
}

/** The field's schema for zod and the API document; its 400s come from sceneMediaProblem, which names the exact part. */
export const SceneMediaSchema = z
	.array(
		z
			.object({
				scene: z.number().int().min(1),
				clip: z.union([z.object({ url: z.string() }).strict(), z.object({ key: z.string() }).strict()]).optional(),
				still: z.union([z.object({ url: z.string() }).strict(), z.object({ key: z.string() }).strict()]).optional(),
				voiceOver: z
					.union([
						z.object({ url: z.string(), text: z.string().optional() }).strict(),
						z.object({ key: z.string(), text: z.string().optional() }).strict(),
					])
					.optional(),
			})
			.strict(),
	)
	.max(MAX_ENTRIES)
	.refine((value) => sceneMediaProblem(value) === null)
	.default([]);
