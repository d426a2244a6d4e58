import type { IExecuteFunctions } from 'n8n-workflow';
import { elevenLabsVoices } from '../../../shared/transport/elevenlabs';
import { espeakVoices } from '../../../shared/transport/espeak';
import { googleVoices } from '../../../shared/transport/googleTts';
import { retryPolicy } from '../../../shared/transport/http';
import table from '../../data/providers.json';
import { firstSpeechProvider } from '../../lib/providers';
import type { RunOptions, SpeechProvider } from '../../lib/request';
import { narratorRejection, voiceMapRejection, type KnownVoices, type VoiceRejection } from '../../lib/voices';
import { configuredCredentials } from './credentials';

const LOOKUP = retryPolicy({ attempts: table.voiceCheck.attempts, timeoutMs: table.voiceCheck.timeoutMs });

/**
 * The request's voiceMap and narrator held against the voices of the speech provider that will speak them: espeak-ng's
 * own list (read once per process), or the ElevenLabs account's / Google's voice list when its key is set (the
 * credential attached to Accept). A narrator with a provider is held against that provider's list; voiceMap entries
 * and a narrator without one against the first speech provider's. A list that cannot be read now (provider
 * unreachable, key refused) leaves the check to the speech step, which says why.
 */
export async function voiceMapCheck(this: IExecuteFunctions, itemIndex: number, options: RunOptions): Promise<VoiceRejection | null> {
	const narrator = options.narrator ?? null;
	if (Object.keys(options.voiceMap).length === 0 && !narrator) return null;
	const ready = await configuredCredentials.call(this, itemIndex);
	const first = firstSpeechProvider(options.speech, (credential) => ready.has(credential));
	const auto = options.speech.length === 1 && options.speech[0] === 'auto';
	const why = !auto
		? 'the first of "speech"'
		: first === 'espeak'
			? 'the speech provider, as "speech" is ["auto"] and no paid one has a key'
			: 'the first speech provider with a key, as "speech" is ["auto"]';
	const lists = new Map<SpeechProvider, Promise<KnownVoices | null>>();
	const known = (provider: SpeechProvider) => {
		if (!lists.has(provider)) lists.set(provider, knownVoices.call(this, itemIndex, provider, ready));
		return lists.get(provider)!;
	};
	if (first && Object.keys(options.voiceMap).length > 0) {
		const voices = await known(first);
		const rejection = voices ? voiceMapRejection(options.voiceMap, voices, why) : null;
		if (rejection) return rejection;
	}
	const narratorProvider = narrator?.provider ?? first;
	if (narrator && narratorProvider) {
		const voices = await known(narratorProvider);
		if (voices) return narratorRejection(narrator.voice, voices, narrator.provider ? 'narrator.provider' : why);
	}
	return null;
}

/** A provider's voices, or null when they cannot be read now (no key, unreachable): the speech step will say why. */
async function knownVoices(this: IExecuteFunctions, itemIndex: number, provider: SpeechProvider, ready: Set<string>): Promise<KnownVoices | null> {
	try {
		if (provider === 'espeak') return { provider, espeak: await espeakVoices() };
		const credential = table.speech[provider].credential;
		if (!ready.has(credential)) return null;
		const credentials = (await this.getCredentials(credential, itemIndex)) as Record<string, unknown>;
		const voices = provider === 'elevenlabs' ? await elevenLabsVoices(credentials, LOOKUP) : await googleVoices(credentials, LOOKUP);
		return { provider, voices };
	} catch {
		return null;
	}
}
