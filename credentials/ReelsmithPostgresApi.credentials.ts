import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/** The Reelsmith store: runs, scenes, plan versions, events and costs. */
export class ReelsmithPostgresApi implements ICredentialType {
	name = 'reelsmithPostgresApi';

	displayName = 'Reelsmith Postgres';

	icon: Icon = { light: 'file:reelsmith.svg', dark: 'file:reelsmith.dark.svg' };

	documentationUrl = 'https://github.com/reelsmith/n8n-nodes-reelsmith#environment-variables';

	properties: INodeProperties[] = [
		{ displayName: 'Host', name: 'host', type: 'string', default: '127.0.0.1', required: true },
		{ displayName: 'Port', name: 'port', type: 'number', default: 5432 },
		{ displayName: 'Database', name: 'database', type: 'string', default: 'reelsmith', required: true },
		{ displayName: 'User', name: 'user', type: 'string', default: 'postgres', required: true },
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'SSL',
			name: 'ssl',
			type: 'options',
			options: [
				{ name: 'Disable', value: 'disable' },
				{ name: 'Require', value: 'require' },
			],
			default: 'disable',
		},
	];
}
