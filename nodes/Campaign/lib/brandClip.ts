import { z } from 'zod/v4';
import { BRAND_CLIP_MAX_SECONDS } from '../../shared/brandClips';
import { mediaKeyProblem, mediaUrlProblem } from './mediaRef';

/**
 * An intro or outro clip: {"key"} of an object of the caller's own (outside runs/) or {"url"} of a public host
 * (downloaded when a run is assembled, with the music's guard), one of them; null = none.
 */
export const brandClipObject = z
	.object({
		key: z
			.string()
			.refine((key) => mediaKeyProblem(key, 'the clip') === null)
			.optional(),
		url: z
			.string()
			.refine((url) => mediaUrlProblem(url) === null)
			.optional(),
	})
	.strict()
	.refine((clip) => (clip.key === undefined) !== (clip.url === undefined));
/** In a brand kit: a clip, or null / left out for none. */
export const brandClipSchema = brandClipObject.nullable().optional();
/** In a run request: a clip instead of the kit's, false for none (even when the kit has one), left out or null = the kit's. */
export const requestClipSchema = z.union([z.literal(false), brandClipObject]).optional();
export type BrandClip = { key: string } | { url: string };
export { BRAND_CLIP_MAX_SECONDS };
export const BRAND_CLIP_RULE = `{"key": "<object key of a video outside runs/>"} or {"url": "https://…"} (a public host), one of them, at most ${BRAND_CLIP_MAX_SECONDS} s long; or null for none`;

/** A checked intro/outro value as a clip, or null (none). */
export function brandClipOf(value: unknown): BrandClip | null {
	if (!value || typeof value !== 'object') return null;
	const { key, url } = value as { key?: unknown; url?: unknown };
	if (typeof key === 'string') return { key };
	if (typeof url === 'string') return { url };
	return null;
}

/** Why a request's "intro"/"outro" is not a clip, naming the part that is wrong (intro.key, intro.url); null when it is one. */
export function brandClipProblem(value: unknown, field: 'intro' | 'outro'): { field: string; message: string } | null {
	const use = `Send {"key": "<object key>"} or {"url": "https://…"}, false for no ${field}, or leave "${field}" out for the brand kit's.`;
	if (value === undefined || value === null || value === false) return null;
	if (typeof value !== 'object' || Array.isArray(value))
		return { field, message: `"${field}" must be ${BRAND_CLIP_RULE} (got ${show(value)}). ${use}` };
	const clip = value as Record<string, unknown>;
	const unknown = Object.keys(clip).find((name) => name !== 'key' && name !== 'url');
	if (unknown !== undefined)
		return { field: `${field}.${unknown.slice(0, 40)}`, message: `"${field}" has an unknown field "${unknown.slice(0, 40)}". ${use}` };
	if ((clip.key === undefined) === (clip.url === undefined)) return { field, message: `"${field}" needs one of "key" and "url". ${use}` };
	if (clip.key !== undefined) {
		const problem = mediaKeyProblem(clip.key, `the ${field}`);
		if (problem)
			return {
				field: `${field}.key`,
				message: `"${field}.key" ${problem} (got ${show(clip.key)}). Upload the video and send its key, e.g. "brand/${field}.mp4".`,
			};
	}
	if (clip.url !== undefined) {
		const problem = mediaUrlProblem(clip.url);
		if (problem)
			return {
				field: `${field}.url`,
				message: `"${field}.url" ${problem} (got ${show(clip.url)}). Send an https URL of a public host, e.g. "https://example.com/${field}.mp4".`,
			};
	}
	return null;
}

const show = (value: unknown) => JSON.stringify(value)?.slice(0, 60) ?? 'nothing';
