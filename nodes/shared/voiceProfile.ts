/**
 * A voice profile: provider + voice + settings + language, as a run's `narrator`, a campaign's narrator and a cast
 * character's voice give it. Settings use one vocabulary per provider, the one voice previews take (so a line is
 * voiced as its preview sounded): espeak-ng {rate, pitch 0–99}, ElevenLabs {rate, stability, similarity, style},
 * Google {rate or speakingRate, pitch in semitones}.
 */
import { z } from 'zod/v4';
import { languageProblem } from './languages';
import { voiceNameProblem } from './voices';

export const PROFILE_PROVIDERS = ['espeak', 'elevenlabs', 'google'] as const;
export type ProfileProvider = (typeof PROFILE_PROVIDERS)[number];

/** The settings a preview or a profile takes per provider, with their ranges (what the provider's request can carry). */
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
		speakingRate: { min: 0.25, max: 4, what: 'Google speakingRate, 1 = normal' },
		pitch: { min: -20, max: 20, what: 'Google pitch in semitones, 0 = normal' },
	},
};

/** Settings that say the same thing two ways: a request gives one of them. */
const ONE_OF: Array<[string, string]> = [['rate', 'speakingRate']];

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
	for (const [a, b] of ONE_OF) {
		if (a in settings && b in settings) {
			return { field: `settings.${b}`, message: `"settings.${b}" and "settings.${a}" both set the speed; give one of them.` };
		}
	}
	return { settings };
}

export interface VoiceProfile {
	/** Absent = a voice of the run's first speech provider. */
	provider?: ProfileProvider;
	voice: string;
	settings?: PreviewSettings;
	/** BCP 47: the language the voice was chosen for. */
	language?: string;
}

/**
 * A profile as a request or a cast gives it, checked; every message names its field under `field` (e.g.
 * "narrator.settings.pitch"). Settings need a provider: their names and ranges are the provider's.
 */
export function readVoiceProfile(value: unknown, field: string): { profile: VoiceProfile } | { field: string; message: string } {
	const example = `e.g. {"provider": "elevenlabs", "voice": "21m00Tcm4TlvDq8ikWAM", "settings": {"stability": 0.4}}`;
	if (!value || typeof value !== 'object' || Array.isArray(value)) {
		return { field, message: `"${field}" must be a voice profile object, ${example}.` };
	}
	const { provider, voice, settings, language, ...rest } = value as Record<string, unknown>;
	const unknown = Object.keys(rest)[0];
	if (unknown)
		return {
			field: `${field}.${unknown}`,
			message: `"${field}.${unknown}" is not a field of a voice profile; it has provider, voice, settings, language.`,
		};
	if (provider !== undefined && !PROFILE_PROVIDERS.includes(provider as ProfileProvider)) {
		return {
			field: `${field}.provider`,
			message: `"${field}.provider" must be one of ${PROFILE_PROVIDERS.join(', ')}, or left out for the run's first speech provider.`,
		};
	}
	if (typeof voice !== 'string' || voiceNameProblem(voice) !== null) {
		return {
			field: `${field}.voice`,
			message: `"${field}.voice" must be a voice name such as "en-us+f3" (espeak-ng), "21m00Tcm4TlvDq8ikWAM" (ElevenLabs) or "en-US-Neural2-F" (Google).`,
		};
	}
	const profile: VoiceProfile = { voice, ...(provider ? { provider: provider as ProfileProvider } : {}) };
	if (settings !== undefined && settings !== null) {
		if (!provider)
			return {
				field: `${field}.settings`,
				message: `"${field}.settings" needs "${field}.provider": the settings' names and ranges are the provider's.`,
			};
		const checked = previewSettings(String(provider), settings);
		if ('field' in checked) return { field: `${field}.${checked.field}`, message: checked.message.replace(/"settings\./g, `"${field}.settings.`) };
		if (Object.keys(checked.settings).length) profile.settings = checked.settings;
	}
	if (language !== undefined && language !== null) {
		if (typeof language !== 'string' || languageProblem(language) !== null) {
			return { field: `${field}.language`, message: `"${field}.language" must be a BCP 47 language tag such as "en", "de" or "pt-BR".` };
		}
		profile.language = language;
	}
	return { profile };
}

/**
 * One line's settings: the node's Voice Settings for the provider, then the speaker's profile over them. A profile
 * that sets the speed one way (speakingRate) drops the other way (rate) of the node's, so they never clash.
 */
export function lineSettings(base: PreviewSettings, profile: PreviewSettings | undefined): PreviewSettings {
	if (!profile) return base;
	const merged = { ...base };
	for (const [a, b] of ONE_OF) {
		if (a in profile) delete merged[b];
		if (b in profile) delete merged[a];
	}
	return { ...merged, ...profile };
}

/** The run's narrator: the request's when it gave one, else the campaign's (stored with its cast), else none. */
export function narratorProfile(request: VoiceProfile | null | undefined, campaign: VoiceProfile | null | undefined): VoiceProfile | null {
	return request ?? campaign ?? null;
}

/** Up to `count` names of `known` closest to `wanted` (case-blind; a shared start or containment counts most). */
export function closeMatches(wanted: string, known: string[], count = 3): string[] {
	const want = wanted.toLowerCase();
	const scored = known.map((name) => {
		const have = name.toLowerCase();
		const distance = editDistance(want, have);
		const bonus = have.startsWith(want.slice(0, 2)) ? 1 : 0;
		return { name, score: have.includes(want) || want.includes(have) ? -1 : distance - bonus };
	});
	const limit = Math.max(2, Math.ceil(want.length / 2));
	return scored
		.filter((entry) => entry.score <= limit)
		.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
		.slice(0, count)
		.map((entry) => entry.name);
}

function editDistance(a: string, b: string): number {
	let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
	for (let i = 1; i <= a.length; i++) {
		const current = [i];
		for (let j = 1; j <= b.length; j++) {
			current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
		}
		previous = current;
	}
	return previous[b.length];
}

/** The profile as a request field (`narrator`) and a campaign's narrator: the shape for the API document; readVoiceProfile says what is wrong. */
export const VoiceProfileSchema = z
	.object({
		provider: z
			.enum(PROFILE_PROVIDERS)
			.optional()
			.meta({ description: "Whose voice: espeak, elevenlabs or google. Left out = a voice of the run's first speech provider." }),
		voice: z
			.string()
			.meta({ description: 'A voice id of the provider\'s list (GET /api/voices), e.g. "en-gb+m3", "21m00Tcm4TlvDq8ikWAM", "en-US-Neural2-F".' }),
		settings: z.record(z.string(), z.number()).optional().meta({
			description:
				'Needs provider. espeak-ng {rate, pitch 0–99}; ElevenLabs {rate, stability, similarity, style}; Google {rate or speakingRate 0.25–4, pitch in semitones −20 to 20}. Rate in words per minute.',
		}),
		language: z.string().optional().meta({ description: 'BCP 47: the language the voice was chosen for.' }),
	})
	.strict()
	.refine((value) => !('field' in readVoiceProfile(value, 'narrator')));

/** A stored voice (a cast's, with its provider always set) as a profile, dropping empty settings. */
export function voiceProfileOf(voice: { provider: ProfileProvider; voice: string; settings?: PreviewSettings; language?: string }): VoiceProfile {
	return {
		provider: voice.provider,
		voice: voice.voice,
		...(voice.settings && Object.keys(voice.settings).length ? { settings: voice.settings } : {}),
		...(voice.language ? { language: voice.language } : {}),
	};
}
