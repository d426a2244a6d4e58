import { createHash } from 'node:crypto';
import type { PreviewSettings } from '../../shared/voiceProfile';
import { NARRATOR } from './script';

/** "ALICE (V.O.)", "alice", "Alice (CONT'D)" are the same character. */
export function characterKey(name: unknown): string {
	return String(name ?? '')
		.replace(/\s*\([^)]*\)\s*/g, ' ')
		.replace(/\s+/g, ' ')
		.trim()
		.toUpperCase();
}

export interface VoiceCast {
	narrator: string;
	/** Voice per character key. */
	characters: Map<string, string>;
	/** Voice for any speaker saying `text` (unknown speakers get a stable voice from their name). */
	voiceFor(speaker: string, text?: string): string;
	/** The narrator's voice for `text`. */
	narratorFor(text?: string): string;
	/** The campaign cast's voice settings for a speaker whose cast voice is this provider's (in the preview settings' words). */
	settingsFor(speaker: string): PreviewSettings | undefined;
}

/**
 * Who speaks with which voice, for a whole run: voiceMap overrides first, then the campaign cast's voice of the
 * provider speaking (`character.voice`, set when the plan was matched to the cast); otherwise the character at position i of
 * the plan's character list gets characterVoices[i mod n]. Scenes of one run share the list, so a character keeps
 * its voice in every scene. A speaker missing from the list gets a voice picked from a hash of the name (stable too).
 * A voice nobody named (not in the voice map, not the narrator chosen on the node) reads a line in another script with
 * the provider's `voiceForScript` (espeak-ng: Arabic with an Arabic voice instead of spelling it out in English).
 */
export function castVoices(options: {
	characters: unknown;
	voiceMap: Record<string, string>;
	narratorVoice: string;
	characterVoices: string[];
	/** The narrator voice was chosen on the node: it reads every line as it is. */
	narratorNamed?: boolean;
	voiceForScript?: (voice: string, text: string) => string;
	/** The provider speaking: a character whose campaign cast voice (`character.voice`) is this provider's speaks with it. */
	provider?: string;
}): VoiceCast {
	const overrides = new Map<string, string>();
	const settings = new Map<string, PreviewSettings>();
	// The campaign's cast first, so a voiceMap entry of the run request still wins over it.
	for (const character of Array.isArray(options.characters) ? options.characters : []) {
		const voice = (character as { voice?: { provider?: unknown; voice?: unknown; settings?: unknown } })?.voice;
		if (!options.provider || voice?.provider !== options.provider || typeof voice.voice !== 'string' || !voice.voice) continue;
		const key = characterKey((character as { name?: unknown }).name);
		overrides.set(key, voice.voice);
		if (voice.settings && typeof voice.settings === 'object') settings.set(key, voice.settings as PreviewSettings);
	}
	for (const [name, voice] of Object.entries(options.voiceMap)) {
		overrides.set(characterKey(name), voice);
		settings.delete(characterKey(name));
	}
	const names = (Array.isArray(options.characters) ? options.characters : [])
		.map((character) => characterKey(typeof character === 'string' ? character : (character as { name?: unknown })?.name))
		.filter(Boolean);
	const pool = options.characterVoices.length > 0 ? options.characterVoices : [options.narratorVoice];
	const characters = new Map<string, string>();
	names.forEach((name, index) => {
		if (!characters.has(name)) characters.set(name, overrides.get(name) ?? pool[index % pool.length]);
	});
	const narrator = overrides.get(NARRATOR) ?? options.narratorVoice;
	const narratorNamed = overrides.has(NARRATOR) || Boolean(options.narratorNamed);
	const forScript = (voice: string, text: string | undefined) => (options.voiceForScript && text ? options.voiceForScript(voice, text) : voice);
	const narratorFor = (text?: string) => (narratorNamed ? narrator : forScript(narrator, text));
	return {
		narrator,
		characters,
		narratorFor,
		settingsFor: (speaker: string) => settings.get(characterKey(speaker)),
		voiceFor(speaker: string, text?: string) {
			const key = characterKey(speaker);
			if (key === NARRATOR || !key) return narratorFor(text);
			const named = overrides.get(key);
			if (named) return named;
			const known = characters.get(key);
			if (known) return forScript(known, text);
			const hash = createHash('sha1').update(key).digest().readUInt32BE(0);
			return forScript(pool[hash % pool.length], text);
		},
	};
}

/**
 * The voice map for one provider. A map may hold plain entries ({"ALICE": "en-us+f4"}) and per-provider maps
 * ({"elevenlabs": {"ALICE": "21m00Tcm4TlvDq8ikWAM"}, "google": {…}}). Plain entries are voices of the provider the
 * user chose (the first in the order), so they apply to it only; a fallback provider uses its own map.
 */
export function voiceMapFor(voiceMap: Record<string, unknown>, provider: string, first: boolean): Record<string, string> {
	const plain: Record<string, string> = {};
	for (const [name, voice] of Object.entries(voiceMap)) if (typeof voice === 'string') plain[name] = voice;
	const own = voiceMap[provider];
	const scoped = own && typeof own === 'object' && !Array.isArray(own) ? (own as Record<string, string>) : {};
	return { ...(first ? plain : {}), ...scoped };
}

/** A problem with the shape of a voice map, or undefined when it is fine. */
export function voiceMapProblem(voiceMap: unknown, providers: string[]): string | undefined {
	if (!voiceMap || typeof voiceMap !== 'object' || Array.isArray(voiceMap)) return 'is not an object';
	for (const [name, voice] of Object.entries(voiceMap)) {
		if (typeof voice === 'string' && voice.trim()) continue;
		if (providers.includes(name) && voice && typeof voice === 'object' && !Array.isArray(voice)) {
			const bad = Object.entries(voice).find(([, value]) => typeof value !== 'string' || !value.trim());
			if (!bad) continue;
			return `has an empty or non-text voice for "${bad[0]}" under "${name}"`;
		}
		return `has an empty or non-text voice for "${name}"`;
	}
	return undefined;
}
