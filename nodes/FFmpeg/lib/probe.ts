import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { probeStreams } from '../../shared/probe';
import { mediaFacts, type AudioFacts, type MediaFacts, type SubtitleFacts, type VideoFacts } from '../../shared/refs';
import { mapWithConcurrency } from '../../shared/router';
import { ffmpegAnalyse } from '../../shared/transport/ffmpeg';

export type { AudioFacts, MediaFacts, SubtitleFacts, VideoFacts };
export { isFaststart, probeStreams, readTopLevelBoxes, type Mp4Box } from '../../shared/probe';

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

/** Duration of the video stream when there is one (what audio gets fitted to), else of the file. */
export function videoDuration(probe: MediaFacts): number {
	return probe.video?.duration ?? probe.duration;
}

function decibels(value: string | undefined): number | null {
	// "-inf" (digital silence) becomes null: items are JSON, which has no infinity.
	if (value === undefined) return null;
	const number = Number(value);
	return Number.isFinite(number) ? number : null;
}
