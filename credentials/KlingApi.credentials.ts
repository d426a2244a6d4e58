import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/** Kling AI video: an access key / secret key pair; the node signs a short-lived JWT with the secret for each request. */
export class KlingApi implements ICredentialType {
	name = 'reelsmithKlingApi';

	displayName = 'Reelsmith Kling AI API';

	icon: Icon = { light: 'file:reelsmith.svg', dark: 'file:reelsmith.dark.svg' };

	documentationUrl = 'https://app.klingai.com/global/dev/document-api/quickStart/userManual';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Key',
			name: 'accessKey',
			type: 'string',
			default: '',
			description: 'Identifies the account (the JWT issuer); the secret key below is what must stay private',
			required: true,
		},
		{
			displayName: 'Secret Key',
			name: 'secretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Signs the API token (JWT, HS256); it is never sent to Kling itself',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api-singapore.klingai.com',
			description: 'Kling API host: https://api-singapore.klingai.com (global) or https://api.klingai.com',
		},
	];
}
