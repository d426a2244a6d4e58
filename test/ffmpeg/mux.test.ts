import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { muxNarration } from '../../nodes/FFmpeg/lib/mux';
import { probeMedia } from '../../nodes/FFmpeg/lib/probe';
import { makeClip, makeTone, streamDurations, tempDir } from '../fixtures/media/make';

// One video frame at 30 fps, and one AAC frame (1024 samples at 48 kHz).
const FRAME = 1 / 30;
const AAC_FRAME = 1024 / 48000;

describe('mux narration onto a clip', () => {
	let tmp: Awaited<ReturnType<typeof tempDir>>;
	let clip: string;
	beforeAll(async () => {
		tmp = await tempDir();
		clip = await makeClip(tmp.path('clip.mp4'), { duration: 2, audio: 'silent' });
	});
	afterAll(() => tmp.cleanup());

	it('pads short narration with silence to exactly the video length', async () => {
		const narration = await makeTone(tmp.path('short.wav'), { duration: 0.8 });
		const output = tmp.path('padded.mp4');
		const result = await muxNarration({ video: clip, audio: narration, output });
		const durations = await streamDurations(output);
		assert.ok(Math.abs(durations.video! - 2) <= FRAME, `video ${durations.video}`);
		assert.ok(Math.abs(durations.audio! - 2) <= AAC_FRAME, `audio ${durations.audio}`);
		assert.ok(Math.abs(result.duration - 2) <= FRAME);
		const probe = await probeMedia(output);
		assert.deepEqual(
			[probe.audio?.codec, probe.audio?.sampleRate, probe.audio?.channels, probe.video?.codec, probe.faststart],
			['aac', 48000, 2, 'h264', true],
		);
		assert.ok(probe.meanVolume! > -40, 'the narration is audible');
	});

	it('trims long narration to exactly the video length', async () => {
		const narration = await makeTone(tmp.path('long.wav'), { duration: 3.7 });
		const output = tmp.path('trimmed.mp4');
		await muxNarration({ video: clip, audio: narration, output });
		const durations = await streamDurations(output);
		assert.ok(Math.abs(durations.video! - 2) <= FRAME, `video ${durations.video}`);
		assert.ok(Math.abs(durations.audio! - 2) <= AAC_FRAME, `audio ${durations.audio}`);
	});

	it('can shorten to a given duration, gives a silent track without narration, and refuses to lengthen', async () => {
		const output = tmp.path('cut.mp4');
		await muxNarration({ video: clip, audio: null, output, duration: 1.5 });
		const durations = await streamDurations(output);
		assert.ok(Math.abs(durations.video! - 1.5) <= FRAME, `video ${durations.video}`);
		assert.ok(Math.abs(durations.audio! - 1.5) <= AAC_FRAME, `audio ${durations.audio}`);
		await assert.rejects(muxNarration({ video: clip, output: tmp.path('long.mp4'), duration: 5 }), /cannot lengthen/);
	});
});
