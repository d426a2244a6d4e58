import { ffmpeg, ffmpegAnalyse, type FfmpegProgress } from '../../shared/transport/ffmpeg';
import { AAC_ARGS, FASTSTART_ARGS, KEEP_SUBTITLES_ARGS, fitAudioFilter, sec } from './encoding';
import { probeMedia, videoDuration } from './probe';

export interface LoudnessTarget {
	/** Integrated loudness in LUFS (default −14, what YouTube and most platforms play back at). */
	target?: number;
	/** Maximum true peak in dBTP (default −1.5). */
	truePeak?: number;
	/** Loudness range in LU (default 11). */
	lra?: number;
}

/** What loudnorm reports about a signal. */
export interface LoudnessStats {
	/** Integrated loudness, LUFS. */
	integrated: number;
	/** True peak, dBTP. */
	truePeak: number;
	/** Loudness range, LU. */
	lra: number;
	/** Gating threshold, LUFS. */
	threshold: number;
}

export interface LoudnessMeasurement extends LoudnessStats {
	/** Gain offset loudnorm suggests for the second pass. */
	offset: number;
}

export interface LoudnessResult {
	input: LoudnessMeasurement;
	output: LoudnessStats;
	/** "linear" (one gain for the whole track, the goal), "dynamic" (loudnorm had to compress), or "skipped (silent)". */
	normalizationType: string;
	/** Seconds; the audio is fitted to this (the video length). */
	duration: number;
}

const defaults = (t: LoudnessTarget) => ({ target: t.target ?? -14, truePeak: t.truePeak ?? -1.5, lra: t.lra ?? 11 });

/** First pass: measures the first audio stream with loudnorm (audio only, fast). */
export async function measureLoudness(file: string, target: LoudnessTarget = {}): Promise<LoudnessMeasurement> {
	const t = defaults(target);
	const stderr = await ffmpegAnalyse([
		'-i',
		file,
		'-map',
		'0:a:0',
		'-af',
		`loudnorm=I=${t.target}:TP=${t.truePeak}:LRA=${t.lra}:print_format=json`,
		'-f',
		'null',
		'-',
	]);
	const json = parseLoudnormJson(stderr);
	return {
		integrated: num(json.input_i),
		truePeak: num(json.input_tp),
		lra: num(json.input_lra),
		threshold: num(json.input_thresh),
		offset: num(json.target_offset),
	};
}

/**
 * Two-pass loudness normalisation of the audio only: measure, then apply the measured values with
 * linear=true (one constant gain, no pumping). The video is copied. loudnorm changes the audio length
 * (it works at 192 kHz and pads), so the audio is fitted back to the video length afterwards.
 */
export async function normaliseLoudness(
	options: LoudnessTarget & { input: string; output: string; onProgress?: (progress: FfmpegProgress) => void },
): Promise<LoudnessResult> {
	const t = defaults(options);
	const probe = await probeMedia(options.input, { measureAudio: false });
	if (!probe.audio) throw new Error('The video has no audio track, so there is nothing to normalise. Mux narration first.');
	const duration = probe.video ? videoDuration(probe) : (probe.audio.duration ?? probe.duration);
	const measured = await measureLoudness(options.input, t);

	const videoArgs = probe.video ? ['-map', '0:v:0', '-c:v', 'copy'] : [];
	const run = (audioFilter: string) =>
		ffmpeg(
			[
				'-i',
				options.input,
				...videoArgs,
				'-map',
				'0:a:0',
				...KEEP_SUBTITLES_ARGS,
				'-af',
				audioFilter,
				...AAC_ARGS,
				'-t',
				sec(duration),
				...FASTSTART_ARGS,
				options.output,
			],
			{ duration, onProgress: options.onProgress },
		);

	// Silence (or near silence) has no loudness to bring up; gain on it would only raise noise.
	if (!Number.isFinite(measured.integrated) || measured.integrated < -70) {
		await run(fitAudioFilter(duration));
		return {
			input: measured,
			output: { integrated: measured.integrated, truePeak: measured.truePeak, lra: measured.lra, threshold: measured.threshold },
			normalizationType: 'skipped (silent)',
			duration,
		};
	}

	const loudnorm = [
		`I=${t.target}`,
		`TP=${t.truePeak}`,
		`LRA=${t.lra}`,
		`measured_I=${clamp(measured.integrated, -99, 0)}`,
		`measured_TP=${clamp(measured.truePeak, -99, 99)}`,
		`measured_LRA=${clamp(measured.lra, 0, 99)}`,
		`measured_thresh=${clamp(measured.threshold, -99, 0)}`,
		`offset=${clamp(measured.offset, -99, 99)}`,
		'linear=true',
		'print_format=json',
	].join(':');
	const { stderr } = await run(`loudnorm=${loudnorm},${fitAudioFilter(duration)}`);
	const json = parseLoudnormJson(stderr);
	return {
		input: measured,
		output: {
			integrated: num(json.output_i),
			truePeak: num(json.output_tp),
			lra: num(json.output_lra),
			threshold: num(json.output_thresh),
		},
		normalizationType: String(json.normalization_type ?? 'unknown'),
		duration,
	};
}

/** loudnorm prints its JSON block last on stderr. */
export function parseLoudnormJson(stderr: string): Record<string, string> {
	const start = stderr.lastIndexOf('{');
	const end = stderr.lastIndexOf('}');
	if (start < 0 || end < start) throw new Error('ffmpeg did not report loudness values (loudnorm printed no JSON).');
	return JSON.parse(stderr.slice(start, end + 1)) as Record<string, string>;
}

function num(value: string | undefined): number {
	// loudnorm writes "-inf" for silence.
	if (value === undefined) return NaN;
	if (value.trim() === '-inf') return -Infinity;
	if (value.trim() === 'inf') return Infinity;
	return Number(value);
}

function clamp(value: number, min: number, max: number): number {
	return Math.min(max, Math.max(min, value));
}
