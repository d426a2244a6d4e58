import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { apiKeyProperty, baseUrlProperty } from './fields';

/** ElevenLabs text-to-speech (Text to Speech node, provider ElevenLabs). */
export class ElevenLabsApi implements ICredentialType {
	name = 'reelsmithElevenLabsApi';

	displayName = 'Reelsmith ElevenLabs API';

	icon: Icon = { light: 'file:reelsmith.svg', dark: 'file:reelsmith.dark.svg' };

	documentationUrl = 'https://elevenlabs.io/docs/api-reference/authentication';

	properties: INodeProperties[] = [
		apiKeyProperty(),
		baseUrlProperty('https://api.elevenlabs.io', 'API address; change it only for a proxy or a test server'),
		{
			displayName: 'Model',
			name: 'model',
			type: 'string',
			default: 'eleven_multilingual_v2',
			description: 'Model ID for speech, e.g. eleven_multilingual_v2, eleven_flash_v2_5 or eleven_v3',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'xi-api-key': '={{ $credentials.apiKey }}' } },
	};

	test: ICredentialTestRequest = {
		request: { baseURL: '={{ $credentials.baseUrl }}', url: '/v2/voices', qs: { page_size: 1 } },
	};
}
