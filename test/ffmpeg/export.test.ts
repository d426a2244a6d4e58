import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { exportForPreset } from '../../nodes/FFmpeg/lib/export';
import { probeMedia, readTopLevelBoxes } from '../../nodes/FFmpeg/lib/probe';
import { extractThumbnail } from '../../nodes/FFmpeg/lib/thumbnail';
import { addWatermark } from '../../nodes/FFmpeg/lib/watermark';
import { PRESETS } from '../../nodes/shared/presets';
import { grayPixels, makeClip, makeImage, meanDifference, streamDurations, tempDir } from '../fixtures/media/make';
import { readFile } from 'node:fs/promises';

describe('export presets, thumbnail, watermark', () => {
	let tmp: Awaited<ReturnType<typeof tempDir>>;
	let clip: string;
	beforeAll(async () => {
		tmp = await tempDir();
		clip = await makeClip(tmp.path('clip.mp4'), { duration: 0.5 });
	});
	afterAll(() => tmp.cleanup());

	it('youtube: 1920x1080 H.264 yuv420p + AAC with faststart', async () => {
		const output = tmp.path('youtube.mp4');
		const result = await exportForPreset({ input: clip, output, preset: PRESETS.youtube });
		assert.equal(result.reencoded, true);
		assert.ok(result.reasons.includes('size is 320x180, not 1920x1080'));
		const probe = await probeMedia(output, { measureAudio: false });
		assert.deepEqual(
			[probe.video?.codec, probe.video?.width, probe.video?.height, probe.video?.pixelFormat, probe.video?.fps],
			['h264', 1920, 1080, 'yuv420p', 30],
		);
		assert.deepEqual([probe.audio?.codec, probe.audio?.sampleRate, probe.audio?.channels], ['aac', 48000, 2]);
		assert.equal(probe.faststart, true);
		// Independently of probe: the moov box comes before mdat.
		const types = (await readTopLevelBoxes(output)).map((box) => box.type);
		assert.ok(types.indexOf('moov') >= 0 && types.indexOf('moov') < types.indexOf('mdat'), types.join(','));
		const durations = await streamDurations(output);
		assert.ok(Math.abs(durations.video! - 0.5) < 0.05 && Math.abs(durations.audio! - 0.5) < 0.05);
	});

	it('shorts: a 16:9 source becomes 1080x1920, scaled to fit and padded', async () => {
		const output = tmp.path('shorts.mp4');
		await exportForPreset({ input: clip, output, preset: PRESETS.shorts });
		const probe = await probeMedia(output, { measureAudio: false });
		assert.deepEqual([probe.video?.width, probe.video?.height], [1080, 1920]);
		// Padding bars above the picture are black.
		const bar = await grayPixels(output, 0.25, { x: 0, y: 0, width: 1080, height: 200 });
		assert.ok(bar.every((value) => value < 24), 'top bar is black');
	});

	it('takes the copy path when the video already conforms', async () => {
		const conforming = await makeClip(tmp.path('square-src.mp4'), { width: 1080, height: 1080, duration: 0.5, faststart: false });
		const output = tmp.path('square.mp4');
		const started = Date.now();
		const result = await exportForPreset({ input: conforming, output, preset: PRESETS.square });
		assert.equal(result.reencoded, false);
		assert.deepEqual(result.reasons, []);
		assert.ok(Date.now() - started < 2000);
		const probe = await probeMedia(output, { measureAudio: false });
		assert.equal(probe.faststart, true, 'remuxed with faststart');
		assert.equal(probe.video?.width, 1080);
	});

	it('thumbnail: a JPEG at the size given, a frame of another shape fitted and padded', async () => {
		const output = tmp.path('thumb.jpg');
		const result = await extractThumbnail({ input: clip, output, time: 0.25, size: PRESETS.youtube.thumbnail });
		assert.deepEqual(result, { time: 0.25, width: 1280, height: 720 });
		const jpeg = await readFile(output);
		assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff], 'JPEG magic');
		const probe = await probeMedia(output, { measureAudio: false });
		assert.deepEqual([probe.video?.codec, probe.video?.width, probe.video?.height], ['mjpeg', 1280, 720]);
		// The 16:9 clip in a 9:16 thumbnail: the picture in the middle band, black above and below, not stretched.
		const tall = tmp.path('tall.jpg');
		assert.deepEqual(await extractThumbnail({ input: clip, output: tall, time: 0.25, size: { width: 360, height: 640 } }), {
			time: 0.25,
			width: 360,
			height: 640,
		});
		const mean = (pixels: Buffer) => pixels.reduce((sum, value) => sum + value, 0) / pixels.length;
		assert.ok(mean(await grayPixels(tall, 0, { x: 0, y: 0, width: 360, height: 200 })) < 20, 'black above');
		assert.ok(mean(await grayPixels(tall, 0, { x: 0, y: 240, width: 360, height: 160 })) > 40, 'picture in the middle');
		// A time past the end still gives the last frame.
		assert.ok((await extractThumbnail({ input: clip, output: tmp.path('late.jpg'), time: 99 })).time < 0.5);
	});

	it('watermark: text or image changes the chosen corner only', async () => {
		const plain = await makeClip(tmp.path('plain.mp4'), { duration: 0.5, color: 'gray' });
		const corner = { x: 200, y: 130, width: 110, height: 44 };
		const opposite = { x: 0, y: 0, width: 110, height: 44 };
		const text = tmp.path('text.mp4');
		await addWatermark({ input: plain, output: text, text: "50% 'off': C:\\x 🎉", position: 'bottomRight', fontSize: 14 });
		assert.ok(meanDifference(await grayPixels(plain, 0.25, corner), await grayPixels(text, 0.25, corner)) > 5);
		assert.ok(meanDifference(await grayPixels(plain, 0.25, opposite), await grayPixels(text, 0.25, opposite)) < 2);

		const image = tmp.path('logo.mp4');
		await addWatermark({ input: plain, output: image, image: await makeImage(tmp.path('logo.png'), 'white', '64x64'), position: 'topLeft', opacity: 1 });
		assert.ok(meanDifference(await grayPixels(plain, 0.25, opposite), await grayPixels(image, 0.25, opposite)) > 20);
		assert.ok(meanDifference(await grayPixels(plain, 0.25, corner), await grayPixels(image, 0.25, corner)) < 2);
		const probe = await probeMedia(image, { measureAudio: false });
		assert.equal(probe.audio?.codec, 'aac');
		assert.equal(probe.faststart, true);
	});
});
