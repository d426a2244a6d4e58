import { elevenLabsVoicePage } from '../../shared/transport/elevenlabs';
import { espeakVoiceTable } from '../../shared/transport/espeak';
import { googleVoices } from '../../shared/transport/googleTts';
import { speaksLanguage, type ListedVoice } from '../../shared/voices';

/** A voice as List Voices gives it, whichever provider lists it. */
export interface VoiceChoice {
	provider: string;
	id: string;
	name: string;
	languages: string[];
	/** Only when the provider says. */
	gender?: string;
}

export interface VoiceFilter {
	/** BCP 47; empty = every language. */
	language?: string;
	/** Part of the id, name or a language; empty = every voice. */
	search?: string;
}

/** At most this many ElevenLabs pages (100 voices each) are read for one list. */
const MAX_PAGES = 20;

/**
 * The voices `provider` has for `filter`, from the provider itself: espeak-ng's own `--voices` (no network), the
 * account's ElevenLabs voices (`GET /v2/voices`, searched by ElevenLabs), Google's voices (`GET /v1/voices`, of the
 * language when one is given). Sorted by name.
 */
export async function listVoices(
	provider: string,
	credentials: Record<string, unknown> | undefined,
	filter: VoiceFilter = {},
): Promise<VoiceChoice[]> {
	const language = filter.language?.trim() ?? '';
	const search = filter.search?.trim() ?? '';
	let voices: VoiceChoice[];
	if (provider === 'espeak') {
		voices = (await espeakVoiceTable()).map((row) => ({ provider, ...row }));
	} else if (provider === 'elevenlabs') {
		const listed: ListedVoice[] = [];
		let token: string | undefined;
		for (let page = 0; page < MAX_PAGES; page++) {
			const result = await elevenLabsVoicePage(credentials, { token, search: search || undefined });
			listed.push(...result.voices);
			token = result.next;
			if (!token) break;
		}
		voices = listed.map((voice) => choice(provider, voice));
	} else if (provider === 'google') {
		// Google filters by languageCode itself; only a full tag (en-US) is one: "en" is filtered here.
		const code = /^[a-z]{2,3}-[a-z0-9]{2,4}$/i.test(language) ? language : undefined;
		voices = (await googleVoices(credentials, undefined, code)).map((voice) => choice(provider, voice));
	} else {
		throw new Error(`Unknown speech provider "${provider}". Use one of: espeak, elevenlabs, google.`);
	}
	const wanted = search.toLowerCase();
	return voices
		.filter((voice) => speaksLanguage(voice.languages, language))
		.filter(
			(voice) =>
				provider === 'elevenlabs' || !wanted || [voice.id, voice.name, ...voice.languages].some((text) => text.toLowerCase().includes(wanted)),
		)
		.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

function choice(provider: string, voice: ListedVoice): VoiceChoice {
	// ElevenLabs' `language` falls back to the accent ("american"): only the languages list is languages.
	const languages = voice.languages ?? (voice.language ? [voice.language] : []);
	const gender = voice.gender && !/unspecified/i.test(voice.gender) ? voice.gender.toLowerCase() : undefined;
	return { provider, id: voice.id, name: voice.name, languages, ...(gender ? { gender } : {}) };
}
