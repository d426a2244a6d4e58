import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { testS3Credential } from '../shared/storageNode';
import { router } from './actions/router';
import { properties } from './description';
import { testWebhookCredential } from './methods';
import { configuredOutputs } from './outputs';
import { testPostgresCredential } from './transport/db';
import { testKlingCredential } from '../shared/transport/kling';

export class Campaign implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Campaign',
		name: 'campaign',
		icon: { light: 'file:campaign.svg', dark: 'file:campaign.dark.svg' },
		group: ['transform'],
		version: 1,
		usableAsTool: true,
		subtitle: '={{ $parameter["resource"] + ": " + $parameter["operation"] }}',
		description: 'The Reelsmith store: runs and their queue, scenes, plan versions, step events and artifacts',
		defaults: { name: 'Campaign' },
		inputs: [NodeConnectionTypes.Main],
		// Accept and Resume have Accepted/Resumed + Rejected outputs, the rest one; see outputs.ts.
		outputs: `={{(${configuredOutputs})($parameter)}}`,
		credentials: [
			{ name: 'reelsmithPostgresApi', required: true, testedBy: 'reelsmithPostgresApiTest' },
			{ name: 'reelsmithS3Api', required: true, testedBy: 'reelsmithS3ApiTest' },
			{
				name: 'reelsmithWebhookApi',
				required: true,
				testedBy: 'reelsmithWebhookApiTest',
				displayOptions: {
					show: { resource: ['run', 'batch', 'webhookRequest'], operation: ['accept', 'resume', 'start', 'startPipeline', 'create', 'check'] },
				},
			},
			// Choose Providers reads every paid credential it is given: attached with a key = configured
			// (lib/providers.ts, data/providers.json). Accept reads the speech ones to check a voiceMap against the
			// first speech provider's voice list (actions/run/voiceCheck.ts), and so does Create Batch for each row. Only run
			// and batch have these operation names, so the pairs cannot mix.
			{ name: 'reelsmithAnthropicApi', required: false, displayOptions: { show: { resource: ['run'], operation: ['chooseProviders'] } } },
			{
				name: 'reelsmithKlingApi',
				required: false,
				testedBy: 'reelsmithKlingApiTest',
				displayOptions: { show: { resource: ['run'], operation: ['chooseProviders'] } },
			},
			{ name: 'reelsmithRunwayApi', required: false, displayOptions: { show: { resource: ['run'], operation: ['chooseProviders'] } } },
			{
				name: 'reelsmithElevenLabsApi',
				required: false,
				displayOptions: { show: { resource: ['run', 'batch'], operation: ['accept', 'chooseProviders', 'create'] } },
			},
			{
				name: 'reelsmithGoogleTtsApi',
				required: false,
				displayOptions: { show: { resource: ['run', 'batch'], operation: ['accept', 'chooseProviders', 'create'] } },
			},
		],
		properties,
	};

	methods = {
		credentialTest: {
			reelsmithPostgresApiTest: testPostgresCredential,
			reelsmithS3ApiTest: testS3Credential,
			// Kling signs a JWT, so its test is code (shared with Video Generation), not a declarative request.
			reelsmithKlingApiTest: testKlingCredential,
			reelsmithWebhookApiTest: testWebhookCredential,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
