import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../shared/description';
import * as listVoices from './actions/listVoices.operation';
import * as previewVoice from './actions/previewVoice.operation';
import * as synthesize from './actions/synthesize.operation';
import * as synthesizeScene from './actions/synthesizeScene.operation';
import { PROVIDER_OPTIONS } from './providers';

/** The Text to Speech node's parameters: operation, provider order, then each operation's own fields. */
export const properties: INodeProperties[] = [
	operationField(
		[
			{
				name: 'List Voices',
				value: 'listVoices',
				action: 'List the voices of a provider',
				description: "The provider's voices (espeak-ng's own list, the ElevenLabs account's, Google's), by language and search text",
			},
			{
				name: 'Preview Voice',
				value: 'previewVoice',
				action: 'Preview a voice',
				description: 'One short line in one voice, kept in storage by a hash of what was asked: the same preview again costs nothing',
			},
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
		'synthesizeScene',
	),
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
		displayOptions: { hide: { operation: ['listVoices', 'previewVoice'] } },
		description:
			'Tried in order when the provider is not configured or is down (network, 429/5xx after retries). A refused key, an unknown voice or a budget stop fails the item instead.',
	},
	...synthesizeScene.description,
	...synthesize.description,
	...listVoices.description,
	...previewVoice.description,
];
