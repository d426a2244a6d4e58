import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';

/**
 * Independent checks of a finished video for the end-to-end test: they read the file with ffprobe/ffmpeg and
 * the MP4 box layout directly, not through the code under test.
 */
export interface FinalVideoFacts {
	videoCodec: string;
	pixelFormat: string;
	width: number;
	height: number;
	audioCodec: string;
	duration: number;
	meanVolume: number;
	faststart: boolean;
	/** Standard deviation of luma in a frame at `frameAt` seconds: ~0 for a blank frame, large when text is drawn. */
	frameLumaSpread: number;
	subtitleStreams: number;
}

function run(bin: string, args: string[]): { stdout: string; stderr: string } {
	const result = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
	if (result.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${result.stderr}`);
	return { stdout: result.stdout, stderr: result.stderr };
}

/** True when the `moov` box comes before `mdat` (playback can start before the whole file is downloaded). */
export function moovBeforeMdat(file: string): boolean {
	const fd = openSync(file, 'r');
	try {
		const size = fstatSync(fd).size;
		const header = Buffer.alloc(16);
		let offset = 0;
		while (offset + 8 <= size) {
			readSync(fd, header, 0, 16, offset);
			let boxSize = header.readUInt32BE(0);
			const type = header.toString('latin1', 4, 8);
			if (type === 'moov') return true;
			if (type === 'mdat') return false;
			if (boxSize === 1) boxSize = Number(header.readBigUInt64BE(8));
			if (boxSize < 8) return false;
			offset += boxSize;
		}
		return false;
	} finally {
		closeSync(fd);
	}
}

export function inspectFinalVideo(file: string, frameAt = 1): FinalVideoFacts {
	const probe = JSON.parse(
		run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file]).stdout,
	) as {
		streams: Array<{ codec_type: string; codec_name: string; pix_fmt?: string; width?: number; height?: number }>;
		format: { duration: string };
	};
	const video = probe.streams.find((s) => s.codec_type === 'video');
	const audio = probe.streams.find((s) => s.codec_type === 'audio');
	const volume = run('ffmpeg', ['-hide_banner', '-nostdin', '-i', file, '-map', '0:a:0', '-af', 'volumedetect', '-f', 'null', '-'])
		.stderr.match(/mean_volume:\s*(-?[\d.]+|-inf) dB/);
	const frame = spawnSync(
		'ffmpeg',
		['-hide_banner', '-nostdin', '-ss', String(frameAt), '-i', file, '-frames:v', '1', '-vf', 'scale=160:-2', '-pix_fmt', 'gray', '-f', 'rawvideo', '-'],
		{ maxBuffer: 16 * 1024 * 1024 },
	).stdout as Buffer;
	let sum = 0;
	for (const v of frame) sum += v;
	const mean = sum / Math.max(1, frame.length);
	let variance = 0;
	for (const v of frame) variance += (v - mean) ** 2;
	return {
		videoCodec: video?.codec_name ?? '',
		pixelFormat: video?.pix_fmt ?? '',
		width: video?.width ?? 0,
		height: video?.height ?? 0,
		audioCodec: audio?.codec_name ?? '',
		duration: Number(probe.format.duration),
		meanVolume: volume && volume[1] !== '-inf' ? Number(volume[1]) : -Infinity,
		faststart: moovBeforeMdat(file),
		frameLumaSpread: Math.sqrt(variance / Math.max(1, frame.length)),
		subtitleStreams: probe.streams.filter((s) => s.codec_type === 'subtitle').length,
	};
}

/**
 * The checks every finished offline video passes (the pipeline and queue-mode end-to-end tests alike): H.264 in
 * yuv420p with AAC, the preset's size, as long as its scenes, fast start, audible, and a frame that shows something.
 */
export function assertFinishedVideo(file: string, expected: { width: number; height: number; sceneTotal: number }): FinalVideoFacts {
	const facts = inspectFinalVideo(file);
	assert.equal(facts.videoCodec, 'h264');
	assert.equal(facts.pixelFormat, 'yuv420p');
	assert.equal(facts.audioCodec, 'aac');
	assert.equal(facts.width, expected.width);
	assert.equal(facts.height, expected.height);
	assert.ok(Math.abs(facts.duration - expected.sceneTotal) <= 0.5, `duration ${facts.duration} vs scenes ${expected.sceneTotal}`);
	assert.ok(facts.faststart, 'moov atom before mdat');
	assert.ok(facts.meanVolume > -40, `mean volume ${facts.meanVolume} dB`);
	assert.ok(facts.frameLumaSpread > 8, `frame shows something (luma spread ${facts.frameLumaSpread})`);
	return facts;
}

/** Integrated loudness of the first audio stream (ebur128), LUFS; -Infinity for silence. */
export function integratedLoudness(file: string): number {
	const { stderr } = run('ffmpeg', ['-hide_banner', '-nostats', '-nostdin', '-i', file, '-map', '0:a:0', '-af', 'ebur128=framelog=verbose', '-f', 'null', '-']);
	const value = /Integrated loudness:\s*\n\s*I:\s*(-?[\d.]+|-?inf) LUFS/.exec(stderr)?.[1];
	return value === undefined || value.endsWith('inf') ? -Infinity : Number(value);
}

/**
 * Where speech starts in the final video's audio: the end of every silence (silencedetect, −45 dB) of at least
 * `minSilence` seconds (a scene's narration starts after a 0.2 s lead-in), with the silence's length. Timed by
 * counting samples, as a player that plays them back to back hears them.
 */
export function speechOnsets(file: string, minSilence = 0.15): Array<{ at: number; after: number }> {
	const { stderr } = run('ffmpeg', [
		'-hide_banner',
		'-nostats',
		'-nostdin',
		'-i',
		file,
		'-map',
		'0:a:0',
		'-af',
		`asetpts=N/SR/TB,silencedetect=noise=-45dB:d=${minSilence}`,
		'-f',
		'null',
		'-',
	]);
	const duration = Number(run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]).stdout);
	return (
		[...stderr.matchAll(/silence_end: ([\d.]+) \| silence_duration: ([\d.]+)/g)]
			.map(([, end, length]) => ({ at: Number(end), after: Number(length) }))
			// A silence that lasts to the end of the file "ends" there too.
			.filter((onset) => onset.at < duration - 0.05)
	);
}

/** The cues of an SRT file, in seconds. */
export function srtCues(srt: string): Array<{ start: number; end: number; text: string }> {
	const seconds = (time: string) => {
		const [h, m, rest] = time.split(':');
		const [s, ms] = rest.split(',');
		return Number(h) * 3600 + Number(m) * 60 + Number(s) + Number(ms) / 1000;
	};
	return [...srt.replace(/\r/g, '').matchAll(/(\d\d:\d\d:\d\d,\d{3}) --> (\d\d:\d\d:\d\d,\d{3})\n([\s\S]*?)(?:\n\n|\n?$)/g)].map(
		([, start, end, text]) => ({ start: seconds(start), end: seconds(end), text: text.trim() }),
	);
}

/**
 * Subtitles on the speech: every cue starts within `tolerance` seconds of where speech starts (after a pause of
 * ≥ 0.15 s), and every start of speech after a pause of ≥ 0.5 s (a new line or scene) has a cue within that too.
 * Returns the largest gap found, in seconds.
 */
export function assertCuesOnSpeech(srt: string, video: string, tolerance = 0.15): number {
	const cues = srtCues(srt);
	const onsets = speechOnsets(video);
	assert.ok(cues.length > 0 && onsets.length > 0, `cues ${cues.length}, speech onsets ${onsets.length}`);
	let worst = 0;
	for (const cue of cues) {
		const gap = Math.min(...onsets.map((onset) => Math.abs(onset.at - cue.start)));
		worst = Math.max(worst, gap);
		assert.ok(gap <= tolerance, `cue "${cue.text}" at ${cue.start} s: speech starts ${gap.toFixed(3)} s away (onsets ${onsets.map((o) => o.at).join(', ')})`);
	}
	for (const onset of onsets.filter((o) => o.after >= 0.5)) {
		const gap = Math.min(...cues.map((cue) => Math.abs(onset.at - cue.start)));
		worst = Math.max(worst, gap);
		assert.ok(gap <= tolerance, `speech at ${onset.at} s has no cue within ${tolerance} s (cues ${cues.map((c) => c.start).join(', ')})`);
	}
	return worst;
}

/** Width and height of an image or video's first video stream. */
export function pictureSize(file: string): { width: number; height: number } {
	const { stdout } = run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'json', file]);
	const stream = (JSON.parse(stdout) as { streams: Array<{ width: number; height: number }> }).streams[0];
	return { width: stream?.width ?? 0, height: stream?.height ?? 0 };
}

/** Mean red, green and blue (0-255) of the video frame at `time`: on a terminal frame, mostly its background. */
export function meanColour(file: string, time: number): [number, number, number] {
	const input = ['-hide_banner', '-nostdin', '-ss', String(time), '-i', file, '-frames:v', '1'];
	const args = [...input, '-vf', 'scale=64:-2', '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'];
	const frame = spawnSync('ffmpeg', args, { maxBuffer: 16 * 1024 * 1024 }).stdout as Buffer;
	const sums = [0, 0, 0];
	for (let i = 0; i < frame.length; i++) sums[i % 3] += frame[i];
	return [sums[0], sums[1], sums[2]].map((sum) => sum / Math.max(1, frame.length / 3)) as [number, number, number];
}

/**
 * Bright pixels (text) below the top tenth of a picture (the terminal's title bar), counted on a 270-pixel-wide
 * grey copy: of a JPEG (`time` null) or of a video frame at `time`.
 */
export function textPixels(file: string, time: number | null): number {
	const frame = spawnSync(
		'ffmpeg',
		[
			'-hide_banner',
			'-nostdin',
			...(time === null ? [] : ['-ss', String(time)]),
			'-i',
			file,
			'-frames:v',
			'1',
			'-vf',
			'scale=270:-2,crop=iw:ih*0.9:0:ih*0.1',
			'-pix_fmt',
			'gray',
			'-f',
			'rawvideo',
			'-',
		],
		{ maxBuffer: 16 * 1024 * 1024 },
	).stdout as Buffer;
	let count = 0;
	for (const value of frame) if (value > 100) count++;
	return count;
}
