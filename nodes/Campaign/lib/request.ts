import { nulProblem, wellFormed } from '../../shared/storable';
import { callbackUrlProblem, publicUrlProblem } from '../../shared/publicUrl';
import { callbackSettings } from '../../shared/callbacks/settings';
import clipLimits from '../../shared/data/clipLimits.json';
import { sceneBudgetProblem } from '../../shared/screenplay/split';
import { z } from 'zod/v4';
import type { Plan } from '../../shared/plan';
import { PRESET_NAMES } from '../../shared/presets';
import { parseScript, ScriptError } from '../../shared/screenplay/parse';
import { voiceNameProblem } from '../../shared/voices';
import terminalLooks from '../../shared/data/terminalLooks.json';
import { DEFAULT_LANGUAGE, LANGUAGE_CODES, languageFontProblem, languageOf, languageProblem } from '../../shared/languages';
import type { RunBrand } from './brandKit';
import { BRAND_CLIP_MAX_SECONDS, brandClipOf, brandClipProblem, requestClipSchema, type BrandClip } from './brandClip';
import { mediaKeyProblem, mediaUrlProblem } from './mediaRef';
import { SCENE_MEDIA_RULE, SceneMediaSchema, sceneMediaOf, sceneMediaPlanProblem, sceneMediaProblem, type SceneMedia } from './sceneMedia';
import { readVoiceProfile, VoiceProfileSchema, type VoiceProfile } from '../../shared/voiceProfile';

/**
 * The webhook request (POST /webhook/reelsmith/runs), defined once: zod checks it and fills defaults,
 * FIELD_RULES says in plain words what each field must be, so every 400 names the field and how to fix it.
 */
export const SCRIPT_LIMIT_BYTES = 200 * 1024;
export const MAX_SCENES = 50;
export const DEFAULT_CAMPAIGN = 'Sample campaign';
/** Takes of one script a run may plan (each critiqued; the best, or the manager's pick, is made). */
export const MAX_VARIATIONS = 5;

const FORMATS = ['auto', 'fountain', 'screenplay', 'markdown', 'post'] as const;
const STYLES = ['titleCard', 'terminal'] as const;
/** The terminal style's looks (shared/data/terminalLooks.json). */
const SCHEMES = Object.keys(terminalLooks.schemes.list) as [string, ...string[]];
const CURSORS = Object.keys(terminalLooks.cursors.list) as [string, ...string[]];
const DEFAULT_SCHEME = terminalLooks.schemes.default;
const DEFAULT_CURSOR = terminalLooks.cursors.default;
const PROMPTS = Object.keys(terminalLooks.prompts.list) as [string, ...string[]];
const CHROMES = Object.keys(terminalLooks.chromes.list) as [string, ...string[]];
const EFFECTS = Object.keys(terminalLooks.effects.list) as [string, ...string[]];
const DEFAULT_PROMPT = terminalLooks.prompts.default;
const DEFAULT_CHROME = terminalLooks.chromes.default;
const SUBTITLES = ['attach', 'burn', 'none'] as const;
const TRANSITIONS = ['none', 'crossfade'] as const;
const NARRATE_ACTION = ['whenNoDialogue', 'always', 'never'] as const;
const PRESETS = PRESET_NAMES as unknown as [string, ...string[]];
export const PLANNERS = ['auto', 'claude', 'rules'] as const;
/** Fallback orders; 'auto' (alone) = every configured paid provider in this order, then the offline one. */
export const VIDEO_PROVIDERS = ['kling', 'runway', 'local'] as const;
export const SPEECH_PROVIDERS = ['elevenlabs', 'google', 'espeak'] as const;
export type VideoProvider = (typeof VIDEO_PROVIDERS)[number];
export type SpeechProvider = (typeof SPEECH_PROVIDERS)[number];
export const REFERENCE_FRAMES = ['none', 'storyboard'] as const;
/** Runway takes data URIs up to 5 MB; Kling base64 images up to 10 MB. */
export const REFERENCE_DATA_URI_LIMIT = 5 * 1024 * 1024;

const whole = (min: number, max: number) => z.number().int().min(min).max(max);
// zod 4's number() already refuses Infinity and NaN.
const between = (min: number, max: number) => z.number().min(min).max(max);
/** A fallback order: one name or a list of distinct names, or 'auto' alone. */
const order = <T extends string>(names: readonly T[]) =>
	z
		.preprocess(
			(value) => (typeof value === 'string' ? [value] : value),
			z
				.array(z.enum(['auto', ...names] as [string, ...string[]]))
				.min(1)
				.max(names.length)
				.refine((list) => new Set(list).size === list.length)
				.refine((list) => !list.includes('auto') || list.length === 1),
		)
		.default(['auto']) as unknown as z.ZodDefault<z.ZodType<Array<T | 'auto'>, unknown>>;
/**
 * A reference image: an https URL of a public host (Kling or Runway download it), or a PNG/JPEG/WebP data URI
 * (what Kling and Runway can both read).
 */
export function referenceProblem(value: unknown): string | null {
	if (typeof value !== 'string') return `must be a text (an https URL or a data URI), not ${value === null ? 'null' : typeof value}`;
	if (/^https:\/\/[^\s]+$/.test(value)) return value.length <= 2048 ? publicUrlProblem(value) : 'is a URL longer than 2048 characters';
	if (/^data:image\/(png|jpeg|webp);base64,[A-Za-z0-9+/]+=*$/.test(value)) {
		return value.length <= REFERENCE_DATA_URI_LIMIT ? null : `is a data URI of ${(value.length / 1024 / 1024).toFixed(1)} MB; the limit is 5 MB`;
	}
	return 'must be an https URL or a data URI such as data:image/png;base64,...';
}
const references = z
	.record(
		z.string().regex(/^[1-9]\d*$/),
		z.custom<string>((value) => referenceProblem(value) === null),
	)
	.default({});
/** Where to POST the run's events: https to a public host (http to this machine only with REELSMITH_CALLBACK_ALLOW_LOOPBACK). */
export function callbackProblem(value: unknown): string | null {
	if (typeof value !== 'string') return `must be a text (an https URL), not ${value === null ? 'null' : typeof value}`;
	return callbackUrlProblem(value, { allowLoopback: callbackSettings().allowLoopback });
}
export const CALLBACK_EVENTS = ['stage'] as const;

/** The music bed's level on its own in LUFS before ducking (FFmpeg → Mix Music; speech sits at about −14). */
export const MUSIC_VOLUME = { min: -40, max: 0, default: -20 } as const;
const MUSIC_FIELDS = ['url', 'key', 'volume', 'duck'];
const musicUrlProblem = mediaUrlProblem;
const musicKeyProblem = (value: unknown) => mediaKeyProblem(value, 'music');
/** An object key of the caller's own in the bucket (a brand kit's logo). */
export const ownKeyProblem = (value: unknown) => mediaKeyProblem(value, 'the file');
/**
 * Why a `music` value is not one, naming the part that is wrong (music.url, music.volume …); null when it is.
 * Null and absent mean "no music".
 */
export function musicProblem(value: unknown): { field: string; message: string } | null {
	const use = `Send ${'{"url": "https://…"}'} or ${'{"key": "<object key>"}'}, optionally with "volume" and "duck", or leave "music" out.`;
	if (value === undefined || value === null) return null;
	if (typeof value !== 'object' || Array.isArray(value)) {
		return { field: 'music', message: `"music" must be ${FIELD_RULES.music} (got ${show(value)}).` };
	}
	const music = value as Record<string, unknown>;
	const unknown = Object.keys(music).find((key) => !MUSIC_FIELDS.includes(key));
	if (unknown !== undefined) {
		return {
			field: `music.${unknown}`,
			message: `"music" has an unknown field "${unknown.slice(0, 40)}"; it may have ${MUSIC_FIELDS.join(', ')}. ${use}`,
		};
	}
	const hasUrl = music.url !== undefined && music.url !== null;
	const hasKey = music.key !== undefined && music.key !== null;
	if (hasUrl && hasKey) return { field: 'music', message: `"music" has both "url" and "key"; give one of them. ${use}` };
	if (!hasUrl && !hasKey) return { field: 'music', message: `"music" has neither "url" nor "key". ${use}` };
	const url = hasUrl ? musicUrlProblem(music.url) : null;
	if (url)
		return {
			field: 'music.url',
			message: `"music.url" ${url} (got ${show(music.url)}). Send an https URL of a public host, e.g. "https://example.com/bed.mp3".`,
		};
	const key = hasKey ? musicKeyProblem(music.key) : null;
	if (key)
		return {
			field: 'music.key',
			message: `"music.key" ${key} (got ${show(music.key)}). Send the key of an object in the run's bucket, e.g. "music/bed.mp3".`,
		};
	const volume = music.volume;
	if (
		volume !== undefined &&
		volume !== null &&
		!(typeof volume === 'number' && Number.isFinite(volume) && volume >= MUSIC_VOLUME.min && volume <= MUSIC_VOLUME.max)
	) {
		return {
			field: 'music.volume',
			message: `"music.volume" must be a number of dB from ${MUSIC_VOLUME.min} to ${MUSIC_VOLUME.max}: the music's loudness on its own before ducking (got ${show(volume)}). Leave it out for ${MUSIC_VOLUME.default}.`,
		};
	}
	if (music.duck !== undefined && music.duck !== null && typeof music.duck !== 'boolean') {
		return {
			field: 'music.duck',
			message: `"music.duck" must be true (lower the music while the narration speaks) or false (got ${show(music.duck)}).`,
		};
	}
	return null;
}
const music = z
	.object({
		url: z
			.string()
			.refine((url) => musicUrlProblem(url) === null)
			.optional(),
		key: z
			.string()
			.refine((key) => musicKeyProblem(key) === null)
			.optional(),
		volume: between(MUSIC_VOLUME.min, MUSIC_VOLUME.max).default(MUSIC_VOLUME.default),
		duck: z.boolean().default(true),
	})
	.strict()
	.refine((value) => (value.url === undefined) !== (value.key === undefined))
	.nullable()
	.default(null);
const dollars = z.number().min(0).max(100_000).nullable().default(null);

export const STYLE_NAMES = STYLES;
export const TERMINAL_SCHEMES = SCHEMES;

export const RequestSchema = z
	.object({
		script: z
			.string()
			.refine((s) => s.trim().length > 0)
			.refine((s) => Buffer.byteLength(s, 'utf8') <= SCRIPT_LIMIT_BYTES),
		format: z.enum(FORMATS).default('auto'),
		title: z.string().max(300).nullable().default(null),
		campaign: z.string().trim().min(1).max(200).default(DEFAULT_CAMPAIGN),
		priority: whole(-100, 100).default(0),
		preset: z.enum(PRESETS).default('youtube'),
		style: z.enum(STYLES).default('titleCard'),
		terminalScheme: z.enum(SCHEMES).default(DEFAULT_SCHEME),
		terminalCursor: z.enum(CURSORS).default(DEFAULT_CURSOR),
		terminalPrompt: z.enum(PROMPTS).default(DEFAULT_PROMPT),
		terminalChrome: z.enum(CHROMES).default(DEFAULT_CHROME),
		terminalEffects: z.array(z.enum(EFFECTS)).max(EFFECTS.length).default([]),
		iterations: whole(1, 5).default(3),
		variations: whole(1, MAX_VARIATIONS).default(1),
		threshold: between(0, 100).default(80),
		concurrency: whole(1, 8).default(3),
		validationAttempts: whole(0, 5).default(2),
		targetDuration: between(5, 600).nullable().default(null),
		sceneCount: whole(1, 20).nullable().default(null),
		subtitles: z.enum(SUBTITLES).default('attach'),
		transition: z.enum(TRANSITIONS).default('none'),
		loudnessTarget: between(-30, -5).default(-14),
		narrateAction: z.enum(NARRATE_ACTION).default('whenNoDialogue'),
		language: z
			.string()
			.refine((tag) => languageProblem(tag) === null)
			.default(DEFAULT_LANGUAGE),
		voiceMap: z.record(z.string().min(1), z.string().min(1).max(100)).default({}),
		narrator: VoiceProfileSchema.optional(),
		planner: z.enum(PLANNERS).default('auto'),
		video: order(VIDEO_PROVIDERS),
		speech: order(SPEECH_PROVIDERS),
		budget: dollars,
		campaignBudget: dollars,
		approval: z.boolean().default(false),
		referenceFrames: z.enum(REFERENCE_FRAMES).default('none'),
		references,
		callbackUrl: z
			.custom<string>((value) => callbackProblem(value) === null)
			.nullable()
			.default(null),
		events: z.array(z.enum(CALLBACK_EVENTS)).max(CALLBACK_EVENTS.length).default([]),
		music,
		sceneMedia: SceneMediaSchema,
		intro: requestClipSchema,
		outro: requestClipSchema,
	})
	.strict();

export type RequestField = keyof z.input<typeof RequestSchema>;
export type ValidRequestBody = z.output<typeof RequestSchema>;

/** What each field must be, in the words used in the 400 answer. */
export const FIELD_RULES: Record<RequestField, string> = {
	script: 'the script text as a string (Fountain, screenplay, Markdown or a post)',
	format: `one of ${FORMATS.join(', ')}`,
	title: 'a string of at most 300 characters, or null',
	campaign: 'a campaign name of 1 to 200 characters (it is created when missing)',
	priority: 'a whole number from -100 to 100 (higher starts first)',
	preset: `one of ${PRESETS.join(', ')}`,
	style: `one of ${STYLES.join(', ')}`,
	terminalScheme: `one of ${SCHEMES.join(', ')}: the colours of the terminal style (${DEFAULT_SCHEME} when left out)`,
	terminalCursor: `one of ${CURSORS.join(', ')}: the cursor of the terminal style (${DEFAULT_CURSOR} when left out)`,
	terminalPrompt: `one of ${PROMPTS.join(', ')}: what starts each typed line of the terminal style (${DEFAULT_PROMPT} when left out)`,
	terminalChrome: `one of ${CHROMES.join(', ')}: the window around the terminal style's screen (${DEFAULT_CHROME} when left out)`,
	terminalEffects: `a list of ${EFFECTS.join(', ')} (each at most once): the terminal style's screen effects ([] when left out)`,
	iterations: 'a whole number from 1 to 5',
	variations: `a whole number from 1 to ${MAX_VARIATIONS}: how many different takes of the script to plan (the best-scored one is made, or the one picked on approval)`,
	threshold: 'a number from 0 to 100',
	concurrency: 'a whole number from 1 to 8',
	validationAttempts: 'a whole number from 0 to 5',
	targetDuration: 'a number of seconds from 5 to 600, or null',
	sceneCount: 'a whole number from 1 to 20, or null',
	subtitles: `one of ${SUBTITLES.join(', ')}`,
	transition: `one of ${TRANSITIONS.join(', ')}`,
	loudnessTarget: 'a number of LUFS from -30 to -5',
	narrateAction: `one of ${NARRATE_ACTION.join(', ')}`,
	language: `a BCP 47 language tag of one of ${LANGUAGE_CODES.join(', ')}, a region may follow (e.g. "de", "ja-JP", "pt-BR", "ar")`,
	voiceMap: 'an object mapping character names to voice names, e.g. {"ALICE": "en-us+f3"}',
	narrator:
		'the narrator\'s voice profile for narration and action lines, {"provider": "elevenlabs", "voice": "21m00Tcm4TlvDq8ikWAM", "settings": {"stability": 0.4}, "language": "en"} (provider, settings and language optional; settings need provider); left out = the campaign\'s narrator, else the provider\'s',
	planner: `one of ${PLANNERS.join(', ')} (auto = Claude when its API key is set, else the offline rules)`,
	video: `a fallback order of distinct video providers from ${VIDEO_PROVIDERS.join(', ')}, e.g. ["kling", "runway", "local"], or ["auto"]`,
	speech: `a fallback order of distinct speech providers from ${SPEECH_PROVIDERS.join(', ')}, e.g. ["elevenlabs", "espeak"], or ["auto"]`,
	budget: 'a number of US dollars from 0 up, the most this run may spend on paid providers, or null for no cap',
	campaignBudget: "a number of US dollars from 0 up, the most the campaign's runs may spend together, or null to keep its cap",
	approval: 'true to wait for someone to approve the storyboard before any paid generation, or false',
	referenceFrames: `one of ${REFERENCE_FRAMES.join(', ')} (storyboard = Kling and Runway animate a still of each scene drawn by the local renderer, so characters look the same in every clip)`,
	references:
		'an object mapping scene numbers to the image Kling or Runway should animate for that scene: an https URL or a PNG/JPEG/WebP data URI of at most 5 MB, e.g. {"2": "https://example.com/bob.png"}',
	callbackUrl: 'an https URL of your app that Reelsmith POSTs a signed event to when the run ends, e.g. "https://example.com/hooks/reelsmith"',
	events: 'a list of extra events to POST to callbackUrl: ["stage"] for one call per finished stage, or []',
	sceneMedia: SCENE_MEDIA_RULE,
	intro: `the clip played before the first scene instead of the brand kit's: {"key": "<object key of a video outside runs/>"} or {"url": "https://…"} (a public host), at most ${BRAND_CLIP_MAX_SECONDS} s; false for no intro; left out or null = the kit's`,
	outro: `the clip played after the last scene instead of the brand kit's: {"key": "<object key of a video outside runs/>"} or {"url": "https://…"} (a public host), at most ${BRAND_CLIP_MAX_SECONDS} s; false for no outro; left out or null = the kit's`,
	music: `background music for the run, ducked under the narration: {"url": "https://…"} (a public host; downloaded at assembly) or {"key": "<object key in the run's bucket>"}, with "volume" (its loudness on its own before ducking, ${MUSIC_VOLUME.min} to ${MUSIC_VOLUME.max} dB, default ${MUSIC_VOLUME.default}) and "duck" (default true), or null for none`,
};

/** What the run keeps from the request besides its options. */
export interface RunRequest {
	script: string;
	title: string | null;
	format: ValidRequestBody['format'];
	campaign: string;
	priority: number;
	sceneCount: number | null;
	targetDuration: number | null;
	/** Cap on this run's paid spend in USD (also runs.budget_usd); null = none. */
	budget: number | null;
	/** The campaign's cap this request set (also campaigns.budget_usd); null = unchanged. */
	campaignBudget: number | null;
	/** Where the run's events go (migration 008's triggers read it from runs.request); null = nobody is told. */
	callbackUrl: string | null;
	/** Extra events for callbackUrl: 'stage' = each finished stage. */
	events: Array<(typeof CALLBACK_EVENTS)[number]>;
}

/** What the run asked for, before Campaign → Choose Providers resolves 'auto' (see RunProviders). */
export interface ProviderRequest {
	planner: ValidRequestBody['planner'];
	video: Array<VideoProvider | 'auto'>;
	speech: Array<SpeechProvider | 'auto'>;
}

/** Explicit lists, resolved once per run (runs.options.providers); downstream nodes only read these. */
export interface RunProviders {
	planner: 'claude' | 'rules';
	video: VideoProvider[];
	speech: SpeechProvider[];
}

/** What every stage reads (the item contract's `options`). */
export interface RunOptions {
	preset: string;
	style: ValidRequestBody['style'];
	/** The terminal style's colour scheme and cursor; absent on runs accepted before them: read them as the defaults. */
	terminalScheme?: string;
	terminalCursor?: string;
	/** The terminal style's prompt, window chrome and effects; absent on runs accepted before them: read them as the defaults. */
	terminalPrompt?: string;
	terminalChrome?: string;
	terminalEffects?: string[];
	iterations: number;
	/** Takes to plan (1 = one plan, as before). Absent on runs accepted before variations: read it as 1. */
	variations?: number;
	threshold: number;
	concurrency: number;
	validationAttempts: number;
	loudnessTarget: number;
	subtitles: ValidRequestBody['subtitles'];
	transition: ValidRequestBody['transition'];
	targetDuration: number | null;
	narrateAction: ValidRequestBody['narrateAction'];
	/** BCP 47 (nodes/shared/languages.ts): the planner writes in it, voices speak it, fonts draw its script. */
	language: string;
	voiceMap: Record<string, string>;
	/** The narrator's profile: the request's, else the campaign's (queueRun); absent or null = the provider's narrator. */
	narrator?: VoiceProfile | null;
	planner: ProviderRequest['planner'];
	video: ProviderRequest['video'];
	speech: ProviderRequest['speech'];
	approval: boolean;
	/** 'storyboard': Kling/Runway animate a local still of each scene (image-to-video). */
	referenceFrames: (typeof REFERENCE_FRAMES)[number];
	/** Scene number → image to animate (https URL or data URI); wins over the storyboard still. */
	references: Record<string, string>;
	/** The music bed (FFmpeg → Mix Music at assembly); null or absent = none. */
	music?: RunMusic | null;
	/** The campaign's brand kit when the run was queued (title card colours and fonts, subtitle colour, logo); absent = none. */
	brand?: RunBrand | null;
	/**
	 * Played before the first and after the last scene (FFmpeg → Add Intro and Outro): the request's, else the brand
	 * kit's; null or absent = none.
	 */
	intro?: BrandClip | null;
	outro?: BrandClip | null;
	/** Scenes that use the caller's own clip instead of a generated one; absent or [] = none. */
	sceneMedia?: SceneMedia[];
	/** Set by Choose Providers; absent until then. */
	providers?: RunProviders;
}

/** A run's music: a URL to download or a stored key, its level and whether it ducks under the narration. */
export type RunMusic = ({ url: string } | { key: string }) & { volume: number; duck: boolean };

export type RequestCheck =
	/** `sent`: the fields the request gave (not null), so a brand kit fills only the others (actions/run/queue.ts). */
	| { ok: true; request: RunRequest; options: RunOptions; plan: Plan; sent: RequestField[] }
	| { ok: false; status: 400; field: string; message: string };

const reject = (field: string, message: string): RequestCheck => ({ ok: false, status: 400, field, message });

export function validateRunRequest(body: unknown): RequestCheck {
	const parsed = readBody(body);
	if ('field' in parsed) return reject(parsed.field, parsed.message);
	const input = parsed.value;

	const result = RequestSchema.safeParse(input);
	if (!result.success) {
		const issue = result.error.issues[0];
		if (issue.path[0] === 'music') {
			const problem = musicProblem(input.music) ?? { field: 'music', message: `"music" must be ${FIELD_RULES.music}.` };
			return reject(problem.field, problem.message);
		}
		if (issue.path[0] === 'narrator') {
			const read = readVoiceProfile(input.narrator, 'narrator');
			return 'field' in read ? reject(read.field, `${read.message} Fix "narrator" or leave it out.`) : reject('narrator', `"narrator" must be ${FIELD_RULES.narrator}.`);
		}
		if (issue.path[0] === 'sceneMedia') {
			const problem = sceneMediaProblem(input.sceneMedia) ?? { field: 'sceneMedia', message: `"sceneMedia" must be ${SCENE_MEDIA_RULE}.` };
			return reject(problem.field, problem.message);
		}
		if (issue.path[0] === 'intro' || issue.path[0] === 'outro') {
			const field = issue.path[0];
			const problem = brandClipProblem(input[field], field) ?? { field, message: `"${field}" must be ${FIELD_RULES[field]}.` };
			return reject(problem.field, problem.message);
		}
		if (issue.code === 'unrecognized_keys') {
			const field = issue.keys[0];
			return reject(field, `Unknown field "${field}". Remove it or check its spelling; a request may have: ${Object.keys(FIELD_RULES).join(', ')}.`);
		}
		const field = String(issue.path[0] ?? 'body') as RequestField;
		return reject(field, explain(field, input[field]));
	}

	const body_ = result.data;
	// A language whose script no installed font draws is refused now, not after the planning and the speech.
	const language = languageOf(body_.language);
	const noFont = languageFontProblem(language);
	if (noFont) return reject('language', `"language" is "${body_.language}": ${noFont}`);
	const badVoice = voiceMapShapeProblem(body_.voiceMap);
	if (badVoice) return reject(badVoice.field, badVoice.message);
	const narratorKey = Object.keys(body_.voiceMap).find((name) => name.trim().toUpperCase() === 'NARRATOR');
	if (body_.narrator && narratorKey) {
		return reject(
			`voiceMap.${narratorKey}`,
			`"voiceMap.${narratorKey}" and "narrator" both choose the narrator's voice; give "narrator" (it also carries settings) and leave ${narratorKey} out of "voiceMap".`,
		);
	}
	let plan: Plan;
	try {
		plan = parseScript(body_.script, {
			format: body_.format,
			title: body_.title ?? undefined,
			targetDuration: body_.targetDuration ?? undefined,
			sceneCount: body_.sceneCount ?? undefined,
		});
	} catch (error) {
		if (error instanceof ScriptError) return reject(error.field || 'script', error.message);
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- not node code: the router wraps it with the item index
		throw error;
	}
	const unknownScene = Object.keys(body_.references).find((number) => Number(number) > plan.scenes.length);
	if (unknownScene) {
		return reject(
			'references',
			`"references" has an image for scene ${unknownScene}, but the script has ${plan.scenes.length} scene${plan.scenes.length === 1 ? '' : 's'}. Use scene numbers from 1 to ${plan.scenes.length}.`,
		);
	}
	const sceneMedia = sceneMediaOf(body_.sceneMedia);
	const mediaScene = sceneMediaPlanProblem(sceneMedia, plan.scenes.length);
	if (mediaScene) return reject(mediaScene.field, mediaScene.message);
	// The limit holds after refinement too: a script whose dialogue alone needs more clips (of the planning
	// workflow's local clip length) than a run takes is refused now, before any work, as Parse would.
	const tooLong = sceneBudgetProblem(plan, { clipLimit: clipLimits.local, maxScenes: MAX_SCENES });
	if (tooLong) return reject('script', tooLong);

	if (body_.events.length > 0 && !body_.callbackUrl) {
		return reject(
			'events',
			`"events" asks for ${body_.events.join(', ')} callbacks, but there is no "callbackUrl" to send them to. Add "callbackUrl" or leave "events" out.`,
		);
	}

	const { script, title, format, campaign, priority, sceneCount, targetDuration, budget, campaignBudget, callbackUrl, events, ...rest } = body_;
	return {
		ok: true,
		request: { script, title, format, campaign, priority, sceneCount, targetDuration, budget, campaignBudget, callbackUrl, events },
		options: {
			preset: rest.preset,
			style: rest.style,
			terminalScheme: rest.terminalScheme,
			terminalCursor: rest.terminalCursor,
			terminalPrompt: rest.terminalPrompt,
			terminalChrome: rest.terminalChrome,
			terminalEffects: [...new Set(rest.terminalEffects)],
			iterations: rest.iterations,
			variations: rest.variations,
			threshold: rest.threshold,
			concurrency: rest.concurrency,
			validationAttempts: rest.validationAttempts,
			loudnessTarget: rest.loudnessTarget,
			subtitles: rest.subtitles,
			transition: rest.transition,
			targetDuration,
			narrateAction: rest.narrateAction,
			language: language.tag,
			voiceMap: rest.voiceMap,
			...(rest.narrator ? { narrator: (readVoiceProfile(rest.narrator, 'narrator') as { profile: VoiceProfile }).profile } : {}),
			planner: rest.planner,
			video: rest.video,
			speech: rest.speech,
			approval: rest.approval,
			referenceFrames: rest.referenceFrames,
			references: rest.references,
			music: musicOf(rest.music),
			sceneMedia,
			intro: brandClipOf(rest.intro),
			outro: brandClipOf(rest.outro),
		},
		plan,
		sent: Object.keys(input) as RequestField[],
	};
}

/** The checked music as the run keeps it: url or key, never both. */
function musicOf(value: ValidRequestBody['music']): RunMusic | null {
	if (!value) return null;
	const { volume, duck } = value;
	return value.url !== undefined ? { url: value.url, volume, duck } : { key: value.key!.trim(), volume, duck };
}

/** The body as an object: n8n's Webhook gives an object, a raw body arrives as a string or Buffer. */
function readBody(body: unknown): { value: Record<string, unknown> } | { field: string; message: string } {
	const example = 'Send a JSON object with at least a "script" field, e.g. {"script": "INT. KITCHEN - NIGHT\\n..."}.';
	let value = Buffer.isBuffer(body) ? body.toString('utf8') : body;
	if (typeof value === 'string') {
		if (value.trim() === '') return { field: 'body', message: `The request body is empty. ${example}` };
		try {
			value = JSON.parse(value, keepOversizedNumbers);
		} catch (error) {
			if (error instanceof RangeError) {
				return {
					field: 'body',
					message: `The request body is nested too deeply to read. Every field of a run request is at most two levels deep. ${example}`,
				};
			}
			return { field: 'body', message: `The request body is not valid JSON (${(error as Error).message}). ${example}` };
		}
	}
	if (value === undefined || value === null) return { field: 'body', message: `The request has no body. ${example}` };
	if (typeof value !== 'object' || Array.isArray(value)) {
		return { field: 'body', message: `The request body must be a JSON object, not ${Array.isArray(value) ? 'an array' : typeof value}. ${example}` };
	}
	const nul = nulProblem(value as Record<string, unknown>);
	if (nul) return nul;
	// null means "use the default" for every optional field, so clients may send every key.
	const entries = Object.entries(wellFormed(value as Record<string, unknown>)).filter(([key, v]) => v !== null || key === 'script');
	return { value: Object.fromEntries(entries) };
}

function explain(field: RequestField, value: unknown): string {
	if (field === 'script') {
		if (value === undefined || value === null) {
			return `"script" is required: send ${FIELD_RULES.script}.`;
		}
		if (typeof value !== 'string') return `"script" must be ${FIELD_RULES.script}, not ${typeof value}.`;
		if (value.trim() === '') return `"script" is empty. Send ${FIELD_RULES.script}.`;
		const bytes = Buffer.byteLength(value, 'utf8');
		return `"script" is ${(bytes / 1024).toFixed(1)} KB (${bytes} bytes); the limit is 200 KB (${SCRIPT_LIMIT_BYTES} bytes). Shorten the script or split it into several runs.`;
	}
	if (field === 'references' && value && typeof value === 'object' && !Array.isArray(value)) {
		for (const [number, image] of Object.entries(value)) {
			if (!/^[1-9]\d*$/.test(number)) {
				return `"references" keys must be scene numbers such as "1" (got "${number.slice(0, 40)}"). Fix "references" or leave it out.`;
			}
			const problem = referenceProblem(image);
			if (problem) return `"references" for scene ${number} ${problem} (got ${show(image)}). Fix "references" or leave it out.`;
		}
	}
	if (field === 'callbackUrl') {
		return `"callbackUrl" ${callbackProblem(value) ?? 'is not valid'} (got ${show(value)}). Send ${FIELD_RULES.callbackUrl}, or leave it out.`;
	}
	return `"${field}" must be ${FIELD_RULES[field] ?? 'valid'} (got ${show(value)}). Fix "${field}" in the request or leave it out to use the default.`;
}

/**
 * A number written in the body that a double cannot hold (1e400 parses to Infinity, which JSON.stringify would
 * show as null). Kept as what was sent, so the 400 quotes it; Node 24 hands the reviver the source text.
 */
class OversizedNumber {
	constructor(readonly source: string | undefined) {}
}

function keepOversizedNumbers(_key: string, value: unknown, context?: { source?: string }): unknown {
	return typeof value === 'number' && !Number.isFinite(value) ? new OversizedNumber(context?.source) : value;
}

/**
 * A voiceMap value that no provider could speak with ("--help", "-v", "../../etc/passwd"), as a 400 naming
 * voiceMap.<character>. Whether the run's first speech provider has the voice is checked when the run is accepted
 * (lib/voices.ts), with that provider's voice list.
 */
function voiceMapShapeProblem(voiceMap: Record<string, string>): { field: string; message: string } | null {
	for (const [character, voice] of Object.entries(voiceMap)) {
		const problem = voiceNameProblem(voice);
		if (!problem) continue;
		const field = `voiceMap.${character}`;
		return {
			field,
			message: `"${field}" is ${show(voice)}, which is not a voice: ${problem}. Send a voice such as "en-us+f3" (espeak-ng), "21m00Tcm4TlvDq8ikWAM" (ElevenLabs) or "en-US-Neural2-F" (Google), or leave ${character} out of "voiceMap".`,
		};
	}
	return null;
}

function show(value: unknown): string {
	if (value instanceof OversizedNumber || (typeof value === 'number' && !Number.isFinite(value))) {
		const source = value instanceof OversizedNumber ? value.source : undefined;
		return `${source ? `${source.slice(0, 40)}, ` : ''}a number too large to use: beyond ±1.8e308`;
	}
	const text = JSON.stringify(value) ?? String(value);
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
