import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { fitClip } from '../../nodes/shared/render/fit';
import { presetByName } from '../../nodes/shared/presets';
import { makeClip, meanLuma, streamDurations, tempDir } from '../fixtures/media/make';

const run = promisify(execFile);

/** Width, height and frame rate of the first video stream, straight from ffprobe. */
async function videoSize(file: string): Promise<{ width: number; height: number; rate: string }> {
	const { stdout } = await run('ffprobe', [
		'-v',
		'error',
		'-select_streams',
		'v:0',
		'-show_entries',
		'stream=width,height,r_frame_rate',
		'-of',
		'json',
		file,
	]);
	const [stream] = (
		JSON.parse(stdout) as {
			streams: Array<{ width: number; height: number; r_frame_rate: string }>;
		}
	).streams;
	return {
		width: stream.width,
		height: stream.height,
		rate: stream.r_frame_rate,
	};
}

/** Mean grey level of a horizontal band of one frame (top = 0, bottom = 1), to see bars and picture. */
async function bandLuma(file: string, time: number, from: number, to: number): Promise<number> {
	const { stdout } = await run(
		'ffmpeg',
		[
			'-v',
			'error',
			'-ss',
			String(time),
			'-i',
			file,
			'-frames:v',
			'1',
			'-vf',
			`crop=iw:ih*${to - from}:0:ih*${from},scale=32:-2`,
			'-f',
			'rawvideo',
			'-pix_fmt',
			'gray',
			'-',
		],
		{ encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 },
	);
	let sum = 0;
	for (const value of stdout) sum += value;
	return sum / Math.max(1, stdout.length);
}

describe('your own clip fitted to a scene', () => {
	let dir: Awaited<ReturnType<typeof tempDir>>;
	beforeAll(async () => {
		dir = await tempDir();
	});
	afterAll(() => dir?.cleanup());

	it('a 2 s clip plays again from the start to fill a 5 s scene', async () => {
		const preset = presetByName('youtube');
		const input = await makeClip(dir.path('short.mp4'), {
			width: preset.width,
			height: preset.height,
			duration: 2,
			color: 'white',
			audio: 'none',
		});
		const output = dir.path('looped.mp4');
		const fitted = await fitClip({
			input,
			output,
			duration: 5,
			width: preset.width,
			height: preset.height,
		});
		assert.equal(fitted.looped, true);
		const durations = await streamDurations(output);
		assert.ok(Math.abs(durations.video! - 5) < 0.05, `video lasts the scene: ${durations.video} s`);
		assert.ok(Math.abs(durations.audio! - 5) < 0.05, `the silent track lasts it too: ${durations.audio} s`);
		// Past the clip's own 2 s (and past 4 s) the picture is still there, not a frozen or black frame.
		assert.ok((await meanLuma(output, 4.5)) > 200, 'the clip is seen again at 4.5 s');
		assert.deepEqual(await videoSize(output), {
			width: preset.width,
			height: preset.height,
			rate: '30/1',
		});
	});

	it('a longer clip is cut at the scene length', async () => {
		const input = await makeClip(dir.path('long.mp4'), { duration: 4 });
		const output = dir.path('cut.mp4');
		const fitted = await fitClip({
			input,
			output,
			duration: 1.5,
			width: 320,
			height: 180,
		});
		assert.equal(fitted.looped, false);
		assert.ok(Math.abs((await streamDurations(output)).video! - 1.5) < 0.05);
	});

	it('a 16:9 clip sits between black bars in a 9:16 frame, not stretched or cropped', async () => {
		const vertical = presetByName('shorts');
		assert.ok(vertical.height > vertical.width, 'the shorts preset is vertical');
		const input = await makeClip(dir.path('wide.mp4'), {
			width: 640,
			height: 360,
			duration: 1,
			color: 'white',
			audio: 'tone',
		});
		const output = dir.path('padded.mp4');
		const fitted = await fitClip({
			input,
			output,
			duration: 1,
			width: vertical.width,
			height: vertical.height,
		});
		assert.deepEqual(fitted.source, { duration: 1, width: 640, height: 360 });
		assert.deepEqual(await videoSize(output), {
			width: vertical.width,
			height: vertical.height,
			rate: '30/1',
		});
		// The 16:9 picture scaled to the full width is width × 9/16 high, in the middle: above and below are bars.
		const picture = (vertical.width * 9) / 16 / vertical.height;
		const top = (1 - picture) / 2;
		assert.ok((await bandLuma(output, 0.5, 0, top * 0.8)) < 30, 'black bar above');
		assert.ok((await bandLuma(output, 0.5, 1 - top * 0.8, 1)) < 30, 'black bar below');
		assert.ok((await bandLuma(output, 0.5, top + 0.02, 1 - top - 0.02)) > 200, 'the white picture in the middle');
	});

	it('refuses a file that is not a video, in words', async () => {
		const { writeFile } = await import('node:fs/promises');
		const input = dir.path('page.mp4');
		await writeFile(input, '<html>not a video</html>');
		await assert.rejects(
			fitClip({
				input,
				output: dir.path('x.mp4'),
				duration: 2,
				width: 320,
				height: 180,
			}),
			/not a video file ffmpeg can read/,
		);
	});
});
