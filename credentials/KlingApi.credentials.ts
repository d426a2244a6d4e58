import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { accessKeyProperty, baseUrlProperty, secretProperty } from './fields';

/** Kling AI video: an access key / secret key pair; the node signs a short-lived JWT with the secret for each request. */
export class KlingApi implements ICredentialType {
	name = 'reelsmithKlingApi';

	displayName = 'Reelsmith Kling AI API';

	icon: Icon = { light: 'file:reelsmith.svg', dark: 'file:reelsmith.dark.svg' };

	documentationUrl = 'https://app.klingai.com/global/dev/document-api/quickStart/userManual';

	properties: INodeProperties[] = [
		accessKeyProperty('Identifies the account (the JWT issuer); the secret key below is what must stay private'),
		secretProperty('Secret Key', 'secretKey', 'Signs the API token (JWT, HS256); it is never sent to Kling itself'),
		baseUrlProperty(
			'https://api-singapore.klingai.com',
			'Kling API host: https://api-singapore.klingai.com (global) or https://api.klingai.com',
		),
	];
}
