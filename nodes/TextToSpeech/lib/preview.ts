import { createHash } from 'node:crypto';
import { z } from 'zod/v4';
import type { INodeProperties } from 'n8n-workflow';
import type { SpeechRequest } from '../providers/types';
import { previewSettings, type PreviewSettings } from '../../shared/voiceProfile';

/** The longest line a preview speaks: enough to judge a voice, little enough to cost cents. */
export const PREVIEW_MAX_CHARACTERS = 300;

export { PREVIEW_SETTINGS, previewSettings, type PreviewSettings } from '../../shared/voiceProfile';

/**
 * The checked settings as a speech request carries them: rate and espeak-ng's pitch (0–99) on the request, the
 * provider's own (ElevenLabs stability…, Google speakingRate and pitch in semitones) in voiceSettings.
 */
export function requestSettings(provider: string, settings: PreviewSettings): Pick<SpeechRequest, 'rate' | 'pitch' | 'voiceSettings'> {
	const google = provider === 'google';
	return {
		rate: settings.rate,
		pitch: google ? undefined : settings.pitch,
		voiceSettings: {
			stability: settings.stability,
			similarity: settings.similarity,
			style: settings.style,
			speakingRate: settings.speakingRate,
			pitch: google ? settings.pitch : undefined,
		},
	};
}

/** Options → Voice Settings of Synthesize and Synthesize Scene. */
export const voiceSettingsOption: INodeProperties = {
	displayName: 'Voice Settings',
	name: 'voiceSettings',
	type: 'json',
	default: '{}',
	description:
		'Settings per provider, as a preview takes them, e.g. {"google": {"speakingRate": 1.1, "pitch": -2}, "elevenlabs": {"stability": 0.4}}. A provider without an entry speaks with its voices\' own settings.',
};

/**
 * The narration's Voice Settings option: settings per provider, e.g. {"google": {"speakingRate": 1.1, "pitch": -2}},
 * each checked as a preview's are, so a line is voiced as its preview sounded. Empty = the voices' own.
 */
export function voiceSettingsByProvider(
	value: unknown,
	providers: string[],
): { byProvider: Record<string, PreviewSettings> } | { field: string; message: string } {
	if (typeof value === 'string') {
		if (!value.trim()) return { byProvider: {} };
		try {
			value = JSON.parse(value);
		} catch {
			return { field: 'voiceSettings', message: '"Voice Settings" is not valid JSON. Use e.g. {"google": {"speakingRate": 1.1, "pitch": -2}}.' };
		}
	}
	if (value === undefined || value === null) return { byProvider: {} };
	if (typeof value !== 'object' || Array.isArray(value)) {
		return { field: 'voiceSettings', message: '"Voice Settings" must be an object by provider, e.g. {"google": {"speakingRate": 1.1, "pitch": -2}}.' };
	}
	const byProvider: Record<string, PreviewSettings> = {};
	for (const [provider, settings] of Object.entries(value as Record<string, unknown>)) {
		if (!providers.includes(provider)) {
			return { field: `voiceSettings.${provider}`, message: `"Voice Settings" names "${provider}", which is no speech provider; use ${providers.join(', ')}.` };
		}
		const checked = previewSettings(provider, settings);
		if ('field' in checked) return { field: `voiceSettings.${provider}`, message: `"Voice Settings" for ${provider}: ${checked.message}` };
		byProvider[provider] = checked.settings;
	}
	return { byProvider };
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
		campaign: z
			.string()
			.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "a campaign's id (a uuid)")
			.optional()
			.meta({
				description:
					"The campaign the preview is for: a paid preview's cost counts against its budget, and one that would pass it is refused (400 naming campaign). A cached preview costs nothing.",
			}),
		settings: z
			.record(z.string(), z.number())
			.optional()
			.meta({
				description:
					'espeak-ng {rate, pitch 0–99}; ElevenLabs {rate, stability, similarity, style}; Google {rate or speakingRate 0.25–4, pitch in semitones −20 to 20}. Rate in words per minute.',
			}),
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
