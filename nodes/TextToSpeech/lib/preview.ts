import { createHash } from 'node:crypto';
import { z } from 'zod/v4';

/** The longest line a preview speaks: enough to judge a voice, little enough to cost cents. */
export const PREVIEW_MAX_CHARACTERS = 300;

/** The settings a preview takes per provider, with their ranges (what the provider's request can carry). */
export const PREVIEW_SETTINGS: Record<string, Record<string, { min: number; max: number; what: string }>> = {
	espeak: {
		rate: { min: 80, max: 450, what: 'words per minute' },
		pitch: { min: 0, max: 99, what: 'pitch, 50 = normal' },
	},
	elevenlabs: {
		rate: { min: 80, max: 450, what: 'words per minute (ElevenLabs speed 0.7–1.2)' },
		stability: { min: 0, max: 1, what: 'stability' },
		similarity: { min: 0, max: 1, what: 'similarity boost' },
		style: { min: 0, max: 1, what: 'style exaggeration' },
	},
	google: {
		rate: { min: 80, max: 450, what: 'words per minute (Google speakingRate)' },
	},
};

export type PreviewSettings = Record<string, number>;

/** The settings as given, checked against the provider's list; a message naming the field otherwise. */
export function previewSettings(provider: string, value: unknown): { settings: PreviewSettings } | { field: string; message: string } {
	if (value === undefined || value === null || value === '') return { settings: {} };
	if (typeof value !== 'object' || Array.isArray(value)) return { field: 'settings', message: '"settings" must be an object, e.g. {"rate": 160}.' };
	const allowed = PREVIEW_SETTINGS[provider] ?? {};
	const settings: PreviewSettings = {};
	for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
		const range = allowed[name];
		if (!range) {
			const names = Object.keys(allowed).join(', ');
			return { field: `settings.${name}`, message: `"settings.${name}" is not a setting of ${provider}; it takes ${names}.` };
		}
		const number = typeof raw === 'number' ? raw : Number.NaN;
		if (!Number.isFinite(number) || number < range.min || number > range.max) {
			return { field: `settings.${name}`, message: `"settings.${name}" (${range.what}) must be a number from ${range.min} to ${range.max}.` };
		}
		settings[name] = number;
	}
	return { settings };
}

/**
 * The cache key of a preview: the same provider, model, voice, settings and text give the same audio, so they give
 * the same key (settings in name order, so their order in the request does not matter).
 */
export function previewHash(parts: { provider: string; model?: string | null; voice: string; settings: PreviewSettings; text: string }): string {
	const settings = Object.fromEntries(Object.entries(parts.settings).sort(([a], [b]) => a.localeCompare(b)));
	const canonical = JSON.stringify([parts.provider, parts.model ?? '', parts.voice, settings, parts.text]);
	return createHash('sha256').update(canonical, 'utf8').digest('hex').slice(0, 40);
}

/**
 * The voice webhooks' bodies (workflows/voice-list.json, voice-preview.json) as the dashboard checks them and the API
 * document shows them; the Text to Speech node checks the same rules itself for other callers.
 */
export const VoiceListRequestSchema = z.object({
	provider: z
		.enum(['espeak', 'elevenlabs', 'google'])
		.meta({ description: "Whose voices: espeak-ng's own list, the ElevenLabs account's, Google's." }),
	language: z
		.string()
		.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'a BCP 47 tag such as en, en-US or de')
		.optional()
		.meta({ description: 'Only voices of this language (BCP 47; "en" finds en-US and en-GB voices too).' }),
	q: z.string().max(100).optional().meta({ description: 'Only voices whose name, id or language contains this text.' }),
});

export const VoicePreviewRequestSchema = z
	.object({
		provider: z.enum(['espeak', 'elevenlabs', 'google']),
		voice: z
			.string()
			.regex(/^[A-Za-z0-9][A-Za-z0-9_+-]{0,99}$/, 'a voice id from the voice list, e.g. en-us+f3')
			.meta({ description: 'A voice id from GET /api/voices (espeak-ng: a language, optionally "+variant").' }),
		text: z
			.string()
			.trim()
			.min(1, 'type the line to hear')
			.refine((text) => Array.from(text).length <= PREVIEW_MAX_CHARACTERS, `at most ${PREVIEW_MAX_CHARACTERS} characters`)
			.meta({ description: `The line to hear, at most ${PREVIEW_MAX_CHARACTERS} characters.` }),
		settings: z
			.record(z.string(), z.number())
			.optional()
			.meta({ description: 'espeak-ng {rate, pitch}; ElevenLabs {rate, stability, similarity, style}; Google {rate}. Rate in words per minute.' }),
	})
	.superRefine((request, context) => {
		const checked = previewSettings(request.provider, request.settings);
		if ('field' in checked) context.addIssue({ code: 'custom', path: checked.field.split('.'), message: checked.message });
	});

export const voiceChoiceSchema = z.object({
	provider: z.string(),
	id: z.string(),
	name: z.string(),
	languages: z.array(z.string()),
	gender: z.string().optional(),
});

export const voicePreviewSchema = z.object({
	provider: z.string(),
	voice: z.string(),
	bucket: z.string(),
	key: z.string().meta({ description: 'Object key of the WAV: voice-previews/<provider>/<hash>.wav.' }),
	contentType: z.string(),
	duration: z.number().meta({ description: 'Seconds.' }),
	characters: z.number().int(),
	cached: z.boolean().meta({ description: 'true = read from storage: the provider was not called and nothing was paid.' }),
	cost: z.object({ provider: z.string(), model: z.string().nullable(), units: z.number(), unit: z.string(), amountUsd: z.number() }),
});
