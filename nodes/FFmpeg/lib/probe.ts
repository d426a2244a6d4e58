import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { mediaFacts, type AudioFacts, type MediaFacts, type SubtitleFacts, type VideoFacts } from '../../shared/refs';
import { mapWithConcurrency } from '../../shared/router';
import { ffmpegAnalyse, ffprobe, type ProbeStream } from '../../shared/transport/ffmpeg';

export type { AudioFacts, MediaFacts, SubtitleFacts, VideoFacts };

export interface MediaProbe extends MediaFacts {
	/** dB from volumedetect; null without audio or when not measured. */
	meanVolume: number | null;
	maxVolume: number | null;
	/** Integrated loudness in LUFS (EBU R128); null without audio or when not measured. */
	loudness: number | null;
}

export interface ProbeOptions {
	/** Decode the audio to measure volume and loudness (default true). Stream facts alone are instant. */
	measureAudio?: boolean;
	/** What the file's reference said about it: used instead of ffprobe when it describes this file (same size). */
	known?: MediaFacts | null;
	/** Reads stream facts (default probeStreams); tests count calls through it. */
	prober?: Prober;
}

/** Reads a local file's stream facts; probeStreams runs ffprobe, tests pass a counting one. */
export type Prober = (file: string) => Promise<MediaFacts>;

/**
 * At most this many ffprobe processes at once. A join of 20 clips started 20 at a time, which on 2 cores took ten
 * times as long as the join's own ffmpeg.
 */
export const PROBE_CONCURRENCY = Math.max(2, Math.min(4, availableParallelism()));

/** Everything a pipeline step needs to know about a local media file. */
export async function probeMedia(file: string, options: ProbeOptions = {}): Promise<MediaProbe> {
	const facts = await streamFacts(file, options.known, options.prober);
	const levels =
		facts.audio && options.measureAudio !== false
			? await measureAudioLevels(file)
			: { meanVolume: null, maxVolume: null, loudness: null };
	return { ...facts, ...levels };
}

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

/**
 * A file's stream facts: the ones its reference carried when they are complete and of a file this size (a stat, no
 * process), else probed. So a step trusts what the step before wrote, and still reads a bare or stale reference.
 */
export async function streamFacts(file: string, known?: MediaFacts | null, prober: Prober = probeStreams): Promise<MediaFacts> {
	const facts = mediaFacts(known);
	if (facts && (await stat(file)).size === facts.bytes) return facts;
	return prober(file);
}

/** Stream facts of many files in order, probing those without usable facts at most PROBE_CONCURRENCY at a time. */
export async function streamFactsOf(
	files: Array<{ file: string; known?: MediaFacts | null }>,
	options: { prober?: Prober; concurrency?: number } = {},
): Promise<MediaFacts[]> {
	return mapWithConcurrency(files, options.concurrency ?? PROBE_CONCURRENCY, ({ file, known }) =>
		streamFacts(file, known, options.prober),
	);
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

/** Mean/max volume (volumedetect) and integrated loudness (ebur128) of the first audio stream, in one decode. */
export async function measureAudioLevels(
	file: string,
): Promise<{ meanVolume: number | null; maxVolume: number | null; loudness: number | null }> {
	// framelog=verbose keeps ebur128's ten-lines-a-second log below the info level; only its summary is printed.
	const stderr = await ffmpegAnalyse([
		'-i',
		file,
		'-map',
		'0:a:0',
		'-af',
		'volumedetect,ebur128=framelog=verbose',
		'-f',
		'null',
		'-',
	]);
	return {
		meanVolume: decibels(/mean_volume:\s*(-?[\d.]+|-?inf) dB/.exec(stderr)?.[1]),
		maxVolume: decibels(/max_volume:\s*(-?[\d.]+|-?inf) dB/.exec(stderr)?.[1]),
		loudness: decibels(/Integrated loudness:\s*\n\s*I:\s*(-?[\d.]+|-?inf) LUFS/.exec(stderr)?.[1]),
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

/** Duration of the video stream when there is one (what audio gets fitted to), else of the file. */
export function videoDuration(probe: MediaFacts): number {
	return probe.video?.duration ?? probe.duration;
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

function decibels(value: string | undefined): number | null {
	// "-inf" (digital silence) becomes null: items are JSON, which has no infinity.
	if (value === undefined) return null;
	const number = Number(value);
	return Number.isFinite(number) ? number : null;
}

function round(value: number, digits: number): number {
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}
