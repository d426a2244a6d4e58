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

export type { ClipRequest, TaskStatus, VideoProvider, VideoProviderDefinition } from './types';
