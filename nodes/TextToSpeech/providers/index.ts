import type { INodePropertyOptions } from 'n8n-workflow';
import { espeakProvider } from './espeak';
import type { SpeechProviderDefinition } from './types';

/** Every speech provider the node offers: adding one = one module + one line here. */
export const SPEECH_PROVIDERS: Record<string, SpeechProviderDefinition> = {
	[espeakProvider.name]: espeakProvider,
};

export function speechProvider(name: string): SpeechProviderDefinition {
	const provider = SPEECH_PROVIDERS[name];
	if (!provider) {
		throw new Error(`Unknown speech provider "${name}". Use one of: ${Object.keys(SPEECH_PROVIDERS).join(', ')}.`);
	}
	return provider;
}

export const PROVIDER_OPTIONS: INodePropertyOptions[] = Object.values(SPEECH_PROVIDERS).map((provider) => ({
	name: provider.displayName,
	value: provider.name,
	description: provider.description,
}));

/** Voice list for the node's voice fields (all providers, labelled). */
export const VOICE_OPTIONS: INodePropertyOptions[] = Object.values(SPEECH_PROVIDERS).flatMap((provider) =>
	provider.voices.map((voice) => ({ name: `${voice.name} (${voice.id})`, value: voice.id })),
);

export type { SpeechProvider, SpeechProviderDefinition, SpeechRequest, SpeechResult, Voice } from './types';
