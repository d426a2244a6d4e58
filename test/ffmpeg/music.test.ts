import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { NodeOperationError, type IDataObject } from 'n8n-workflow';
import { FFmpeg } from '../../nodes/FFmpeg/FFmpeg.node';
import { joinedKey, musicMixKey, runPrefix } from '../../nodes/shared/keys';
import { executionContext } from '../helpers/execution-context';
import { downloadTo, startS3, type TestS3 } from '../helpers/s3';
import { s3Credential } from '../video-generation/context';
import { mixMusic } from '../../nodes/FFmpeg/lib/music';
import { downloadPublicFile, FetchError } from '../../nodes/shared/fetchPublic';
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
		const page = tmp.path('page.mp3');
		await writeFile(page, '<!doctype html><title>Not found</title>');
		await assert.rejects(mixMusic({ input: video, music: page, output: tmp.path('x.mp4') }), /The music file is not a media file ffmpeg can read/);
		const picture = tmp.path('picture.mp4');
		await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=64x64:rate=10', '-t', '1', '-an', picture]);
		await assert.rejects(mixMusic({ input: video, music: picture, output: tmp.path('y.mp4') }), /music file has no audio stream/);
	});
});

describe('FFmpeg → Mix Music in a run', () => {
	let s3: TestS3;
	let tmp: Awaited<ReturnType<typeof tempDir>>;
	let videoRef: IDataObject;
	let musicBytes: Buffer;
	let server: Server;
	let base: string;
	const allowLoopback = process.env.REELSMITH_CALLBACK_ALLOW_LOOPBACK;

	beforeAll(async () => {
		[s3, tmp] = await Promise.all([startS3(), tempDir()]);
		const [video, music] = await Promise.all([makeNarratedVideo(tmp.path('narrated.mp4')), makeMusic(tmp.path('music.mp3'))]);
		videoRef = { ...(await s3.storage.uploadFile(video, joinedKey('m1'), 'video/mp4')) };
		await s3.storage.uploadFile(music, 'music/bed.mp3', 'audio/mpeg');
		musicBytes = await readFile(music);
		// A file host on loopback: /bed.mp3 is the music, /moved redirects to the cloud metadata address.
		server = createServer((req, res) => {
			if (req.url === '/bed.mp3') return res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(musicBytes);
			if (req.url === '/moved') return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
			return res.writeHead(404).end('no such file');
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		if (allowLoopback === undefined) delete process.env.REELSMITH_CALLBACK_ALLOW_LOOPBACK;
		else process.env.REELSMITH_CALLBACK_ALLOW_LOOPBACK = allowLoopback;
		server?.close();
		await Promise.all([s3?.stop(), tmp?.cleanup()]);
	});

	const item = (music: unknown) => ({ runId: 'm1', video: videoRef, options: { music } });
	const mix = async (music: unknown, params: Record<string, unknown> = {}) => {
		const context = executionContext({
			items: [item(music)],
			parameters: { operation: 'music', video: videoRef, music, ...params },
			credentials: { reelsmithS3Api: s3Credential(s3) },
			node: { id: 'ffmpeg-1', name: 'Mix music', type: 'n8n-nodes-reelsmith.ffmpeg' },
		});
		const [output] = await new FFmpeg().execute.call(context);
		return output[0].json;
	};

	it('passes the item on unchanged when the run has no music', async () => {
		const json = await mix(null);
		assert.deepEqual(json, item(null));
	});

	it("mixes a stored music file into the run's work folder and says what it did", async () => {
		const json = await mix({ key: 'music/bed.mp3', volume: -24, duck: true }, { volume: -24, duck: true });
		const video = json.video as IDataObject;
		assert.equal(video.key, musicMixKey('m1'));
		assert.ok(Math.abs((video.duration as number) - 8) < 0.1, `${video.duration} s`);
		const summary = json.music as IDataObject;
		assert.equal(summary.ducked, true);
		assert.equal(summary.volume, -24);
		assert.deepEqual(summary.stored, { bucket: s3.storage.bucket, key: 'music/bed.mp3' }, 'a stored file is referenced where it is');
		const file = await downloadTo(s3, musicMixKey('m1'), tmp.path('from-key.mp4'));
		assert.ok((await bandLevel(file, 'music', 1.9, 2.9)) - (await bandLevel(file, 'music', 3.3, 4.3)) >= 6, 'ducked under speech');
	});

	it('downloads a music URL (loopback allowed only by the callback setting), and refuses one that redirects or is missing', async () => {
		delete process.env.REELSMITH_CALLBACK_ALLOW_LOOPBACK;
		await assert.rejects(mix({ url: `${base}/bed.mp3` }), (error: Error) => {
			assert.ok(error instanceof NodeOperationError);
			assert.match(error.message, /The run's "music" could not be downloaded: The music URL must be an https URL/);
			return true;
		});
		process.env.REELSMITH_CALLBACK_ALLOW_LOOPBACK = 'true';
		const json = await mix({ url: `${base}/bed.mp3` });
		assert.equal((json.music as IDataObject).ducked, true);
		assert.equal((json.video as IDataObject).key, musicMixKey('m1'));
		await assert.rejects(mix({ url: `${base}/moved` }), /redirected to http:\/\/169\.254\.169\.254\/latest\/meta-data\/; redirects are not followed/);
		await assert.rejects(mix({ url: `${base}/nothing.mp3` }), /"music" could not be downloaded: The music URL answered 404/);
	});

	it('keeps the downloaded music with the run, and a resume mixes that copy after the link has gone', async () => {
		process.env.REELSMITH_CALLBACK_ALLOW_LOOPBACK = 'true';
		let served = 0;
		const once = createServer((req, res) => (served++ === 0 ? res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(musicBytes) : res.writeHead(410).end()));
		await new Promise<void>((resolve) => once.listen(0, '127.0.0.1', resolve));
		try {
			const url = `http://127.0.0.1:${(once.address() as AddressInfo).port}/signed/bed.mp3?expires=1`;
			const first = (await mix({ url })).music as IDataObject;
			const stored = first.stored as { bucket: string; key: string };
			assert.match(stored.key, new RegExp(`^${runPrefix('m1')}media/music-[0-9a-f]{12}\\.mp3$`));
			assert.ok((await s3.storage.downloadBuffer(stored)).equals(musicBytes), 'the kept copy is the downloaded file, byte for byte');
			// The link now answers 410 Gone: the resumed assembly must not need it.
			const again = await mix({ url });
			assert.deepEqual((again.music as IDataObject).stored, stored);
			assert.equal((again.video as IDataObject).key, musicMixKey('m1'));
			assert.equal(served, 1, 'the URL was fetched once');
		} finally {
			once.close();
		}
	});

	it('names the music when the stored key is not there', async () => {
		await assert.rejects(mix({ key: 'music/missing.mp3' }), /The "Music" object "music\/missing\.mp3" is not in bucket/);
	});
});

describe('downloading a music URL', () => {
	let server: Server;
	let base: string;
	beforeAll(async () => {
		server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(Buffer.alloc(64 * 1024, 1)));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(() => server?.close());

	it('resolves the host when it downloads: a public name that answers with an inside address is refused before connecting', async () => {
		const tmp = await tempDir();
		try {
			for (const address of ['10.0.0.7', '169.254.169.254', '127.0.0.1']) {
				const lookup = async () => [{ address, family: 4 }];
				await assert.rejects(
					downloadPublicFile('https://music.example.com/bed.mp3', tmp.path('bed.mp3'), { what: 'music', lookup }),
					(error: Error) =>
						error instanceof FetchError &&
						error.message.includes(`The music host music.example.com resolves to an address that is not public: it points at ${address}`),
				);
			}
		} finally {
			await tmp.cleanup();
		}
	});

	it('stops at the size limit and leaves no partial file', async () => {
		const tmp = await tempDir();
		try {
			const file = tmp.path('bed.mp3');
			await assert.rejects(
				downloadPublicFile(`${base}/bed.mp3`, file, { what: 'music', allowLoopback: true, maxBytes: 16 * 1024 }),
				/The music file is larger than 16 KB\. Use a shorter or more compressed file/,
			);
			await assert.rejects(readFile(file), /ENOENT/);
			await downloadPublicFile(`${base}/bed.mp3`, file, { what: 'music', allowLoopback: true });
			assert.equal((await readFile(file)).length, 64 * 1024);
		} finally {
			await tmp.cleanup();
		}
	});
});
