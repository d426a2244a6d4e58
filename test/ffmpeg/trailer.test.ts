import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { makeTrailer } from '../../nodes/FFmpeg/lib/trailer';
import { measureLoudness } from '../../nodes/FFmpeg/lib/loudness';
import { probeMedia } from '../../nodes/FFmpeg/lib/probe';
import { parseScript } from '../../nodes/shared/screenplay/parse';
import { chooseMoments } from '../../nodes/shared/screenplay/trailer';
import { ffmpeg } from '../../nodes/shared/transport/ffmpeg';
import { meanLuma, streamDurations, tempDir } from '../fixtures/media/make';
import { script } from '../screenplay/fixtures';

describe('Trailer: title card and the telling moments as shots, with the run’s music', () => {
	let tmp: Awaited<ReturnType<typeof tempDir>>;
	beforeAll(async () => {
		tmp = await tempDir();
	});
	afterAll(() => tmp?.cleanup());

	const plan = parseScript(script('four-scenes.fountain'));
	const cut = chooseMoments(plan);

	it('makes one MP4 of the cut’s length at the run’s size, with music at the run’s loudness', async () => {
		const music = tmp.path('music.mp3');
		await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=220:sample_rate=44100:duration=4', '-ac', '2', '-c:a', 'libmp3lame', music]);
		const output = tmp.path('trailer.mp4');
		const result = await makeTrailer({
			plan,
			cut,
			width: 360,
			height: 640,
			preset: 'vertical',
			style: 'titleCard',
			music,
			target: -14,
			directory: tmp.path('work'),
			output,
		});
		assert.equal(result.shots, cut.moments.length + 1);
		const probe = await probeMedia(output, { measureAudio: false });
		assert.equal(probe.video?.width, 360);
		assert.equal(probe.video?.height, 640);
		const durations = await streamDurations(output);
		assert.ok(Math.abs(durations.video! - cut.totalDuration) < 0.1, `video ${durations.video} s, cut ${cut.totalDuration} s`);
		assert.ok(Math.abs(durations.audio! - durations.video!) < 0.1, `audio ${durations.audio} s`);
		assert.ok(durations.video! >= 15 && durations.video! <= 30);
		const loudness = await measureLoudness(output);
		assert.ok(Math.abs(loudness.integrated + 14) < 1, `${loudness.integrated} LUFS`);
		// The shots are pictures, not black: the still with its caption is drawn.
		assert.ok((await meanLuma(output, cut.titleCard + 1)) > 5);
	});

	it('without music the trailer is silent and just as long', async () => {
		const output = tmp.path('silent.mp4');
		await makeTrailer({ plan, cut, width: 320, height: 180, preset: 'landscape', style: 'titleCard', directory: tmp.path('work2'), output });
		const durations = await streamDurations(output);
		assert.ok(Math.abs(durations.video! - cut.totalDuration) < 0.1, `video ${durations.video} s`);
		assert.ok(durations.audio !== undefined, 'an audio track (silence), so players and the concat of a run treat it as any clip');
		const loudness = await measureLoudness(output);
		assert.ok(!Number.isFinite(loudness.integrated) || loudness.integrated < -60, `${loudness.integrated} LUFS`);
	});
});
