import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { kenBurnsClip } from '../../nodes/shared/render/kenBurns';
import { presetByName } from '../../nodes/shared/presets';
import { grayPixels, meanDifference, streamDurations, tempDir } from '../fixtures/media/make';

const run = promisify(execFile);

async function videoFacts(file: string): Promise<{ width: number; height: number; frames: number }> {
	const { stdout } = await run('ffprobe', [
		'-v',
		'error',
		'-select_streams',
		'v:0',
		'-count_frames',
		'-show_entries',
		'stream=width,height,nb_read_frames',
		'-of',
		'json',
		file,
	]);
	const [stream] = (JSON.parse(stdout) as { streams: Array<{ width: number; height: number; nb_read_frames: string }> }).streams;
	return { width: stream.width, height: stream.height, frames: Number(stream.nb_read_frames) };
}

describe('your own still as a Ken Burns clip (local renderer)', () => {
	let dir: Awaited<ReturnType<typeof tempDir>>;
	let still: string;
	beforeAll(async () => {
		dir = await tempDir();
		// A busy 4:3 test picture (bars, gradients, moving nothing): any change between frames is the camera's move.
		still = dir.path('still.png');
		await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=800x600', '-frames:v', '1', '-y', still]);
	});
	afterAll(() => dir?.cleanup());

	it("fills the scene's length at the preset's size and moves over the still", async () => {
		const preset = presetByName('youtube');
		const output = dir.path('kenburns.mp4');
		const made = await kenBurnsClip({ input: still, output, duration: 3, width: preset.width, height: preset.height });
		assert.deepEqual(made.source, { width: 800, height: 600 });
		const facts = await videoFacts(output);
		assert.equal(facts.width, preset.width);
		assert.equal(facts.height, preset.height);
		assert.equal(facts.frames, 90, '3 s at 30 fps');
		const durations = await streamDurations(output);
		assert.ok(Math.abs((durations.video ?? 0) - 3) < 0.05, `video lasts ${durations.video} s`);
		assert.ok(Math.abs((durations.audio ?? 0) - 3) < 0.05, `silent audio lasts ${durations.audio} s`);

		// The picture area (inside the 4:3 pillarbox): the first and last frames differ, i.e. the camera moved.
		const picture = { x: 400, y: 100, width: 1120, height: 880 };
		const first = await grayPixels(output, 0, picture);
		const middle = await grayPixels(output, 1.5, picture);
		const last = await grayPixels(output, 2.9, picture);
		assert.ok(meanDifference(first, last) > 8, `first vs last frame differ by ${meanDifference(first, last).toFixed(1)}`);
		assert.ok(meanDifference(first, middle) > 3, 'it is already moving half-way');
		// Not a blank: the still's detail is there (a flat frame has no spread of grey levels).
		const levels = new Set(first);
		assert.ok(levels.size > 50, `the frame has ${levels.size} grey levels`);
		// Fitted without distortion: a 4:3 still in 16:9 keeps black bars left and right at the start.
		const bar = await grayPixels(output, 0, { x: 0, y: 0, width: 200, height: preset.height });
		assert.ok(bar.reduce((sum, value) => sum + value, 0) / bar.length < 20, 'pillarbox bars are black');
	}, 180_000);

	it('says so in words when the file is not a picture', async () => {
		const text = dir.path('not-a-picture.png');
		await (await import('node:fs/promises')).writeFile(text, 'hello');
		await assert.rejects(
			kenBurnsClip({ input: text, output: dir.path('x.mp4'), duration: 2, width: 640, height: 360 }),
			/not a picture ffmpeg can read/,
		);
	}, 60_000);
});
