import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import runwayData from '../../nodes/shared/data/runway.json';
import type { RemoteOptions } from '../../nodes/VideoGeneration/providers/remote';
import { runwayProvider } from '../../nodes/VideoGeneration/providers/runway';
import { VideoGeneration } from '../../nodes/VideoGeneration/VideoGeneration.node';
import { FakeRunway } from '../fakes/runway';
import { useS3 } from '../helpers/s3';
import { useWorkDir } from '../helpers/work-dir';
import { executeContext } from '../video-generation/context';
import { makeScene } from '../video-generation/scenes';
import { assertUniformClip, makeProviderVideo, runTask, youtubeRequest } from './support';

const SECRET = 'rw-secret';
const FAST: RemoteOptions = { retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 200 }, minPollIntervalMs: 30 };

const s3 = useS3();
const work = useWorkDir('reelsmith-runway-');
let fake: FakeRunway;
beforeAll(async () => {
	fake = await new FakeRunway(SECRET, await makeProviderVideo(work.path)).start();
});
afterAll(() => fake?.stop());
beforeEach(() => {
	fake.submits = 0;
	fake.requests = 0;
	fake.polls = 0;
	fake.pollGaps.length = 0;
	fake.bodies.length = 0;
	Object.assign(fake.script, {
		submitReplies: [],
		pollReplies: [],
		statuses: ['RUNNING', 'SUCCEEDED'],
		failure: undefined,
		failureCode: undefined,
	});
});

function provider(credentials: Record<string, unknown> = {}, options: RemoteOptions = FAST) {
	return runwayProvider.create({
		storage: s3.storage,
		credentials: { apiSecret: SECRET, baseUrl: fake.url, ...credentials },
		options,
	});
}

describe('Runway provider against the fake Runway API', () => {
	test('text_to_video: THROTTLED, RUNNING, SUCCEEDED → clip in storage in the run format, 1 submit', async () => {
		fake.script.statuses = ['THROTTLED', 'RUNNING', 'SUCCEEDED'];
		const key = 'runs/r1/scenes/001/clip.mp4';
		const result = await runTask(provider(), youtubeRequest(), key, s3.bucket);
		assert.equal(result.error, undefined);
		assert.equal(result.clip?.key, key);
		assert.equal(fake.submits, 1);
		assert.equal(fake.bodies[0].path, '/v1/text_to_video');
		assert.equal(fake.bodies[0].body.ratio, '1280:720');
		assert.equal(fake.bodies[0].body.duration, 5);
		await assertUniformClip(s3, key, work.path, 2);
	});

	test('an output link that expired before the download: a fresh one from the task status, no second task paid', async () => {
		Object.assign(fake.knobs, { expiredUrlShare: 1, random: () => 0 });
		fake.expiredDownloads = 0;
		try {
			const key = 'runs/r-expired/scenes/001/clip.mp4';
			const result = await runTask(provider(), youtubeRequest(), key, s3.bucket);
			assert.equal(result.clip?.key, key);
			assert.equal(fake.expiredDownloads, 1, 'the first link had expired');
			assert.equal(fake.submits, 1, 'the task was not sent again');
		} finally {
			Object.assign(fake.knobs, { expiredUrlShare: 0, random: undefined });
		}
	});

	test('polls are spaced by the minimum interval (5000 ms by default in the data file)', async () => {
		assert.equal(runwayData.minPollIntervalMs, 5000);
		fake.script.statuses = ['PENDING', 'RUNNING', 'RUNNING', 'SUCCEEDED'];
		await runTask(provider({}, { ...FAST, minPollIntervalMs: 300 }), youtubeRequest(), 'runs/r1/scenes/002/clip.mp4', s3.bucket);
		assert.ok(fake.pollGaps.length >= 3);
		for (const gap of fake.pollGaps)
			assert.ok(gap >= 250, `two status requests only ${gap} ms apart (the client waits 300 ms; 50 ms slack for a busy machine)`);
	});

	test('a reference image goes to image_to_video as promptImage with the 9:16 ratio', async () => {
		const result = await runTask(
			provider(),
			youtubeRequest({ preset: 'shorts', width: 1080, height: 1920, referenceImage: 'https://example.com/still.png' }),
			'runs/r1/scenes/003/clip.mp4',
			s3.bucket,
		);
		assert.equal(result.error, undefined);
		assert.equal(fake.bodies[0].path, '/v1/image_to_video');
		assert.equal(fake.bodies[0].body.promptImage, 'https://example.com/still.png');
		assert.equal(fake.bodies[0].body.ratio, '720:1280');
		assert.equal(fake.bodies[0].body.model, 'gen4_turbo');
	});

	test('429 with Retry-After is retried: the fake saw 2 submits', async () => {
		fake.script.submitReplies.push({ status: 429, error: 'Too many requests', retryAfter: '0' });
		const result = await runTask(provider(), youtubeRequest(), 'runs/r2/scenes/001/clip.mp4', s3.bucket);
		assert.equal(result.error, undefined);
		assert.equal(fake.submits, 2);
	});

	test('502 on submit and 503 on a status request are retried, then the clip is made', async () => {
		fake.script.submitReplies.push({ status: 502 });
		fake.script.pollReplies.push({ status: 503 });
		const result = await runTask(provider(), youtubeRequest(), 'runs/r3/scenes/001/clip.mp4', s3.bucket);
		assert.equal(result.error, undefined);
		assert.equal(fake.submits, 2);
	});

	test('a FAILED task reports its failure in plain words', async () => {
		Object.assign(fake.script, {
			statuses: ['RUNNING', 'FAILED'],
			failure: 'An internal error occurred',
			failureCode: 'INTERNAL',
		});
		const result = await runTask(provider(), youtubeRequest(), 'runs/r4/scenes/001/clip.mp4', s3.bucket);
		assert.equal(result.error, 'Runway could not make the video: An internal error occurred (INTERNAL)');
	});

	test('failureCode SAFETY.INPUT.TEXT: refused by the safety check, not retried (1 submit)', async () => {
		Object.assign(fake.script, { statuses: ['FAILED'], failure: 'moderation', failureCode: 'SAFETY.INPUT.TEXT' });
		const result = await runTask(provider(), youtubeRequest(), 'runs/r5/scenes/001/clip.mp4', s3.bucket);
		assert.match(result.error ?? '', /refused by Runway's safety check \(SAFETY\.INPUT\.TEXT\)/);
		assert.equal(fake.submits, 1);
	});

	test('a wrong API secret: 401 is not retried, 1 request, message names the credential', async () => {
		await assert.rejects(provider({ apiSecret: 'wrong' }).submit(youtubeRequest()), /Runway did not accept the API secret \(HTTP 401/);
		assert.equal(fake.requests, 1);
	});

	test('400 from Runway is not retried', async () => {
		fake.script.submitReplies.push({ status: 400, error: 'Invalid asset aspect ratio' });
		await assert.rejects(provider().submit(youtubeRequest()), /Runway rejected the request \(HTTP 400: Invalid asset aspect ratio\)/);
		assert.equal(fake.submits, 1);
	});
});

describe('Video Generation node with provider Runway', () => {
	function context(options: IDataObject = {}, credentials: Record<string, unknown> = {}): IExecuteFunctions {
		return executeContext({
			items: [{ runId: 'node-r', scene: makeScene({ duration: 2 }) as unknown as IDataObject }],
			parameters: {
				operation: 'generate',
				provider: 'runway',
				style: 'titleCard',
				preset: 'youtube',
				scene: (json: IDataObject) => json.scene,
				duration: 0,
				outputKey: (json: IDataObject) => `runs/${json.runId}/scenes/001/clip.mp4`,
				options: { pollInterval: 50, timeout: 5, ...options },
			},
			s3,
			nodeName: 'Video Generation',
			credentials: { reelsmithRunwayApi: { apiSecret: SECRET, baseUrl: fake.url, ...credentials } as IDataObject },
		});
	}

	test('execute stores the clip at the Output Key (first status already SUCCEEDED: no 5 s wait)', async () => {
		fake.script.statuses = ['SUCCEEDED'];
		const [[item]] = await new VideoGeneration().execute.call(context());
		assert.equal((item.json.clip as IDataObject).key, 'runs/node-r/scenes/001/clip.mp4');
		assert.equal(item.json.provider, 'runway');
		assert.equal(fake.submits, 1);
		await assertUniformClip(s3, 'runs/node-r/scenes/001/clip.mp4', work.path, 2);
	});

	test('a task still RUNNING at the node timeout is cancelled at Runway, with a timeout message', async () => {
		fake.script.statuses = ['RUNNING'];
		fake.cancelled.length = 0;
		await assert.rejects(new VideoGeneration().execute.call(context({ timeout: 1 })), /not ready after 1 s \(task rw-\d+, 50% done\)/);
		assert.equal(fake.submits, 1);
		assert.equal(fake.cancelled.length, 1);
	});

	test('a safety refusal fails the item with the plain message and no second submit', async () => {
		Object.assign(fake.script, { statuses: ['FAILED'], failureCode: 'SAFETY.INPUT.TEXT' });
		await assert.rejects(new VideoGeneration().execute.call(context()), (error: Error) => {
			assert.ok(error instanceof NodeOperationError);
			assert.match(error.message, /the Runway provider could not make the clip: the scene was refused by Runway's safety check/);
			return true;
		});
		assert.equal(fake.submits, 1);
	});

	test('a 12 s scene is refused by the node before anything is submitted', async () => {
		const base = context();
		const original = base.getNodeParameter.bind(base);
		base.getNodeParameter = ((name: string, index: number, fallback?: unknown) =>
			name === 'duration' ? 12 : original(name, index, fallback)) as typeof base.getNodeParameter;
		await assert.rejects(new VideoGeneration().execute.call(base), /"Duration" must be more than 0 and at most 10 seconds/);
		assert.equal(fake.submits, 0);
	});
});
