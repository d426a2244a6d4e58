import table from '../data/providers.json';
import type { ProviderRequest, RunProviders, SpeechProvider, VideoProvider } from './request';

/**
 * Turns the request's provider fields into explicit lists once per run. "Configured" = the provider's credential is
 * attached to the node and its key fields are filled (an empty key is how npm start leaves a provider switched off).
 */
interface ProviderEntry {
	credential: string | null;
	keys: string[];
	label: string;
}

const planners = table.planner as Record<string, ProviderEntry>;
const videos = table.video as Record<string, ProviderEntry>;
const speeches = table.speech as Record<string, ProviderEntry>;

/** Every credential type Choose Providers reads. */
export const PAID_CREDENTIALS = [...new Set(
	[planners, videos, speeches].flatMap((group) => Object.values(group).map((entry) => entry.credential).filter((c): c is string => !!c)),
)];

/** Credential type → whether it is attached with its key fields filled. */
export type Configured = (credential: string) => boolean;

export function hasKeys(data: Record<string, unknown> | undefined, keys: string[]): boolean {
	return !!data && keys.every((key) => typeof data[key] === 'string' && (data[key] as string).trim() !== '');
}

export function keyFieldsOf(credential: string): string[] {
	for (const group of [planners, videos, speeches]) {
		for (const entry of Object.values(group)) if (entry.credential === credential) return entry.keys;
	}
	return [];
}

export type ProviderChoice =
	| { ok: true; providers: RunProviders; notes: string[] }
	| { ok: false; field: 'planner' | 'video' | 'speech'; message: string };

function resolveOrder<T extends string>(
	field: 'video' | 'speech',
	asked: Array<T | 'auto'>,
	entries: Record<string, ProviderEntry>,
	configured: Configured,
	notes: string[],
): { list: T[] } | { message: string } {
	const usable = (name: string) => !entries[name].credential || configured(entries[name].credential!);
	if (asked.length === 1 && asked[0] === 'auto') {
		return { list: (Object.keys(entries) as T[]).filter(usable) };
	}
	const list = (asked as T[]).filter(usable);
	const skipped = (asked as T[]).filter((name) => !usable(name));
	if (skipped.length) {
		notes.push(
			`${field}: ${skipped.map((name) => entries[name].label).join(', ')} ${skipped.length > 1 ? 'have' : 'has'} no key, so ${skipped.length > 1 ? 'they are' : 'it is'} skipped.`,
		);
	}
	if (!list.length) {
		const offline = Object.keys(entries).find((name) => !entries[name].credential);
		return {
			message:
				`"${field}" asks for ${skipped.map((name) => entries[name].label).join(', ')}, and none has an API key. ` +
				`Add the key (README: "Paid providers") or add "${offline}" to "${field}", then resume the run.`,
		};
	}
	return { list };
}

export function chooseProviders(asked: ProviderRequest, configured: Configured): ProviderChoice {
	const notes: string[] = [];
	const claude = planners.claude;
	const claudeReady = configured(claude.credential!);
	let planner: RunProviders['planner'];
	if (asked.planner === 'claude') {
		if (!claudeReady) {
			return {
				ok: false,
				field: 'planner',
				message:
					'"planner" is "claude", but the Reelsmith Anthropic credential has no API key. Add ANTHROPIC_API_KEY (or the key in ' +
					'the n8n credential), or send "planner": "rules", then resume the run.',
			};
		}
		planner = 'claude';
	} else if (asked.planner === 'rules') planner = 'rules';
	else planner = claudeReady ? 'claude' : 'rules';

	const video = resolveOrder<VideoProvider>('video', asked.video ?? ['auto'], videos, configured, notes);
	if ('message' in video) return { ok: false, field: 'video', message: video.message };
	const speech = resolveOrder<SpeechProvider>('speech', asked.speech ?? ['auto'], speeches, configured, notes);
	if ('message' in speech) return { ok: false, field: 'speech', message: speech.message };
	return { ok: true, providers: { planner, video: video.list, speech: speech.list }, notes };
}

/** The speech provider that speaks first in a run asking for `asked` (null when none is usable; Choose Providers says why). */
export function firstSpeechProvider(asked: ProviderRequest['speech'], configured: Configured): SpeechProvider | null {
	const order = resolveOrder<SpeechProvider>('speech', asked ?? ['auto'], speeches, configured, []);
	return 'list' in order ? (order.list[0] ?? null) : null;
}

/** "planner claude; video kling → runway → local; speech elevenlabs → espeak" */
export function describeProviders(providers: RunProviders): string {
	return `planner ${providers.planner}; video ${providers.video.join(' → ')}; speech ${providers.speech.join(' → ')}`;
}
