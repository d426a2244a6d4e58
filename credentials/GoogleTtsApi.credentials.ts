import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { apiKeyProperty, baseUrlProperty } from './fields';

/** Google Cloud Text-to-Speech with an API key (Text to Speech node, provider Google). */
export class GoogleTtsApi implements ICredentialType {
	name = 'reelsmithGoogleTtsApi';

	displayName = 'Reelsmith Google Text-to-Speech API';

	icon: Icon = { light: 'file:reelsmith.svg', dark: 'file:reelsmith.dark.svg' };

	documentationUrl = 'https://cloud.google.com/text-to-speech/docs/reference/rest';

	properties: INodeProperties[] = [
		apiKeyProperty('A Google Cloud API key allowed to call the Cloud Text-to-Speech API'),
		baseUrlProperty('https://texttospeech.googleapis.com', 'API address; change it only for a proxy or a test server'),
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'X-goog-api-key': '={{ $credentials.apiKey }}' } },
	};

	test: ICredentialTestRequest = {
		request: { baseURL: '={{ $credentials.baseUrl }}', url: '/v1/voices', qs: { languageCode: 'en-US' } },
	};
}
