import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { klingProvider, klingToken } from '../../nodes/VideoGeneration/providers/kling';
import type { RemoteOptions } from '../../nodes/VideoGeneration/providers/remote';
import { VideoGeneration } from '../../nodes/VideoGeneration/VideoGeneration.node';
import { FakeKling } from '../fakes/kling';
import { useS3 } from '../helpers/s3';
import { mountTinyDisk } from '../helpers/tiny-disk';
import { useWorkDir } from '../helpers/work-dir';
import { executeContext } from '../video-generation/context';
import { makeScene } from '../video-generation/scenes';
import { assertUniformClip, makeProviderVideo, runTask, youtubeRequest } from './support';

const ACCESS = 'ak-test';
const SECRET = 'sk-test-secret';
const FAST: RemoteOptions = { retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 200 }, minPollIntervalMs: 10 };

const s3 = useS3();
const work = useWorkDir('reelsmith-kling-');
let fake: FakeKling;
beforeAll(async () => {
	fake = await new FakeKling(ACCESS, SECRET, await makeProviderVideo(work.path)).start();
});
afterAll(() => fake?.stop());
beforeEach(() => {
	fake.submits = 0;
	fake.requests = 0;
	fake.polls = 0;
	fake.bodies.length = 0;
	Object.assign(fake.script, {
		submitReplies: [],
		pollReplies: [],
		outcome: 'succeed',
		failMessage: '',
		processingPolls: 1,
	});
});

function provider(credentials: Record<string, unknown> = {}, options: RemoteOptions = FAST) {
	return klingProvider.create({
		storage: s3.storage,
		credentials: { accessKey: ACCESS, secretKey: SECRET, baseUrl: fake.url, ...credentials },
		options,
	});
}

/** A token signed like klingToken but with chosen claims (expired, or signed with the wrong secret). */
function forgedToken(secret: string, claims: Record<string, unknown>): string {
	const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
	const head = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
	return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

describe('Kling provider against the fake Kling API', () => {
	test('text2video: the clip lands in storage at the destination key in the run format, 1 submit', async () => {
		const key = 'runs/k1/scenes/001/clip.mp4';
		const result = await runTask(provider(), youtubeRequest(), key, s3.bucket);
		assert.equal(result.error, undefined);
		assert.equal(result.clip?.key, key);
		assert.equal(fake.submits, 1);
		assert.equal(fake.downloads > 0, true, 'the result file was copied from the provider URL');
		const body = fake.bodies[0];
		assert.equal(body.duration, '5', 'a 2 s scene asks for the smallest allowed length, as a string');
		assert.equal(body.aspect_ratio, '16:9');
		assert.equal(body.model_name, 'kling-v2-1');
		assert.match(String(body.prompt), /KITCHEN/);
		await assertUniformClip(s3, key, work.path, 2);
	});

	test('a reference image switches to image2video and the status is polled on the image2video path', async () => {
		const result = await runTask(
			provider(),
			youtubeRequest({ referenceImage: 'https://example.com/still.png' }),
			'runs/k1/scenes/002/clip.mp4',
			s3.bucket,
		);
		assert.equal(result.error, undefined);
		assert.match(result.taskId, /^image2video:/);
		assert.equal(fake.bodies[0].image, 'https://example.com/still.png');
	});

	test('a prompt longer than 2500 characters is cut and the node is told so', async () => {
		const scene = makeScene({ duration: 2, action: 'word '.repeat(1000) });
		const result = await runTask(provider(), youtubeRequest({ scene }), 'runs/k1/scenes/003/clip.mp4', s3.bucket);
		assert.equal(String(fake.bodies[0].prompt).length, 2500);
		assert.match(result.notes?.[0] ?? '', /cut to 2500/);
	});

	test('429 code 1302 with Retry-After is retried: the fake saw 2 submits and the clip is made', async () => {
		fake.script.submitReplies.push({ status: 429, code: 1302, message: 'rate limit', retryAfter: '0' });
		const result = await runTask(provider(), youtubeRequest(), 'runs/k2/scenes/001/clip.mp4', s3.bucket);
		assert.equal(result.error, undefined);
		assert.equal(fake.submits, 2);
		assert.ok(result.clip);
	});

	test('a 5xx on submit and on a status request is retried, then the clip is made', async () => {
		fake.script.submitReplies.push({ status: 500, code: 5000, message: 'server error' });
		fake.script.pollReplies.push({ status: 503, code: 5001, message: 'unavailable' });
		const result = await runTask(provider(), youtubeRequest(), 'runs/k3/scenes/001/clip.mp4', s3.bucket);
		assert.equal(result.error, undefined);
		assert.equal(fake.submits, 2);
	});

	test('429 beyond the attempts gives a plain rate-limit message after the configured tries', async () => {
		for (let i = 0; i < 3; i++) fake.script.submitReplies.push({ status: 429, code: 1303, message: 'parallel task limit' });
		await assert.rejects(provider().submit(youtubeRequest()), /Kling is rate limiting.*code 1303.*gave up after 3 attempts/);
		assert.equal(fake.submits, 3);
	});

	test('a failed task reports task_status_msg in plain words', async () => {
		Object.assign(fake.script, { outcome: 'failed', failMessage: 'Image recognition failed: no subject found' });
		const result = await runTask(provider(), youtubeRequest(), 'runs/k4/scenes/001/clip.mp4', s3.bucket);
		assert.equal(result.error, 'Kling could not make the video: Image recognition failed: no subject found');
	});

	test('content policy (400, code 1301) is not retried', async () => {
		fake.script.submitReplies.push({ status: 400, code: 1301, message: 'content security policy' });
		await assert.rejects(provider().submit(youtubeRequest()), /content policy.*code 1301.*Rewrite the scene/);
		assert.equal(fake.submits, 1);
	});

	test('a wrong secret key: the fake rejects the signature (401 code 1002), no retry, 1 request', async () => {
		await assert.rejects(provider({ secretKey: 'wrong' }).submit(youtubeRequest()), (error: Error) => {
			assert.match(error.message, /Kling did not accept the credential \(HTTP 401, code 1002/);
			assert.match(error.message, /access key and secret key/);
			return true;
		});
		assert.equal(fake.requests, 1);
	});

	test('the fake checks exp and nbf and the issuer', async () => {
		const now = Math.floor(Date.now() / 1000);
		const ask = (token: string) =>
			fetch(`${fake.url}/v1/videos/text2video/task-1`, { headers: { authorization: `Bearer ${token}` } }).then(async (response) => ({
				status: response.status,
				code: ((await response.json()) as { code: number }).code,
			}));
		assert.deepEqual(await ask(forgedToken(SECRET, { iss: ACCESS, exp: now - 10, nbf: now - 100 })), {
			status: 401,
			code: 1004,
		});
		assert.deepEqual(await ask(forgedToken(SECRET, { iss: ACCESS, exp: now + 100, nbf: now + 60 })), {
			status: 401,
			code: 1003,
		});
		assert.deepEqual(await ask(forgedToken('other', { iss: ACCESS, exp: now + 100, nbf: now - 5 })), {
			status: 401,
			code: 1002,
		});
		assert.deepEqual(await ask(forgedToken(SECRET, { iss: 'someone', exp: now + 100, nbf: now - 5 })), {
			status: 401,
			code: 1002,
		});
	});

	test('our token: HS256 JWT with iss = access key, exp = now + 1800, nbf = now - 5', () => {
		const [head, payload] = klingToken(ACCESS, SECRET, 1_000_000).split('.');
		assert.deepEqual(JSON.parse(Buffer.from(head, 'base64url').toString()), { alg: 'HS256', typ: 'JWT' });
		assert.deepEqual(JSON.parse(Buffer.from(payload, 'base64url').toString()), {
			iss: ACCESS,
			exp: 1_001_800,
			nbf: 999_995,
		});
	});

	test('a 12 s scene is refused before anything is paid for', async () => {
		await assert.rejects(provider().submit(youtubeRequest({ duration: 12 })), /at most 10 s/);
		assert.equal(fake.submits, 0);
	});

	test('a result link that expired before the download: a fresh one from a status request, no second task paid', async () => {
		Object.assign(fake.knobs, { expiredUrlShare: 1, random: () => 0 });
		fake.expiredDownloads = 0;
		try {
			const key = 'runs/k-expired/scenes/001/clip.mp4';
			const result = await runTask(provider(), youtubeRequest(), key, s3.bucket);
			assert.equal(result.clip?.key, key);
			assert.equal(fake.expiredDownloads, 1, 'the first link had expired');
			assert.equal(fake.submits, 1, 'the task was not sent again');
			await assertUniformClip(s3, key, work.path, 2);
		} finally {
			Object.assign(fake.knobs, { expiredUrlShare: 0, random: undefined });
		}
	});

	test('a full work folder fails the clip saying so (not blamed on Kling, not downloaded again), and the clip is made once there is room', async (context) => {
		const disk = await mountTinyDisk('1m');
		if (!disk) return context.skip('needs root to mount a tmpfs');
		const before = process.env.TMPDIR;
		fake.downloads = 0;
		try {
			// os.tmpdir() reads TMPDIR each time: the provider's work folder is on the tiny disk from here on.
			process.env.TMPDIR = disk.path;
			await disk.fill(8 * 1024);
			const key = 'runs/k-full/scenes/001/clip.mp4';
			await assert.rejects(runTask(provider(), youtubeRequest(), key, s3.bucket), (error: Error) => {
				assert.equal(error.message, `The work folder ${disk.path} is full: free space and resume the run.`);
				return true;
			});
			assert.equal(fake.downloads, 1, 'a full disk is not a broken download: it is not fetched again');
			await assert.rejects(s3.storage.client.statObject(s3.bucket, key), 'no partial clip is stored');
			await disk.free();
			const again = await runTask(provider(), youtubeRequest(), key, s3.bucket);
			assert.equal(again.clip?.key, key);
		} finally {
			if (before === undefined) delete process.env.TMPDIR;
			else process.env.TMPDIR = before;
			await disk.unmount();
		}
	});
});

describe('Video Generation node with provider Kling', () => {
	const parameters = (options: IDataObject = {}) => ({
		operation: 'generate',
		provider: 'kling',
		style: 'titleCard',
		preset: 'youtube',
		scene: (json: IDataObject) => json.scene,
		narration: undefined,
		duration: 0,
		outputKey: (json: IDataObject) => `runs/${json.runId}/scenes/001/clip.mp4`,
		options: { pollInterval: 50, timeout: 5, ...options },
	});

	function context(options: IDataObject = {}, credentials: Record<string, unknown> = {}): IExecuteFunctions {
		return executeContext({
			items: [{ runId: 'node-k', sceneNumber: 1, scene: makeScene({ duration: 2 }) as unknown as IDataObject }],
			parameters: parameters(options),
			s3,
			nodeName: 'Video Generation',
			credentials: { reelsmithKlingApi: { accessKey: ACCESS, secretKey: SECRET, baseUrl: fake.url, ...credentials } },
		});
	}

	test('execute stores the clip at the Output Key and returns it with the task id', async () => {
		fake.script.processingPolls = 0;
		const [[item]] = await new VideoGeneration().execute.call(context());
		const clip = item.json.clip as IDataObject;
		assert.equal(clip.key, 'runs/node-k/scenes/001/clip.mp4');
		assert.equal(item.json.provider, 'kling');
		assert.match(String(item.json.taskId), /^text2video:task-/);
		await assertUniformClip(s3, 'runs/node-k/scenes/001/clip.mp4', work.path, 2);
	});

	test('a task that never finishes stops at the node timeout with a message naming it', async () => {
		fake.script.outcome = 'never';
		await assert.rejects(new VideoGeneration().execute.call(context({ timeout: 1 })), (error: Error) => {
			assert.ok(error instanceof NodeOperationError);
			assert.match(error.message, /not ready after 1 s \(task text2video:task-\d+/);
			return true;
		});
		assert.equal(fake.submits, 1);
	});

	test('a wrong secret fails the item with the credential message and one request', async () => {
		await assert.rejects(
			new VideoGeneration().execute.call(context({}, { secretKey: 'nope' })),
			/Kling AI provider did not take the task: Kling did not accept the credential/,
		);
		assert.equal(fake.requests, 1);
	});
});
