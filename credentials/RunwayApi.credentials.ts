import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
	Icon,
} from 'n8n-workflow';
import { baseUrlProperty, secretProperty } from './fields';

/** Runway video generation: one API secret, sent as a Bearer token with the API version header. */
export class RunwayApi implements ICredentialType {
	name = 'reelsmithRunwayApi';

	displayName = 'Reelsmith Runway API';

	icon: Icon = { light: 'file:reelsmith.svg', dark: 'file:reelsmith.dark.svg' };

	documentationUrl = 'https://docs.dev.runwayml.com/';

	properties: INodeProperties[] = [
		secretProperty('API Secret', 'apiSecret'),
		baseUrlProperty('https://api.dev.runwayml.com', 'Runway API host'),
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiSecret}}',
				'X-Runway-Version': '2024-11-06',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/v1/organization',
			method: 'GET',
		},
	};
}
