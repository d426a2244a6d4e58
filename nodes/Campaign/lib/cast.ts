import { z } from 'zod/v4';
import type { Character, CharacterVoice, Plan, Scene, Setting } from '../../shared/plan';
import { castImagePrefix, isCastImageKey } from '../../shared/keys';
import { languageProblem } from '../../shared/languages';
import { speaksLanguage, voiceNameProblem } from '../../shared/voices';
import { PREVIEW_SETTINGS, previewSettings } from '../../shared/voiceProfile';

/**
 * A campaign's cast, defined once: the characters and settings (recurring places) that every run of the campaign is
 * matched against (applyCast), so a character looks and sounds the same in video 1 and video 40. The dashboard's
 * PUT /api/campaigns/:id/cast checks a body with validateCast; every 400 names the field ("characters.2.voice.voice").
 */
export const MAX_CAST_CHARACTERS = 100;
export const MAX_CAST_SETTINGS = 100;
export const MAX_ALIASES = 20;
/** Kling and Runway animate one image; a few let a manager keep alternatives in order (the first is used). */
export const MAX_CHARACTER_IMAGES = 4;
export const CAST_SPEECH_PROVIDERS = ['espeak', 'elevenlabs', 'google'] as const;

const name = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const description = z.string().trim().max(2000, 'must be at most 2000 characters').default('');
const aliases = z.array(name).max(MAX_ALIASES, `may have at most ${MAX_ALIASES} aliases`).default([]);
/** A key of an image uploaded to this campaign's cast (POST /api/campaigns/:id/cast/images). */
const imageKey = z.string().refine(isCastImageKey, {
	message: 'must be the key of an image uploaded to the cast (campaigns/<campaign id>/cast/<id>.png|jpg|webp); upload the image first',
});

export const CastVoiceSchema = z
	.object({
		provider: z.enum(CAST_SPEECH_PROVIDERS, {
			message: `must be one of ${CAST_SPEECH_PROVIDERS.join(', ')}`,
		}),
		voice: z.string().refine((voice) => voiceNameProblem(voice) === null, {
			message: 'must be a voice name such as "en-us+f3" (espeak-ng), "21m00Tcm4TlvDq8ikWAM" (ElevenLabs) or "en-US-Neural2-F" (Google)',
		}),
		// In the words of the provider's preview settings (nodes/shared/voiceProfile.ts), checked below.
		settings: z.record(z.string(), z.number()).optional(),
		language: z
			.string()
			.refine((tag) => languageProblem(tag) === null, {
				message: 'must be a BCP 47 language tag such as "en", "de" or "pt-BR"',
			})
			.optional(),
	})
	.strict()
	.superRefine((voice, context) => {
		const checked = previewSettings(voice.provider, voice.settings);
		if ('field' in checked) {
			const range = PREVIEW_SETTINGS[voice.provider]?.[checked.field.split('.')[1]];
			context.addIssue({
				code: 'custom',
				path: checked.field.split('.'),
				message: range
					? `(${range.what}) must be a number from ${range.min} to ${range.max}`
					: `is not a setting of ${voice.provider}; it takes ${Object.keys(PREVIEW_SETTINGS[voice.provider] ?? {}).join(', ')}`,
			});
		}
	});

export const CastCharacterSchema = z
	.object({
		name,
		aliases,
		description,
		images: z.array(imageKey).max(MAX_CHARACTER_IMAGES, `may have at most ${MAX_CHARACTER_IMAGES} images`).default([]),
		voice: CastVoiceSchema.nullable().default(null),
	})
	.strict();

export const CastSettingSchema = z
	.object({
		name,
		aliases,
		description,
		image: imageKey.nullable().default(null),
	})
	.strict();

export const CastSchema = z
	.object({
		characters: z.array(CastCharacterSchema).max(MAX_CAST_CHARACTERS, `may have at most ${MAX_CAST_CHARACTERS} characters`).default([]),
		settings: z.array(CastSettingSchema).max(MAX_CAST_SETTINGS, `may have at most ${MAX_CAST_SETTINGS} settings`).default([]),
		/** The campaign's narrator: every run of the campaign that sends no `narrator` of its own gets it (queueRun). */
		narrator: CastVoiceSchema.nullable().default(null),
	})
	.strict();

export type CastCharacter = z.output<typeof CastCharacterSchema>;
export type CastSetting = z.output<typeof CastSettingSchema>;
export type Cast = z.output<typeof CastSchema>;
export const EMPTY_CAST: Cast = { characters: [], settings: [], narrator: null };

export type CastCheck = { ok: true; cast: Cast } | { ok: false; field: string; message: string };

/**
 * The cast as the campaign keeps it, or the first problem as a 400 naming its field. Images must be this campaign's
 * (a key of another campaign's cast is refused), and no two characters (or settings) may answer to one name.
 */
export function validateCast(body: unknown, campaignId: string): CastCheck {
	const result = CastSchema.safeParse(body);
	if (!result.success) {
		const issue = result.error.issues[0];
		const field = issue.path.length ? issue.path.join('.') : 'body';
		if (issue.code === 'unrecognized_keys') {
			return {
				ok: false,
				field: issue.path.length ? `${field}.${issue.keys[0]}` : issue.keys[0],
				message: `"${issue.keys[0]}" is not a field of the cast here; remove it or check its spelling.`,
			};
		}
		const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
		return { ok: false, field, message: `"${field}" ${message}.` };
	}
	const cast = result.data;
	const prefix = castImagePrefix(campaignId);
	for (const [index, character] of cast.characters.entries()) {
		const other = character.images.findIndex((key) => !key.startsWith(prefix));
		if (other >= 0) {
			const field = `characters.${index}.images.${other}`;
			return {
				ok: false,
				field,
				message: `"${field}" is an image of another campaign; upload it to this campaign's cast.`,
			};
		}
	}
	for (const [index, setting] of cast.settings.entries()) {
		if (setting.image && !setting.image.startsWith(prefix)) {
			const field = `settings.${index}.image`;
			return {
				ok: false,
				field,
				message: `"${field}" is an image of another campaign; upload it to this campaign's cast.`,
			};
		}
	}
	for (const list of ['characters', 'settings'] as const) {
		const seen = new Map<string, string>();
		for (const [index, member] of cast[list].entries()) {
			for (const [which, written] of [member.name, ...member.aliases].entries()) {
				const key = castName(written);
				const field = which === 0 ? `${list}.${index}.name` : `${list}.${index}.aliases.${which - 1}`;
				const before = seen.get(key);
				if (before !== undefined && before !== `${index}`) {
					return {
						ok: false,
						field,
						message: `"${field}" is "${written}", which ${list}.${before} already answers to (names are matched without case or accents). Give each name to one ${list === 'characters' ? 'character' : 'setting'}.`,
					};
				}
				seen.set(key, `${index}`);
			}
		}
	}
	return { ok: true, cast };
}

/**
 * A name as runs are matched to the cast by: "Zoë (V.O.)", "ZOE", " zoe " are one name. Unicode NFKD, accents
 * (combining marks) dropped, lower case, a screenplay extension in brackets dropped, spaces collapsed.
 */
export function castName(written: string): string {
	return written
		.normalize('NFKD')
		.replace(/\p{M}/gu, '')
		.replace(/\s*\([^)]*\)\s*/g, ' ')
		.toLowerCase()
		.replace(/\s+/g, ' ')
		.trim();
}

/** What applying the cast changed, for the run's event and the run page's "Add to cast". */
export interface CastMatch {
	/** Plan character name → the cast character it was matched to. */
	characters: Array<{ name: string; cast: string }>;
	settings: Array<{ name: string; cast: string }>;
	/** The plan's characters the cast does not have (offScreen voices included: they may still get a voice). */
	newCharacters: string[];
	newSettings: string[];
	/** Matched characters whose cast voice was chosen for another language than the run's: they keep it (see castMessage). */
	otherLanguage?: Array<{ name: string; language: string }>;
}

function finder<T extends { name: string; aliases: string[] }>(members: T[]): (written: string) => T | undefined {
	const byName = new Map<string, T>();
	for (const member of members) for (const written of [member.name, ...member.aliases]) byName.set(castName(written), member);
	return (written) => byName.get(castName(written));
}

/**
 * The plan with the campaign's cast applied (pure; the plan is not changed): a matched character takes the cast's
 * description (when it has one) and voice, a matched setting the cast's description, and each scene's `references`
 * are the images of its matched characters (in the scene's order), then of its setting. Unmatched names keep what
 * the planner wrote. Scenes name a setting by `location`, or by the plan setting that lists the scene.
 */
export function applyCast(plan: Plan, cast: Cast, language?: string): { plan: Plan; match: CastMatch } {
	const findCharacter = finder(cast.characters);
	const findSetting = finder(cast.settings);
	const match: CastMatch = {
		characters: [],
		settings: [],
		newCharacters: [],
		newSettings: [],
	};

	const characters: Character[] = plan.characters.map((character) => {
		const member = findCharacter(character.name);
		if (!member) {
			match.newCharacters.push(character.name);
			return character;
		}
		match.characters.push({ name: character.name, cast: member.name });
		// A voice keeps who the character is; a language that differs is said in the run's events, not silently swapped.
		if (language && member.voice?.language && !speaksLanguage([member.voice.language], language)) {
			(match.otherLanguage ??= []).push({ name: character.name, language: member.voice.language });
		}
		const voice: CharacterVoice | undefined = member.voice
			? {
					provider: member.voice.provider,
					voice: member.voice.voice,
					...(member.voice.settings ? { settings: member.voice.settings } : {}),
					...(member.voice.language ? { language: member.voice.language } : {}),
				}
			: undefined;
		return {
			...character,
			description: member.description || character.description,
			cast: member.name,
			...(voice ? { voice } : {}),
		};
	});
	const settings: Setting[] = plan.settings.map((setting) => {
		const member = findSetting(setting.name);
		if (!member) {
			match.newSettings.push(setting.name);
			return setting;
		}
		match.settings.push({ name: setting.name, cast: member.name });
		return {
			...setting,
			description: member.description || setting.description,
			cast: member.name,
		};
	});

	const sceneSetting = (scene: Scene): CastSetting | undefined =>
		findSetting(scene.location) ??
		plan.settings
			.filter((setting) => setting.scenes.includes(scene.number))
			.map((setting) => findSetting(setting.name))
			.find(Boolean);
	const scenes: Scene[] = plan.scenes.map((scene) => {
		const images: string[] = [];
		for (const name of scene.characters) for (const key of findCharacter(name)?.images ?? []) if (!images.includes(key)) images.push(key);
		const place = sceneSetting(scene)?.image;
		if (place && !images.includes(place)) images.push(place);
		// References from an earlier match go: the cast applied now says which images the scene has.
		const rest: Scene = { ...scene };
		delete rest.references;
		return images.length ? { ...rest, references: images } : rest;
	});
	return { plan: { ...plan, characters, settings, scenes }, match };
}

/** One sentence for the run's event: what the cast gave the plan, and what it does not know yet. */
export function castMessage(version: number, match: CastMatch): string {
	const matched = [...match.characters, ...match.settings].map((member) => member.name);
	const text = matched.length
		? `Cast v${version} applied to ${matched.join(', ')}`
		: `Cast v${version} has none of the plan's characters or settings`;
	const sentence = match.newCharacters.length ? `${text}; not in the cast: ${match.newCharacters.join(', ')}.` : `${text}.`;
	if (!match.otherLanguage?.length) return sentence;
	const who = match.otherLanguage.map((entry) => `${entry.name} (${entry.language})`).join(', ');
	return `${sentence} Voices chosen for another language than the run's keep speaking as chosen: ${who}; give the cast a voice of the run's language, or send a voiceMap entry.`;
}
