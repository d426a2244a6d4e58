import { basename } from 'node:path';
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { finalKey } from '../../../shared/keys';
import { getStorage } from '../../../shared/storageNode';
import { inputJson } from '../common';

const show = { resource: ['artifact'], operation: ['download'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Key',
		name: 'key',
		type: 'string',
		required: true,
		default: '={{ $json.artifact?.key ?? $json.video?.key ?? "" }}',
		description: `Object key of the artifact, e.g. ${finalKey('<runId>', 'youtube')}`,
		displayOptions: { show },
	},
	{
		displayName: 'Bucket',
		name: 'bucket',
		type: 'string',
		default: '',
		description: 'Empty = the bucket of the Reelsmith S3 credential',
		displayOptions: { show },
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{
				name: 'Reference and Link',
				value: 'reference',
				description: 'Bucket, key, size and a temporary download link; no bytes in the workflow',
			},
			{ name: 'Binary Data', value: 'binary', description: 'The file itself as n8n binary data' },
		],
		default: 'reference',
		displayOptions: { show },
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		displayOptions: { show: { ...show, output: ['binary'] } },
	},
	{
		displayName: 'Link Expires After (Seconds)',
		name: 'linkExpiry',
		type: 'number',
		typeOptions: { minValue: 60, maxValue: 604800 },
		default: 3600,
		displayOptions: { show: { ...show, output: ['reference'] } },
	},
];

/** Fetches an artifact from object storage: as a reference with a temporary link, or as n8n binary data. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const storage = await getStorage.call(this);
	const key = String(this.getNodeParameter('key', itemIndex, '') ?? '').trim();
	const bucket = String(this.getNodeParameter('bucket', itemIndex, '') ?? '').trim() || storage.bucket;
	if (!key) {
		throw new NodeOperationError(this.getNode(), '"Key" is empty. Set the object key, e.g. {{ $json.video.key }}.', { itemIndex });
	}
	const ref = { bucket, key };
	const info = await storage.stat(ref);
	if (!info) {
		throw new NodeOperationError(
			this.getNode(),
			`The object "${key}" does not exist in bucket "${bucket}". Check the Key field (run Get lists a run's assets).`,
			{ itemIndex },
		);
	}
	const input = inputJson.call(this, itemIndex);
	if (this.getNodeParameter('output', itemIndex, 'reference') === 'binary') {
		const property = this.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string;
		const data = await this.helpers.prepareBinaryData(await storage.downloadBuffer(ref), basename(key), info.contentType);
		return [{ json: { ...input, artifact: { ...ref, bytes: info.bytes, contentType: info.contentType ?? null } }, binary: { [property]: data } }];
	}
	const expiry = Number(this.getNodeParameter('linkExpiry', itemIndex, 3600)) || 3600;
	const url = await storage.presignedGetUrl(ref, expiry);
	return [{ json: { ...input, artifact: { ...ref, bytes: info.bytes, contentType: info.contentType ?? null, url } } }];
}
