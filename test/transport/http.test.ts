import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import { modelParameters } from '../../nodes/Claude/actions/common';
import retryData from '../../nodes/shared/data/retry.json';
import {
	isProviderDown,
	ProviderError,
	RETRY_POLICY,
	requestJson,
	retryDelay,
	retryPolicy,
} from '../../nodes/shared/transport/http';
import type { Storage } from '../../nodes/shared/transport/storage';
import { elevenLabsProvider } from '../../nodes/TextToSpeech/providers/elevenlabs';
import { googleProvider } from '../../nodes/TextToSpeech/providers/google';
import { description as generateDescription } from '../../nodes/VideoGeneration/actions/generate.operation';
import { klingProvider } from '../../nodes/VideoGeneration/providers/kling';
import { runwayProvider } from '../../nodes/VideoGeneration/providers/runway';
import { FakeElevenLabs } from '../fakes/elevenlabs';
import { FakeGoogleTts } from '../fakes/google-tts';
import { FakeKling } from '../fakes/kling';
import { FakeRunway } from '../fakes/runway';
import { rejection } from '../helpers/rejection';
import { youtubeRequest } from '../video-providers/support';

/**
 * The one retry policy (nodes/shared/data/retry.json) as all four HTTP providers live it, counted by their fakes:
 * Retry-After sets the wait, a refused key is sent once, the policy's attempts are the default, and a request that
 * timed out is repeated only when repeating it cannot pay twice.
 */
const KLING = { access: 'ak-policy', secret: 'sk-policy' };
const RUNWAY_SECRET = 'rw-policy';
/** Submits never touch storage; only fetchResult does. */
const NO_STORAGE = {} as Storage;
const QUICK = { baseDelayMs: 1, maxDelayMs: 2000 };

const fakes = {
	kling: new FakeKling(KLING.access, KLING.secret, '/nonexistent.mp4'),
	runway: new FakeRunway(RUNWAY_SECRET, '/nonexistent.mp4'),
	elevenlabs: new FakeElevenLabs(),
	google: new FakeGoogleTts(),
};
beforeAll(async () => {
	await Promise.all([fakes.kling.start(), fakes.runway.start(), fakes.elevenlabs.start(), fakes.google.start()]);
});
afterAll(async () => {
	await Promise.all([fakes.kling.stop(), fakes.runway.stop(), fakes.elevenlabs.stop(), fakes.google.stop()]);
});
beforeEach(() => {
	fakes.kling.reset();
	fakes.runway.reset();
	fakes.elevenlabs.requests.length = 0;
	fakes.google.requests.length = 0;
});

/** Each provider: one paid request, how to stage "busy" answers at its fake, and the requests its fake counted. */
interface Case {
	name: string;
	send(retry: Record<string, number>, wrongKey?: boolean): Promise<unknown>;
	busy(times: number, retryAfter?: string): void;
	sent(): number;
}

const cases: Case[] = [
	{
		name: 'Kling',
		send: (retry, wrongKey) =>
			klingProvider
				.create({
					storage: NO_STORAGE,
					credentials: { accessKey: KLING.access, secretKey: wrongKey ? 'wrong' : KLING.secret, baseUrl: fakes.kling.url },
					options: { retry },
				})
				.submit(youtubeRequest()),
		busy: (times, retryAfter) => {
			for (let i = 0; i < times; i++) fakes.kling.script.submitReplies.push({ status: 429, code: 1302, message: 'rate limit', retryAfter });
		},
		sent: () => fakes.kling.requests,
	},
	{
		name: 'Runway',
		send: (retry, wrongKey) =>
			runwayProvider
				.create({
					storage: NO_STORAGE,
					credentials: { apiSecret: wrongKey ? 'wrong' : RUNWAY_SECRET, baseUrl: fakes.runway.url },
					options: { retry },
				})
				.submit(youtubeRequest()),
		busy: (times, retryAfter) => {
			for (let i = 0; i < times; i++) fakes.runway.script.submitReplies.push({ status: 429, error: 'Too many requests', retryAfter });
		},
		sent: () => fakes.runway.requests,
	},
	{
		name: 'ElevenLabs',
		send: (retry, wrongKey) =>
			elevenLabsProvider
				.create({ credentials: { apiKey: wrongKey ? 'wrong' : fakes.elevenlabs.apiKey, baseUrl: fakes.elevenlabs.url }, retry })
				.synthesize({ text: 'Hello.', voice: 'pNInz6obpgDQGcFmaJgB', directory: '/tmp' }),
		busy: (times, retryAfter) => {
			for (let i = 0; i < times; i++) {
				fakes.elevenlabs.script({
					status: 429,
					headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
					body: { detail: { status: 'too_many_concurrent_requests', message: 'Too many concurrent requests.' } },
				});
			}
		},
		sent: () => fakes.elevenlabs.speechRequests().length,
	},
	{
		name: 'Google TTS',
		send: (retry, wrongKey) =>
			googleProvider
				.create({ credentials: { apiKey: wrongKey ? 'wrong' : fakes.google.apiKey, baseUrl: fakes.google.url }, retry })
				.synthesize({ text: 'Hello.', voice: 'en-US-Neural2-F', directory: '/tmp' }),
		busy: (times, retryAfter) => {
			for (let i = 0; i < times; i++) {
				fakes.google.script({
					status: 429,
					headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
					body: { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded.' } },
				});
			}
		},
		sent: () => fakes.google.synthesizeRequests().length,
	},
];

describe('the retry policy is stated once', () => {
	test('the data file is the policy; 400, 401, 403, 404 and 422 are not among the statuses retried', () => {
		assert.deepEqual(retryPolicy(), { ...retryData });
		for (const status of [400, 401, 403, 404, 422]) assert.equal(RETRY_POLICY.retryStatuses.includes(status), false, `${status}`);
		for (const status of [429, 500, 502, 503, 504]) assert.equal(RETRY_POLICY.retryStatuses.includes(status), true, `${status}`);
	});

	test("Claude's Max Retries and Timeout and Video Generation's Retry Attempts default to it", () => {
		const claude = Object.fromEntries(modelParameters.map((parameter) => [parameter.name, parameter.default]));
		assert.equal(claude.maxRetries, RETRY_POLICY.attempts - 1);
		assert.equal(claude.timeout, RETRY_POLICY.timeoutMs / 1000);
		const options = generateDescription.find((parameter) => parameter.name === 'options');
		const attempts = (options?.options as Array<{ name: string; default: unknown }>).find((option) => option.name === 'retryAttempts');
		assert.equal(attempts?.default, RETRY_POLICY.attempts);
	});

	test('Retry-After sets the wait (capped at the longest wait); without it the backoff doubles within its jitter', () => {
		const limits = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, jitter: 0.25 });
		assert.equal(retryDelay(limits, 1, 700), 700);
		assert.equal(retryDelay(limits, 1, 60_000), 1000);
		for (let retry = 1; retry <= 3; retry++) {
			const wait = retryDelay(limits, retry);
			assert.ok(wait >= 100 * 2 ** (retry - 1) && wait <= 125 * 2 ** (retry - 1), `retry ${retry}: ${wait} ms`);
		}
		assert.equal(retryDelay(limits, 10), 1000);
	});
});

describe('every provider follows it, counted by its fake', () => {
	for (const provider of cases) {
		test(`${provider.name}: 429 with Retry-After: 1 waits that second, then the second request succeeds`, async () => {
			provider.busy(1, '1');
			const started = Date.now();
			await provider.send(QUICK);
			assert.equal(provider.sent(), 2);
			assert.ok(Date.now() - started >= 950, `Retry-After was honoured (${Date.now() - started} ms)`);
		});

		test(`${provider.name}: a refused key (401/403) is sent once and is not "down"`, async () => {
			const error = await rejection(provider.send(QUICK, true));
			assert.equal(provider.sent(), 1);
			assert.ok(error instanceof ProviderError);
			assert.equal(isProviderDown(error), false, 'a key problem must not move the scene to the next provider');
		});

		test(`${provider.name}: busy on every try: the policy's ${RETRY_POLICY.attempts} attempts, then "down"`, async () => {
			provider.busy(RETRY_POLICY.attempts, '0');
			const error = await rejection(provider.send({}));
			assert.equal(provider.sent(), RETRY_POLICY.attempts);
			assert.match(error.message, new RegExp(`gave up after ${RETRY_POLICY.attempts} attempts`));
			assert.equal(isProviderDown(error), true);
		});
	}
});

describe('timeouts and connection failures', () => {
	let server: Server;
	let url: string;
	let connections = 0;
	beforeAll(async () => {
		// Takes every request and never answers.
		server = createServer(() => {
			connections++;
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	});
	beforeEach(() => {
		connections = 0;
	});
	const limits = retryPolicy({ attempts: 3, baseDelayMs: 1, timeoutMs: 150 });
	const refuse = () => ({ message: 'refused' });

	test('a status request that times out is sent again, up to the attempts, then the provider is down', async () => {
		const error = await rejection(requestJson({ provider: 'Slow', method: 'GET', url: `${url}/v1/tasks/1`, refuse }, limits));
		assert.equal(connections, 3);
		assert.match(error.message, /Slow did not answer within 0.15 s .*gave up after 3 attempts/);
		assert.equal(isProviderDown(error), true);
	});

	test('a task submit that times out is not sent blind again (it could be paid twice), but the provider is down', async () => {
		const error = await rejection(requestJson({ provider: 'Slow', method: 'POST', url: `${url}/v1/tasks`, body: {}, refuse }, limits));
		assert.equal(connections, 1);
		assert.doesNotMatch(error.message, /gave up/);
		assert.equal(isProviderDown(error), true);
	});

	test('a status request is given up on after the shorter status timeout; a submit gets the whole timeout', async () => {
		const patient = retryPolicy({ attempts: 1, baseDelayMs: 1, timeoutMs: 1500, statusTimeoutMs: 150 });
		let started = Date.now();
		const asked = await rejection(requestJson({ provider: 'Slow', method: 'GET', url: `${url}/v1/tasks/1`, refuse }, patient));
		assert.match(asked.message, /Slow did not answer within 0.15 s/);
		assert.ok(Date.now() - started < 1200, 'the status request did not wait for the long timeout');
		started = Date.now();
		const made = await rejection(requestJson({ provider: 'Slow', method: 'POST', url: `${url}/v1/tasks`, body: {}, refuse }, patient));
		assert.match(made.message, /Slow did not answer within 1.5 s/);
		assert.ok(Date.now() - started >= 1400);
	});

	test('a refused connection names the address and says what to check', async () => {
		const closed = createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const port = (closed.address() as AddressInfo).port;
		await new Promise((resolve) => closed.close(resolve));
		const error = await rejection(requestJson({ provider: 'Gone', method: 'GET', url: `http://127.0.0.1:${port}/x`, refuse }, limits));
		assert.match(error.message, new RegExp(`Gone could not be reached at http://127.0.0.1:${port} \\(ECONNREFUSED\\)\\. Check the Base URL`));
		assert.equal((error as ProviderError).attempts, 3);
	});
});
