import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { accessKeyProperty, secretProperty } from './fields';

/** Object storage for every artifact of a run: MinIO in production, any S3-compatible endpoint works. */
export class ReelsmithS3Api implements ICredentialType {
	name = 'reelsmithS3Api';

	displayName = 'Reelsmith S3 Storage';

	icon: Icon = { light: 'file:reelsmith.svg', dark: 'file:reelsmith.dark.svg' };

	documentationUrl = 'https://github.com/reelsmith/n8n-nodes-reelsmith#environment-variables';

	properties: INodeProperties[] = [
		{
			displayName: 'Endpoint',
			name: 'endpoint',
			type: 'string',
			default: 'http://127.0.0.1:9000',
			placeholder: 'http://minio:9000',
			description: 'S3 endpoint URL including scheme and port',
			required: true,
		},
		{
			displayName: 'Region',
			name: 'region',
			type: 'string',
			default: 'us-east-1',
		},
		accessKeyProperty(),
		secretProperty('Secret Key', 'secretKey'),
		{
			displayName: 'Bucket',
			name: 'bucket',
			type: 'string',
			default: 'reelsmith',
			description: 'Bucket that holds plans, clips, narration and final videos',
			required: true,
		},
		{
			displayName: 'Force Path Style',
			name: 'forcePathStyle',
			type: 'boolean',
			default: true,
			description: 'Whether to address objects as endpoint/bucket/key (needed for MinIO and most self-hosted S3)',
		},
	];
}
