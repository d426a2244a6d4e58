import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import order from '../data/providers.json';
import { isProviderDown } from '../../shared/transport/http';
import { SPEECH_PROVIDERS, speechProvider, type SpeechProvider, type SpeechProviderDefinition } from '../providers';

/** What happened with one provider while voicing an item (output `attempts`, same shape as Video Generation). */
export interface Attempt {
	provider: string;
	outcome: 'served' | 'skipped' | 'down' | 'failed';
	message?: string;
}

/** An error from voicing that says whether the provider is down (then the next provider may serve). */
export class SpeechError extends Error {
	constructor(
		message: string,
		readonly down: boolean,
	) {
		super(message);
		this.name = 'SpeechError';
	}
}

/** Whether an error means "this provider is down after its retries" (network, 429/5xx exhausted). */
export function isDown(error: unknown): boolean {
	if (error instanceof SpeechError) return error.down;
	return isProviderDown(error);
}

/**
 * The providers to try, in order: the Provider parameter ('auto' = data/providers.json's order) then Fallback
 * Providers, each once. Unknown names are an error naming the field.
 */
export function speechOrder(first: unknown, fallbacks: unknown): string[] {
	const names = (value: unknown, field: string): string[] => {
		let list: unknown[] = [];
		if (Array.isArray(value)) list = value;
		else if (typeof value === 'string' && value.trim().startsWith('[')) {
			try {
				list = JSON.parse(value);
			} catch {
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the operation wraps it in a NodeOperationError naming the scene or text
				throw new Error(`"${field}" is not a list of providers (got ${value}).`);
			}
		} else if (typeof value === 'string') list = value.split(',');
		return list.flatMap((entry) => {
			const name = String(entry ?? '').trim();
			if (!name) return [];
			if (name === 'auto') return order.autoOrder;
			if (!SPEECH_PROVIDERS[name]) {
				throw new Error(`"${field}" has an unknown speech provider "${name}". Use auto or one of: ${Object.keys(SPEECH_PROVIDERS).join(', ')}.`);
			}
			return [name];
		});
	};
	const all = [...names(first || 'espeak', 'Provider'), ...names(fallbacks, 'Fallback Providers')];
	return [...new Set(all)];
}

type CredentialReader = { getCredentials(name: string, itemIndex?: number): Promise<ICredentialDataDecryptedObject> };

/**
 * The provider ready to speak, or why it is skipped: "configured" = the node has the provider's credential and its
 * API key is not empty. Offline providers are always configured.
 */
export async function openSpeech(
	context: CredentialReader,
	definition: SpeechProviderDefinition,
	itemIndex: number,
): Promise<{ speech: SpeechProvider } | { skipped: string }> {
	if (!definition.credentialName) return { speech: definition.create({}) };
	const missing = `${definition.displayName} is not configured: add its credential (with an API key) to the node`;
	let credentials: Record<string, unknown>;
	try {
		credentials = (await context.getCredentials(definition.credentialName, itemIndex)) as Record<string, unknown>;
	} catch {
		return { skipped: missing };
	}
	if (!String(credentials?.apiKey ?? '').trim()) return { skipped: `${missing}; its API key is empty` };
	return { speech: definition.create({ credentials }) };
}

/**
 * Runs `work` with the first provider in `order` that is configured; a provider that is down after its retries hands
 * the item to the next. Any other failure (refused key, unknown voice, budget stop) ends the item at once: another
 * provider would not fix it. `first` tells `work` whether this is the provider the user chose (its voice settings apply).
 */
export async function withSpeechProviders<T>(
	context: CredentialReader,
	itemIndex: number,
	order: string[],
	work: (definition: SpeechProviderDefinition, speech: SpeechProvider, first: boolean) => Promise<T>,
): Promise<{ value: T; provider: SpeechProviderDefinition; attempts: Attempt[] }> {
	const attempts: Attempt[] = [];
	let lastDown: Error | undefined;
	for (const [index, name] of order.entries()) {
		const definition = speechProvider(name);
		const opened = await openSpeech(context, definition, itemIndex);
		if ('skipped' in opened) {
			attempts.push({ provider: name, outcome: 'skipped', message: opened.skipped });
			continue;
		}
		try {
			const value = await work(definition, opened.speech, index === 0);
			attempts.push({ provider: name, outcome: 'served' });
			return { value, provider: definition, attempts };
		} catch (error) {
			const down = isDown(error);
			attempts.push({ provider: name, outcome: down ? 'down' : 'failed', message: (error as Error).message });
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the operation wraps it in a NodeOperationError naming the scene or text
			if (!down) throw new AttemptsError((error as Error).message, attempts, error as Error);
			lastDown = error as Error;
		}
	}
	const tried = attempts.map((attempt) => `${attempt.provider}: ${attempt.outcome}${attempt.message ? ` (${attempt.message})` : ''}`);
	const message = lastDown
		? `no speech provider could serve. ${lastDown.message}${attempts.length > 1 ? ` Tried ${tried.join('; ')}.` : ''}`
		: attempts.length === 1
			? `${attempts[0].message}, or choose another provider.`
			: `no speech provider is configured (${tried.join('; ')}).`;
	throw new AttemptsError(message, attempts, lastDown);
}

/** The failure of an item, with what each provider did. */
export class AttemptsError extends Error {
	constructor(
		message: string,
		readonly attempts: Attempt[],
		readonly cause?: Error,
	) {
		super(message);
		this.name = 'AttemptsError';
	}
}
