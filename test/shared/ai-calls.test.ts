/**
 * The AI-call record's describers and scrubbing (nodes/shared/transport/describe.ts), and that recording never fails
 * the call it records (nodes/shared/store/aiCalls.ts). The end-to-end record of a paid run is checked in
 * test/e2e/paid-providers.test.ts.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { inCallScope } from '../../nodes/shared/store/aiCalls';
import { describeCall, scrub, secretsOf, storedUrl } from '../../nodes/shared/transport/describe';
import { requestJson } from '../../nodes/shared/transport/http';
import { freePort } from '../helpers/ports';

const attempt = { status: 200, ok: true, ms: 12 };

describe('AI-call describers', () => {
	it('reads purpose, model, units and task id off each provider', () => {
		const kling = describeCall(
			{ ...attempt, provider: 'Kling', method: 'POST', url: 'https://k.example/v1/videos/text2video', body: { model_name: 'kling-v2-6', duration: '5' }, answer: { code: 0, data: { task_id: 't-1', task_status: 'submitted' } } },
			'generate',
		);
		assert.deepEqual(
			[kling?.provider, kling?.purpose, kling?.model, kling?.units, kling?.unit, kling?.taskId, kling?.summary],
			['kling', 'submit', 'kling-v2-6', 5, 'second', 'text2video:t-1', 'submitted'],
		);
		const poll = describeCall({ ...attempt, provider: 'Kling', method: 'GET', url: 'https://k.example/v1/videos/text2video/t-1', answer: { data: { task_status: 'processing' } } }, 'generate');
		assert.deepEqual([poll?.purpose, poll?.taskId, poll?.units], ['poll', 'text2video:t-1', undefined]);
		const lookup = describeCall({ ...attempt, provider: 'Kling', method: 'GET', url: 'https://k.example/v1/videos/image2video/rs-run-1-1', answer: { data: { task_id: 't-2' } } }, 'generate');
		assert.deepEqual([lookup?.purpose, lookup?.taskId], ['lookup', 'image2video:t-2']);
		const runway = describeCall({ ...attempt, provider: 'Runway', method: 'DELETE', url: 'https://r.example/v1/tasks/abc' }, 'generate');
		assert.deepEqual([runway?.provider, runway?.purpose, runway?.taskId], ['runway', 'cancel', 'abc']);
		const claude = describeCall(
			{
				...attempt,
				provider: 'Anthropic',
				method: 'POST',
				url: 'https://a.example/v1/messages',
				body: { model: 'claude-sonnet-4-5' },
				answer: { model: 'claude-sonnet-4-5-20250929', stop_reason: 'tool_use', content: [{ type: 'tool_use', name: 'submit_plan' }], usage: { input_tokens: 10, output_tokens: 5 } },
			},
			'plan',
		);
		assert.deepEqual([claude?.purpose, claude?.model, claude?.units, claude?.summary], ['plan', 'claude-sonnet-4-5-20250929', 15, 'tool_use: tool submit_plan']);
		const google = describeCall(
			{ ...attempt, provider: 'Google Text-to-Speech', method: 'POST', url: 'https://g.example/v1/text:synthesize', body: { input: { text: 'Héllo' }, voice: { name: 'en-US-Neural2-F' } }, answer: { audioContent: 'AAAA' } },
			'synthesizeScene',
		);
		assert.deepEqual([google?.provider, google?.purpose, google?.model, google?.units], ['google', 'synthesize', 'en-US-Neural2-F', 5]);
		const refused = describeCall({ ...attempt, status: 401, ok: false, provider: 'ElevenLabs', method: 'POST', url: 'https://e.example/v1/text-to-speech/v', answer: { detail: { status: 'invalid_api_key', message: 'Invalid API key' } } }, 'x');
		assert.equal(refused?.summary, 'Invalid API key');
		assert.equal(describeCall({ ...attempt, provider: 'S3', method: 'GET', url: 'https://s3.example/b/k' }, 'x'), undefined, 'storage is no AI call');
	});

	it('stores no credential, signature or media bytes', () => {
		const secrets = secretsOf({ 'x-api-key': 'sk-live-123456', authorization: 'Bearer eyJhbGciOi.jwt.sig', accept: 'application/json' });
		assert.ok(secrets.includes('sk-live-123456') && secrets.includes('eyJhbGciOi.jwt.sig'));
		const body = scrub(
			{
				apiKey: 'sk-other-secret',
				note: 'the key sk-live-123456 was echoed',
				image: 'A'.repeat(5000),
				uri: 'data:image/png;base64,iVBORw0KGgo=',
				messages: [{ content: [{ type: 'image', source: { data: 'Qk0'.repeat(400) } }] }],
				max_tokens: 100,
			},
			secrets,
		);
		assert.deepEqual(body, {
			apiKey: '[redacted]',
			note: 'the key [redacted] was echoed',
			image: '[5000 characters of base64 left out]',
			uri: '[34 characters of base64 left out]',
			messages: [{ content: [{ type: 'image', source: { data: '[1200 characters of base64 left out]' } }] }],
			max_tokens: 100,
		});
		assert.equal(
			storedUrl('https://bucket.example/clip.mp4?X-Amz-Signature=abc&X-Amz-Credential=k', true),
			'https://bucket.example/clip.mp4?X-Amz-Signature=%E2%80%A6&X-Amz-Credential=%E2%80%A6',
		);
		assert.equal(storedUrl('https://u:p@g.example/v1/voices?key=AIza123&languageCode=en-US'), 'https://g.example/v1/voices?key=%E2%80%A6&languageCode=en-US');
	});
});

describe('recording never fails the call it records', () => {
	let server: ReturnType<typeof createServer>;
	let url = '';
	let store: Pool;
	beforeAll(async () => {
		server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":0,"data":{"task_id":"t-9"}}'));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		// A real pg pool pointed at a port where no Postgres listens: every write fails.
		store = new Pool({ host: '127.0.0.1', port: await freePort(), connectionTimeoutMillis: 500 });
	});
	afterAll(async () => {
		await store.end();
		await new Promise((resolve) => server.close(resolve));
	});

	it('answers as usual when the store is unreachable or cannot even be opened', async () => {
		const call = () => requestJson({ provider: 'Kling', method: 'POST', url: `${url}/v1/videos/text2video`, body: { duration: '5' }, refuse: () => ({ message: 'no' }) });
		const scope = { runId: '00000000-0000-4000-8000-000000000001', sceneNumber: 1, operation: 'generate' };
		assert.deepEqual(await inCallScope({ ...scope, store: async () => store }, call), { code: 0, data: { task_id: 't-9' } });
		assert.deepEqual(
			await inCallScope({ ...scope, store: async () => Promise.reject(new Error('no credential')) }, call),
			{ code: 0, data: { task_id: 't-9' } },
		);
	});
});
