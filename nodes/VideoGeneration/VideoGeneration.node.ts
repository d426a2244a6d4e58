import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { testS3Credential } from '../shared/storageNode';
import { testPostgresCredential } from '../shared/transport/postgres';
import { testKlingCredential } from '../shared/transport/kling';
import { router } from './actions/router';
import { properties } from './description';

export class VideoGeneration implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Video Generation',
		name: 'videoGeneration',
		icon: { light: 'file:videoGeneration.svg', dark: 'file:videoGeneration.dark.svg' },
		group: ['transform'],
		version: 1,
		usableAsTool: true,
		subtitle: '={{ $parameter["provider"] + ": " + $parameter["operation"] }}',
		description: 'Makes one video clip per scene and stores it in object storage',
		defaults: { name: 'Video Generation' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'reelsmithS3Api', required: true, testedBy: 'reelsmithS3ApiTest' },
			// Paid providers are optional: one without its credential is skipped and the next of the order is used.
			{ name: 'reelsmithKlingApi', required: false, testedBy: 'reelsmithKlingApiTest' },
			{ name: 'reelsmithRunwayApi', required: false },
			// Optional: Claude rewrites a prompt Kling or Runway refused under its content policy (Rewrite Refused Prompts).
			{ name: 'reelsmithAnthropicApi', required: false },
			// For budgets, cost lines and the task ledger (never paying twice for a scene); standalone without it.
			{ name: 'reelsmithPostgresApi', required: false, testedBy: 'reelsmithPostgresApiTest' },
		],
		properties,
	};

	methods = {
		credentialTest: {
			reelsmithS3ApiTest: testS3Credential,
			reelsmithKlingApiTest: testKlingCredential,
			reelsmithPostgresApiTest: testPostgresCredential,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
