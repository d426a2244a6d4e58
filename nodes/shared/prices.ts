import prices from './data/prices.json';

/**
 * Costs in US dollars from the one price table (data/prices.json). Estimates and recorded costs both come from
 * here, so a run's estimate and its spend can be compared. Unknown models are priced like the provider's most
 * expensive one, so a budget check never under-estimates.
 */

type PriceTable = Record<string, Record<string, unknown>>;
const table = prices as unknown as PriceTable;

function providerPrices(provider: string): Record<string, unknown> {
	const entry = table[provider];
	if (!entry || typeof entry !== 'object' || provider === 'currency') {
		const known = Object.keys(table).filter((name) => !name.startsWith('_') && name !== 'currency');
		throw new Error(`No prices for provider "${provider}". Add it to nodes/shared/data/prices.json (known: ${known.join(', ')}).`);
	}
	return entry;
}

/** The price entry of `model` (exact id, or an id with a date suffix such as claude-sonnet-4-5-20250929). */
function modelEntry<T>(models: Record<string, T>, model: string | undefined, fallback: string | undefined, rate: (entry: T) => number): T {
	const id = (model ?? '').trim();
	if (id && models[id]) return models[id];
	if (id) {
		const prefix = Object.keys(models)
			.filter((name) => id.startsWith(`${name}-`))
			.sort((a, b) => b.length - a.length)[0];
		if (prefix) return models[prefix];
		return Object.values(models).reduce((worst, entry) => (rate(entry) > rate(worst) ? entry : worst));
	}
	if (fallback && models[fallback]) return models[fallback];
	return Object.values(models).reduce((worst, entry) => (rate(entry) > rate(worst) ? entry : worst));
}

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;

/** Seconds the provider bills for a clip of `seconds` (Kling bills whole 5 s or 10 s clips). */
export function billedSeconds(provider: string, seconds: number): number {
	const durations = providerPrices(provider).billedDurations as number[] | undefined;
	if (!durations?.length) return Math.max(0, seconds);
	const covering = durations.find((value) => value >= seconds - 1e-9);
	return covering ?? Math.ceil(seconds / Math.max(...durations)) * Math.max(...durations);
}

/** Cost of one clip. `mode` is Kling's std|pro (default std). Local rendering is free. */
export function videoCostUsd(
	provider: 'kling' | 'runway' | 'local' | string,
	model: string | undefined,
	seconds: number,
	mode?: string,
): number {
	const entry = providerPrices(provider);
	const models = entry.models as Record<string, Record<string, number>>;
	const fallback = entry.default as string | undefined;
	const billed = billedSeconds(provider, seconds);
	if (provider === 'runway') {
		const price = modelEntry(models, model, fallback, (m) => m.creditsPerSecond);
		return round(billed * price.creditsPerSecond * Number(entry.creditUsd));
	}
	if (provider === 'kling') {
		const price = modelEntry(models, model, fallback, (m) => Math.max(m.std, m.pro));
		const perSecond = mode === 'pro' ? price.pro : price.std;
		return round(billed * perSecond);
	}
	const price = modelEntry(models, model, fallback, (m) => m.perSecond ?? 0);
	return round(billed * (price.perSecond ?? 0));
}

/** Google voice type from a voice name: en-US-Neural2-F → Neural2, en-US-Chirp3-HD-Charon → Chirp3-HD. */
function googleVoiceType(voice: string | undefined, types: Record<string, unknown>, fallback: string): string {
	const name = (voice ?? '').toLowerCase();
	const match = Object.keys(types)
		.sort((a, b) => b.length - a.length)
		.find((type) => name.includes(`-${type.toLowerCase()}`) || name === type.toLowerCase());
	return match ?? fallback;
}

/** Cost of speaking `characters` characters. For Google pass the voice name; for ElevenLabs the model id. */
export function speechCostUsd(
	provider: 'elevenlabs' | 'google' | 'espeak' | string,
	modelOrVoice: string | undefined,
	characters: number,
): number {
	const entry = providerPrices(provider);
	if (provider === 'google') {
		const types = entry.voiceTypes as Record<string, { perMillionChars: number }>;
		const type = googleVoiceType(modelOrVoice, types, String(entry.default));
		return round((characters / 1e6) * types[type].perMillionChars);
	}
	const models = entry.models as Record<string, { perThousandChars: number }>;
	const price = modelEntry(models, modelOrVoice, entry.default as string | undefined, (m) => m.perThousandChars);
	return round((characters / 1000) * price.perThousandChars);
}

interface ClaudePrice {
	inputPerMTok: number;
	outputPerMTok: number;
}

function claudePrice(model: string | undefined): ClaudePrice {
	const entry = providerPrices('anthropic');
	const models = entry.models as Record<string, ClaudePrice>;
	return modelEntry(models, model, entry.default as string, (m) => m.outputPerMTok);
}

/** Cost of one Claude call from its `usage` (cache reads are billed at a fraction of the input price). */
export function claudeCostUsd(
	model: string,
	usage: { input_tokens: number; output_tokens: number; cache_read_input_tokens?: number | null },
): number {
	const price = claudePrice(model);
	const cacheMultiplier = Number(providerPrices('anthropic').cacheReadMultiplier ?? 1);
	const input = usage.input_tokens * price.inputPerMTok;
	const cached = (usage.cache_read_input_tokens ?? 0) * price.inputPerMTok * cacheMultiplier;
	const output = usage.output_tokens * price.outputPerMTok;
	return round((input + cached + output) / 1e6);
}

/** What a typical planning/critique call costs (prices.anthropic.typicalCall), for estimates before a run. */
export function typicalClaudeCallUsd(model?: string): number {
	const typical = providerPrices('anthropic').typicalCall as { inputTokens: number; outputTokens: number };
	return claudeCostUsd(model ?? String(providerPrices('anthropic').default), {
		input_tokens: typical.inputTokens,
		output_tokens: typical.outputTokens,
	});
}
