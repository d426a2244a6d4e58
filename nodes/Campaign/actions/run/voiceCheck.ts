import type { IExecuteFunctions } from 'n8n-workflow';
import { elevenLabsVoices } from '../../../shared/transport/elevenlabs';
import { espeakVoices } from '../../../shared/transport/espeak';
import { googleVoices } from '../../../shared/transport/googleTts';
import { retryPolicy } from '../../../shared/transport/http';
import table from '../../data/providers.json';
import { firstSpeechProvider } from '../../lib/providers';
import type { RunOptions } from '../../lib/request';
import { voiceMapRejection, type KnownVoices, type VoiceRejection } from '../../lib/voices';
import { configuredCredentials } from './credentials';

const LOOKUP = retryPolicy({ attempts: table.voiceCheck.attempts, timeoutMs: table.voiceCheck.timeoutMs });

/**
 * The request's voiceMap held against the voices of the speech provider that will speak first: espeak-ng's own list,
 * or the ElevenLabs account's / Google's voice list when its key is set (the credential attached to Accept). A list
 * that cannot be read now (provider unreachable, key refused) leaves the check to the speech step, which says why.
 */
export async function voiceMapCheck(this: IExecuteFunctions, itemIndex: number, options: RunOptions): Promise<VoiceRejection | null> {
	if (Object.keys(options.voiceMap).length === 0) return null;
	const ready = await configuredCredentials.call(this, itemIndex);
	const provider = firstSpeechProvider(options.speech, (credential) => ready.has(credential));
	if (!provider) return null;
	const auto = options.speech.length === 1 && options.speech[0] === 'auto';
	const why = !auto
		? 'the first of "speech"'
		: provider === 'espeak'
			? 'the speech provider, as "speech" is ["auto"] and no paid one has a key'
			: 'the first speech provider with a key, as "speech" is ["auto"]';
	let known: KnownVoices;
	try {
		if (provider === 'espeak') {
			known = { provider, espeak: await espeakVoices() };
		} else {
			const credential = table.speech[provider].credential;
			const credentials = (await this.getCredentials(credential, itemIndex)) as Record<string, unknown>;
			const voices = provider === 'elevenlabs' ? await elevenLabsVoices(credentials, LOOKUP) : await googleVoices(credentials, LOOKUP);
			known = { provider, voices };
		}
	} catch {
		return null;
	}
	return voiceMapRejection(options.voiceMap, known, why);
}
