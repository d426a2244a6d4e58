import { ffmpeg, ffmpegAnalyse, type FfmpegProgress } from '../../shared/transport/ffmpeg';
import { AAC_ARGS, FASTSTART_ARGS, KEEP_SUBTITLES_ARGS, fitAudioFilter, sec } from './encoding';
import { probeMedia, videoDuration, type MediaFacts } from './probe';

export interface LoudnessTarget {
	/** Integrated loudness in LUFS (default −14, what YouTube and most platforms play back at). */
	target?: number;
	/** Maximum true peak in dBTP (default −1.5). */
	truePeak?: number;
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
	/** Gain offset loudnorm suggests for its second pass (reported; the gain applied is target − integrated). */
	offset: number;
}

export interface LoudnessResult {
	input: LoudnessMeasurement;
	/** Measured on the written file, not loudnorm's own report. */
	output: LoudnessStats;
	/**
	 * "linear" (one gain for the whole track), "linear + limiter" (one gain, peaks above the true-peak ceiling held
	 * down), or "skipped (silent)".
	 */
	normalizationType: string;
	/** True when the written audio measures within ±1 LU of the target. */
	withinTarget: boolean;
	/** What was done and what the result measures, in words for the run's events; says why when off target. */
	message: string;
	/** Encodes it took (a gain that missed the target by more than 0.5 LU is corrected and encoded again). */
	passes: number;
	/** Seconds; the audio is fitted to this (the video length). */
	duration: number;
}

/** Off by more than this after a pass, the gain is corrected and the audio encoded again. */
const CORRECT_ABOVE_LU = 0.5;
/** What "on target" means for the result. */
const TOLERANCE_LU = 1;
const MAX_PASSES = 3;
/** Headroom under the true-peak ceiling for the limiter: it limits samples (4× oversampled) and AAC adds a little. */
const LIMITER_MARGIN_DB = 0.5;

const defaults = (t: LoudnessTarget) => ({ target: t.target ?? -14, truePeak: t.truePeak ?? -1.5 });
/** A measured level as people read it: one decimal, a real minus sign. */
const db = (value: number) => value.toFixed(1).replace('-', '−');

/** First pass: measures the first audio stream with loudnorm (audio only, fast). */
export async function measureLoudness(file: string, target: LoudnessTarget = {}): Promise<LoudnessMeasurement> {
	const t = defaults(target);
	const stderr = await ffmpegAnalyse([
		'-i',
		file,
		'-map',
		'0:a:0',
		'-af',
		`loudnorm=I=${t.target}:TP=${t.truePeak}:print_format=json`,
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
 * One gain for the whole track. When the gain would lift the true peak over the ceiling, a look-ahead limiter
 * (at 192 kHz, so it sees peaks between samples; delay compensated, so sound stays in sync) holds the peaks down.
 */
export function gainFilter(gainDb: number, inputTruePeak: number, ceiling: number): { filter: string; limited: boolean } {
	const gain = `volume=${Math.round(gainDb * 100) / 100}dB`;
	if (!(inputTruePeak + gainDb > ceiling)) return { filter: gain, limited: false };
	const limit = Math.max(0.0625, 10 ** ((ceiling - LIMITER_MARGIN_DB) / 20));
	return {
		filter: `${gain},aresample=192000,alimiter=limit=${limit.toFixed(4)}:attack=5:release=50:level=false:latency=true`,
		limited: true,
	};
}

/**
 * Loudness normalisation of the audio only (the video is copied), checked on the result: one measured gain for the
 * whole track, with a true-peak limiter when the gain would push peaks over the ceiling. loudnorm's own second pass
 * is not used: under 3 s (its window) it falls far short of the target (2 s of speech came out at −30 LUFS for −14),
 * and where one gain would break the ceiling it compresses the whole programme ("dynamic"), where a limiter only
 * touches the peaks. One path for every length; the written file is measured, and a result more than 0.5 LU off is
 * corrected and encoded again (at most three encodes). The audio is fitted back to the video length every time.
 */
export async function normaliseLoudness(
	options: LoudnessTarget & {
		input: string;
		output: string;
		onProgress?: (progress: FfmpegProgress) => void;
		/** The input's stream facts from its reference, if any. */
		known?: MediaFacts | null;
	},
): Promise<LoudnessResult> {
	const t = defaults(options);
	const probe = await probeMedia(options.input, { measureAudio: false, known: options.known });
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
	const target = `${String(t.target).replace('-', '−')} LUFS`;

	// Silence (or near silence) has no loudness to bring up; gain on it would only raise noise.
	if (!Number.isFinite(measured.integrated) || measured.integrated < -70) {
		await run(fitAudioFilter(duration));
		// Integrated loudness is measured over 400 ms blocks: shorter audio has none.
		const why =
			duration < 0.4
				? `the audio is ${sec(duration)} s long, shorter than the 400 ms loudness is measured over`
				: 'the audio is silent (or below −70 LUFS)';
		return {
			input: measured,
			output: { integrated: measured.integrated, truePeak: measured.truePeak, lra: measured.lra, threshold: measured.threshold },
			normalizationType: 'skipped (silent)',
			withinTarget: false,
			message: `Loudness not normalised: ${why}, so there is nothing to bring to ${target}. Check that the scenes have narration.`,
			passes: 1,
			duration,
		};
	}

	let gain = t.target - measured.integrated;
	let normalizationType = 'linear';
	let output: LoudnessMeasurement | undefined;
	let passes = 0;
	while (!output || (passes < MAX_PASSES && Math.abs(output.integrated - t.target) > CORRECT_ABOVE_LU)) {
		// A pass that missed (the limiter took some loudness) is corrected by what it missed.
		if (output) gain += t.target - output.integrated;
		const { filter, limited } = gainFilter(gain, measured.truePeak, t.truePeak);
		await run(`${filter},${fitAudioFilter(duration)}`);
		normalizationType = limited ? 'linear + limiter' : 'linear';
		output = await measureLoudness(options.output, t);
		passes++;
		if (!Number.isFinite(output.integrated)) break;
	}

	const withinTarget = Math.abs(output.integrated - t.target) <= TOLERANCE_LU;
	const measuredText = `${db(output.integrated)} LUFS, true peak ${db(output.truePeak)} dBTP`;
	const message = withinTarget
		? `Loudness ${measuredText} (target ${target}; ${normalizationType}).`
		: `Loudness ${measuredText}: ${db(Math.abs(output.integrated - t.target))} LU from the target ${target}. ` +
			`The peaks leave too little room under the ${String(t.truePeak).replace('-', '−')} dBTP ceiling; raise the True Peak or lower the Target.`;
	return {
		input: measured,
		output: { integrated: output.integrated, truePeak: output.truePeak, lra: output.lra, threshold: output.threshold },
		normalizationType,
		withinTarget,
		message,
		passes,
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

