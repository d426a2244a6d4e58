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
