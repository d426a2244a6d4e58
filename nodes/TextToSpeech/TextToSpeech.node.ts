import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { testS3Credential } from '../shared/storageNode';
import * as synthesize from './actions/synthesize.operation';
import * as synthesizeScene from './actions/synthesizeScene.operation';
import { router } from './actions/router';
import { PROVIDER_OPTIONS } from './providers';

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
		credentials: [{ name: 'reelsmithS3Api', required: true, testedBy: 'reelsmithS3ApiTest' }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Synthesize Scene',
						value: 'synthesizeScene',
						action: 'Voice a scene',
						description: 'One WAV per spoken line (character voices, narrator) and the scene narration track with line timings',
					},
					{
						name: 'Synthesize',
						value: 'synthesize',
						action: 'Voice a text',
						description: 'One WAV for one text',
					},
				],
				default: 'synthesizeScene',
			},
			{
				displayName: 'Provider',
				name: 'provider',
				type: 'options',
				options: PROVIDER_OPTIONS,
				default: 'espeak',
				description: 'Who speaks',
			},
			...synthesizeScene.description,
			...synthesize.description,
		],
	};

	methods = {
		credentialTest: {
			reelsmithS3ApiTest: testS3Credential,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
