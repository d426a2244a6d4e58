import type { ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';
import { speechOrder } from './lib/providerChoice';
import { speechProvider, type SpeechProviderDefinition, type Voice } from './providers';

// The canvas lists of the Text to Speech node (n8n's `methods`): voices of the provider chosen on the canvas.

export const loadOptions = {
	/** Voices of the chosen provider: the account's list for remote providers (every page), the data file otherwise. */
	async getVoices(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const definition = await canvasProvider(this);
		const voices = definition.credentialName ? await (await remote(this, definition)).listVoices() : definition.voices;
		return [
			{ name: `Provider Default (${definition.narratorVoice})`, value: '' },
			...voices.map((voice) => ({ name: voiceLabel(voice), value: voice.id })),
		];
	},
};

export const listSearch = {
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
};

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
