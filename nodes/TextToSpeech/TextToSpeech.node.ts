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
import { testPostgresCredential } from '../shared/transport/postgres';
import * as synthesize from './actions/synthesize.operation';
import * as synthesizeScene from './actions/synthesizeScene.operation';
import { router } from './actions/router';
import { speechOrder } from './lib/providerChoice';
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
				options: [
					{
						name: 'Auto',
						value: 'auto',
						description: 'The first configured of ElevenLabs, Google, then espeak-ng (offline)',
					},
					...PROVIDER_OPTIONS,
				],
				// eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-options -- espeak is one of PROVIDER_OPTIONS (spread above); saved workflows that never set Provider keep offline speech
				default: 'espeak',
				description:
					'Who speaks first. A provider without its credential (or with an empty API key) is skipped with a note; one that is down after its retries hands the item to the next of Fallback Providers.',
			},
			{
				displayName: 'Fallback Providers',
				name: 'fallbackProviders',
				type: 'multiOptions',
				options: PROVIDER_OPTIONS,
				default: [],
				description:
					'Tried in order when the provider is not configured or is down (network, 429/5xx after retries). A refused key, an unknown voice or a budget stop fails the item instead.',
			},
			...synthesizeScene.description,
			...synthesize.description,
		],
	};

	methods = {
		credentialTest: {
			reelsmithS3ApiTest: testS3Credential,
			reelsmithPostgresApiTest: testPostgresCredential,
		},
		loadOptions: {
			/** Voices of the chosen provider: the account's list for remote providers (every page), the data file otherwise. */
			async getVoices(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const definition = await canvasProvider(this);
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
				const definition = await canvasProvider(this);
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

/** The provider whose voices the canvas lists: the chosen one, or for 'auto' the first that has its credential. */
async function canvasProvider(context: ILoadOptionsFunctions): Promise<SpeechProviderDefinition> {
	const chosen = String(context.getCurrentNodeParameter('provider') ?? 'espeak');
	if (chosen !== 'auto') return speechProvider(chosen);
	for (const name of speechOrder('auto', [])) {
		const definition = speechProvider(name);
		if (!definition.credentialName) return definition;
		const credentials = await context.getCredentials(definition.credentialName).catch(() => undefined);
		if (String(credentials?.apiKey ?? '').trim()) return definition;
	}
	return speechProvider('espeak');
}

async function remote(context: ILoadOptionsFunctions, definition: SpeechProviderDefinition) {
	const credentials = (await context.getCredentials(definition.credentialName!)) as Record<string, unknown>;
	return definition.create({ credentials });
}

function voiceLabel(voice: Voice): string {
	return `${voice.name} (${voice.id})`;
}
