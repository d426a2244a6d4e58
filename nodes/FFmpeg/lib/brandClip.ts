import { fitClip } from '../../shared/render/fit';
import { probeStreams } from '../../shared/probe';
import type { FfmpegProgress } from '../../shared/transport/ffmpeg';
import { muxNarration } from './mux';
import { videoDuration } from './probe';

export interface FitBrandClipOptions {
	input: string;
	/** Work file for the picture; `output` gets picture and sound. */
	picture: string;
	output: string;
	/** The run's frame (its scenes'). */
	width: number;
	height: number;
	/** The scenes' loudness (LUFS), so the join needs no loudness pass; 0 = keep the clip's level. */
	loudnessTarget: number;
	/** Longest clip taken, seconds. */
	maxSeconds: number;
	onProgress?: (progress: FfmpegProgress) => void;
}

/**
 * An intro or outro as one more scene of the run: the picture fitted into the run's frame at the clip format (fps,
 * codecs, x264 setup: render/fit.ts, as own clips per scene), so Join scenes still copies the pictures; its own sound
 * brought to the scenes' loudness (Mux's gain, in the same AAC setup), or silence when it has none.
 */
export async function fitBrandClip(
	options: FitBrandClipOptions,
): Promise<{ duration: number; source: { width: number; height: number; duration: number }; hasSound: boolean }> {
	const source = await probeStreams(options.input).catch(() => {
		throw new Error('it is not a video file ffmpeg can read. Use a video file (MP4, MOV, WebM…)');
	});
	if (!source.video) throw new Error('it has no video stream. Use a video file (MP4, MOV, WebM…)');
	const length = videoDuration(source);
	if (!(length > 0)) throw new Error('it has no length');
	if (length > options.maxSeconds + 0.05)
		throw new Error(`it lasts ${length.toFixed(1)} s; an intro or outro may last at most ${options.maxSeconds} s. Cut it shorter`);
	const fitted = await fitClip({
		input: options.input,
		output: options.picture,
		duration: length,
		width: options.width,
		height: options.height,
		onProgress: options.onProgress,
	});
	const hasSound = source.audio !== null;
	await muxNarration({
		video: options.picture,
		audio: hasSound ? options.input : null,
		output: options.output,
		loudness: hasSound && options.loudnessTarget < 0 ? { target: options.loudnessTarget } : undefined,
	});
	return { duration: fitted.duration, source: fitted.source, hasSound };
}
