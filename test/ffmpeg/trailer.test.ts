import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { IDataObject } from 'n8n-workflow';
import { FFmpeg } from '../../nodes/FFmpeg/FFmpeg.node';
import { makeTrailer } from '../../nodes/FFmpeg/lib/trailer';
import { trailerKey } from '../../nodes/shared/keys';
import { presetByName } from '../../nodes/shared/presets';
import { executionContext } from '../helpers/execution-context';
import { downloadTo, startS3, type TestS3 } from '../helpers/s3';
import { s3Credential } from '../video-generation/context';
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
			preset: 'shorts',
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
		await makeTrailer({ plan, cut, width: 320, height: 180, preset: 'youtube', style: 'titleCard', directory: tmp.path('work2'), output });
		const durations = await streamDurations(output);
		assert.ok(Math.abs(durations.video! - cut.totalDuration) < 0.1, `video ${durations.video} s`);
		assert.ok(durations.audio !== undefined, 'an audio track (silence), so players and the concat of a run treat it as any clip');
		const loudness = await measureLoudness(output);
		assert.ok(!Number.isFinite(loudness.integrated) || loudness.integrated < -60, `${loudness.integrated} LUFS`);
	});
});

describe('FFmpeg → Trailer on the approval screen', () => {
	let s3: TestS3;
	let tmp: Awaited<ReturnType<typeof tempDir>>;
	beforeAll(async () => {
		[s3, tmp] = await Promise.all([startS3(), tempDir()]);
		const music = tmp.path('bed.mp3');
		await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=44100:duration=3', '-ac', '2', '-c:a', 'libmp3lame', music]);
		await s3.storage.uploadFile(music, 'music/bed.mp3', 'audio/mpeg');
	});
	afterAll(() => Promise.all([s3?.stop(), tmp?.cleanup()]));

	const plan = parseScript(script('four-scenes.fountain'));
	const trailer = async (item: IDataObject, params: Record<string, unknown> = {}) => {
		const context = executionContext({
			items: [item],
			parameters: {
				operation: 'trailer',
				runId: item.runId,
				plan: item.plan,
				planVersion: item.planVersion,
				moments: '',
				preset: (item.options as IDataObject).preset,
				style: 'titleCard',
				brand: {},
				music: (item.options as IDataObject).music,
				loudnessTarget: (item.options as IDataObject).loudnessTarget,
				outputKey: '',
				...params,
			},
			credentials: { reelsmithS3Api: s3Credential(s3) },
			node: { id: 'ffmpeg-trailer', name: 'Make the trailer', type: 'n8n-nodes-reelsmith.ffmpeg' },
		});
		const [output] = await new FFmpeg().execute.call(context);
		return output[0].json;
	};

	it("stores one MP4 under the plan version's trailer key, at the run's preset size, with its music at its loudness", async () => {
		const preset = presetByName('square');
		const json = await trailer({
			runId: 't1',
			planVersion: 3,
			plan: plan as unknown as IDataObject,
			options: { preset: 'square', music: { key: 'music/bed.mp3' }, loudnessTarget: -16 },
		});
		const ref = json.trailer as IDataObject;
		assert.equal(ref.key, trailerKey('t1', 3));
		assert.equal(ref.width, preset.width);
		assert.equal(ref.height, preset.height);
		assert.equal(ref.cost, 0);
		const file = await downloadTo(s3, ref.key as string, tmp.path('stored.mp4'));
		const durations = await streamDurations(file);
		assert.ok(durations.video! >= 15 && durations.video! <= 30, `${durations.video} s`);
		assert.ok(Math.abs(durations.audio! - durations.video!) < 0.1);
		const loudness = await measureLoudness(file);
		assert.ok(Math.abs(loudness.integrated + 16) < 1, `${loudness.integrated} LUFS`);
		assert.deepEqual(
			(ref.moments as IDataObject[]).map((moment) => moment.scene),
			[1, 2, 3, 4],
		);
	});

	it("shows Claude's moments when they are given, and refuses a plan without scenes in words", async () => {
		const json = await trailer(
			{ runId: 't1', planVersion: 4, plan: plan as unknown as IDataObject, options: { preset: 'shorts', loudnessTarget: -14 } },
			{
				moments: [
					{ scene: 4, line: 0 },
					{ scene: 1, line: 0 },
					{ scene: 3, line: 0 },
					{ scene: 2, line: 0 },
				],
				preset: 'square',
			},
		);
		assert.equal((json.trailer as IDataObject).chosenBy, 'claude');
		await assert.rejects(
			trailer({ runId: 't1', planVersion: 5, plan: { title: 'x', scenes: [] }, options: { preset: 'square' } }),
			/"Plan" is not a plan with scenes/,
		);
	});
});
