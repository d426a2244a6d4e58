import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dealAudio, quietKnobs, toneMp3, type SpeechKnobs } from './speech-audio';

/** Seconds of audio per character of text (about 165 words per minute). */
export const SECONDS_PER_CHARACTER = 0.06;

/** The character alignment the fake answers for `text`: character i spoken from i × step to (i + 1) × step seconds. */
export function alignmentFor(text: string) {
	const characters = Array.from(text);
	const duration = Math.max(0.4, characters.length * SECONDS_PER_CHARACTER);
	const step = duration / characters.length;
	return {
		duration,
		alignment: {
			characters,
			character_start_times_seconds: characters.map((_c, index) => Number((index * step).toFixed(3))),
			character_end_times_seconds: characters.map((_c, index) => Number(((index + 1) * step).toFixed(3))),
		},
	};
}

export interface RecordedRequest {
	method: string;
	path: string;
	query: URLSearchParams;
	headers: IncomingMessage['headers'];
	body: Record<string, unknown> | undefined;
	/** Voice ID from the path of a speech request. */
	voice?: string;
}

export interface ScriptedAnswer {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
}

export interface FakeVoice {
	voice_id: string;
	name: string;
	labels?: Record<string, string>;
	verified_languages?: Array<{ language: string; model_id?: string; accent?: string; locale?: string }>;
}

/**
 * Loopback ElevenLabs: POST /v1/text-to-speech/{voice}/with-timestamps answers real MP3 audio (a tone as long as the
 * text would take) with a character alignment; GET /v2/voices pages through `voices`. Checks xi-api-key. Answers
 * queued with `script()` are used first (speech requests only), so tests can stage 429s, 5xx, 401s. `knobs` cut a
 * seeded share of the audio short or make it no audio (counted in `audioFaults`); `billed` counts what was charged;
 * reset() turns the knobs off and zeroes the counters.
 */
export class FakeElevenLabs {
	readonly requests: RecordedRequest[] = [];
	readonly apiKey = 'el-test-key';
	/** What GET /v2/voices lists: `verified_languages` on current voices, `labels.language` on older ones. */
	voices: FakeVoice[] = [];
	knownVoices?: Set<string>;
	readonly knobs: SpeechKnobs = quietKnobs();
	readonly audioFaults = { truncated: 0, invalid: 0 };
	/**
	 * What ElevenLabs would charge: every speech answer it sent with 200, and the characters of their texts, whether
	 * the audio was good, broken on purpose (knobs), or lost on its way to the client (a chaos proxy in front).
	 */
	readonly billed = { answers: 0, characters: 0 };
	private queue: ScriptedAnswer[] = [];
	private server?: Server;
	url = '';

	reset(): void {
		Object.assign(this.knobs, quietKnobs());
		Object.assign(this.audioFaults, { truncated: 0, invalid: 0 });
		Object.assign(this.billed, { answers: 0, characters: 0 });
	}

	script(...answers: ScriptedAnswer[]): void {
		this.queue.push(...answers);
	}

	speechRequests(): RecordedRequest[] {
		return this.requests.filter((request) => request.voice !== undefined);
	}

	async start(): Promise<this> {
		this.server = createServer((request, response) => {
			const chunks: Buffer[] = [];
			request.on('data', (chunk: Buffer) => chunks.push(chunk));
			request.on('end', () => {
				this.handle(request, Buffer.concat(chunks).toString('utf8'))
					.then(({ status, body, headers }) => {
						response.writeHead(status, { 'content-type': 'application/json', ...headers });
						response.end(JSON.stringify(body));
					})
					.catch((error: Error) => {
						response.writeHead(500, { 'content-type': 'application/json' });
						response.end(JSON.stringify({ detail: { status: 'fake_error', message: error.message } }));
					});
			});
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this;
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	private async handle(request: IncomingMessage, raw: string): Promise<ScriptedAnswer> {
		const url = new URL(request.url ?? '/', 'http://fake');
		let body: Record<string, unknown> | undefined;
		try {
			body = raw ? JSON.parse(raw) : undefined;
		} catch {
			body = undefined;
		}
		const speech = /^\/v1\/text-to-speech\/([^/]+)\/with-timestamps$/.exec(url.pathname);
		const recorded: RecordedRequest = {
			method: request.method ?? 'GET',
			path: url.pathname,
			query: url.searchParams,
			headers: request.headers,
			body,
			voice: speech ? decodeURIComponent(speech[1]) : undefined,
		};
		this.requests.push(recorded);
		if (request.headers['xi-api-key'] !== this.apiKey) {
			return { status: 401, body: { detail: { status: 'invalid_api_key', message: 'Invalid API key' } } };
		}
		if (request.method === 'GET' && url.pathname === '/v2/voices') return this.voicePage(url.searchParams);
		if (!speech || request.method !== 'POST') return { status: 404, body: { detail: { status: 'not_found', message: 'Not found' } } };
		const text = typeof body?.text === 'string' ? body.text : '';
		const bill = (answer: ScriptedAnswer) => {
			if (answer.status >= 200 && answer.status < 300) {
				this.billed.answers += 1;
				this.billed.characters += Array.from(text).length;
			}
			return answer;
		};
		const scripted = this.queue.shift();
		if (scripted) return bill(scripted);
		if (this.knownVoices && !this.knownVoices.has(recorded.voice!)) {
			return { status: 400, body: { detail: { status: 'voice_not_found', message: `A voice with voice_id ${recorded.voice} was not found.` } } };
		}
		if (!text || typeof body?.model_id !== 'string') {
			return { status: 422, body: { detail: [{ loc: ['body', 'text'], msg: 'Field required', type: 'missing' }] } };
		}
		const { duration, alignment } = alignmentFor(text);
		const audio = dealAudio(this.knobs, await toneMp3(duration), this.audioFaults);
		return bill({ status: 200, body: { audio_base64: audio.toString('base64'), alignment, normalized_alignment: alignment } });
	}

	private voicePage(query: URLSearchParams): ScriptedAnswer {
		const size = Math.min(100, Number(query.get('page_size') ?? 10));
		const start = Number(query.get('next_page_token') ?? 0);
		const search = query.get('search')?.toLowerCase();
		const voices = search ? this.voices.filter((voice) => voice.name.toLowerCase().includes(search)) : this.voices;
		const page = voices.slice(start, start + size);
		const more = start + size < voices.length;
		return {
			status: 200,
			body: { voices: page, has_more: more, total_count: voices.length, next_page_token: more ? String(start + size) : null },
		};
	}
}
