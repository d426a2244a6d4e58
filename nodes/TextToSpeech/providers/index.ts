import type { ICredentialDataDecryptedObject, INodePropertyOptions } from 'n8n-workflow';
import { elevenLabsProvider } from './elevenlabs';
import { espeakProvider } from './espeak';
import { googleProvider } from './google';
import type { SpeechProviderDefinition } from './types';

/** Every speech provider the node offers: adding one = one module + one line here. */
export const SPEECH_PROVIDERS: Record<string, SpeechProviderDefinition> = {
	[espeakProvider.name]: espeakProvider,
	[elevenLabsProvider.name]: elevenLabsProvider,
	[googleProvider.name]: googleProvider,
};

/** The provider, created with its credential (read from the node) when it needs one. */
export async function createSpeech(
	context: { getCredentials(name: string, itemIndex?: number): Promise<ICredentialDataDecryptedObject> },
	definition: SpeechProviderDefinition,
	itemIndex?: number,
) {
	const credentials = definition.credentialName
		? ((await context.getCredentials(definition.credentialName, itemIndex)) as Record<string, unknown>)
		: undefined;
	return definition.create({ credentials });
}

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

export type { SpeechProvider, SpeechProviderDefinition, SpeechRequest, SpeechResult, Voice, VoicePage, WordTiming } from './types';
