import { z } from 'zod/v4';
import brandFonts from '../../shared/data/brandFonts.json';
import { PRESET_NAMES } from '../../shared/presets';
import { BRAND_CLIP_RULE, brandClipSchema } from './brandClip';
import { mediaUrlProblem } from './mediaRef';
import { ownKeyProblem, STYLE_NAMES, TERMINAL_SCHEMES } from './request';

/**
 * A campaign's brand kit (issue 13 §1): what every run of the campaign looks like unless its request says otherwise.
 * Saved as versions (store/brandKits.ts); a run keeps the version it was queued with (runs.brand_version) and the
 * kit's render parts in its options (RunOptions.brand). Every part is optional: an empty kit changes nothing.
 */
export const BRAND_FONTS = Object.keys(brandFonts.list) as [string, ...string[]];
export const DEFAULT_BRAND_FONT = brandFonts.default;
export const LOGO_POSITIONS = ['topLeft', 'topRight', 'bottomLeft', 'bottomRight', 'center'] as const;
/** The logo's width as a share of the video width, and its opacity. */
export const LOGO_SIZE = { min: 0.03, max: 0.5, default: 0.15 } as const;
export const LOGO_OPACITY = { default: 0.8 } as const;

const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/);
const COLOUR_RULE = 'a colour as #rrggbb, e.g. "#0b1020"';

const PRESETS = PRESET_NAMES as unknown as [string, ...string[]];
const COLOURS = {
	background: 'the title card background (top of its gradient)',
	backgroundBottom: 'the bottom of the title card gradient (the background colour when left out)',
	heading: 'the title card heading',
	body: 'the title card text under the heading',
	accent: 'the rule between heading and text',
	subtitles: 'burned subtitles',
} as const;

export const BrandKitSchema = z
	.object({
		preset: z.enum(PRESETS).optional(),
		style: z.enum(STYLE_NAMES).optional(),
		terminalScheme: z.enum(TERMINAL_SCHEMES).optional(),
		loudnessTarget: z.number().min(-30).max(-5).optional(),
		colors: z
			.object(
				Object.fromEntries(Object.keys(COLOURS).map((name) => [name, colour.optional()])) as Record<
					keyof typeof COLOURS,
					z.ZodOptional<typeof colour>
				>,
			)
			.strict()
			.optional(),
		fonts: z
			.object({ heading: z.enum(BRAND_FONTS).optional(), body: z.enum(BRAND_FONTS).optional() })
			.strict()
			.optional(),
		logo: z
			.object({
				key: z.string().refine((key) => ownKeyProblem(key) === null),
				position: z.enum(LOGO_POSITIONS).default('bottomRight'),
				size: z.number().min(LOGO_SIZE.min).max(LOGO_SIZE.max).default(LOGO_SIZE.default),
				opacity: z.number().min(0).max(1).default(LOGO_OPACITY.default),
			})
			.strict()
			.nullable()
			.optional(),
		intro: brandClipSchema,
		outro: brandClipSchema,
	})
	.strict();

export type BrandKit = z.output<typeof BrandKitSchema>;

/** What each field must be, by its path (brand.<field>), for the 400 answer. */
const RULES: Record<string, string> = {
	preset: `one of ${PRESETS.join(', ')}: the export preset of runs that do not name one`,
	style: `one of ${STYLE_NAMES.join(', ')}: the look of runs that do not name one`,
	terminalScheme: `one of ${TERMINAL_SCHEMES.join(', ')}: the terminal style's colours for runs that do not name them`,
	loudnessTarget: 'a number of LUFS from -30 to -5',
	colors: `an object of colours: ${Object.keys(COLOURS).join(', ')}`,
	fonts: `an object with "heading" and/or "body", each one of ${BRAND_FONTS.join(', ')}`,
	'fonts.heading': `one of ${BRAND_FONTS.join(', ')}`,
	'fonts.body': `one of ${BRAND_FONTS.join(', ')}`,
	logo: 'an object {"key": "<object key of the logo>", "position", "size", "opacity"}, or null for no logo',
	'logo.key': 'the object key of a PNG or JPEG logo in the bucket (outside runs/), e.g. "brand/logo.png"; upload it in the dashboard',
	'logo.position': `one of ${LOGO_POSITIONS.join(', ')}`,
	'logo.size': `the logo's width as a share of the video width, from ${LOGO_SIZE.min} to ${LOGO_SIZE.max} (default ${LOGO_SIZE.default})`,
	'logo.opacity': `a number from 0 (invisible) to 1 (opaque), default ${LOGO_OPACITY.default}`,
	intro: `the clip played before the first scene: ${BRAND_CLIP_RULE}`,
	'intro.key': 'the object key of a video in the bucket (outside runs/), e.g. "brand/intro.mp4"; upload it in the dashboard',
	'intro.url': 'an https URL of a public host, e.g. "https://example.com/intro.mp4"',
	outro: `the clip played after the last scene: ${BRAND_CLIP_RULE}`,
	'outro.key': 'the object key of a video in the bucket (outside runs/), e.g. "brand/outro.mp4"; upload it in the dashboard',
	'outro.url': 'an https URL of a public host, e.g. "https://example.com/outro.mp4"',
};
for (const [name, what] of Object.entries(COLOURS)) RULES[`colors.${name}`] = `${COLOUR_RULE}: the colour of ${what}`;

export type BrandKitCheck = { ok: true; kit: BrandKit } | { ok: false; field: string; message: string };

/** Checks a kit; a problem names its field as brand.<path> (brand.colors.background) and says what it must be. */
export function checkBrandKit(value: unknown): BrandKitCheck {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		return {
			ok: false,
			field: 'brand',
			message: `The brand kit must be a JSON object with any of: ${Object.keys(BrandKitSchema.shape).join(', ')}.`,
		};
	}
	const result = BrandKitSchema.safeParse(value);
	if (result.success) return { ok: true, kit: result.data };
	const issue = result.error.issues[0];
	if (issue.code === 'unrecognized_keys') {
		const path = [...issue.path, issue.keys[0]].join('.');
		const known =
			issue.path.length === 0
				? Object.keys(BrandKitSchema.shape)
				: Object.keys(RULES)
						.filter((rule) => rule.startsWith(`${issue.path.join('.')}.`))
						.map((rule) => rule.split('.').pop());
		return {
			ok: false,
			field: `brand.${path}`,
			message: `"brand.${path}" is not a part of a brand kit. Remove it or check its spelling; it may have: ${known.join(', ')}.`,
		};
	}
	const path = issue.path.join('.');
	const got = issue.path.reduce<unknown>(
		(at, key) => (at && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key as PropertyKey] : undefined),
		value,
	);
	const keyProblem = /^(logo|intro|outro)\.key$/.test(path) ? ownKeyProblem(got) : /^(intro|outro)\.url$/.test(path) ? mediaUrlProblem(got) : null;
	return {
		ok: false,
		field: `brand.${path}`,
		message: `"brand.${path}" ${keyProblem ?? `must be ${RULES[path] ?? 'valid'}`} (got ${JSON.stringify(got)?.slice(0, 60) ?? 'nothing'}). Fix it or leave it out.`,
	};
}

/** The kit's render parts as a run carries them (options.brand): the stages read only these. */
export interface RunBrand {
	version: number;
	colors?: BrandKit['colors'];
	fonts?: BrandKit['fonts'];
	logo?: BrandKit['logo'];
}

/** The run-request fields a kit fills when the request leaves them out (a request's "intro": null turns the kit's off). */
export const KIT_REQUEST_FIELDS = ['preset', 'style', 'terminalScheme', 'loudnessTarget', 'intro', 'outro'] as const;

/** #rrggbb as ffmpeg writes colours (0xRRGGBB). */
export const ffmpegColour = (hex: string) => `0x${hex.slice(1).toLowerCase()}`;
