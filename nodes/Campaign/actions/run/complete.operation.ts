import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { metadataKey } from '../../../shared/keys';
import { getStorage } from '../../../shared/storageNode';
import { recordAsset, type AssetKind } from '../../store/assets';
import { recordEvent } from '../../store/events';
import { completeRun } from '../../../shared/store/runState';
import { withTransaction } from '../../transport/db';
import { getDb, inputJson, jsonParameter, requireRun, runIdField } from '../common';
import { runSummary } from './summary';

const show = { resource: ['run'], operation: ['complete'] };

export const description: INodeProperties[] = [
	runIdField('run', 'complete'),
	{
		displayName: 'Final Video Key',
		name: 'finalKey',
		type: 'string',
		default: '={{ $json.video?.key ?? "" }}',
		description: 'Object key of the finished MP4',
		displayOptions: { show },
	},
	{
		displayName: 'Thumbnail Key',
		name: 'thumbnailKey',
		type: 'string',
		default: '={{ $json.thumbnail?.key ?? "" }}',
		displayOptions: { show },
	},
	{
		displayName: 'Subtitles Key',
		name: 'subtitlesKey',
		type: 'string',
		default: '={{ $json.subtitles?.key ?? "" }}',
		displayOptions: { show },
	},
	{
		displayName: 'Metadata',
		name: 'metadata',
		type: 'json',
		default: '',
		description:
			'Optional title, description, tags and thumbnail text for the export (Claude → Metadata output); stored as metadata.JSON beside the final video',
		displayOptions: { show },
	},
	{
		displayName: 'Duration',
		name: 'duration',
		type: 'number',
		// eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-number -- maps the item's field by default, like the other defaults here
		default: '={{ $json.video?.duration ?? 0 }}',
		description: 'Length of the finished video in seconds (0 = unknown)',
		displayOptions: { show },
	},
];

/** Marks the run completed with its final artifacts, and records those artifacts for the dashboard. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const db = await getDb.call(this);
	const storage = await getStorage.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	const text = (name: string) => String(this.getNodeParameter(name, itemIndex, '') ?? '').trim();
	const keys: Record<'final' | 'thumbnail' | 'subtitles', string> = {
		final: text('finalKey'),
		thumbnail: text('thumbnailKey'),
		subtitles: text('subtitlesKey'),
	};
	if (!keys.final) {
		throw new NodeOperationError(
			this.getNode(),
			`"Final Video Key" is empty for run ${run.id}. Map it from the export step (e.g. {{ $json.video.key }}).`,
			{ itemIndex },
		);
	}
	const duration = Number(this.getNodeParameter('duration', itemIndex, 0)) || undefined;
	const metadata = (this.getNodeParameter('metadata', itemIndex, '') === ''
		? null
		: jsonParameter.call(this, 'metadata', itemIndex, null)) as Record<string, unknown> | null;
	const metadataRef =
		metadata && typeof metadata === 'object'
			? await storage.uploadBuffer(JSON.stringify(metadata, null, 2), metadataKey(run.id), 'application/json')
			: null;
	// Sizes for the dashboard; a key that is not in storage is recorded without one rather than failing the run.
	const sizes = await Promise.all(
		Object.values(keys).map((key) => (key ? storage.stat(storage.ref(key)) : Promise.resolve(null))),
	);

	const completed = await withTransaction(db, async (client) => {
		const row = await completeRun(client, run.id, {
			finalKey: keys.final,
			thumbnailKey: keys.thumbnail,
			subtitlesKey: keys.subtitles,
			duration,
		});
		if (!row) {
			// Cancelled meanwhile (between this step's start and now): it stays cancelled, nothing is recorded.
			throw new NodeOperationError(
				this.getNode(),
				`Run ${run.id} was cancelled while it was being assembled; it stays cancelled. Start a new run with the same script to make the video again.`,
				{ itemIndex },
			);
		}
		for (const [index, [kind, key]] of (Object.entries(keys) as [AssetKind, string][]).entries()) {
			if (!key) continue;
			await recordAsset(client, {
				runId: run.id,
				kind,
				bucket: storage.bucket,
				key,
				bytes: sizes[index]?.bytes ?? null,
				contentType: sizes[index]?.contentType ?? null,
				duration: kind === 'final' ? (duration ?? null) : null,
			});
		}
		if (metadataRef) {
			await recordAsset(client, { runId: run.id, kind: 'work', bucket: storage.bucket, key: metadataRef.key, contentType: 'application/json' });
		}
		await recordEvent(client, {
			runId: run.id,
			stage: 'run',
			status: 'finished',
			message: 'Completed.',
			data: metadataRef ? { metadataKey: metadataRef.key, title: metadata?.title ?? null } : undefined,
		});
		return row;
	});
	return [{ json: { ...inputJson.call(this, itemIndex), run: runSummary(completed) } }];
}
