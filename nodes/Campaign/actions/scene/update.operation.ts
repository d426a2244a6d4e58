import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { mediaFacts } from '../../../shared/refs';
import { getStorage } from '../../../shared/storageNode';
import { recordAsset, type AssetKind } from '../../store/assets';
import { SCENE_STATUSES, updateScene, type NarrationLine, type SceneChanges } from '../../../shared/store/scenes';
import { withTransaction } from '../../transport/db';
import { getDb, inputJson, requireRun, runIdField, stopIfCancelled } from '../common';

const show = { resource: ['scene'], operation: ['update'] };

const text = (name: string, displayName: string, description: string): INodeProperties => ({
	displayName,
	name,
	type: 'string',
	default: '',
	description: `${description} (empty = unchanged)`,
	displayOptions: { show },
});

export const description: INodeProperties[] = [
	runIdField('scene', 'update'),
	{
		displayName: 'Scene Number',
		name: 'sceneNumber',
		type: 'number',
		required: true,
		// eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-number -- maps the scene item's field by default
		default: '={{ $json.sceneNumber }}',
		displayOptions: { show },
	},
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		options: [
			{ name: 'Completed', value: 'completed' },
			{ name: 'Failed', value: 'failed' },
			{ name: 'Generating', value: 'generating', description: 'Also records when the attempt started' },
			{ name: 'Pending', value: 'pending' },
			{ name: 'Unchanged', value: 'unchanged' },
		],
		default: 'unchanged',
		displayOptions: { show },
	},
	{
		displayName: 'Count an Attempt',
		name: 'countAttempt',
		type: 'boolean',
		default: false,
		description: 'Whether to add one to the scene\'s attempts (set it where a generation attempt starts)',
		displayOptions: { show },
	},
	text('clipKey', 'Clip Key', 'Object key of the clip from the video provider'),
	text('narrationKey', 'Narration Key', 'Object key of the scene narration track'),
	text('sceneKey', 'Scene Video Key', 'Object key of clip + narration, the unit assembly joins'),
	{
		displayName: 'Scene Video Media',
		name: 'sceneMedia',
		type: 'json',
		default: '',
		description:
			"What the scene video is (streams, codecs, size), as Mux gives it in sceneVideo.media; assembly then joins the scene without probing it (empty = unchanged, or unknown with a new Scene Video Key)",
		displayOptions: { show },
	},
	{
		displayName: 'Duration',
		name: 'duration',
		type: 'number',
		default: 0,
		description: 'Seconds the scene video lasts (0 = unchanged)',
		displayOptions: { show },
	},
	{
		displayName: 'Narration',
		name: 'narration',
		type: 'json',
		default: '',
		description:
			'The Text to Speech result ({ key, lines }) or just its lines [{ speaker, text, start, end }], timed from the scene start; scene List builds the subtitle cues from them (empty = unchanged)',
		displayOptions: { show },
	},
	text('provider', 'Provider', 'Which video provider made the clip'),
	text('taskId', 'Task ID', "The video provider's task ID for the clip"),
	{
		displayName: 'Cost',
		name: 'cost',
		type: 'json',
		default: '',
		description:
			'What the scene cost: a number of USD, a cost object ({ amountUsd }) as the paid nodes output, or a list of them, which are added up (empty = unchanged)',
		displayOptions: { show },
	},
	{
		displayName: 'Provider Attempts',
		name: 'providerAttempts',
		type: 'json',
		default: '',
		description:
			'Who Video Generation tried for the clip, in order: its `attempts` output [{ provider, outcome, message }] (empty = unchanged)',
		displayOptions: { show },
	},
	text('error', 'Error', 'Why the scene failed, in plain words'),
];

const PARAMETERS = ['status', 'countAttempt', 'clipKey', 'narrationKey', 'sceneKey', 'sceneMedia', 'duration', 'narration', 'provider', 'taskId', 'cost', 'providerAttempts', 'error'];
const ASSET_OF: Partial<Record<keyof SceneChanges, AssetKind>> = { clipKey: 'clip', narrationKey: 'narration', sceneKey: 'scene' };

/** Records what happened to one scene (status, keys, duration, narration timing); the item passes through. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const fail = (message: string) => new NodeOperationError(this.getNode(), message, { itemIndex });
	const sceneNumber = Number(this.getNodeParameter('sceneNumber', itemIndex));
	if (!Number.isInteger(sceneNumber) || sceneNumber < 1) {
		throw fail(`"Scene Number" must be a whole number from 1 (got ${sceneNumber}). Map it from the scene item ({{ $json.sceneNumber }}).`);
	}
	const changes = readChanges(
		Object.fromEntries(PARAMETERS.map((name) => [name, this.getNodeParameter(name, itemIndex, '')])),
		fail,
	);
	const db = await getDb.call(this);
	const storage = await getStorage.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	// A scene attempt starting is where a cancel takes effect during generation.
	if (changes.status === 'generating') await stopIfCancelled.call(this, db, run, 'generation', itemIndex);
	// A scene stopped by its run's cancel did not fail: it was not made (Video Generation sends nothing for a
	// cancelled run). It stays pending, with the cancel as its reason, and the run's failed scenes do not count it.
	if (changes.status === 'failed' && run.status === 'cancelled') {
		changes.status = 'pending';
		changes.error = changes.error || run.error || 'Not made: the run was cancelled.';
	}
	const keyed = (Object.keys(ASSET_OF) as (keyof SceneChanges)[]).filter((field) => changes[field]);
	const sizes = await Promise.all(keyed.map((field) => storage.stat(storage.ref(String(changes[field])))));

	const record = await withTransaction(db, async (client) => {
		const row = await updateScene(client, run.id, sceneNumber, changes);
		if (!row) {
			throw fail(`Scene ${sceneNumber} of run ${run.id} does not exist. Run scene "Prepare" with the run's plan first.`);
		}
		for (const [index, field] of keyed.entries()) {
			await recordAsset(client, {
				runId: run.id,
				sceneNumber,
				kind: ASSET_OF[field]!,
				bucket: storage.bucket,
				key: String(changes[field]),
				bytes: sizes[index]?.bytes ?? null,
				contentType: sizes[index]?.contentType ?? null,
				duration: field === 'sceneKey' ? (changes.duration ?? null) : null,
			});
		}
		for (const line of changes.narration ?? []) {
			if (line.key) await recordAsset(client, { runId: run.id, sceneNumber, kind: 'line', bucket: storage.bucket, key: line.key });
		}
		return row;
	});
	return [{ json: { ...inputJson.call(this, itemIndex), sceneRecord: record as unknown as IDataObject } }];
}

/** Turns the parameters into checked changes; empty values mean "unchanged" (also what expressions on missing data give). */
function readChanges(fields: IDataObject, fail: (message: string) => Error): SceneChanges {
	const changes: SceneChanges = {};
	const text = (value: unknown) => (value === undefined || value === null ? '' : String(value).trim());
	const status = text(fields.status);
	if (status && status !== 'unchanged') {
		if (!SCENE_STATUSES.includes(status as never)) {
			throw fail(`"Status" must be one of ${SCENE_STATUSES.join(', ')} or unchanged (got "${status}").`);
		}
		changes.status = status as SceneChanges['status'];
	}
	if (fields.countAttempt === true) changes.countAttempt = true;
	for (const field of ['clipKey', 'narrationKey', 'sceneKey', 'error', 'provider', 'taskId'] as const) {
		if (text(fields[field])) changes[field] = text(fields[field]);
	}
	// A duration of 0 is what an unset number field holds, never a real scene length.
	if (text(fields.duration) !== '' && Number(fields.duration) !== 0) {
		const duration = Number(fields.duration);
		if (!Number.isFinite(duration) || duration < 0) {
			throw fail(`"Duration" must be a number of seconds above 0 (got ${text(fields.duration)}).`);
		}
		changes.duration = duration;
	}
	const media = readJson(fields.sceneMedia);
	if (media !== undefined) {
		const facts = mediaFacts(media);
		if (!facts) {
			throw fail('"Scene Video Media" must be the media facts Mux gives its scene video, or empty. Map it from the Mux output ({{ $json.sceneVideo.media }}).');
		}
		changes.sceneMedia = facts;
	}
	const cost = readCost(fields.cost);
	if (cost === null) {
		throw fail('"Cost" must be a number of USD, a cost object with "amountUsd", or a list of them. Map it from the paid node\'s output ({{ $json.cost }}).');
	}
	if (cost !== undefined) changes.costUsd = cost;
	const attempts = readJson(fields.providerAttempts);
	if (attempts !== undefined) {
		if (!Array.isArray(attempts) || attempts.some((a) => typeof a?.provider !== 'string')) {
			throw fail('"Provider Attempts" must be a list like [{"provider":"kling","outcome":"served"}]. Map it from Video Generation ({{ $json.attempts }}).');
		}
		changes.providerAttempts = attempts.map((a) => ({
			provider: String(a.provider),
			outcome: String(a.outcome ?? ''),
			...(a.message ? { message: String(a.message) } : {}),
		}));
	}
	let narration = fields.narration as unknown;
	if (typeof narration === 'string' && narration.trim() !== '') {
		try {
			narration = JSON.parse(narration);
		} catch {
			throw fail('"Narration" is not valid JSON. Map it from the Text to Speech output ({{ $json.narration }}).');
		}
	}
	if (narration && typeof narration === 'object') {
		// The whole Text to Speech result is welcome: its lines are what is kept, its key fills Narration Key.
		const result = narration as { key?: unknown; lines?: unknown };
		const lines = Array.isArray(narration) ? narration : result.lines;
		if (!Array.isArray(lines) || lines.some((l) => typeof l?.start !== 'number' || typeof l?.end !== 'number')) {
			throw fail(
				'"Narration" must be the Text to Speech result or its lines with numeric "start" and "end" seconds, e.g. [{"speaker":"ALICE","text":"Hi","start":0,"end":1.2}].',
			);
		}
		if (!Array.isArray(narration) && typeof result.key === 'string' && !changes.narrationKey) changes.narrationKey = result.key;
		changes.narration = (lines as NarrationLine[]).map(({ speaker, text: lineText, start, end, key, voice, words }) => ({
			speaker,
			text: String(lineText ?? ''),
			start,
			end,
			key,
			voice,
			...(Array.isArray(words) ? { words } : {}),
		}));
	}
	return changes;
}

/** A JSON parameter that may arrive as text; undefined when empty. */
function readJson(value: unknown): unknown {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value);
	} catch {
		return value;
	}
}

/** USD from a number, a cost object ({ amountUsd }) or a list of either; undefined = unchanged, null = not a cost. */
function readCost(value: unknown): number | undefined | null {
	const parsed = readJson(value);
	if (parsed === undefined) return undefined;
	const one = (part: unknown): number | null => {
		if (part === null || part === undefined) return 0;
		if (typeof part === 'number' || (typeof part === 'string' && part.trim() !== '')) {
			const n = Number(part);
			return Number.isFinite(n) && n >= 0 ? n : null;
		}
		if (typeof part === 'object' && part !== null && 'amountUsd' in part) return one((part as { amountUsd: unknown }).amountUsd);
		return null;
	};
	const parts = Array.isArray(parsed) ? parsed : [parsed];
	let total = 0;
	for (const part of parts) {
		const amount = one(part);
		if (amount === null) return null;
		total += amount;
	}
	return Math.round(total * 1e6) / 1e6;
}
