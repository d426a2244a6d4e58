import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { isFaststart, probeMedia, readTopLevelBoxes } from '../../nodes/FFmpeg/lib/probe';
import { makeClip, makeTone, tempDir } from '../fixtures/media/make';

describe('probe', () => {
	let tmp: Awaited<ReturnType<typeof tempDir>>;
	beforeAll(async () => {
		tmp = await tempDir();
	});
	afterAll(() => tmp.cleanup());

	it('reports streams, codecs, size, frame rate, pixel format, durations and size on disk', async () => {
		const file = await makeClip(tmp.path('clip.mp4'), { width: 320, height: 180, fps: 25, duration: 2 });
		const probe = await probeMedia(file);
		assert.match(probe.formatName, /mp4/);
		assert.ok(Math.abs(probe.duration - 2) < 0.05, `duration ${probe.duration}`);
		assert.deepEqual(
			{ ...probe.video, duration: Math.round(probe.video!.duration! * 10) / 10, timeBase: undefined },
			{
				codec: 'h264',
				profile: 'Constrained Baseline',
				width: 320,
				height: 180,
				fps: 25,
				frameRate: '25/1',
				pixelFormat: 'yuv420p',
				timeBase: undefined,
				duration: 2,
			},
		);
		assert.equal(probe.audio?.codec, 'aac');
		assert.equal(probe.audio?.sampleRate, 48000);
		assert.equal(probe.audio?.channels, 2);
		assert.ok(probe.bytes > 1000);
		assert.deepEqual(probe.subtitles, []);
	});

	it('measures mean and max volume and integrated loudness', async () => {
		const loud = await probeMedia(await makeClip(tmp.path('loud.mp4'), { gainDb: -6 }));
		const quiet = await probeMedia(await makeClip(tmp.path('quiet.mp4'), { gainDb: -30 }));
		const silent = await probeMedia(await makeClip(tmp.path('silent.mp4'), { audio: 'silent' }));
		// A full-scale sine at −6 dB, scaled by lavfi's default 1/8 amplitude: about −27 dB mean.
		assert.ok(loud.meanVolume! > -35 && loud.meanVolume! < -20, `mean ${loud.meanVolume}`);
		assert.ok(loud.maxVolume! > loud.meanVolume!, 'max is above mean');
		assert.ok(Math.abs(loud.meanVolume! - quiet.meanVolume! - 24) < 1.5, '24 dB quieter is 24 dB quieter');
		assert.ok(loud.loudness! > quiet.loudness! + 20, `loudness ${loud.loudness} vs ${quiet.loudness}`);
		assert.ok(silent.meanVolume === null || silent.meanVolume < -80, `silence mean ${silent.meanVolume}`);
	});

	it('tells faststart files (moov before mdat) from others, by reading the boxes', async () => {
		const fast = await makeClip(tmp.path('fast.mp4'), { faststart: true });
		const slow = await makeClip(tmp.path('slow.mp4'), { faststart: false });
		const order = (boxes: { type: string }[]) => boxes.map((b) => b.type).filter((t) => t === 'moov' || t === 'mdat');
		assert.deepEqual(order(await readTopLevelBoxes(fast)), ['moov', 'mdat']);
		assert.deepEqual(order(await readTopLevelBoxes(slow)), ['mdat', 'moov']);
		assert.equal((await readTopLevelBoxes(fast))[0].type, 'ftyp');
		assert.equal(await isFaststart(fast), true);
		assert.equal(await isFaststart(slow), false);
		assert.equal((await probeMedia(slow, { measureAudio: false })).faststart, false);
	});

	it('handles audio-only files: no video, not an MP4', async () => {
		const wav = await makeTone(tmp.path('line.wav'), { duration: 1.5 });
		const probe = await probeMedia(wav);
		assert.equal(probe.video, null);
		assert.equal(probe.audio?.codec, 'pcm_s16le');
		assert.equal(probe.audio?.channels, 1);
		assert.equal(probe.faststart, false);
		assert.ok(Math.abs(probe.duration - 1.5) < 0.01);
		assert.ok(probe.meanVolume! > -40);
	});
});
