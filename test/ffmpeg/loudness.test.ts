import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { measureLoudness, normaliseLoudness } from '../../nodes/FFmpeg/lib/loudness';
import { probeMedia } from '../../nodes/FFmpeg/lib/probe';
import { makeClip, streamDurations, tempDir } from '../fixtures/media/make';

describe('two-pass loudness normalisation', () => {
	let tmp: Awaited<ReturnType<typeof tempDir>>;
	beforeAll(async () => {
		tmp = await tempDir();
	});
	afterAll(() => tmp.cleanup());

	it('brings a quiet tone to −14 LUFS with one linear gain, video copied, audio as long as the video', async () => {
		const quiet = await makeClip(tmp.path('quiet.mp4'), { duration: 3, gainDb: -30 });
		const before = await measureLoudness(quiet);
		assert.ok(before.integrated < -40, `starts quiet (${before.integrated} LUFS)`);

		const output = tmp.path('loud.mp4');
		const result = await normaliseLoudness({ input: quiet, output, target: -14, truePeak: -1.5, lra: 11 });
		assert.equal(result.normalizationType, 'linear');
		assert.ok(Math.abs(result.input.integrated - before.integrated) < 0.5);
		assert.ok(Math.abs(result.output.integrated + 14) <= 1, `loudnorm reports ${result.output.integrated}`);

		// Measured independently on the written file (ebur128).
		const probe = await probeMedia(output);
		assert.ok(Math.abs(probe.loudness! + 14) <= 1, `integrated loudness ${probe.loudness} LUFS`);
		const source = await probeMedia(quiet, { measureAudio: false });
		assert.deepEqual(probe.video, source.video, 'video stream copied');
		assert.equal(probe.faststart, true);
		const durations = await streamDurations(output);
		assert.ok(Math.abs(durations.audio! - durations.video!) <= 0.05, `audio ${durations.audio} vs video ${durations.video}`);
	});

	it('leaves silence alone instead of amplifying noise', async () => {
		const silent = await makeClip(tmp.path('silent.mp4'), { duration: 1, audio: 'silent' });
		const result = await normaliseLoudness({ input: silent, output: tmp.path('still-silent.mp4') });
		assert.equal(result.normalizationType, 'skipped (silent)');
	});

	it('explains that a video without audio cannot be normalised', async () => {
		const mute = await makeClip(tmp.path('mute.mp4'), { audio: 'none' });
		await assert.rejects(normaliseLoudness({ input: mute, output: tmp.path('x.mp4') }), /no audio track/);
	});
});
