import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { callbackSettings } from '../../shared/callbacks/settings';
import { downloadPublicFile } from '../../shared/fetchPublic';
import { trailerKey } from '../../shared/keys';
import { resolveKey } from '../../shared/outputKey';
import { isRecord, jsonParameter, textParameter } from '../../shared/parameters';
import type { Plan } from '../../shared/plan';
import { PRESETS, presetByName } from '../../shared/presets';
import { chooseMoments, momentsFromPicks, type MomentPick } from '../../shared/screenplay/trailer';
import type { BrandLook } from '../../shared/render/request';
import { isStyle, STYLE_NAMES } from '../../shared/render';
import styles from '../../shared/data/styles.json';
import { makeTrailer } from '../lib/trailer';
import { download, fail, inputJson, localName, outputKeyField, progressLog, readNumber, uploadMedia, withMedia } from './common';
import { readMusic } from './music.operation';

const show = { operation: ['trailer'] };
const standardFor = (version: number) => ({ what: 'the trailer', run: (runId: string) => trailerKey(runId, version) });

export const description: INodeProperties[] = [
	{
		displayName: 'Plan',
		name: 'plan',
		type: 'json',
		default: '={{ $json.plan }}',
		description: 'The plan (one take as it stands) whose most telling moments make the trailer',
		displayOptions: { show },
	},
	{
		displayName: 'Run ID',
		name: 'runId',
		type: 'string',
		default: '={{ $json.runId }}',
		description: 'The run the plan belongs to: its standard key is under runs/&lt;runId&gt;/',
		displayOptions: { show },
	},
	{
		displayName: 'Plan Version',
		name: 'planVersion',
		type: 'number',
		// eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-number -- maps the item's plan version by default
		default: '={{ $json.planVersion }}',
		description: 'The plan version the trailer is of: its standard key is runs/&lt;runId&gt;/trailer/v&lt;version&gt;.mp4',
		displayOptions: { show },
	},
	{
		displayName: 'Moments',
		name: 'moments',
		type: 'json',
		default: '',
		description:
			'Which lines to show, when chosen elsewhere (for instance by Claude), as JSON: [{"scene": 2, "line": 0}, …]. Empty = chosen by the trailer rules of the package (the opening, the climax, short spoken lines, in story order).',
		displayOptions: { show },
	},
	{
		displayName: 'Preset',
		name: 'preset',
		type: 'string',
		default: "={{ $json.options.preset || 'youtube' }}",
		description: `The run's export preset, for its frame size: ${Object.keys(PRESETS).join(', ')}`,
		displayOptions: { show },
	},
	{
		displayName: 'Style',
		name: 'style',
		type: 'options',
		options: Object.entries(styles.styles).map(([value, style]) => ({ name: style.label, value, description: style.description })),
		default: "={{ $json.options.style || 'titleCard' }}",
		description: "How each moment's still looks (the local renderer's styles); the opening card is always a title card",
		displayOptions: { show },
	},
	{
		displayName: 'Brand Kit',
		name: 'brand',
		type: 'json',
		default: '={{ $json.options.brand || {} }}',
		description: "The campaign's brand kit (options.brand): colours and fonts of the title card",
		displayOptions: { show },
	},
	{
		displayName: 'Music',
		name: 'music',
		type: 'json',
		default: '={{ $json.options.music }}',
		description: "The run's music: a stored object by key, or a public https URL. Empty = a silent trailer.",
		displayOptions: { show },
	},
	{
		displayName: 'Loudness Target',
		name: 'loudnessTarget',
		type: 'number',
		// eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-number -- maps the run's loudness target by default
		default: '={{ $json.options.loudnessTarget ?? -14 }}',
		description: "The run's loudness in LUFS, which the music is brought to",
		displayOptions: { show },
	},
	outputKeyField('trailer', standardFor(1), trailerKey('<runId>', 1)),
];

/** The plan parameter as a plan with scenes, or an error saying what to send. */
function readPlan(this: IExecuteFunctions, itemIndex: number): Plan {
	const value = jsonParameter(this, 'plan', 'Plan', itemIndex);
	if (!isRecord(value) || !Array.isArray(value.scenes) || value.scenes.length === 0) {
		return fail.call(this, itemIndex, '"Plan" is not a plan with scenes. Send the take\'s plan (a plan version\'s "plan") as "plan".');
	}
	const scenes = value.scenes as unknown[];
	if (!scenes.every((scene) => isRecord(scene) && Number.isInteger(scene.number) && Array.isArray(scene.dialogue ?? []))) {
		return fail.call(this, itemIndex, '"Plan" has a scene without a number. Send the plan as the Screenplay node made it.');
	}
	const plan = value as unknown as Plan;
	return {
		...plan,
		title: String(plan.title ?? ''),
		scenes: plan.scenes.map((scene) => ({
			...scene,
			dialogue: scene.dialogue ?? [],
			narration: scene.narration ?? '',
			duration: Number(scene.duration) || 0,
		})),
	};
}

function readPicks(this: IExecuteFunctions, itemIndex: number): MomentPick[] | null {
	const value = jsonParameter(this, 'moments', 'Moments', itemIndex, { optional: true });
	if (value === undefined || value === '') return null;
	const list = isRecord(value) && Array.isArray(value.moments) ? value.moments : value;
	if (!Array.isArray(list) || !list.every((pick) => isRecord(pick) && Number.isInteger(pick.scene))) {
		return fail.call(this, itemIndex, '"Moments" must be a list of {"scene": <number>, "line": <index or null>}, or empty for the rules\' choice.');
	}
	return list.map((pick) => ({ scene: Number(pick.scene), line: Number.isInteger(pick.line) ? Number(pick.line) : null }));
}

/** A 15–30 s trailer of a plan from the local renderer's stills: costs nothing, made before the run is paid for. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const plan = readPlan.call(this, itemIndex);
	const version = Number(this.getNodeParameter('planVersion', itemIndex, 0));
	if (!Number.isInteger(version) || version < 1) {
		return fail.call(this, itemIndex, `"Plan Version" must be the plan version's number, 1 or more (got ${JSON.stringify(version)}).`);
	}
	const presetName = textParameter(this, 'preset', itemIndex) || 'youtube';
	let preset;
	try {
		preset = presetByName(presetName);
	} catch (error) {
		return fail.call(this, itemIndex, `"Preset": ${(error as Error).message}`);
	}
	const style = textParameter(this, 'style', itemIndex) || 'titleCard';
	if (!isStyle(style)) return fail.call(this, itemIndex, `"Style" must be one of ${STYLE_NAMES.join(', ')} (got "${style}").`);
	const brandValue = jsonParameter(this, 'brand', 'Brand Kit', itemIndex, { optional: true });
	const brand = isRecord(brandValue) && Object.keys(brandValue).length > 0 ? (brandValue as BrandLook) : undefined;
	const target = readNumber.call(this, itemIndex, 'loudnessTarget', 'Loudness Target', { min: -30, max: -5, fallback: -14 });
	const music = readMusic.call(this, itemIndex);
	const picks = readPicks.call(this, itemIndex);
	const cut = picks ? momentsFromPicks(plan, picks) : chooseMoments(plan);
	const runId = textParameter(this, 'runId', itemIndex);
	const outputKey = resolveKey(this, itemIndex, standardFor(version), { place: { runId } });

	const ref = await withMedia(this, async (storage, path) => {
		let musicFile: string | null = null;
		if (music && 'url' in music) {
			try {
				musicFile = await downloadPublicFile(music.url, path('music.download'), { what: 'music', allowLoopback: callbackSettings().allowLoopback });
			} catch (error) {
				return fail.call(this, itemIndex, `The run's "music" could not be downloaded: ${(error as Error).message}`);
			}
		} else if (music) {
			musicFile = await download.call(this, itemIndex, storage, music, path(localName('music', music)), 'Music');
		}
		const output = path('trailer.mp4');
		try {
			await makeTrailer({
				plan,
				cut,
				width: preset.width,
				height: preset.height,
				preset: presetName,
				style,
				brand,
				music: musicFile,
				target,
				directory: path('trailer'),
				output,
				onProgress: progressLog.call(this, itemIndex, 'trailer'),
			});
		} catch (error) {
			const message = (error as Error).message;
			if (message.startsWith('The music') || message.startsWith("The brand kit's")) return fail.call(this, itemIndex, message);
			throw new NodeOperationError(this.getNode(), error as Error, { itemIndex, description: 'Making the trailer failed.' });
		}
		return uploadMedia(storage, output, outputKey);
	});
	const trailer = {
		...ref,
		planVersion: version,
		chosenBy: cut.chosenBy,
		moments: cut.moments,
		titleCard: cut.titleCard,
		music: !!music,
		cost: 0,
	};
	return [{ json: { ...inputJson.call(this, itemIndex), runId, trailer: trailer as unknown as IDataObject } }];
}
