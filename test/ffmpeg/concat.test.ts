import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { concatClips } from '../../nodes/FFmpeg/lib/concat';
import { probeMedia, readTopLevelBoxes } from '../../nodes/FFmpeg/lib/probe';
import { makeClip, meanLuma, silences, streamDurations, tempDir } from '../fixtures/media/make';

describe('concat', () => {
	let tmp: Awaited<ReturnType<typeof tempDir>>;
	let uniform: string[];
	beforeAll(async () => {
		tmp = await tempDir();
		uniform = [
			await makeClip(tmp.path('a.mp4'), { duration: 1, frequency: 300 }),
			await makeClip(tmp.path('b.mp4'), { duration: 1.5, frequency: 500 }),
			await makeClip(tmp.path('c.mp4'), { duration: 2, frequency: 700 }),
		];
	});
	afterAll(() => tmp.cleanup());

	it('joins clips in the same format by stream copy; the length is the sum, and the sound stays on time', async () => {
		const output = tmp.path('copy.mp4');
		const started = Date.now();
		const result = await concatClips({ inputs: uniform, output });
		assert.equal(result.mode, 'copy');
		assert.deepEqual(result.mismatches, []);
		const probe = await probeMedia(output, { measureAudio: false });
		assert.ok(Math.abs(probe.duration - 4.5) < 0.1, `duration ${probe.duration}`);
		assert.equal(probe.faststart, true);
		assert.equal(probe.video?.width, 320);
		assert.ok(Date.now() - started < 3000, 'stream copy is quick');

		// Tone, silence, tone: played sample after sample, the silent clip's 1.5 s start at 1.0 s and end at 2.5 s.
		// (Copying the AAC too put each clip's encoder priming into the track: 32 ms later per join.)
		const clips = [
			await makeClip(tmp.path('tone-1.mp4'), { duration: 1 }),
			await makeClip(tmp.path('quiet-2.mp4'), { duration: 1.5, audio: 'silent' }),
			await makeClip(tmp.path('tone-3.mp4'), { duration: 1 }),
			await makeClip(tmp.path('quiet-4.mp4'), { duration: 1.5, audio: 'silent' }),
			await makeClip(tmp.path('tone-5.mp4'), { duration: 1 }),
		];
		const joined = tmp.path('timed.mp4');
		assert.equal((await concatClips({ inputs: clips, output: joined })).mode, 'copy');
		const quiet = await silences(joined, { minSeconds: 0.3, bySamples: true });
		assert.deepEqual(
			quiet.map(({ start, end }) => [start, end].map((t) => Math.round(t * 100) / 100)),
			[
				[1, 2.5],
				[3.5, 5],
			],
			JSON.stringify(quiet),
		);
		const durations = await streamDurations(joined);
		assert.ok(Math.abs(durations.audio! - 6) <= 0.03, `audio ${durations.audio} s`);
	});

	it('re-encodes clips that differ in size, frame rate and audio, and says why', async () => {
		const odd = await makeClip(tmp.path('odd.mp4'), { width: 640, height: 480, fps: 25, duration: 1, sampleRate: 44100 });
		const mute = await makeClip(tmp.path('mute.mp4'), { duration: 1, audio: 'none' });
		const output = tmp.path('mixed.mp4');
		const result = await concatClips({ inputs: [uniform[0], odd, mute], output });
		assert.equal(result.mode, 'reencode');
		assert.ok(result.mismatches.includes('clip 2 size is 640x480, clip 1 is 320x180'), result.mismatches.join('\n'));
		assert.ok(result.mismatches.includes('clip 3 audio codec is no audio, clip 1 is aac'));
		const probe = await probeMedia(output, { measureAudio: false });
		assert.deepEqual([probe.video?.width, probe.video?.height, probe.video?.fps], [320, 180, 30]);
		assert.equal(probe.faststart, true);
		const durations = await streamDurations(output);
		assert.ok(Math.abs(durations.video! - 3) < 0.1, `video ${durations.video}`);
		assert.ok(Math.abs(durations.audio! - 3) < 0.1, `audio ${durations.audio}`);
	});

	it('refuses copy mode for clips that differ, naming the difference', async () => {
		const big = await makeClip(tmp.path('big.mp4'), { width: 480, height: 270, duration: 1 });
		await assert.rejects(
			concatClips({ inputs: [uniform[0], big], output: tmp.path('x.mp4'), mode: 'copy' }),
			/cannot be joined by stream copy: clip 2 size is 480x270, clip 1 is 320x180/,
		);
	});

	it('crossfades without losing time: every clip starts where it would without transitions, sound joined whole', async () => {
		// White, black and grey pictures; tone, silence and tone: where each clip plays can be read off the output.
		const clips = [
			await makeClip(tmp.path('white.mp4'), { duration: 1, color: 'white' }),
			await makeClip(tmp.path('black.mp4'), { duration: 1.5, color: 'black', audio: 'silent' }),
			await makeClip(tmp.path('grey.mp4'), { duration: 2, color: 'gray' }),
		];
		const output = tmp.path('fade.mp4');
		const result = await concatClips({ inputs: clips, output, transition: 'crossfade', transitionDuration: 0.5 });
		assert.equal(result.mode, 'reencode');
		assert.ok(Math.abs(result.duration - 4.5) < 1e-6, `computed ${result.duration}`);
		const durations = await streamDurations(output);
		assert.ok(Math.abs(durations.video! - 4.5) < 0.05, `video ${durations.video}`);
		assert.ok(Math.abs(durations.audio! - 4.5) < 0.05, `audio ${durations.audio}`);

		// The silent clip's sound runs from 1.0 to 2.5 s, exactly where it would in a plain join.
		const quiet = await silences(output, { minSeconds: 0.3 });
		assert.equal(quiet.length, 1, JSON.stringify(quiet));
		assert.ok(Math.abs(quiet[0].start - 1) <= 0.03 && Math.abs(quiet[0].end - 2.5) <= 0.03, JSON.stringify(quiet));

		// Picture: white to 1.0 s, then black fades in over the held white frame and is full black from 1.5 s; grey
		// fades in from 2.5 s over the held black frame.
		const luma = async (time: number) => meanLuma(output, time);
		assert.ok((await luma(0.9)) > 220, 'white clip shown until its end');
		const middle = await luma(1.25);
		assert.ok(middle > 80 && middle < 180, `half way through the fade (${middle})`);
		assert.ok((await luma(1.6)) < 30, 'black clip after the fade');
		assert.ok((await luma(2.45)) < 30, 'black clip shown until its end');
		const grey = await luma(3.2);
		assert.ok(grey > 100 && grey < 150, `grey clip after the fade (${grey})`);

		const boxes = (await readTopLevelBoxes(output)).map((b) => b.type);
		assert.ok(boxes.indexOf('moov') < boxes.indexOf('mdat'));
		await assert.rejects(
			concatClips({ inputs: uniform, output: tmp.path('y.mp4'), transition: 'crossfade', transitionDuration: 1.2 }),
			/shorter than the shortest clip \(clip 1, 1 s\)/,
		);
	});
});
