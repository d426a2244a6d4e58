import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * The shared secret callers send with POST /webhook/reelsmith/runs and /resume. The Campaign node checks it
 * (run Accept, run Resume) in constant time and answers 401 naming the header when it is missing or wrong.
 */
export class ReelsmithWebhookApi implements ICredentialType {
	name = 'reelsmithWebhookApi';

	displayName = 'Reelsmith Webhook API';

	icon: Icon = { light: 'file:reelsmith.svg', dark: 'file:reelsmith.dark.svg' };

	documentationUrl = 'https://github.com/reelsmith/n8n-nodes-reelsmith#calling-the-webhook';

	properties: INodeProperties[] = [
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: 'x-reelsmith-token',
			description: 'Request header that carries the token',
			required: true,
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'The secret callers must send in the header; long and random, e.g. from `openssl rand -hex 32`',
			required: true,
		},
	];
}
