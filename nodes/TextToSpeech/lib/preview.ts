import { createHash } from 'node:crypto';

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
