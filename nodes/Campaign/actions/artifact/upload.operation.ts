import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { workKey } from '../../../shared/keys';
import { getStorage } from '../../../shared/storageNode';
import { ASSET_KINDS, recordAsset, type AssetKind } from '../../store/assets';
import { getDb, inputJson, requireRun, runIdField } from '../common';

const show = { resource: ['artifact'], operation: ['upload'] };

export const description: INodeProperties[] = [
	runIdField('artifact', 'upload'),
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'The binary field of the item that holds the file',
		displayOptions: { show },
	},
	{
		displayName: 'Key',
		name: 'key',
		type: 'string',
		default: '',
		placeholder: workKey('<runId>', 'notes.txt'),
		description: `Object key to write. Leave empty to use the run's work folder and the file's name (like ${workKey('<runId>', 'notes.txt')}).`,
		displayOptions: { show },
	},
	{
		displayName: 'Kind',
		name: 'kind',
		type: 'options',
		options: ASSET_KINDS.map((kind) => ({ name: kind[0].toUpperCase() + kind.slice(1), value: kind })),
		default: 'work',
		description: 'What the file is, for the run\'s list of assets',
		displayOptions: { show },
	},
	{
		displayName: 'Scene Number',
		name: 'sceneNumber',
		type: 'number',
		default: 0,
		description: 'The scene the file belongs to (0 = the whole run)',
		displayOptions: { show },
	},
];

/** Uploads an n8n binary file to object storage as an artifact of the run; the item carries the reference instead. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const binaryPropertyName = this.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string;
	const binary = this.helpers.assertBinaryData(itemIndex, binaryPropertyName);
	const buffer = await this.helpers.getBinaryDataBuffer(itemIndex, binaryPropertyName);
	const kind = this.getNodeParameter('kind', itemIndex, 'work') as AssetKind;
	if (!ASSET_KINDS.includes(kind)) {
		throw new NodeOperationError(this.getNode(), `"Kind" must be one of ${ASSET_KINDS.join(', ')} (got "${kind}").`, { itemIndex });
	}
	const sceneNumber = Number(this.getNodeParameter('sceneNumber', itemIndex, 0)) || null;
	const db = await getDb.call(this);
	const storage = await getStorage.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	const fileName = (binary.fileName || 'artifact').replace(/[^\w.-]+/g, '_');
	const key = String(this.getNodeParameter('key', itemIndex, '') ?? '').trim() || workKey(run.id, fileName);
	const contentType = binary.mimeType || 'application/octet-stream';
	const ref = await storage.uploadBuffer(buffer, key, contentType);
	await recordAsset(db, { runId: run.id, sceneNumber, kind, bucket: ref.bucket, key, bytes: ref.bytes, contentType });
	const json = { ...inputJson.call(this, itemIndex), artifact: { ...ref } };
	return [{ json }];
}
