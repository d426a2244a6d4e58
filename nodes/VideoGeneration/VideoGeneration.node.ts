import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { testS3Credential } from '../shared/storageNode';
import { testKlingCredential } from './providers/kling';
import * as generate from './actions/generate.operation';
import { router } from './actions/router';

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
			{
				name: 'reelsmithKlingApi',
				required: true,
				testedBy: 'reelsmithKlingApiTest',
				displayOptions: { show: { provider: ['kling'] } },
			},
			{ name: 'reelsmithRunwayApi', required: true, displayOptions: { show: { provider: ['runway'] } } },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Generate',
						value: 'generate',
						action: 'Generate a scene clip',
						description: 'Render the scene with the chosen provider, wait for it and store the clip',
					},
				],
				default: 'generate',
			},
			...generate.description,
		],
	};

	methods = {
		credentialTest: {
			reelsmithS3ApiTest: testS3Credential,
			reelsmithKlingApiTest: testKlingCredential,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
