import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { mixMusic } from '../../nodes/FFmpeg/lib/music';
import { ffmpeg } from '../../nodes/shared/transport/ffmpeg';
import { streamDurations, tempDir } from '../fixtures/media/make';

const run = promisify(execFile);

/**
 * A "narrated" video: 8 s of test pattern whose sound is a 2 kHz voice that speaks 1.5 s, pauses 1.5 s, and so on
 * (0–1.5 and 3–4.5 and 6–7.5 spoken). The music is a 200 Hz tone of 2.5 s, so it has to loop to cover the video.
 */
async function makeNarratedVideo(file: string): Promise<string> {
	await ffmpeg([
		'-f',
		'lavfi',
		'-i',
		'testsrc2=size=320x180:rate=30',
		'-f',
		'lavfi',
		'-i',
		"aevalsrc='0.3*sin(2*PI*2000*t)*lt(mod(t\\,3)\\,1.5)':s=48000:d=8",
		'-t',
		'8',
		'-c:v',
		'libx264',
		'-preset',
		'ultrafast',
		'-pix_fmt',
		'yuv420p',
		'-c:a',
		'aac',
		'-b:a',
		'192k',
		'-ar',
		'48000',
		'-ac',
		'2',
		'-movflags',
		'+faststart',
		file,
	]);
	return file;
}

async function makeMusic(file: string): Promise<string> {
	await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=200:sample_rate=44100:duration=2.5', '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '128k', file]);
	return file;
}

/** RMS level (dB) of one band of the audio between `from` and `to` seconds, measured by astats. */
async function bandLevel(file: string, band: 'music' | 'speech', from: number, to: number): Promise<number> {
	// Two 2-pole filters: the other source lies 3+ octaves away and is ~50 dB down.
	const filter = band === 'music' ? 'lowpass=f=400,lowpass=f=400' : 'highpass=f=1000,highpass=f=1000';
	const { stderr } = await run('ffmpeg', [
		'-hide_banner',
		'-nostats',
		'-ss',
		String(from),
		'-t',
		String(to - from),
		'-i',
		file,
		'-map',
		'0:a:0',
		'-af',
		`${filter},astats`,
		'-f',
		'null',
		'-',
	]);
	const levels = [...stderr.matchAll(/RMS level dB: (-?[\d.]+|-inf)/g)].map((m) => (m[1] === '-inf' ? -Infinity : Number(m[1])));
	// The last one is astats' "Overall" block.
	return levels[levels.length - 1];
}

/** md5 of the video packets as they are stored (stream copy into the md5 muxer). */
async function videoPacketsMd5(file: string): Promise<string> {
	const { stdout } = await run('ffmpeg', ['-hide_banner', '-v', 'error', '-i', file, '-map', '0:v', '-c', 'copy', '-f', 'md5', '-']);
	return stdout.trim();
}

describe('Mix Music: a music bed under the narration', () => {
	let tmp: Awaited<ReturnType<typeof tempDir>>;
	let video: string;
	let music: string;
	beforeAll(async () => {
		tmp = await tempDir();
		[video, music] = await Promise.all([makeNarratedVideo(tmp.path('narrated.mp4')), makeMusic(tmp.path('music.mp3'))]);
	});
	afterAll(() => tmp?.cleanup());

	it('ducks the music by at least 6 dB while the narration speaks, keeps the narration level, copies the video and keeps its length', async () => {
		const output = tmp.path('mixed.mp4');
		const result = await mixMusic({ input: video, music, output, volume: -20 });
		assert.equal(result.ducked, true);
		assert.ok(
			result.musicLoudness !== null && Math.abs(result.volume - (result.musicLoudness + result.gain)) < 0.01,
			'the bed is brought to the volume asked for',
		);

		const speaking = await bandLevel(output, 'music', 3.3, 4.3);
		const pause = await bandLevel(output, 'music', 1.9, 2.9);
		// The music looped: the second pause (past its 2.5 s) has it too.
		const laterPause = await bandLevel(output, 'music', 4.9, 5.9);
		assert.ok(pause > -40, `music audible in the pause (${pause} dB)`);
		assert.ok(Math.abs(laterPause - pause) < 1.5, `looped music in the later pause at ${laterPause} dB, first pause ${pause} dB`);
		assert.ok(pause - speaking >= 6, `music ducked by ${(pause - speaking).toFixed(1)} dB under speech (pause ${pause}, speaking ${speaking})`);

		const speechBefore = await bandLevel(video, 'speech', 3.3, 4.3);
		const speechAfter = await bandLevel(output, 'speech', 3.3, 4.3);
		assert.ok(Math.abs(speechAfter - speechBefore) < 0.5, `narration ${speechBefore} dB before, ${speechAfter} dB after`);

		assert.equal(await videoPacketsMd5(output), await videoPacketsMd5(video), 'the video stream is copied bit for bit');
		const [before, after] = await Promise.all([streamDurations(video), streamDurations(output)]);
		assert.ok(Math.abs(after.video! - before.video!) < 0.001, `video ${after.video} s, was ${before.video} s`);
		assert.ok(Math.abs(after.audio! - before.video!) <= 0.05, `audio ${after.audio} s, video ${before.video} s`);
		// The music fades out at the end instead of stopping mid-note.
		assert.ok((await bandLevel(output, 'music', 7.7, 7.95)) < pause - 10, 'faded out at the end');
	});

	it('with ducking off the music stays at one level under speech and in the pauses', async () => {
		const output = tmp.path('not-ducked.mp4');
		const result = await mixMusic({ input: video, music, output, volume: -20, duck: false });
		assert.equal(result.ducked, false);
		const speaking = await bandLevel(output, 'music', 3.3, 4.3);
		const pause = await bandLevel(output, 'music', 1.9, 2.9);
		assert.ok(Math.abs(pause - speaking) < 1, `pause ${pause} dB, speaking ${speaking} dB`);
	});

	it('sets the bed by its volume: −30 is about 10 dB below −20', async () => {
		const quiet = tmp.path('quiet.mp4');
		await mixMusic({ input: video, music, output: quiet, volume: -30 });
		const loud = tmp.path('mixed.mp4');
		const difference = (await bandLevel(loud, 'music', 1.9, 2.9)) - (await bandLevel(quiet, 'music', 1.9, 2.9));
		assert.ok(Math.abs(difference - 10) < 1, `−20 is ${difference.toFixed(1)} dB above −30`);
	});

	it('refuses a music file with no sound in plain words', async () => {
		await assert.rejects(mixMusic({ input: video, music: video.replace('narrated', 'none'), output: tmp.path('x.mp4') }));
		const picture = tmp.path('picture.mp4');
		await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=64x64:rate=10', '-t', '1', '-an', picture]);
		await assert.rejects(mixMusic({ input: video, music: picture, output: tmp.path('y.mp4') }), /music file has no audio stream/);
	});
});
