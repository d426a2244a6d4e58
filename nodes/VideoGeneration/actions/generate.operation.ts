import { setTimeout as sleep } from 'node:timers/promises';
import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import type { Character, Scene } from '../../shared/plan';
import { CLIP_FORMAT, PRESETS, presetByName } from '../../shared/presets';
import { getStorage } from '../../shared/storageNode';
import styles from '../data/styles.json';
import { PROVIDER_OPTIONS, videoProvider } from '../providers';
import type { SpokenLineTiming } from '../providers/types';
import { isRecord, jsonParameter, textParameter } from '../../shared/parameters';

const show = { show: { operation: ['generate'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Provider',
		name: 'provider',
		type: 'options',
		options: PROVIDER_OPTIONS,
		default: 'local',
		description: 'Who makes the clip',
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
		displayName: 'Duration',
		name: 'duration',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 1 },
		default: 0,
		description:
			'Seconds. 0 = from the scene and narration: the larger of the scene duration and the narration duration + 0.5 s, rounded up to 0.1 s.',
		displayOptions: show,
	},
	{
		displayName: 'Output Key',
		name: 'outputKey',
		type: 'string',
		default: "={{ 'runs/' + $json.runId + '/scenes/' + String($json.sceneNumber).padStart(3, '0') + '/clip.mp4' }}",
		description: 'Object key of the clip in the bucket of the S3 credential',
		displayOptions: show,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 16 },
				default: 3,
				description: 'How many items are rendered at the same time',
			},
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
				default: 4,
				description:
					'Tries per request to Kling or Runway when they are rate limiting or briefly down (429, 5xx), the first included. Waits back off and honour Retry-After.',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 600,
				description: 'Give up on a clip that is not ready after this many seconds',
			},
		],
	},
];

/** Seconds rounded up to 0.1 s (0.30000000000000004 stays 0.3). */
function ceilTenth(seconds: number): number {
	return Math.ceil(Math.round(seconds * 1e6) / 1e5) / 10;
}

/**
 * Clip length when Duration is 0: the scene's planned duration, or the narration plus half a second of air when
 * the voice runs longer, rounded up to 0.1 s. Returns NaN when neither gives a number.
 */
export function clipDuration(scene: Partial<Scene>, narration?: { duration?: unknown }): number {
	const planned = Number(scene.duration);
	const spoken = Number(narration?.duration);
	const candidates = [planned, Number.isFinite(spoken) && spoken > 0 ? spoken + 0.5 : NaN].filter(Number.isFinite);
	return candidates.length > 0 ? ceilTenth(Math.max(...candidates)) : NaN;
}

function spokenLines(narration: Record<string, unknown> | undefined): SpokenLineTiming[] | undefined {
	if (!narration || !Array.isArray(narration.lines)) return undefined;
	const lines = narration.lines.filter(
		(line): line is SpokenLineTiming =>
			isRecord(line) && Number.isFinite(Number(line.start)) && Number.isFinite(Number(line.end)),
	);
	return lines.map((line) => ({
		speaker: String(line.speaker ?? ''),
		text: String(line.text ?? ''),
		start: Number(line.start),
		end: Number(line.end),
		kind: line.kind === undefined ? undefined : String(line.kind),
	}));
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const item = this.getInputData()[itemIndex];
	const fail = (message: string, description?: string) =>
		new NodeOperationError(this.getNode(), message, { itemIndex, description });

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

	const providerName = this.getNodeParameter('provider', itemIndex, 'local') as string;
	let definition;
	try {
		definition = videoProvider(providerName);
	} catch (error) {
		throw fail(`${label}"Provider" ${(error as Error).message}`);
	}
	const style = textParameter(this, 'style', itemIndex);
	if (!definition.styles.includes(style)) {
		throw fail(
			`${label}"Style" must be one of ${definition.styles.join(', ')} (got "${style}"). Pick a style in the node or set options.style in the run request.`,
		);
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
	if (!Number.isFinite(duration) || duration <= 0 || duration > definition.maxDuration) {
		throw fail(
			`${label}"Duration" must be more than 0 and at most ${definition.maxDuration} seconds (got ${Number.isFinite(duration) ? duration : 'none'}). Set Duration, or give the scene a duration in the plan; split longer scenes.`,
		);
	}

	const outputKey = String(this.getNodeParameter('outputKey', itemIndex, '') ?? '').trim();
	if (!outputKey || outputKey.includes('undefined')) {
		throw fail(
			`${label}"Output Key" is empty or incomplete ("${outputKey}"). Pass items with runId and sceneNumber, or set Output Key.`,
		);
	}
	const options = this.getNodeParameter('options', itemIndex, {}) as {
		pollInterval?: number;
		timeout?: number;
		model?: string;
		referenceImage?: string;
		retryAttempts?: number;
	};
	const pollInterval = Math.max(50, Number(options.pollInterval ?? 500));
	const timeoutMs = Math.max(1, Number(options.timeout ?? 600)) * 1000;

	const storage = await getStorage.call(this);
	const credentials = definition.credential
		? ((await this.getCredentials(definition.credential, itemIndex)) as Record<string, unknown>)
		: undefined;
	const provider = definition.create({
		storage,
		credentials,
		model: String(options.model ?? '').trim(),
		options: options.retryAttempts === undefined ? {} : { maxAttempts: Number(options.retryAttempts) },
	});
	const referenceImage = String(options.referenceImage ?? '').trim();
	let submitted;
	try {
		submitted = await provider.submit({
			scene,
			style,
			preset: presetName,
			width: preset.width,
			height: preset.height,
			fps: CLIP_FORMAT.fps,
			duration,
			lines: spokenLines(narration),
			characters: Array.isArray(item.json.characters) ? (item.json.characters as unknown as Character[]) : undefined,
			referenceImage: referenceImage || undefined,
		});
	} catch (error) {
		throw fail(`${label}the ${definition.displayName} provider did not take the task: ${(error as Error).message}`);
	}
	const { taskId, notes } = submitted;

	const deadline = Date.now() + timeoutMs;
	let fetched = false;
	try {
		for (;;) {
			let status;
			try {
				status = await provider.poll(taskId);
			} catch (error) {
				throw fail(`${label}asking ${definition.displayName} about task ${taskId} failed: ${(error as Error).message}`);
			}
			if (status.status === 'succeeded') break;
			if (status.status === 'failed') {
				throw fail(
					`${label}the ${definition.displayName} provider could not make the clip: ${status.error ?? 'no reason given'}`,
				);
			}
			if (Date.now() >= deadline) {
				throw fail(
					`${label}the clip was not ready after ${timeoutMs / 1000} s (task ${taskId}, ${Math.round((status.progress ?? 0) * 100)}% done). Raise Options → Timeout or lower Concurrency.`,
				);
			}
			await sleep(Math.min(pollInterval, Math.max(0, deadline - Date.now())));
		}
		let clip;
		try {
			clip = await provider.fetchResult(taskId, {
				bucket: storage.bucket,
				key: outputKey,
			});
		} catch (error) {
			throw fail(`${label}the ${definition.displayName} clip could not be stored: ${(error as Error).message}`);
		}
		fetched = true;
		return [
			{
				json: {
					...item.json,
					clip: { ...clip },
					provider: definition.name,
					taskId,
					...(notes?.length ? { notes } : {}),
				},
				pairedItem: { item: itemIndex },
			},
		];
	} finally {
		if (!fetched) await provider.cancel?.(taskId);
	}
}
