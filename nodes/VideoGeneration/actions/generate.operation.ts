import { readFile } from 'node:fs/promises';
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { concurrencyOption, languageField, optionsCollection } from '../../shared/description';
import { languageParameterValue } from '../../shared/languages';
import type { Character, Scene } from '../../shared/plan';
import { CLIP_FORMAT, PRESETS, presetByName } from '../../shared/presets';
import { clipKey, isCastImageKey } from '../../shared/keys';
import { keyOverrideField, resolveKey, type StandardKey } from '../../shared/outputKey';
import { getStorage } from '../../shared/storageNode';
import terminalLooks from '../../shared/data/terminalLooks.json';
import { withWorkDir } from '../../shared/workdir';
import styles from '../../shared/data/styles.json';
import { Ledger, runIdOf } from '../../shared/ledger';
import { cancelledBeforePaying } from '../../shared/store/runState';
import { PROVIDER_OPTIONS, providerOrder } from '../providers';
import type { BrandLook, ClipRequest, SpokenLineTiming, VideoProviderDefinition } from '../providers/types';
import { renderStill } from '../../shared/render';
import { ClipError, makeClip } from './clipTask';
import { fetchGateOf } from './fetchGate';
import { makeOwnClip, readOwnClip } from './ownClip';
import { makeStillClip, readOwnStill, stillDataUri } from './ownStill';
import { canRewrite, rewriteRefusedPrompt, type PromptRewrite } from './rewritePrompt';
import { isRecord, jsonParameter, textParameter } from '../../shared/parameters';

const show = { show: { operation: ['generate'] } };
/** Where the clip goes when Output Key is empty. */
const standard: StandardKey = { what: 'the clip', scene: clipKey };

export const description: INodeProperties[] = [
	{
		displayName: 'Provider',
		name: 'provider',
		type: 'options',
		options: [
			{
				name: 'Auto',
				value: 'auto',
				description: 'Kling, then Runway, then local: each paid one only when its credential is attached',
			},
			...PROVIDER_OPTIONS,
		],
		default: 'auto',
		description:
			'Who makes the clip first. A paid provider whose credential is not attached is skipped, so Auto renders locally until a Kling or Runway credential is added.',
		displayOptions: show,
	},
	{
		displayName: 'Fallback Providers',
		name: 'fallbackProviders',
		type: 'multiOptions',
		options: [{ name: 'Auto', value: 'auto' }, ...PROVIDER_OPTIONS],
		default: [],
		description:
			'Who makes the clip, in this order, when the providers before are down (unreachable, or still rate limited or failing after their retries). Content-policy, credential and budget refusals do not move the scene on.',
		displayOptions: show,
	},
	{
		displayName: 'Style',
		name: 'style',
		type: 'options',
		options: Object.entries(styles.styles).map(([value, style]) => ({
			name: style.label,
			value,
			description: style.description,
		})),
		default: '={{ $json.options.style }}',
		description: 'How the clip looks. Defaults to the run options of the incoming scene item.',
		displayOptions: show,
	},
	{
		displayName: 'Terminal Colours',
		name: 'terminalScheme',
		type: 'options',
		options: Object.entries(terminalLooks.schemes.list).map(([value, scheme]) => ({ name: scheme.label, value })),
		default: `={{ $json.options.terminalScheme || '${terminalLooks.schemes.default}' }}`,
		description: 'Colour scheme of the terminal style (local renderer). Defaults to the run options of the incoming scene item.',
		displayOptions: show,
	},
	{
		displayName: 'Terminal Cursor',
		name: 'terminalCursor',
		type: 'options',
		options: Object.keys(terminalLooks.cursors.list).map((value) => ({ name: value[0].toUpperCase() + value.slice(1), value })),
		default: `={{ $json.options.terminalCursor || '${terminalLooks.cursors.default}' }}`,
		description: 'Cursor of the terminal style (local renderer). Defaults to the run options of the incoming scene item.',
		displayOptions: show,
	},
	{
		displayName: 'Brand Kit',
		name: 'brand',
		type: 'json',
		default: '={{ $json.options.brand || {} }}',
		description:
			'The campaign\'s brand kit the run was queued with (options.brand): title card colours ("#rrggbb": background, backgroundBottom, heading, body, accent) and fonts (heading, body). Only the local renderer reads it; {} = the style\'s own look.',
		displayOptions: show,
	},
	{
		displayName: 'Terminal Prompt',
		name: 'terminalPrompt',
		type: 'options',
		options: Object.entries(terminalLooks.prompts.list).map(([value, prompt]) => ({ name: prompt.label, value })),
		default: `={{ $json.options.terminalPrompt || '${terminalLooks.prompts.default}' }}`,
		description: 'What starts each typed line of the terminal style (local renderer). Defaults to the run options of the incoming scene item.',
		displayOptions: show,
	},
	{
		displayName: 'Terminal Window',
		name: 'terminalChrome',
		type: 'options',
		options: Object.entries(terminalLooks.chromes.list).map(([value, chrome]) => ({ name: chrome.label, value })),
		default: `={{ $json.options.terminalChrome || '${terminalLooks.chromes.default}' }}`,
		description: "The window around the terminal style's screen (local renderer). Defaults to the run options of the incoming scene item.",
		displayOptions: show,
	},
	{
		displayName: 'Terminal Effects',
		name: 'terminalEffects',
		type: 'string',
		default: "={{ [].concat($json.options.terminalEffects || []).join(',') }}",
		placeholder: 'scanlines,glitch',
		description: `Screen effects of the terminal style (local renderer), comma-separated: ${Object.keys(terminalLooks.effects.list).join(', ')}. Defaults to the run options of the incoming scene item.`,
		displayOptions: show,
	},
	languageField(show, 'the local renderer draws the text with a font of its script (CJK, Devanagari; DejaVu for Latin, Cyrillic, Arabic, Hebrew…)'),
	{
		displayName: 'Preset',
		name: 'preset',
		type: 'options',
		options: Object.entries(PRESETS).map(([value, preset]) => ({
			name: preset.label,
			value,
		})),
		default: '={{ $json.options.preset }}',
		description: 'Export preset that sets the frame size (all clips of a run share it)',
		displayOptions: show,
	},
	{
		displayName: 'Scene',
		name: 'scene',
		type: 'json',
		default: '={{ $json.scene }}',
		description: 'The plan scene to film (heading, action, dialogue, duration)',
		displayOptions: show,
	},
	{
		displayName: 'Narration',
		name: 'narration',
		type: 'json',
		default: '={{ $json.narration }}',
		description:
			'Optional output of Text to Speech for this scene. Its duration lengthens the clip when the voice runs longer than the scene; the terminal style types each line while it is spoken.',
		displayOptions: show,
	},
	{
		displayName: 'Own Clip',
		name: 'ownClip',
		type: 'json',
		default: '',
		description:
			"A clip of your own for this scene instead of a generated one, as the run's sceneMedia gives it: a stored object by key, or a public HTTPS URL to download. It is cut or looped to the scene's length and fitted into the preset's frame (scaled, with black bars); no provider is called and it costs $0. Empty = generate the clip.",
		displayOptions: show,
	},
	{
		displayName: 'Own Still',
		name: 'ownStill',
		type: 'json',
		default: '',
		description:
			"A picture of your own for this scene, as the run's sceneMedia gives it (a stored object by key, or a public HTTPS URL to download). Kling and Runway animate it (image-to-video, it is the first frame; it wins over Reference Image and Reference Frame); the local renderer makes a slow zoom and pan over it, fitted into the preset's frame, at $0, without the style's text. Ignored when Own Clip is set. Empty = none.",
		displayOptions: show,
	},
	{
		displayName: 'Duration',
		name: 'duration',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 1 },
		default: 0,
		description:
			'Seconds. 0 = from the scene and narration: the larger of the scene duration and the narration duration + 0.5 s, rounded up to 0.1 s.',
		displayOptions: show,
	},
	keyOverrideField({ displayName: 'Output Key', name: 'outputKey', displayOptions: show }, standard),
	{
		displayName: 'Fix From Last Check',
		name: 'validationFeedback',
		type: 'string',
		typeOptions: { rows: 2 },
		default: "={{ [].concat($json.validationFeedback || []).join('\\n') }}",
		description:
			'Why the scene\'s last clip failed its frame check, one reason per line (validation sets validationFeedback). Kling and Runway get "Fix from the last check: …" at the end of the prompt, within their prompt limit.',
		displayOptions: show,
	},
	optionsCollection(show, [
		concurrencyOption(
			'How many items are rendered at the same time. With Kling or Runway first, Provider Concurrency more items wait for the provider on top of these (waiting uses no CPU).',
		),
		{
			displayName: 'Model',
			name: 'model',
			type: 'string',
			default: '',
			placeholder: 'kling-v2-1 or gen4.5',
			description:
				'Kling or Runway model ID. Empty = the default in the provider data file (Kling: kling-v2-1; Runway: gen4.5, or gen4_turbo with a reference image). Ignored by the local provider.',
		},
		{
			displayName: 'Poll Interval (Ms)',
			name: 'pollInterval',
			type: 'number',
			typeOptions: { minValue: 50 },
			default: 500,
			description: 'How often to ask the provider whether the clip is ready, in milliseconds',
		},
		{
			displayName: 'Provider Concurrency',
			name: 'providerConcurrency',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 100 },
			default: 0,
			description:
				'Most tasks a paid provider may have running at once, across parallel scenes (and n8n workers when the Reelsmith Postgres credential is attached). 0 = the default of the provider data file (Kling 3, Runway 2). Local rendering has no limit.',
		},
		{
			displayName: 'Reference Frame',
			name: 'referenceFrame',
			type: 'options',
			options: [
				{ name: 'None', value: 'none', description: 'Text-to-video, unless Reference Image is set' },
				{
					name: 'Storyboard',
					value: 'storyboard',
					description: 'Draw a still of the scene with the local renderer and have Kling or Runway animate it',
				},
			],
			default: 'none',
			description:
				'Image-to-video from a storyboard still, so the same look reaches every clip. A Reference Image wins over it; the local provider ignores it.',
		},
		{
			displayName: 'Reference Image',
			name: 'referenceImage',
			type: 'string',
			default: '',
			placeholder: 'https://example.com/still.png',
			description:
				'Image to animate (HTTPS URL; Kling also takes bare base64, Runway a data URI). When set, Kling and Runway make the clip from this image. Ignored by the local provider.',
		},
		{
			displayName: 'Retry Attempts',
			name: 'retryAttempts',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 10 },
			// The retry policy's attempts (nodes/shared/data/retry.json; test/transport/http.test.ts keeps them in step).
			default: 4,
			description:
				'Tries per request to Kling or Runway when they are rate limiting or briefly down (429, 5xx, timeouts), the first included. Waits back off and honour Retry-After; refused keys, content policy and account refusals are never retried.',
		},
		{
			displayName: 'Rewrite Refused Prompts',
			name: 'rewriteRefusedPrompts',
			type: 'boolean',
			default: true,
			description:
				"Whether, when Kling or Runway refuses a scene under its content policy and a Reelsmith Anthropic credential with a key is attached, Claude rewrites the prompt keeping the scene's meaning and the same provider is tried once more. The rewrite and the reason are kept in the scene's provider attempts.",
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 600,
			description: 'Give up on a clip that is not ready after this many seconds',
		},
	]),
];

/** The longest scene an own clip may fill (a run's scenes are far shorter). */
const OWN_CLIP_MAX_SECONDS = 600;

/** Seconds rounded up to 0.1 s (0.30000000000000004 stays 0.3). */
function ceilTenth(seconds: number): number {
	return Math.ceil(Math.round(seconds * 1e6) / 1e5) / 10;
}

/**
 * Clip length when Duration is 0: the scene's planned duration, or the narration plus half a second of air when
 * the voice runs longer, rounded up to 0.1 s. Returns NaN when neither gives a number.
 */
export function clipDuration(scene: Partial<Scene>, narration?: { duration?: unknown; own?: unknown }): number {
	const planned = Number(scene.duration);
	const spoken = Number(narration?.duration);
	// A voice-over of the caller's own (sceneMedia) is the scene's sound as recorded: its length is the scene's.
	if (narration?.own === true && Number.isFinite(spoken) && spoken > 0) return ceilTenth(spoken);
	const candidates = [planned, Number.isFinite(spoken) && spoken > 0 ? spoken + 0.5 : NaN].filter(Number.isFinite);
	return candidates.length > 0 ? ceilTenth(Math.max(...candidates)) : NaN;
}

function spokenLines(narration: Record<string, unknown> | undefined): SpokenLineTiming[] | undefined {
	if (!narration || !Array.isArray(narration.lines)) return undefined;
	const lines = narration.lines.filter(
		(line): line is SpokenLineTiming => isRecord(line) && Number.isFinite(Number(line.start)) && Number.isFinite(Number(line.end)),
	);
	return lines.map((line) => ({
		speaker: String(line.speaker ?? ''),
		text: String(line.text ?? ''),
		start: Number(line.start),
		end: Number(line.end),
		kind: line.kind === undefined ? undefined : String(line.kind),
		...(Array.isArray(line.words) ? { words: spokenWords(line.words) } : {}),
	}));
}

/** Word timings of a narration line that have a text and finite times; the rest is dropped. */
function spokenWords(words: unknown[]): NonNullable<SpokenLineTiming['words']> {
	return words
		.filter((word): word is Record<string, unknown> => isRecord(word) && Number.isFinite(Number(word.start)) && Number.isFinite(Number(word.end)))
		.map((word) => ({ text: String(word.text ?? ''), start: Number(word.start), end: Number(word.end) }))
		.filter((word) => word.text.trim());
}

/** Fallback Providers as a list, also when an expression gives a comma-separated text. */
function fallbackList(value: unknown): string[] {
	if (Array.isArray(value)) return value.map(String);
	if (typeof value === 'string')
		return value
			.split(',')
			.map((name) => name.trim())
			.filter(Boolean);
	return [];
}

export interface Attempt {
	provider: string;
	outcome: 'served' | 'skipped' | 'down' | 'failed' | 'refused';
	message?: string;
}

/**
 * The provider's credential, or why the provider is skipped: not attached to the node, not readable, or its key
 * fields are empty ("configured" = attached with keys filled in).
 */
async function providerCredentials(
	this: IExecuteFunctions,
	definition: VideoProviderDefinition,
	itemIndex: number,
): Promise<{ credentials?: Record<string, unknown>; skip?: string }> {
	if (!definition.credential) return {};
	const notConfigured = `${definition.displayName} is not configured: attach a ${definition.displayName} credential to this node to use it`;
	const attached = this.getNode().credentials;
	if (attached && !attached[definition.credential]) return { skip: `${notConfigured}.` };
	let data: Record<string, unknown>;
	try {
		data = (await this.getCredentials(definition.credential, itemIndex)) as Record<string, unknown>;
	} catch {
		return { skip: `${notConfigured}.` };
	}
	const empty = (definition.credentialKeys ?? []).filter((key) => !String(data?.[key] ?? '').trim());
	if (empty.length) {
		return {
			skip: `${definition.displayName} is not configured: the ${empty.join(' and ')} of its credential ${empty.length > 1 ? 'are' : 'is'} empty.`,
		};
	}
	return { credentials: data };
}

/** The storyboard still of a scene as a PNG data URI (each provider module turns it into the form its API reads). */
async function drawStill(request: ClipRequest): Promise<string> {
	try {
		return await withWorkDir(async (directory) => {
			const still = await renderStill(request, directory);
			return `data:image/png;base64,${(await readFile(still)).toString('base64')}`;
		});
	} catch (error) {
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- caught in the provider loop, which fails the scene with NodeOperationError
		throw new ClipError(`the storyboard still could not be drawn: ${(error as Error).message}`);
	}
}

const describeAttempts = (attempts: Attempt[]) =>
	attempts.map((attempt) => `${attempt.provider}: ${attempt.outcome}${attempt.message ? ` (${attempt.message})` : ''}`).join('; ');

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const item = this.getInputData()[itemIndex];
	const fail = (message: string, description?: string) => new NodeOperationError(this.getNode(), message, { itemIndex, description });

	const sceneValue = jsonParameter(this, 'scene', 'Scene', itemIndex);
	if (!isRecord(sceneValue)) {
		throw fail(
			'"Scene" is missing. Connect scene items (Campaign → Scene → Prepare) or set Scene to a plan scene object.',
			'The default {{ $json.scene }} reads the scene from the incoming item.',
		);
	}
	const scene = {
		...sceneValue,
		heading: String(sceneValue.heading ?? ''),
		dialogue: Array.isArray(sceneValue.dialogue) ? sceneValue.dialogue : [],
	} as Scene;
	const label = Number.isFinite(Number(scene.number)) ? `Scene ${scene.number}: ` : '';

	const firstChoice = String(this.getNodeParameter('provider', itemIndex, 'auto') ?? '').trim() || 'auto';
	let order: VideoProviderDefinition[];
	try {
		order = providerOrder(firstChoice, fallbackList(this.getNodeParameter('fallbackProviders', itemIndex, [])));
	} catch (error) {
		throw fail(`${label}"Provider" ${(error as Error).message}`);
	}
	const styleNames = order[0].styles;
	const style = textParameter(this, 'style', itemIndex);
	if (!styleNames.includes(style)) {
		throw fail(
			`${label}"Style" must be one of ${styleNames.join(', ')} (got "${style}"). Pick a style in the node or set options.style in the run request.`,
		);
	}
	const terminalScheme = textParameter(this, 'terminalScheme', itemIndex) || terminalLooks.schemes.default;
	if (!Object.prototype.hasOwnProperty.call(terminalLooks.schemes.list, terminalScheme)) {
		throw fail(
			`${label}"Terminal Colours" must be one of ${Object.keys(terminalLooks.schemes.list).join(', ')} (got "${terminalScheme}"). Pick one in the node or set terminalScheme in the run request.`,
		);
	}
	const terminalCursor = textParameter(this, 'terminalCursor', itemIndex) || terminalLooks.cursors.default;
	if (!Object.prototype.hasOwnProperty.call(terminalLooks.cursors.list, terminalCursor)) {
		throw fail(
			`${label}"Terminal Cursor" must be one of ${Object.keys(terminalLooks.cursors.list).join(', ')} (got "${terminalCursor}"). Pick one in the node or set terminalCursor in the run request.`,
		);
	}
	const terminalPrompt = textParameter(this, 'terminalPrompt', itemIndex) || terminalLooks.prompts.default;
	if (!Object.prototype.hasOwnProperty.call(terminalLooks.prompts.list, terminalPrompt)) {
		throw fail(
			`${label}"Terminal Prompt" must be one of ${Object.keys(terminalLooks.prompts.list).join(', ')} (got "${terminalPrompt}"). Pick one in the node or set terminalPrompt in the run request.`,
		);
	}
	const terminalChrome = textParameter(this, 'terminalChrome', itemIndex) || terminalLooks.chromes.default;
	if (!Object.prototype.hasOwnProperty.call(terminalLooks.chromes.list, terminalChrome)) {
		throw fail(
			`${label}"Terminal Window" must be one of ${Object.keys(terminalLooks.chromes.list).join(', ')} (got "${terminalChrome}"). Pick one in the node or set terminalChrome in the run request.`,
		);
	}
	const terminalEffects = fallbackList(this.getNodeParameter('terminalEffects', itemIndex, ''));
	const unknownEffect = terminalEffects.find((effect) => !Object.prototype.hasOwnProperty.call(terminalLooks.effects.list, effect));
	if (unknownEffect !== undefined) {
		throw fail(
			`${label}"Terminal Effects" may hold ${Object.keys(terminalLooks.effects.list).join(', ')} (got "${unknownEffect}"). Fix it in the node or set terminalEffects in the run request.`,
		);
	}
	let language: string;
	try {
		language = languageParameterValue(textParameter(this, 'language', itemIndex), { needsFont: true }).tag;
	} catch (error) {
		throw fail(`${label}${(error as Error).message}`);
	}
	const presetName = textParameter(this, 'preset', itemIndex);
	if (!PRESETS[presetName]) {
		throw fail(
			`${label}"Preset" must be one of ${Object.keys(PRESETS).join(', ')} (got "${presetName}"). Pick a preset in the node or set options.preset in the run request.`,
		);
	}
	const preset = presetByName(presetName);

	const narrationValue = jsonParameter(this, 'narration', 'Narration', itemIndex, { optional: true });
	const narration = isRecord(narrationValue) ? narrationValue : undefined;
	const requested = Number(this.getNodeParameter('duration', itemIndex, 0));
	const duration = requested > 0 ? requested : clipDuration(scene, narration);
	const ownClip = readOwnClip.call(this, itemIndex, label);
	// A clip of your own is the whole picture: a still beside it has nothing left to do.
	const ownStill = ownClip ? undefined : readOwnStill.call(this, itemIndex, label);
	// Your own clip is looped to any length; generated ones are bounded by what the providers make.
	const longest = ownClip ? OWN_CLIP_MAX_SECONDS : Math.max(...order.map((definition) => definition.maxDuration));
	if (!Number.isFinite(duration) || duration <= 0 || duration > longest) {
		throw fail(
			`${label}"Duration" must be more than 0 and at most ${longest} seconds (got ${Number.isFinite(duration) ? duration : 'none'}). Set Duration, or give the scene a duration in the plan; split longer scenes.`,
		);
	}

	// The item's scene number, or its plan scene's (a scene item made by hand may carry only the scene).
	const itemScene = item.json.sceneNumber ?? scene.number;
	const sceneNumber = Number(itemScene);
	const outputKey = resolveKey(this, itemIndex, standard, {
		place: { runId: item.json.runId, sceneNumber: itemScene },
		prefix: label,
	});
	if (ownClip) {
		const storage = await getStorage.call(this);
		return await makeOwnClip.call(this, itemIndex, {
			clip: ownClip,
			storage,
			outputKey,
			duration,
			width: preset.width,
			height: preset.height,
			label,
			ledger: await Ledger.fromNode(this, itemIndex),
			runId: runIdOf(item.json.runId),
			sceneNumber: Number.isFinite(sceneNumber) ? sceneNumber : undefined,
		});
	}
	const options = this.getNodeParameter('options', itemIndex, {}) as {
		pollInterval?: number;
		timeout?: number;
		model?: string;
		referenceImage?: string;
		referenceFrame?: string;
		retryAttempts?: number;
		providerConcurrency?: number;
		rewriteRefusedPrompts?: boolean;
	};
	const pollInterval = Math.max(50, Number(options.pollInterval ?? 500));
	const timeoutMs = Math.max(1, Number(options.timeout ?? 600)) * 1000;
	const referenceImage = String(options.referenceImage ?? '').trim();
	/** A reference image of the campaign's cast: an object key in the bucket, sent to Kling or Runway as a data URI. */
	const castImage = isCastImageKey(referenceImage) ? referenceImage : undefined;
	const referenceFrame = String(options.referenceFrame ?? 'none').trim() || 'none';
	if (!['none', 'storyboard'].includes(referenceFrame)) {
		throw fail(
			`${label}"Reference Frame" must be none or storyboard (got "${referenceFrame}"). Set options.referenceFrames in the run request to one of them.`,
		);
	}
	const brandValue = jsonParameter(this, 'brand', 'Brand Kit', itemIndex, { optional: true });
	const brand = isRecord(brandValue) ? { colors: isRecord(brandValue.colors) ? brandValue.colors : undefined, fonts: isRecord(brandValue.fonts) ? brandValue.fonts : undefined } : undefined;
	const feedbackValue = this.getNodeParameter('validationFeedback', itemIndex, '') as unknown;
	const feedback = (Array.isArray(feedbackValue) ? feedbackValue.map(String) : String(feedbackValue ?? '').split('\n'))
		.map((reason) => reason.trim())
		.filter(Boolean);
	const request: ClipRequest = {
		scene,
		style,
		preset: presetName,
		width: preset.width,
		height: preset.height,
		fps: CLIP_FORMAT.fps,
		duration,
		language,
		terminalScheme,
		terminalCursor,
		brand: brand as BrandLook | undefined,
		terminalPrompt,
		terminalChrome,
		terminalEffects: [...new Set(terminalEffects)],
		lines: spokenLines(narration),
		characters: Array.isArray(item.json.characters) ? (item.json.characters as unknown as Character[]) : undefined,
		// A cast image is read from the bucket only when a paid provider gets to try (below).
		referenceImage: (!castImage && referenceImage) || undefined,
		feedback: feedback.length ? feedback : undefined,
	};
	// Drawn once per scene, and only when a paid provider gets to try.
	let storyboard: Promise<string> | undefined;
	const storyboardStill = () => (storyboard ??= drawStill(request));
	let yourStill: Promise<string> | undefined;
	const ownStillUri = (still: NonNullable<typeof ownStill>) => (yourStill ??= stillDataUri(storage, still, label));
	let castStill: Promise<string> | undefined;
	const castImageUri = (key: string) =>
		(castStill ??= storage.downloadBuffer({ bucket: storage.bucket, key }).then((bytes) => {
			const type = key.endsWith('.jpg') ? 'jpeg' : key.slice(key.lastIndexOf('.') + 1);
			return `data:image/${type};base64,${bytes.toString('base64')}`;
		}));

	// With the Reelsmith Postgres credential and a run's scene: budget, task ledger and cost lines.
	const ledger = await Ledger.fromNode(this, itemIndex);
	const runId = runIdOf(item.json.runId);
	const storage = await getStorage.call(this);
	if (ledger && runId && Number.isFinite(sceneNumber)) {
		// A scene that moved to a fallback provider before its execution stopped resumes there: its task is paid.
		for (const definition of order) {
			if (definition.credential && (await ledger.openTask(runId, sceneNumber, definition.name))) {
				order = [definition, ...order.filter((other) => other !== definition)];
				break;
			}
		}
	}

	const attempts: Attempt[] = [];
	const notes: string[] = [];
	// At most one rewrite per scene: a prompt refused twice needs a person.
	let rewrite: PromptRewrite | undefined;
	const rewriting = options.rewriteRefusedPrompts !== false && (await canRewrite(this, itemIndex));
	for (let index = 0; index < order.length; index++) {
		const definition = order[index];
		const { credentials, skip } = await providerCredentials.call(this, definition, itemIndex);
		const tooLong =
			duration > definition.maxDuration
				? `${definition.displayName} makes clips of at most ${definition.maxDuration} s (this one is ${duration} s).`
				: undefined;
		if (skip || tooLong) {
			attempts.push({ provider: definition.name, outcome: 'skipped', message: skip ?? tooLong });
			notes.push(`${label}${definition.displayName} skipped: ${skip ?? tooLong}`);
			continue;
		}
		if (ownStill && !definition.credential) {
			// The local renderer cannot animate a picture: it moves the camera over it instead (Ken Burns).
			const [made] = await makeStillClip.call(this, itemIndex, {
				still: ownStill,
				storage,
				outputKey,
				duration,
				width: preset.width,
				height: preset.height,
				label,
				ledger,
				runId,
				sceneNumber: Number.isFinite(sceneNumber) ? sceneNumber : undefined,
			});
			const served = [...attempts, ...(made.json.attempts as unknown as Attempt[])];
			return [{ ...made, json: { ...made.json, attempts: served as unknown as IDataObject[], notes: [...notes, ...(made.json.notes as string[])] } }];
		}
		const provider = definition.create({
			storage,
			credentials,
			model: String(options.model ?? '').trim(),
			options: options.retryAttempts === undefined ? {} : { retry: { attempts: Number(options.retryAttempts) } },
		});
		try {
			const paidRequest =
				definition.credential && ownStill
					? { ...request, referenceImage: await ownStillUri(ownStill) }
					: definition.credential && castImage
					? { ...request, referenceImage: await castImageUri(castImage) }
					: definition.credential && !request.referenceImage && referenceFrame === 'storyboard'
						? { ...request, referenceImage: await storyboardStill() }
						: request;
			const made = await makeClip({
				definition,
				provider,
				request: paidRequest,
				destination: { bucket: storage.bucket, key: outputKey },
				label,
				pollInterval,
				timeoutMs,
				concurrency: Number(options.providerConcurrency) || definition.concurrency || 0,
				ledger,
				runId,
				sceneNumber: Number.isFinite(sceneNumber) ? sceneNumber : undefined,
				cancelled: ledger && runId ? () => cancelledBeforePaying(ledger.db, runId) : undefined,
				fetchGate: fetchGateOf(this),
			});
			attempts.push({
				provider: definition.name,
				outcome: 'served',
				...(rewrite ? { message: `after Claude rewrote the refused prompt to: ${rewrite.rewritten}` } : {}),
			});
			notes.push(...made.notes);
			return [
				{
					json: {
						...item.json,
						clip: { ...made.clip },
						provider: definition.name,
						taskId: made.taskId,
						attempts: attempts as unknown as IDataObject[],
						cost: { ...made.cost },
						...(rewrite ? { promptRewrite: { ...rewrite } } : {}),
						...(notes.length ? { notes } : {}),
					},
					pairedItem: { item: itemIndex },
				},
			];
		} catch (error) {
			const down = error instanceof ClipError && error.down;
			const refused = error instanceof ClipError && error.policy;
			attempts.push({ provider: definition.name, outcome: down ? 'down' : refused ? 'refused' : 'failed', message: (error as Error).message });
			if (refused && rewriting && !rewrite) {
				// The same provider once more with Claude's rewrite: another provider would likely refuse the same words.
				try {
					rewrite = await rewriteRefusedPrompt(this, itemIndex, request, definition.displayName, (error as Error).message);
				} catch (rewriteError) {
					throw fail(
						`${(error as Error).message} Claude could not rewrite the prompt: ${(rewriteError as Error).message}`,
						`Providers tried: ${describeAttempts(attempts)}`,
					);
				}
				request.promptRewrite = rewrite.rewritten;
				notes.push(
					`${label}${definition.displayName} refused the prompt under its content policy; Claude rewrote it (${rewrite.changed || 'no reason given'}) and the scene is tried once more.`,
				);
				index--;
				continue;
			}
			if (!down) {
				if (refused) {
					throw fail(
						rewrite
							? `${(error as Error).message} It was refused again after Claude rewrote the prompt to: "${rewrite.rewritten}". Change the scene's action or dialogue by hand.`
							: `${(error as Error).message}${rewriting || options.rewriteRefusedPrompts === false ? '' : ' Attach a Reelsmith Anthropic credential with a key to this node to have refused prompts rewritten by Claude and tried once more.'}`,
						`Providers tried: ${describeAttempts(attempts)}`,
					);
				}
				// The budget message already names the scene and provider; it reads the same in every paid node.
				throw fail((error as Error).message, `Providers tried: ${describeAttempts(attempts)}`);
			}
			notes.push(`${(error as Error).message} Trying the next provider.`);
		}
	}
	const last = attempts[attempts.length - 1];
	throw fail(
		attempts.length === 1 && last.message
			? `${last.message.startsWith(label) ? '' : label}${last.message}`
			: `${label}no video provider could make the clip. ${describeAttempts(attempts)}. Attach a credential for another provider or add one to Fallback Providers, or try again later.`,
		`Providers tried: ${describeAttempts(attempts)}`,
	);
}
