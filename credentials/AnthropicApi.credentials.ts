import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
	Icon,
} from 'n8n-workflow';
import { apiKeyProperty, baseUrlProperty } from './fields';

/** Anthropic API key for the Claude node (planning, critique, refinement). */
export class AnthropicApi implements ICredentialType {
	name = 'reelsmithAnthropicApi';

	displayName = 'Reelsmith Anthropic API';

	icon: Icon = { light: 'file:reelsmith.svg', dark: 'file:reelsmith.dark.svg' };

	documentationUrl = 'https://docs.anthropic.com/en/api/getting-started';

	properties: INodeProperties[] = [
		apiKeyProperty(),
		baseUrlProperty('https://api.anthropic.com', 'Anthropic API address; change it only for a proxy or a test server'),
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				'x-api-key': '={{$credentials.apiKey}}',
				'anthropic-version': '2023-06-01',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/v1/models',
			method: 'GET',
		},
	};
}
