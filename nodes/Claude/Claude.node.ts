import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { testPostgresCredential } from '../shared/transport/postgres';
import { router } from './actions/router';
import { properties } from './description';

export class Claude implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Claude',
		name: 'claude',
		icon: { light: 'file:claude.svg', dark: 'file:claude.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		usableAsTool: true,
		description: 'Plan a video from a script, brief or post with Claude, critique and refine the plan, check frames, write metadata',
		defaults: {
			name: 'Claude',
		},
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'reelsmithAnthropicApi', required: true },
			// Optional: with it, calls for items that carry a runId are checked against the run's budget and costed.
			{
				name: 'reelsmithPostgresApi',
				required: false,
				displayName: 'Reelsmith Postgres — for budgets, costs and task ids',
				testedBy: 'reelsmithPostgresApiTest',
			},
		],
		properties,
	};

	methods = {
		credentialTest: {
			reelsmithPostgresApiTest: testPostgresCredential,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
