import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { testS3Credential } from '../shared/storageNode';
import { testPostgresCredential } from '../shared/transport/postgres';
import { router } from './actions/router';
import { properties } from './description';
import { listSearch, loadOptions } from './methods';

export class TextToSpeech implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Text to Speech',
		name: 'textToSpeech',
		icon: { light: 'file:textToSpeech.svg', dark: 'file:textToSpeech.dark.svg' },
		group: ['transform'],
		version: 1,
		usableAsTool: true,
		subtitle: '={{ $parameter["provider"] + ": " + $parameter["operation"] }}',
		description: 'Voices scene dialogue and narration, one audio file per line plus a scene track',
		defaults: { name: 'Text to Speech' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'reelsmithS3Api', required: true, testedBy: 'reelsmithS3ApiTest' },
			// Optional: a provider whose credential is missing (or has no API key) is skipped with a note, so one node
			// can hold every provider of a fallback order.
			{ name: 'reelsmithElevenLabsApi', required: false },
			{ name: 'reelsmithGoogleTtsApi', required: false },
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
			reelsmithS3ApiTest: testS3Credential,
			reelsmithPostgresApiTest: testPostgresCredential,
		},
		loadOptions,
		listSearch,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
