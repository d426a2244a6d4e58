import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type INodeListSearchResult,
	type INodePropertyOptions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { testS3Credential } from '../shared/storageNode';
import * as synthesize from './actions/synthesize.operation';
import * as synthesizeScene from './actions/synthesizeScene.operation';
import { router } from './actions/router';
import { PROVIDER_OPTIONS, speechProvider, type SpeechProviderDefinition, type Voice } from './providers';

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
			{ name: 'reelsmithElevenLabsApi', required: true, displayOptions: { show: { provider: ['elevenlabs'] } } },
			{ name: 'reelsmithGoogleTtsApi', required: true, displayOptions: { show: { provider: ['google'] } } },
		],
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
		loadOptions: {
			/** Voices of the chosen provider: the account's list for remote providers (every page), the data file otherwise. */
			async getVoices(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const definition = speechProvider(this.getCurrentNodeParameter('provider') as string);
				const voices = definition.credentialName
					? await (await remote(this, definition)).listVoices()
					: definition.voices;
				return [
					{ name: `Provider Default (${definition.narratorVoice})`, value: '' },
					...voices.map((voice) => ({ name: voiceLabel(voice), value: voice.id })),
				];
			},
		},
		listSearch: {
			/** One page of voices per call; n8n asks for the next with the returned paginationToken. */
			async searchVoices(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
				const definition = speechProvider(this.getCurrentNodeParameter('provider') as string);
				if (!definition.credentialName) {
					const wanted = filter?.toLowerCase() ?? '';
					const voices = definition.voices.filter((voice) => voiceLabel(voice).toLowerCase().includes(wanted));
					return { results: voices.map((voice) => ({ name: voiceLabel(voice), value: voice.id })) };
				}
				const speech = await remote(this, definition);
				const page = speech.listVoicesPage
					? await speech.listVoicesPage({ token: paginationToken, search: filter })
					: { voices: await speech.listVoices(), next: undefined };
				return {
					results: page.voices.map((voice) => ({ name: voiceLabel(voice), value: voice.id })),
					paginationToken: page.next,
				};
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}

async function remote(context: ILoadOptionsFunctions, definition: SpeechProviderDefinition) {
	const credentials = (await context.getCredentials(definition.credentialName!)) as Record<string, unknown>;
	return definition.create({ credentials });
}

function voiceLabel(voice: Voice): string {
	return `${voice.name} (${voice.id})`;
}
