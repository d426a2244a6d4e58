import { ffmpeg, type FfmpegProgress } from '../../shared/transport/ffmpeg';
import { AAC_ARGS, FASTSTART_ARGS, SILENCE_INPUT, fitAudioFilter, sec } from './encoding';
import { measureLoudness, planGain, type LoudnessTarget } from './loudness';
import { probeMedia, videoDuration, type MediaFacts, type Prober } from './probe';

/**
 * The true-peak ceiling for a scene's narration when none is given, dBTP: 1.5 dB under assembly's −1.5, because the
 * scene's AAC is decoded and encoded again when scenes are joined, and an AAC encode lifts the true peak of
 * espeak-ng speech by up to ~1 dB (measured). So the joined video still measures under −1.5 and needs no loudness pass.
 */
export const SCENE_TRUE_PEAK = -3;

export interface MuxOptions {
	/** The clip (its own audio, usually silence, is replaced). */
	video: string;
	/** Narration file (WAV, MP3, …); null or undefined gives a silent track of the right length. */
	audio?: string | null;
	output: string;
	/** Output length in seconds; 0/undefined = the video's own duration. Can shorten, never lengthen, the video. */
	duration?: number;
	/**
	 * Bring the narration to this loudness (one measured gain, the true-peak limiter when needed) in the same encode;
	 * the true peak defaults to SCENE_TRUE_PEAK.
	 * Scenes made at the delivery loudness join into a video that is already on target, so assembly only measures it.
	 */
	loudness?: LoudnessTarget;
	onProgress?: (progress: FfmpegProgress) => void;
	/** What the clip's and the narration's references said about them; each file is probed when they say nothing that fits. */
	known?: { video?: MediaFacts | null; audio?: MediaFacts | null };
	/** Reads stream facts the references did not give (default ffprobe). */
	prober?: Prober;
}

/**
 * Puts narration on a clip: video stream copied, audio padded with silence or cut to exactly the video length.
 * `-shortest` is not enough (it stops at the shorter stream, so short narration would shorten the scene);
 * apad + atrim + an explicit `-t` give the exact length either way.
 */
export async function muxNarration(options: MuxOptions): Promise<{ duration: number; gainDb: number | null }> {
	const clip = await probeMedia(options.video, { measureAudio: false, known: options.known?.video, prober: options.prober });
	if (!clip.video) throw new Error('The video file has no video stream, so there is nothing to put narration on.');
	const own = videoDuration(clip);
	const frame = clip.video.fps > 0 ? 1 / clip.video.fps : 0.04;
	let duration = own;
	if (options.duration && options.duration > 0) {
		if (options.duration > own + frame) {
			throw new Error(
				`The duration (${sec(options.duration)} s) is longer than the video (${sec(own)} s); mux cannot lengthen a clip. ` +
					'Generate the clip at least that long, or leave the duration at 0 to use the video length.',
			);
		}
		duration = Math.min(options.duration, own);
	}

	let audioInput: string[] = SILENCE_INPUT;
	let gain: { filter: string; gain: number } | null = null;
	if (options.audio) {
		const narration = await probeMedia(options.audio, { measureAudio: false, known: options.known?.audio, prober: options.prober });
		if (!narration.audio) throw new Error('The narration file has no audio stream. Map the narration WAV, not the clip.');
		audioInput = ['-i', options.audio];
		// Silent narration (a scene nobody speaks in) gets no gain: there is nothing to bring up.
		// Measured as it will sound in the scene: fitted to its length (the silence after a short line counts in the
		// 400 ms blocks loudness is measured over), and mono narration in both channels at −3 dB, which lowers its peaks.
		if (options.loudness) {
			const loudness = { truePeak: SCENE_TRUE_PEAK, ...options.loudness };
			const measured = await measureLoudness(options.audio, loudness, fitAudioFilter(duration));
			gain = await planGain(options.audio, measured, loudness, fitAudioFilter(duration));
		}
	}

	await ffmpeg(
		[
			'-i',
			options.video,
			...audioInput,
			'-map',
			'0:v:0',
			'-map',
			'1:a:0',
			'-c:v',
			'copy',
			'-af',
			gain ? `${fitAudioFilter(duration)},${gain.filter},${fitAudioFilter(duration)}` : fitAudioFilter(duration),
			...AAC_ARGS,
			'-t',
			sec(duration),
			...FASTSTART_ARGS,
			options.output,
		],
		{ duration, onProgress: options.onProgress },
	);
	return { duration, gainDb: gain ? Math.round(gain.gain * 100) / 100 : null };
}
