import { z } from 'zod/v4';
import {
	PLAN_SCHEMA_VERSION,
	type Critique,
	type Plan,
	type PlanIssue,
	type PlanIssueCode,
	type ScriptFormat,
} from '../../shared/plan';
import { planProblems } from '../../shared/screenplay/validate';
import type { Tool, Validator } from '../../shared/transport/anthropic';

/**
 * What Claude is asked to return (tool input schemas) and how its answer is checked and completed into the shared
 * Plan / Critique shapes (nodes/shared/plan.ts). Numbering, character lines/scenes, setting scenes, totals and the
 * schema version are computed here, not trusted to the model.
 */
const interior = { type: ['string', 'null'], enum: ['INT', 'EXT', 'INT/EXT', null] };

const planProperties = {
	title: { type: 'string' },
	scenes: {
		type: 'array',
		minItems: 1,
		items: {
			type: 'object',
			properties: {
				heading: { type: 'string', description: 'Slug line, e.g. "INT. KITCHEN - NIGHT"' },
				interior,
				location: { type: 'string', description: 'Name of the setting, as in settings[].name' },
				timeOfDay: { type: ['string', 'null'] },
				action: { type: 'string' },
				visualDescription: { type: 'string', description: 'What the camera shows, concrete enough to render' },
				dialogue: {
					type: 'array',
					items: {
						type: 'object',
						properties: {
							speaker: { type: 'string' },
							text: { type: 'string' },
							parenthetical: { type: 'string' },
							dual: { type: 'boolean', description: 'Said at the same time as the line before it' },
							actionBefore: { type: 'integer', description: "How many of the scene's action paragraphs come before this line" },
						},
						required: ['speaker', 'text'],
					},
				},
				narration: { type: 'string' },
				characters: { type: 'array', items: { type: 'string' } },
				duration: { type: 'number', description: 'Seconds' },
			},
			required: ['heading', 'location', 'action', 'visualDescription', 'dialogue', 'narration', 'characters', 'duration'],
		},
	},
	characters: {
		type: 'array',
		items: {
			type: 'object',
			properties: { name: { type: 'string' }, description: { type: 'string' } },
			required: ['name', 'description'],
		},
	},
	settings: {
		type: 'array',
		items: {
			type: 'object',
			properties: { name: { type: 'string' }, interior, timeOfDay: { type: ['string', 'null'] }, description: { type: 'string' } },
			required: ['name', 'description'],
		},
	},
};

const planRequired = ['title', 'scenes', 'characters', 'settings'];

export const planTool: Tool = {
	name: 'submit_plan',
	description: 'Submit the scene plan',
	input_schema: { type: 'object', properties: planProperties, required: planRequired },
};

export const refineTool: Tool = {
	name: 'submit_revision',
	description: 'Submit the revised plan and the list of changes',
	input_schema: {
		type: 'object',
		properties: {
			plan: { type: 'object', properties: planProperties, required: planRequired },
			changes: { type: 'array', items: { type: 'string' } },
		},
		required: ['plan', 'changes'],
	},
};

const ISSUE_CODES: [PlanIssueCode, ...PlanIssueCode[]] = [
	'scene-missing-visual',
	'character-missing-description',
	'duration-off-target',
	'scene-over-clip-limit',
	'dialogue-over-scene-time',
	'missing-dialogue',
	'speech-in-action',
	'story-order',
	'note-in-visual',
	'visual-copies-text',
];

export const critiqueTool: Tool = {
	name: 'submit_critique',
	description: 'Submit the score and the issues',
	input_schema: {
		type: 'object',
		properties: {
			score: { type: 'integer', minimum: 0, maximum: 100 },
			issues: {
				type: 'array',
				items: {
					type: 'object',
					properties: {
						code: { type: 'string', enum: ISSUE_CODES },
						scene: { type: 'integer' },
						character: { type: 'string' },
						message: { type: 'string' },
						penalty: { type: 'number' },
					},
					required: ['code', 'message', 'penalty'],
				},
			},
		},
		required: ['score', 'issues'],
	},
};

const filled = z.string().trim().min(1, 'is empty');
const interiorSchema = z.enum(['INT', 'EXT', 'INT/EXT']).nullish();

const planSchema = z.object({
	title: z.string().optional(),
	scenes: z
		.array(
			z.object({
				heading: z.string().default(''),
				interior: interiorSchema,
				location: z.string().default(''),
				timeOfDay: z.string().nullish(),
				action: z.string().default(''),
				visualDescription: filled,
				dialogue: z
					.array(
						z.object({
							speaker: filled,
							text: z.string(),
							parenthetical: z.string().optional(),
							dual: z.boolean().optional(),
							actionBefore: z.number().int().min(0).optional(),
						}),
					)
					.default([]),
				narration: z.string().default(''),
				characters: z.array(z.string()).default([]),
				duration: z.number().positive('must be more than 0 seconds'),
			}),
		)
		.min(1, 'has no scene'),
	characters: z.array(z.object({ name: filled, description: filled })).default([]),
	settings: z
		.array(z.object({ name: filled, interior: interiorSchema, timeOfDay: z.string().nullish(), description: filled }))
		.default([]),
});

/**
 * zod 4 words a missing field as "Invalid input: expected string, received undefined"; the problems sent back to
 * Claude (and shown when the repair fails too) say "is missing". Messages given in the schema win over this one.
 */
export const PARSE_OPTIONS = { error: (issue: z.core.$ZodRawIssue) => (issue.input === undefined ? 'is missing' : undefined) };

function zodProblems(error: z.ZodError): string[] {
	return error.issues.map((issue) => {
		const path = issue.path
			.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`))
			.join('');
		return `${path || 'the input'} ${issue.message}`;
	});
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
const round = (seconds: number) => Math.round(seconds * 10) / 10;

export interface PlanContext {
	format: ScriptFormat;
	targetDuration: number | null;
	title: string;
}

/** A validator for a plan answer, completing it into the shared Plan. */
export function planValidator(context: PlanContext): Validator<Plan> {
	return (input) => {
		const parsed = planSchema.safeParse(input, PARSE_OPTIONS);
		if (!parsed.success) return { problems: zodProblems(parsed.error) };
		const raw = parsed.data;
		const problems: string[] = [];
		const named = new Set<string>();
		raw.scenes.forEach((scene) => {
			for (const name of scene.characters) named.add(name.trim());
			for (const line of scene.dialogue) if (!same(line.speaker, 'NARRATOR')) named.add(line.speaker.trim());
		});
		for (const name of named) {
			if (!raw.characters.some((character) => same(character.name, name))) {
				problems.push(`characters has no entry (with a description) for "${name}"`);
			}
		}
		raw.scenes.forEach((scene, index) => {
			if (scene.location && !raw.settings.some((setting) => same(setting.name, scene.location))) {
				problems.push(`settings has no entry (with a description) for "${scene.location}", the location of scenes[${index}]`);
			}
		});
		if (problems.length) return { problems };

		const scenes = raw.scenes.map((scene, index) => ({
			number: index + 1,
			heading: scene.heading,
			interior: scene.interior ?? null,
			location: scene.location,
			timeOfDay: scene.timeOfDay ?? null,
			action: scene.action,
			visualDescription: scene.visualDescription.trim(),
			dialogue: scene.dialogue.map((line) => ({
				speaker: line.speaker,
				text: line.text,
				...(line.parenthetical ? { parenthetical: line.parenthetical } : {}),
				...(line.dual ? { dual: true } : {}),
				...(line.actionBefore !== undefined ? { actionBefore: line.actionBefore } : {}),
			})),
			narration: scene.narration,
			characters: scene.characters,
			duration: round(scene.duration),
		}));
		const plan: Plan = {
			schemaVersion: PLAN_SCHEMA_VERSION,
			title: raw.title?.trim() || context.title || 'Untitled',
			format: context.format,
			targetDuration: context.targetDuration,
			scenes,
			characters: raw.characters.map((character) => {
				const lines = scenes.flatMap((scene) => scene.dialogue).filter((line) => same(line.speaker, character.name)).length;
				const inScenes = scenes
					.filter(
						(scene) =>
							scene.characters.some((name) => same(name, character.name)) ||
							scene.dialogue.some((line) => same(line.speaker, character.name)),
					)
					.map((scene) => scene.number);
				return { name: character.name, lines, scenes: inScenes, description: character.description.trim() };
			}),
			settings: raw.settings.map((setting) => {
				const inScenes = scenes.filter((scene) => same(scene.location, setting.name));
				return {
					name: setting.name,
					interior: setting.interior ?? inScenes[0]?.interior ?? null,
					timeOfDay: setting.timeOfDay ?? inScenes[0]?.timeOfDay ?? null,
					description: setting.description.trim(),
					scenes: inScenes.map((scene) => scene.number),
				};
			}),
			totalDuration: round(scenes.reduce((sum, scene) => sum + scene.duration, 0)),
		};
		// The same checks every plan passes when it reaches the Screenplay node (nodes/shared/screenplay/validate.ts).
		const shared = planProblems(plan);
		if (shared.length) return { problems: shared };
		return { value: plan };
	};
}

const critiqueSchema = z.object({
	score: z.number().min(0, 'must be 0 or more').max(100, 'must be 100 or less'),
	issues: z
		.array(
			z.object({
				code: z.enum(ISSUE_CODES),
				scene: z.number().int().optional(),
				character: z.string().optional(),
				message: filled,
				penalty: z.number().min(0),
			}),
		)
		.default([]),
});

export const critiqueValidator: Validator<Critique> = (input) => {
	const parsed = critiqueSchema.safeParse(input, PARSE_OPTIONS);
	if (!parsed.success) return { problems: zodProblems(parsed.error) };
	const issues: PlanIssue[] = parsed.data.issues.map((issue) => {
		const entry: PlanIssue = { code: issue.code, message: issue.message.trim(), penalty: issue.penalty };
		if (issue.scene !== undefined) entry.scene = issue.scene;
		if (issue.character) entry.character = issue.character;
		return entry;
	});
	return { value: { score: Math.round(parsed.data.score), issues, critic: 'claude' } };
};

const refineSchema = z.object({ plan: z.unknown(), changes: z.array(z.string()).default([]) });

export function refineValidator(context: PlanContext): Validator<{ plan: Plan; changes: string[] }> {
	const validatePlan = planValidator(context);
	return (input) => {
		const parsed = refineSchema.safeParse(input, PARSE_OPTIONS);
		if (!parsed.success) return { problems: zodProblems(parsed.error) };
		if (parsed.data.plan === undefined) return { problems: ['plan is missing'] };
		const plan = validatePlan(parsed.data.plan);
		if (!plan.value) return { problems: plan.problems.map((problem) => `plan.${problem}`) };
		return { value: { plan: plan.value, changes: parsed.data.changes.filter((change) => change.trim()) } };
	};
}

export interface VideoMetadata {
	title: string;
	description: string;
	tags: string[];
	thumbnailText: string;
}

export interface MetadataLimits {
	titleMax: number;
	descriptionMax: number;
	tagsMin: number;
	tagsMax: number;
	tagsTotalMax: number;
	thumbnailWordsMax: number;
	thumbnailMax: number;
}

export function metadataTool(limits: MetadataLimits): Tool {
	return {
		name: 'submit_metadata',
		description: 'Submit the title, description, tags and thumbnail text of the video',
		input_schema: {
			type: 'object',
			properties: {
				title: { type: 'string', description: `At most ${limits.titleMax} characters` },
				description: { type: 'string', description: `At most ${limits.descriptionMax} characters; the first two lines hook the viewer` },
				tags: {
					type: 'array',
					items: { type: 'string' },
					description: `${limits.tagsMin} to ${limits.tagsMax} search tags without #, together at most ${limits.tagsTotalMax} characters`,
				},
				thumbnailText: {
					type: 'string',
					description: `At most ${limits.thumbnailWordsMax} words and ${limits.thumbnailMax} characters, read at a glance`,
				},
			},
			required: ['title', 'description', 'tags', 'thumbnailText'],
		},
	};
}

const metadataSchema = z.object({
	title: filled,
	description: filled,
	tags: z.array(z.string()),
	thumbnailText: filled,
});

/** Tags as YouTube takes them: no leading #, single spaces, no duplicates (case-insensitive), none empty. */
function cleanTags(tags: string[]): string[] {
	const seen = new Set<string>();
	const out: string[] = [];
	for (const raw of tags) {
		const tag = raw.replace(/^#+/, '').replace(/[<>]/g, '').replace(/\s+/g, ' ').trim();
		if (!tag || seen.has(tag.toLowerCase())) continue;
		seen.add(tag.toLowerCase());
		out.push(tag);
	}
	return out;
}

/** A validator for the publishing metadata, against the limits in data/metadata.json. */
export function metadataValidator(limits: MetadataLimits): Validator<VideoMetadata> {
	return (input) => {
		const parsed = metadataSchema.safeParse(input, PARSE_OPTIONS);
		if (!parsed.success) return { problems: zodProblems(parsed.error) };
		const title = parsed.data.title.replace(/\s+/g, ' ').trim();
		const description = parsed.data.description.trim();
		const thumbnailText = parsed.data.thumbnailText.replace(/\s+/g, ' ').trim();
		const tags = cleanTags(parsed.data.tags);
		const problems: string[] = [];
		if (title.length > limits.titleMax) problems.push(`title has ${title.length} characters; at most ${limits.titleMax}`);
		if (description.length > limits.descriptionMax) {
			problems.push(`description has ${description.length} characters; at most ${limits.descriptionMax}`);
		}
		if (tags.length < limits.tagsMin || tags.length > limits.tagsMax) {
			problems.push(`tags has ${tags.length} different tags; ${limits.tagsMin} to ${limits.tagsMax} wanted`);
		}
		// YouTube counts the commas between tags towards the 500.
		const tagCharacters = tags.join(',').length;
		if (tagCharacters > limits.tagsTotalMax) problems.push(`tags have ${tagCharacters} characters together; at most ${limits.tagsTotalMax}`);
		const words = thumbnailText.split(' ').length;
		if (words > limits.thumbnailWordsMax || thumbnailText.length > limits.thumbnailMax) {
			problems.push(
				`thumbnailText has ${words} words and ${thumbnailText.length} characters; at most ${limits.thumbnailWordsMax} words and ${limits.thumbnailMax} characters`,
			);
		}
		if (problems.length) return { problems };
		return { value: { title, description, tags, thumbnailText } };
	};
}
