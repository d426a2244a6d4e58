import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MediaRef } from '../../nodes/shared/refs';
import { ffprobe } from '../../nodes/shared/transport/ffmpeg';
import type { ClipRequest, VideoProvider } from '../../nodes/VideoGeneration/providers/types';
import { FakeKling } from '../fakes/kling';
import { FakeRunway } from '../fakes/runway';
import type { TestS3 } from '../helpers/s3';
import { runBinary } from '../video-generation/context';
import { makeScene } from '../video-generation/scenes';

/** A small real provider clip: 640x360, 2 s, 24 fps, no audio (what a provider might hand back). */
export async function makeProviderVideo(dir: string): Promise<string> {
	const file = join(dir, 'provider.mp4');
	await runBinary('ffmpeg', [
		'-v',
		'error',
		'-y',
		'-f',
		'lavfi',
		'-i',
		'testsrc2=size=640x360:rate=24:duration=2',
		'-c:v',
		'libx264',
		'-pix_fmt',
		'yuv420p',
		file,
	]);
	return file;
}

export function youtubeRequest(overrides: Partial<ClipRequest> = {}): ClipRequest {
	return {
		scene: makeScene({ duration: 2 }),
		style: 'titleCard',
		preset: 'youtube',
		width: 1920,
		height: 1080,
		fps: 30,
		duration: 2,
		...overrides,
	};
}

/** What the node does with a provider: submit, poll until done or the deadline, fetch into storage. */
export async function runTask(
	provider: VideoProvider,
	request: ClipRequest,
	key: string,
	bucket: string,
	timeoutMs = 5000,
): Promise<{ taskId: string; clip?: MediaRef; error?: string; notes?: string[] }> {
	const { taskId, notes } = await provider.submit(request);
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const status = await provider.poll(taskId);
		if (status.status === 'failed') return { taskId, error: status.error };
		if (status.status === 'succeeded') break;
		if (Date.now() >= deadline) return { taskId, error: `timeout after ${timeoutMs} ms` };
		await sleep(20);
	}
	return { taskId, notes, clip: await provider.fetchResult(taskId, { bucket, key }) };
}

/** The stored clip is in the run's clip format: 1920x1080 H.264 yuv420p 30 fps + AAC, duration ±1 frame. */
export async function assertUniformClip(s3: TestS3, key: string, dir: string, duration: number): Promise<void> {
	const file = join(dir, `stored-${Date.now()}.mp4`);
	await s3.storage.downloadFile({ bucket: s3.bucket, key }, file);
	const probe = await ffprobe(file);
	const video = probe.streams.find((stream) => stream.codec_type === 'video');
	const audio = probe.streams.find((stream) => stream.codec_type === 'audio');
	assert.ok(video, 'the clip has a video stream');
	assert.equal(video.codec_name, 'h264');
	assert.equal(video.pix_fmt, 'yuv420p');
	assert.equal(video.width, 1920);
	assert.equal(video.height, 1080);
	assert.equal(video.r_frame_rate, '30/1');
	assert.ok(audio, 'the clip has an audio track (silent AAC) so assembly can concat by copy');
	assert.equal(audio.codec_name, 'aac');
	assert.ok(
		Math.abs(Number(video.duration) - duration) <= 1 / 30 + 1e-6,
		`video lasts ${video.duration} s, wanted ${duration}`,
	);
	assert.ok(
		Math.abs(Number(probe.format.duration) - duration) <= 1 / 30 + 0.03,
		`file lasts ${probe.format.duration} s`,
	);
}

/**
 * Kling and Runway fakes for a node-level test file, both answering with a real provider clip: started before the
 * tests, stopped after, and reset before each test with the first status request already reporting the result (so
 * Kling's 2 s and Runway's 5 s poll spacing never wait). Read `kling`/`runway` inside hooks and tests.
 */
export function useVideoFakes(keys: { access: string; secret: string; runwaySecret: string }): { kling: FakeKling; runway: FakeRunway } {
	const fakes = {} as { kling: FakeKling; runway: FakeRunway };
	let work: string | undefined;
	beforeAll(async () => {
		work = await mkdtemp(join(tmpdir(), 'reelsmith-video-fakes-'));
		const video = await makeProviderVideo(work);
		fakes.kling = await new FakeKling(keys.access, keys.secret, video).start();
		fakes.runway = await new FakeRunway(keys.runwaySecret, video).start();
	});
	afterAll(async () => {
		await fakes.kling?.stop();
		await fakes.runway?.stop();
		if (work) await rm(work, { recursive: true, force: true });
	});
	beforeEach(() => {
		fakes.kling.reset();
		fakes.runway.reset();
		fakes.kling.script.processingPolls = 0;
		fakes.runway.script.statuses = ['SUCCEEDED'];
	});
	return fakes;
}
