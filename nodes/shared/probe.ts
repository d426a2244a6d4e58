import { open, stat } from 'node:fs/promises';
import type { AudioFacts, MediaFacts, VideoFacts } from './refs';
import { ffprobe, type ProbeStream } from './transport/ffmpeg';

/**
 * What a media file is, as ffprobe says without decoding: the facts a reference carries (refs.ts MediaFacts). Every
 * node that writes media reads them here once, so the steps after it need not start ffprobe again.
 */
/** Streams, duration, size and faststart of a local file, from ffprobe (no decoding). */
export async function probeStreams(file: string): Promise<MediaFacts> {
	const [raw, info, faststart] = await Promise.all([ffprobe(file), stat(file), isFaststart(file)]);
	const videoStream = raw.streams.find((s) => s.codec_type === 'video' && !isCoverArt(s));
	const audioStream = raw.streams.find((s) => s.codec_type === 'audio');
	const video = videoStream ? videoFacts(videoStream) : null;
	const audio = audioStream ? audioFacts(audioStream) : null;
	const streamDurations = [video?.duration, audio?.duration].filter((d): d is number => d !== null && d !== undefined);
	const duration = toNumber(raw.format.duration) ?? (streamDurations.length ? Math.max(...streamDurations) : 0);
	return {
		duration,
		formatName: raw.format.format_name,
		video,
		audio,
		subtitles: raw.streams
			.filter((s) => s.codec_type === 'subtitle')
			.map((s) => ({ codec: s.codec_name ?? 'unknown', language: s.tags?.language ?? null })),
		faststart,
		bytes: info.size,
	};
}

function isCoverArt(stream: ProbeStream): boolean {
	// Audio files with embedded pictures report them as a one-frame "video" stream.
	return (stream as ProbeStream & { disposition?: { attached_pic?: number } }).disposition?.attached_pic === 1;
}

function videoFacts(stream: ProbeStream): VideoFacts {
	const frameRate = stream.avg_frame_rate && stream.avg_frame_rate !== '0/0' ? stream.avg_frame_rate : stream.r_frame_rate;
	return {
		codec: stream.codec_name ?? 'unknown',
		profile: (stream as ProbeStream & { profile?: string }).profile ?? null,
		width: stream.width ?? 0,
		height: stream.height ?? 0,
		fps: round(rate(frameRate), 3),
		frameRate: stream.r_frame_rate ?? frameRate ?? '0/1',
		pixelFormat: stream.pix_fmt ?? 'unknown',
		timeBase: stream.time_base ?? '',
		duration: toNumber(stream.duration),
	};
}

function audioFacts(stream: ProbeStream): AudioFacts {
	return {
		codec: stream.codec_name ?? 'unknown',
		sampleRate: Number(stream.sample_rate ?? 0),
		channels: stream.channels ?? 0,
		channelLayout: stream.channel_layout ?? '',
		duration: toNumber(stream.duration),
	};
}

export interface Mp4Box {
	type: string;
	offset: number;
	size: number;
}

/** The top-level boxes of an MP4/MOV file in file order (ftyp, moov, mdat, …). Empty for other formats. */
export async function readTopLevelBoxes(file: string): Promise<Mp4Box[]> {
	const handle = await open(file, 'r');
	try {
		const { size: fileSize } = await handle.stat();
		const boxes: Mp4Box[] = [];
		const header = Buffer.alloc(16);
		let offset = 0;
		while (offset + 8 <= fileSize && boxes.length < 10_000) {
			const { bytesRead } = await handle.read(header, 0, 16, offset);
			if (bytesRead < 8) break;
			let size = header.readUInt32BE(0);
			const type = header.toString('latin1', 4, 8);
			// Box types are four printable characters; anything else means this is not an MP4 file.
			if (!/^[\x20-\x7e]{4}$/.test(type)) break;
			if (size === 1) {
				if (bytesRead < 16) break;
				size = Number(header.readBigUInt64BE(8));
			} else if (size === 0) {
				size = fileSize - offset; // "to the end of the file"
			}
			if (size < 8) break;
			boxes.push({ type, offset, size });
			offset += size;
		}
		return boxes;
	} finally {
		await handle.close();
	}
}

/** True when the moov box comes before the first mdat box (web players can start before the whole file arrives). */
export async function isFaststart(file: string): Promise<boolean> {
	const types = (await readTopLevelBoxes(file)).map((box) => box.type);
	const moov = types.indexOf('moov');
	const mdat = types.indexOf('mdat');
	return moov >= 0 && (mdat < 0 || moov < mdat);
}

function rate(value: string | undefined): number {
	if (!value) return 0;
	const [num, den] = value.split('/').map(Number);
	if (!den) return num || 0;
	return num / den;
}

function toNumber(value: string | undefined): number | null {
	if (value === undefined || value === 'N/A') return null;
	const number = Number(value);
	return Number.isFinite(number) ? number : null;
}

function round(value: number, digits: number): number {
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}
