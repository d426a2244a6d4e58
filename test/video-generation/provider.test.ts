import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { VIDEO_PROVIDERS, videoProvider } from '../../nodes/VideoGeneration/providers';
import type { ClipRequest, TaskStatus, VideoProvider } from '../../nodes/VideoGeneration/providers/types';
import { startS3, type TestS3 } from '../helpers/s3';
import { makeScene } from './scenes';

let s3: TestS3;
let provider: VideoProvider;
beforeAll(async () => {
	s3 = await startS3();
	provider = videoProvider('local').create({ storage: s3.storage });
});
afterAll(async () => {
	await s3?.stop();
});

const request: ClipRequest = {
	scene: makeScene(),
	style: 'terminal',
	preset: 'test',
	width: 320,
	height: 180,
	fps: 30,
	duration: 1,
};

async function waitFor(taskId: string): Promise<TaskStatus> {
	for (;;) {
		const status = await provider.poll(taskId);
		if (status.status === 'succeeded' || status.status === 'failed') return status;
		assert.equal(status.status, 'running');
		await sleep(50);
	}
}

describe('local video provider (submit / poll / fetchResult)', () => {
	test('the registry lists it with its styles and clip limit', () => {
		assert.deepEqual(Object.keys(VIDEO_PROVIDERS), ['local', 'kling', 'runway']);
		assert.deepEqual(VIDEO_PROVIDERS.local.styles, ['titleCard', 'terminal']);
		assert.throws(() => videoProvider('sora'), /Unknown video provider "sora"\. Use one of: local, kling, runway/);
	});

	test('submit returns at once; poll reports success; fetchResult stores the clip and describes it', async () => {
		const { taskId } = await provider.submit(request);
		assert.equal((await waitFor(taskId)).status, 'succeeded');
		const clip = await provider.fetchResult(taskId, { bucket: s3.bucket, key: 'runs/p/scenes/001/clip.mp4' });
		const { media, ...ref } = clip;
		assert.deepEqual(
			{ ...ref, bytes: clip.bytes! > 0 },
			{ bucket: s3.bucket, key: 'runs/p/scenes/001/clip.mp4', contentType: 'video/mp4', bytes: true, duration: 1, width: 320, height: 180 },
		);
		// What the next steps need to know travels with the clip, for the stored file's own size.
		assert.equal(media?.bytes, clip.bytes);
		assert.deepEqual(
			[media?.video?.codec, media?.video?.width, media?.video?.height, media?.video?.fps, media?.audio?.codec, media?.audio?.sampleRate],
			['h264', 320, 180, 30, 'aac', 48000],
		);
		// A fetched task is gone: the temp folder is freed and a second fetch is refused.
		await assert.rejects(provider.fetchResult(taskId, { bucket: s3.bucket, key: 'again.mp4' }), /no finished clip/);
	});

	test('a failed render is reported by poll with the reason', async () => {
		const { taskId } = await provider.submit({ ...request, style: 'oilPainting' });
		const status = await waitFor(taskId);
		assert.equal(status.status, 'failed');
		assert.match(String(status.error), /Unknown style "oilPainting"/);
	});

	test('cancel stops a task; polling it afterwards says so', async () => {
		const { taskId } = await provider.submit({ ...request, duration: 20, width: 640, height: 360 });
		await provider.cancel!(taskId);
		const status = await provider.poll(taskId);
		assert.equal(status.status, 'failed');
		assert.match(String(status.error), /unknown to this n8n process/);
	});
});
