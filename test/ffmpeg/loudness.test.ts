import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
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

	/** A scene as the pipeline makes it: espeak-ng speech from 0.2 s, muxed onto a clip of `seconds`. */
	async function spokenClip(name: string, seconds: number, text: string): Promise<string> {
		const speech = tmp.path(`${name}.wav`);
		await promisify(execFile)('espeak-ng', ['-w', speech, text]);
		const delayed = tmp.path(`${name}-delayed.wav`);
		await promisify(execFile)('ffmpeg', ['-v', 'error', '-i', speech, '-af', 'adelay=200:all=1', delayed]);
		const picture = await makeClip(tmp.path(`${name}-picture.mp4`), { duration: seconds, audio: 'none' });
		const clip = tmp.path(`${name}.mp4`);
		await muxNarration({ video: picture, audio: delayed, output: clip });
		return clip;
	}

	// loudnorm's second pass needs 3 s: on 2 s of speech it used to give −30 LUFS for a −14 target.
	for (const { what, seconds, text } of [
		{ what: 'a 2 s video', seconds: 2, text: 'Is the kettle on?' },
		{ what: 'a 20 s video', seconds: 20, text: 'The kettle whistles. Alice pours two cups, and Bob finds the key by the roses. '.repeat(3) },
	]) {
		it(`brings the speech of ${what} to −14 ±1 LUFS, measured on the file, with the speech where it was`, async () => {
			const clip = await spokenClip(`speech-${seconds}`, seconds, text);
			const output = tmp.path(`speech-${seconds}-loud.mp4`);
			const result = await normaliseLoudness({ input: clip, output, target: -14, truePeak: -1.5 });
			const independent = (await probeMedia(output)).loudness!;
			assert.ok(Math.abs(independent + 14) <= 1, `ebur128 measures ${independent} LUFS (${result.message})`);
			assert.ok(Math.abs(result.output.integrated - independent) <= 0.3, `reported ${result.output.integrated}, measured ${independent}`);
			assert.equal(result.withinTarget, true);
			assert.match(result.message, /^Loudness −1[345]\.\d LUFS, true peak −[\d.]+ dBTP \(target −14 LUFS; /);
			assert.ok(result.output.truePeak <= -0.5, `true peak ${result.output.truePeak} dBTP stays under the ceiling`);
			const durations = await streamDurations(output);
			assert.ok(Math.abs(durations.audio! - seconds) <= 0.05, `audio ${durations.audio} s`);
			// The limiter's look-ahead is compensated: speech still starts 0.2 s in.
			const [lead] = await silences(output, { minSeconds: 0.1 });
			assert.ok(Math.abs(lead.end - 0.2) <= 0.02, `speech starts at ${lead.end} s`);
		});
	}

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
