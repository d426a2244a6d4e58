import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { stat } from 'node:fs/promises';
import { concatClips } from '../../nodes/FFmpeg/lib/concat';
import { measureLoudness, normaliseLoudness } from '../../nodes/FFmpeg/lib/loudness';
import { muxNarration } from '../../nodes/FFmpeg/lib/mux';
import { probeMedia } from '../../nodes/FFmpeg/lib/probe';
import { makeClip, silences, streamDurations, tempDir } from '../fixtures/media/make';

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
		const result = await normaliseLoudness({ input: quiet, output, target: -14, truePeak: -1.5 });
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

	/**
	 * Scenes as the pipeline makes them: espeak-ng lines, each from its second in `lines`, muxed onto a clip (louder by
	 * `gainDb`; at `loudness` LUFS when given, as generate-scene.json's Mux does).
	 */
	async function spokenClip(
		name: string,
		seconds: number,
		lines: Array<[number, string]>,
		options: { gainDb?: number; loudness?: number } = {},
	): Promise<string> {
		const inputs: string[] = [];
		const delays: string[] = [];
		for (const [index, [at, text]] of lines.entries()) {
			const speech = tmp.path(`${name}-${index}.wav`);
			await promisify(execFile)('espeak-ng', ['-w', speech, text]);
			inputs.push('-i', speech);
			delays.push(`[${index}:a]adelay=${Math.round(at * 1000)}:all=1[l${index}]`);
		}
		const labels = lines.map((_, index) => `[l${index}]`).join('');
		const track = tmp.path(`${name}.wav`);
		await promisify(execFile)('ffmpeg', [
			'-v', 'error', ...inputs, '-filter_complex', `${delays.join(';')};${labels}amix=inputs=${lines.length}:normalize=0,volume=${options.gainDb ?? 0}dB`, track,
		]);
		const picture = await makeClip(tmp.path(`${name}-picture.mp4`), { duration: seconds, audio: 'none' });
		const clip = tmp.path(`${name}.mp4`);
		await muxNarration({ video: picture, audio: track, output: clip, loudness: options.loudness ? { target: options.loudness } : undefined });
		return clip;
	}

	// loudnorm's own second pass gave −30 LUFS on 2 s of speech (its window is 3 s). Pauses between lines, as scenes
	// have them: the gain and the limiter's look-ahead must not move a line.
	for (const { what, seconds, lines } of [
		{ what: 'a 2 s video', seconds: 2, lines: [[0.2, 'Is the kettle on?']] as Array<[number, string]> },
		{
			what: 'a 20 s video with pauses',
			seconds: 20,
			lines: [
				[0.2, 'The kettle whistles. Alice pours two cups.'],
				[6.2, 'Bob finds the key by the roses, and waves it at the fence.'],
				[13.4, 'Of course you did.'],
			] as Array<[number, string]>,
		},
	]) {
		it(`brings the speech of ${what} to −14 ±1 LUFS, measured on the file, every line where it was`, async () => {
			const clip = await spokenClip(`speech-${seconds}`, seconds, lines);
			const output = tmp.path(`speech-${seconds}-loud.mp4`);
			const result = await normaliseLoudness({ input: clip, output, target: -14, truePeak: -1.5 });
			const independent = (await probeMedia(output)).loudness!;
			assert.ok(Math.abs(independent + 14) <= 1, `ebur128 measures ${independent} LUFS (${result.message})`);
			assert.ok(Math.abs(result.output.integrated - independent) <= 0.3, `reported ${result.output.integrated}, measured ${independent}`);
			assert.equal(result.withinTarget, true);
			assert.match(result.message, /^Loudness −1[345]\.\d LUFS, true peak −[\d.]+ dBTP \(target −14 LUFS; /);
			assert.ok(result.output.truePeak <= -1, `true peak ${result.output.truePeak} dBTP stays under −1 dBTP`);
			const durations = await streamDurations(output);
			assert.ok(Math.abs(durations.audio! - seconds) <= 0.05, `audio ${durations.audio} s`);
			// Every line starts where it did (the limiter's look-ahead is compensated): within 10 ms.
			const starts = async (file: string) => (await silences(file, { minSeconds: 0.15, noiseDb: -45 })).map((s) => s.end).filter((end) => end < seconds - 0.05);
			const before = await starts(clip);
			const after = await starts(output);
			assert.equal(after.length, before.length, `onsets ${after} vs ${before}`);
			after.forEach((at, index) => assert.ok(Math.abs(at - before[index]) <= 0.01, `line onset ${at} s, was ${before[index]} s`));
			for (const [at] of lines) assert.ok(before.some((onset) => Math.abs(onset - at) <= 0.05), `a line starts at ${at} s (${before})`);
		});
	}

	it('brings speech mastered too loud down to −14 ±1 LUFS, true peak under −1 dBTP', async () => {
		const clip = await spokenClip('loud', 6, [[0.2, 'The kettle whistles. Alice pours two cups.'], [3.2, 'Of course you did.']], { gainDb: 12 });
		const before = await measureLoudness(clip);
		assert.ok(before.integrated > -12, `starts loud (${before.integrated} LUFS)`);
		const output = tmp.path('loud-down.mp4');
		const result = await normaliseLoudness({ input: clip, output, target: -14, truePeak: -1.5 });
		const after = await measureLoudness(output);
		assert.ok(Math.abs(after.integrated + 14) <= 1, `${after.integrated} LUFS (${result.message})`);
		assert.ok(after.truePeak <= -1, `true peak ${after.truePeak} dBTP`);
		assert.equal(result.passes, 1, 'one encode');
	});

	it('joins scenes muxed at the target into a video that is passed on as it is: measured, on target, not re-encoded', async () => {
		const scenes = [];
		for (const [index, text] of ['The kettle whistles. Alice pours two cups.', 'Bob finds the key by the roses, and waves it at the fence.', 'Of course you did.'].entries()) {
			const scene = await spokenClip(`scene-${index}`, 4, [[0.2, text]], { loudness: -14 });
			const level = await measureLoudness(scene);
			assert.ok(Math.abs(level.integrated + 14) <= 0.5, `scene ${index + 1}: ${level.integrated} LUFS`);
			assert.ok(level.truePeak <= -2.5, `scene ${index + 1}: true peak ${level.truePeak} dBTP leaves room for the join`);
			scenes.push(scene);
		}
		const joined = tmp.path('joined.mp4');
		await concatClips({ inputs: scenes, output: joined });
		const output = tmp.path('joined-loud.mp4');
		const result = await normaliseLoudness({ input: joined, output, target: -14, truePeak: -1.5 });
		assert.equal(result.normalizationType, 'unchanged (on target)', result.message);
		assert.equal(result.passes, 0);
		assert.match(result.message, /^Loudness −1[34]\.\d LUFS, true peak −[\d.]+ dBTP \(target −14 LUFS; already on target, not re-encoded\)\.$/);
		assert.equal((await stat(output)).size, (await stat(joined)).size, 'the joined file itself');
		// What the event reports is what the delivered file measures (ebur128 through the probe).
		const delivered = await probeMedia(output);
		assert.ok(Math.abs(delivered.loudness! + 14) <= 1, `${delivered.loudness} LUFS`);
		assert.ok(Math.abs(result.output.integrated - delivered.loudness!) <= 0.1);
		assert.ok(result.output.truePeak <= -1.5, `true peak ${result.output.truePeak} dBTP`);
		assert.equal(delivered.faststart, true);
	});

	it('re-encodes a video on target whose audio runs past the picture, so sound and picture end together', async () => {
		const picture = await makeClip(tmp.path('long-audio-picture.mp4'), { duration: 2, audio: 'none' });
		const speech = tmp.path('long-audio.wav');
		await promisify(execFile)('espeak-ng', ['-w', speech, 'The kettle whistles, Alice pours two cups and Bob finds the key.']);
		const onTarget = tmp.path('long-audio-on-target.mp4');
		const threeSeconds = await makeClip(tmp.path('long-audio-3s.mp4'), { duration: 3, audio: 'none' });
		await muxNarration({ video: threeSeconds, audio: speech, output: onTarget, loudness: { target: -14 } });
		// The 2 s picture with that 3 s sound, at the target.
		const longer = tmp.path('long-audio-longer.mp4');
		await promisify(execFile)('ffmpeg', ['-v', 'error', '-i', picture, '-i', onTarget, '-map', '0:v', '-map', '1:a', '-c', 'copy', '-movflags', '+faststart', longer]);
		const source = await streamDurations(longer);
		assert.ok(source.audio! > source.video! + 0.5, `audio ${source.audio} s, video ${source.video} s`);
		const result = await normaliseLoudness({ input: longer, output: tmp.path('long-audio-fitted.mp4'), target: -14, truePeak: -1.5 });
		assert.notEqual(result.normalizationType, 'unchanged (on target)');
		const durations = await streamDurations(tmp.path('long-audio-fitted.mp4'));
		assert.ok(Math.abs(durations.audio! - durations.video!) <= 0.05, `audio ${durations.audio} vs video ${durations.video}`);
	});

	it('leaves silence alone instead of amplifying noise, and says so', async () => {
		const silent = await makeClip(tmp.path('silent.mp4'), { duration: 1, audio: 'silent' });
		const result = await normaliseLoudness({ input: silent, output: tmp.path('still-silent.mp4') });
		assert.equal(result.normalizationType, 'skipped (silent)');
		assert.equal(result.withinTarget, false);
		assert.match(result.message, /^Loudness not normalised: the audio is silent .*Check that the scenes have narration\.$/);
	});

	it('explains that a video without audio cannot be normalised', async () => {
		const mute = await makeClip(tmp.path('mute.mp4'), { audio: 'none' });
		await assert.rejects(normaliseLoudness({ input: mute, output: tmp.path('x.mp4') }), /no audio track/);
	});
});
