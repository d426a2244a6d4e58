import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dealAudio, quietKnobs, toneWav, type SpeechKnobs } from './speech-audio';

export const MAX_INPUT_BYTES = 5000;
/** Seconds of audio per byte of input (keeps long-text tests small). */
export const SECONDS_PER_BYTE = 0.002;

export interface GoogleRequest {
	method: string;
	path: string;
	query: URLSearchParams;
	headers: IncomingMessage['headers'];
	body: { input?: { text?: string }; voice?: { languageCode?: string; name?: string }; audioConfig?: Record<string, unknown> } | undefined;
	/** UTF-8 bytes of input.text. */
	bytes: number;
}

export interface ScriptedAnswer {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
}

/**
 * Loopback Google Cloud Text-to-Speech: POST /v1/text:synthesize answers LINEAR16 (a WAV with header, as Google does)
 * base64 in audioContent; it rejects a missing/wrong X-goog-api-key (403 PERMISSION_DENIED), any input over
 * 5,000 bytes and a speakingRate or pitch out of range (400 INVALID_ARGUMENT), as the real service. GET /v1/voices
 * lists `voices`. `knobs` cut a seeded share of the audio short or make it no audio (counted in `audioFaults`);
 * `billed` counts what was charged; reset() turns the knobs off and zeroes the counters.
 */
export class FakeGoogleTts {
	readonly requests: GoogleRequest[] = [];
	readonly apiKey = 'google-test-key';
	voices = [
		{ name: 'en-US-Neural2-F', languageCodes: ['en-US'], ssmlGender: 'FEMALE', naturalSampleRateHertz: 24000 },
		{ name: 'en-GB-Neural2-B', languageCodes: ['en-GB'], ssmlGender: 'MALE', naturalSampleRateHertz: 24000 },
		{ name: 'he-IL-Wavenet-A', languageCodes: ['he-IL'], ssmlGender: 'FEMALE', naturalSampleRateHertz: 24000 },
	];
	readonly knobs: SpeechKnobs = quietKnobs();
	readonly audioFaults = { truncated: 0, invalid: 0 };
	/**
	 * What Google would charge: every synthesis it answered with 200, and the characters of their input texts,
	 * whether the audio was good, broken on purpose (knobs), or lost on its way to the client (a chaos proxy in front).
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

	synthesizeRequests(): GoogleRequest[] {
		return this.requests.filter((request) => request.path === '/v1/text:synthesize');
	}

	async start(): Promise<this> {
		this.server = createServer((request, response) => {
			const chunks: Buffer[] = [];
			request.on('data', (chunk: Buffer) => chunks.push(chunk));
			request.on('end', () => {
				const { status, body, headers } = this.handle(request, Buffer.concat(chunks).toString('utf8'));
				response.writeHead(status, { 'content-type': 'application/json', ...headers });
				response.end(JSON.stringify(body));
			});
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this;
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	private handle(request: IncomingMessage, raw: string): ScriptedAnswer {
		const url = new URL(request.url ?? '/', 'http://fake');
		let body: GoogleRequest['body'];
		try {
			body = raw ? JSON.parse(raw) : undefined;
		} catch {
			body = undefined;
		}
		const text = body?.input?.text ?? '';
		this.requests.push({
			method: request.method ?? 'GET',
			path: url.pathname,
			query: url.searchParams,
			headers: request.headers,
			body,
			bytes: Buffer.byteLength(text, 'utf8'),
		});
		const error = (code: number, status: string, message: string): ScriptedAnswer => ({ status: code, body: { error: { code, message, status } } });
		if (request.headers['x-goog-api-key'] !== this.apiKey) {
			return error(403, 'PERMISSION_DENIED', 'Requests from this API key are blocked. API key not valid. Please pass a valid API key.');
		}
		if (request.method === 'GET' && url.pathname === '/v1/voices') {
			const language = url.searchParams.get('languageCode');
			return { status: 200, body: { voices: language ? this.voices.filter((voice) => voice.languageCodes.includes(language)) : this.voices } };
		}
		if (request.method !== 'POST' || url.pathname !== '/v1/text:synthesize') return error(404, 'NOT_FOUND', 'Not found');
		const bill = (answer: ScriptedAnswer) => {
			if (answer.status >= 200 && answer.status < 300) {
				this.billed.answers += 1;
				this.billed.characters += Array.from(text).length;
			}
			return answer;
		};
		const scripted = this.queue.shift();
		if (scripted) return bill(scripted);
		if (!text) return error(400, 'INVALID_ARGUMENT', 'Either `input.text` or `input.ssml` must be set.');
		const bytes = Buffer.byteLength(text, 'utf8');
		if (bytes > MAX_INPUT_BYTES) {
			return error(
				400,
				'INVALID_ARGUMENT',
				`Either input.text or input.ssml is longer than the limit of ${MAX_INPUT_BYTES} bytes. This limit is different from quotas.`,
			);
		}
		if (body?.audioConfig?.audioEncoding !== 'LINEAR16' || !body?.voice?.languageCode) {
			return error(400, 'INVALID_ARGUMENT', 'audioConfig.audioEncoding and voice.languageCode are required.');
		}
		// Google's documented ranges: speakingRate 0.25–4, pitch −20 to 20 semitones.
		const { speakingRate, pitch } = body.audioConfig;
		if (speakingRate !== undefined && !(typeof speakingRate === 'number' && speakingRate >= 0.25 && speakingRate <= 4)) {
			return error(400, 'INVALID_ARGUMENT', `Invalid value at 'audio_config.speaking_rate' (${String(speakingRate)}): must be in the range [0.25, 4.0].`);
		}
		if (pitch !== undefined && !(typeof pitch === 'number' && pitch >= -20 && pitch <= 20)) {
			return error(400, 'INVALID_ARGUMENT', `Invalid value at 'audio_config.pitch' (${String(pitch)}): must be in the range [-20.0, 20.0].`);
		}
		const rate = Number(body.audioConfig.sampleRateHertz) || 24000;
		const wav = dealAudio(this.knobs, toneWav(Math.max(0.3, bytes * SECONDS_PER_BYTE), rate), this.audioFaults);
		return bill({ status: 200, body: { audioContent: wav.toString('base64') } });
	}
}
