import type { INodePropertyOptions } from 'n8n-workflow';
import { klingProvider } from './kling';
import { localProvider } from './local';
import { runwayProvider } from './runway';
import type { VideoProviderDefinition } from './types';

/**
 * Every video provider the node offers. Adding one (Kling, Runway) = one module implementing VideoProvider
 * plus one line here; the node's Provider list and validation follow from this registry.
 */
export const VIDEO_PROVIDERS: Record<string, VideoProviderDefinition> = {
	[localProvider.name]: localProvider,
	[klingProvider.name]: klingProvider,
	[runwayProvider.name]: runwayProvider,
};

export function videoProvider(name: string): VideoProviderDefinition {
	const provider = VIDEO_PROVIDERS[name];
	if (!provider) {
		throw new Error(`Unknown video provider "${name}". Use one of: ${Object.keys(VIDEO_PROVIDERS).join(', ')}.`);
	}
	return provider;
}

export const PROVIDER_OPTIONS: INodePropertyOptions[] = Object.values(VIDEO_PROVIDERS).map((provider) => ({
	name: provider.displayName,
	value: provider.name,
	description: provider.description,
}));

/** What 'auto' stands for: every paid provider that is configured, cheapest to set up last, then local. */
export const AUTO_ORDER = ['kling', 'runway', 'local'];

/**
 * The providers to try for a scene, in order: the first choice, then the fallbacks; 'auto' expands to AUTO_ORDER
 * and each provider appears once. Unknown names throw with the list of known ones.
 */
export function providerOrder(first: string, fallbacks: string[]): VideoProviderDefinition[] {
	const names = [first, ...fallbacks]
		.map((name) => String(name ?? '').trim())
		.filter(Boolean)
		.flatMap((name) => (name === 'auto' ? AUTO_ORDER : [name]));
	return [...new Set(names)].map(videoProvider);
}

export type { ClipRequest, TaskStatus, VideoProvider, VideoProviderDefinition } from './types';
