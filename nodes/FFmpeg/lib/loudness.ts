import { copyFile } from 'node:fs/promises';
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
	/** The gain the target needs, dB (target − integrated; what a linear pass applies before any correction). */
	offset: number;
}

export interface LoudnessResult {
	input: LoudnessMeasurement;
	/** Measured on the written file, not loudnorm's own report. */
	output: LoudnessStats;
	/**
	 * "linear" (one gain for the whole track), "linear + limiter" (one gain, peaks above the true-peak ceiling held
	 * down), "unchanged (on target)" (measured on target, passed on without an encode), or "skipped (silent)".
	 */
	normalizationType: string;
	/** True when the written audio measures within ±1 LU of the target. */
	withinTarget: boolean;
	/** What was done and what the result measures, in words for the run's events; says why when off target. */
	message: string;
	/** Encodes it took: 0 when already on target (a gain that missed by more than 0.5 LU is corrected and encoded again). */
	passes: number;
	/** Seconds; the audio is fitted to this (the video length). */
	duration: number;
}

/** Off by more than this after a pass, the gain is corrected and the audio encoded again. */
const CORRECT_ABOVE_LU = 0.5;
/** What "on target" means for the result. */
const TOLERANCE_LU = 1;
const MAX_PASSES = 3;
/** Decode-only trials of the limited gain before the encode, and how close a trial must come to stop. */
const MAX_TRIALS = 3;
const TRIAL_TOLERANCE_LU = 0.2;
/** Audio this close to the video length counts as fitted (a frame at 25 fps; AAC frames are 21 ms). */
const AUDIO_FIT_SECONDS = 0.04;
/** Headroom under the true-peak ceiling for the limiter: it limits samples (4× oversampled) and AAC adds a little. */
const LIMITER_MARGIN_DB = 0.5;

const defaults = (t: LoudnessTarget) => ({ target: t.target ?? -14, truePeak: t.truePeak ?? -1.5 });
/** A measured level as people read it: one decimal, a real minus sign. */
const db = (value: number) => value.toFixed(1).replace('-', '−');

/**
 * Measures the first audio stream (or what `filter` makes of it) with ebur128: integrated loudness, loudness range and
 * true peak (4× oversampled) in one decode. Five times cheaper than a loudnorm analysis pass, which resamples to
 * 192 kHz and runs its whole dynamic processor just to report the same figures.
 */
export async function measureLoudness(file: string, target: LoudnessTarget = {}, filter?: string): Promise<LoudnessMeasurement> {
	const t = defaults(target);
	// framelog=verbose keeps ebur128's ten-lines-a-second log below the info level; only its summary is printed.
	const meter = 'ebur128=peak=true:framelog=verbose';
	const stderr = await ffmpegAnalyse(['-i', file, '-map', '0:a:0', '-af', filter ? `${filter},${meter}` : meter, '-f', 'null', '-']);
	const stats = parseEbur128Summary(stderr);
	return { ...stats, offset: t.target - stats.integrated };
}

/** ebur128's summary, the last block it prints on stderr. Below −70 LUFS (its floor) counts as silence, −∞. */
export function parseEbur128Summary(stderr: string): LoudnessStats {
	const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
	const value = (pattern: RegExp) => {
		const match = pattern.exec(summary)?.[1];
		if (match === undefined) throw new Error('ffmpeg did not report loudness values (ebur128 printed no summary).');
		return match.trim() === '-inf' ? -Infinity : Number(match);
	};
	const integrated = value(/Integrated loudness:\s*I:\s*(-?[\d.]+|-inf) LUFS/);
	const silent = integrated <= -70;
	return {
		integrated: silent ? -Infinity : integrated,
		truePeak: value(/True peak:\s*Peak:\s*(-?[\d.]+|-inf) dBFS/),
		lra: value(/Loudness range:\s*LRA:\s*(-?[\d.]+) LU/),
		threshold: silent ? -Infinity : value(/Integrated loudness:\s*I:\s*\S+ LUFS\s*Threshold:\s*(-?[\d.]+) LUFS/),
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
 * The gain filter that brings `file`'s audio to the target: one gain, and the limiter when it would lift peaks over
 * the ceiling. What the limiter takes from the loudness is measured on the limited signal (a decode, no encode) and
 * the gain corrected (secant steps, at most three trials), so one encode lands on the target where a second one used
 * to correct it. `before` is what comes ahead of the gain in the real pass (e.g. the clip format), so the trial
 * measures what will be written. Null for silence.
 */
export async function planGain(
	file: string,
	measured: LoudnessMeasurement,
	target: LoudnessTarget = {},
	before?: string,
): Promise<{ filter: string; limited: boolean; gain: number } | null> {
	const t = defaults(target);
	if (!Number.isFinite(measured.integrated)) return null;
	const chain = (filter: string) => (before ? `${before},${filter}` : filter);
	let gain = t.target - measured.integrated;
	let plan = gainFilter(gain, measured.truePeak, t.truePeak);
	// Loudness the limited signal reached at each gain tried.
	let previous: { gain: number; loudness: number } | undefined;
	for (let trial = 0; plan.limited && trial < MAX_TRIALS; trial++) {
		const reached = (await measureLoudness(file, t, chain(plan.filter))).integrated;
		if (!Number.isFinite(reached) || Math.abs(reached - t.target) <= TRIAL_TOLERANCE_LU) break;
		// The limiter takes more the more gain it gets: the slope of loudness over gain is under 1.
		const slope = previous && gain !== previous.gain ? (reached - previous.loudness) / (gain - previous.gain) : 1;
		previous = { gain, loudness: reached };
		gain += (t.target - reached) / Math.min(1, Math.max(0.2, slope));
		plan = gainFilter(gain, measured.truePeak, t.truePeak);
	}
	return { ...plan, gain };
}

/** Already on target: within 0.5 LU, peaks under the ceiling. */
export function onTarget(measured: LoudnessStats, target: LoudnessTarget = {}): boolean {
	const t = defaults(target);
	return Math.abs(measured.integrated - t.target) <= CORRECT_ABOVE_LU && measured.truePeak <= t.truePeak;
}

/**
 * Loudness normalisation of the audio only (the video is copied), checked on the result: one measured gain for the
 * whole track, with a true-peak limiter when the gain would push peaks over the ceiling. loudnorm's own second pass
 * is not used: under 3 s (its window) it falls far short of the target (2 s of speech came out at −30 LUFS for −14),
 * and where one gain would break the ceiling it compresses the whole programme ("dynamic", and slow), where a limiter
 * only touches the peaks. A video whose scenes were brought to the target when they were made (FFmpeg → Mux with a
 * Loudness Target) measures on target here: it is passed on as it is, and that measurement is the check. Otherwise the
 * written file is measured, and a result more than 0.5 LU off is corrected and encoded again (at most three encodes).
 * The audio is fitted back to the video length on every encode.
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
	const stats = (m: LoudnessStats): LoudnessStats => ({ integrated: m.integrated, truePeak: m.truePeak, lra: m.lra, threshold: m.threshold });

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
			output: stats(measured),
			normalizationType: 'skipped (silent)',
			withinTarget: false,
			message: `Loudness not normalised: ${why}, so there is nothing to bring to ${target}. Check that the scenes have narration.`,
			passes: 1,
			duration,
		};
	}

	// On target, fitted to the picture and ready for the web: the bytes measured are the bytes delivered.
	const audioLength = probe.audio.duration ?? probe.duration;
	if (onTarget(measured, t) && probe.faststart && Math.abs(audioLength - duration) <= AUDIO_FIT_SECONDS) {
		await copyFile(options.input, options.output);
		return {
			input: measured,
			output: stats(measured),
			normalizationType: 'unchanged (on target)',
			withinTarget: true,
			message: `Loudness ${db(measured.integrated)} LUFS, true peak ${db(measured.truePeak)} dBTP (target ${target}; already on target, not re-encoded).`,
			passes: 0,
			duration,
		};
	}

	const plan = (await planGain(options.input, measured, t))!;
	let gain = plan.gain;
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
		output: stats(output),
		normalizationType,
		withinTarget,
		message,
		passes,
		duration,
	};
}
