import { ffmpeg, type FfmpegProgress } from '../transport/ffmpeg';
import { CLIP_FORMAT } from '../presets';
import { probeStreams } from '../probe';
import { clipOutputArgs, frameCount, num, silentAudio } from './filters';

export interface FitClipOptions {
	/** The caller's clip (any video ffmpeg reads). */
	input: string;
	output: string;
	/** Seconds the scene lasts: the clip is cut to it, or played again from the start until it fills it. */
	duration: number;
	/** The preset's frame. */
	width: number;
	height: number;
	onProgress?: (progress: FfmpegProgress) => void;
}

export interface FittedClip {
	duration: number;
	width: number;
	height: number;
	/** The clip as it came. */
	source: { duration: number; width: number; height: number };
	/** Whether it was shorter than the scene and plays more than once. */
	looped: boolean;
}

/**
 * A clip of the caller's own as a scene clip: cut or looped to the scene's length, scaled to fit inside the preset's
 * frame without cropping and padded with black (a 16:9 clip sits between bars in 9:16), at the clip format's frame
 * rate and codecs, with silent audio as generated clips have, so mux copies it and the scenes concatenate by copy.
 */
export async function fitClip(options: FitClipOptions): Promise<FittedClip> {
	const { width, height, duration } = options;
	if (!(duration > 0)) throw new Error(`The scene has no length to fit the clip to (got ${duration} s).`);
	const probe = await probeStreams(options.input).catch(() => {
		throw new Error('The clip is not a video file ffmpeg can read. Use a video file (MP4, MOV, WebM…).');
	});
	if (!probe.video) throw new Error('The clip has no video stream. Use a video file (MP4, MOV, WebM…).');
	const sourceDuration = probe.video?.duration ?? probe.duration;
	const graph =
		`[0:v:0]scale=${width}:${height}:force_original_aspect_ratio=decrease,` +
		`pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,fps=${CLIP_FORMAT.fps},` +
		`trim=duration=${num(duration)},setpts=PTS-STARTPTS[v];${silentAudio(frameCount(duration))}`;
	await ffmpeg(
		[
			// Played again from the start for as long as the trim asks (a 2 s clip under a 5 s scene).
			'-stream_loop',
			'-1',
			'-i',
			options.input,
			'-filter_complex',
			graph,
			'-t',
			num(duration),
			'-y',
			// The generated clips' codec setup, so the scenes of a run still join by stream copy.
			...clipOutputArgs(options.output),
		],
		{ duration, onProgress: options.onProgress },
	);
	return {
		duration,
		width,
		height,
		source: {
			duration: sourceDuration,
			width: probe.video.width ?? 0,
			height: probe.video.height ?? 0,
		},
		looped: sourceDuration > 0 && sourceDuration < duration,
	};
}
