import { ffmpeg } from '../transport/ffmpeg';
import { CLIP_FORMAT } from '../presets';
import { probeStreams } from '../probe';
import type { FitClipOptions } from './fit';
import { clipOutputArgs, frameCount, num, silentAudio } from './filters';

/** As for fitting a clip; `input` is the caller's still (PNG, JPEG, WebP…: anything ffmpeg reads as one picture). */
export type KenBurnsOptions = FitClipOptions;

export interface KenBurnsClip {
	duration: number;
	width: number;
	height: number;
	/** The still as it came. */
	source: { width: number; height: number };
}

/** How far the move zooms in by the end of the scene (1.12 = 12 % closer): slow enough to read as a camera move. */
const ZOOM_END = 1.12;
/** The still is drawn at this multiple of the frame before zooming, so the sub-pixel steps of a slow zoom do not judder. */
const OVERSAMPLE = 2;

/**
 * A still of the caller's own as a scene clip (the local renderer's answer to image-to-video): fitted inside the
 * preset's frame without distortion or cropping (black bars when its shape differs, as own clips get), then a slow
 * zoom towards the centre while drifting a little to the right, for the scene's length, at the clip format's codecs
 * with silent audio, so mux copies it and scenes concatenate by copy. One zoompan over one decoded picture: cheap.
 */
export async function kenBurnsClip(options: KenBurnsOptions): Promise<KenBurnsClip> {
	const { width, height, duration } = options;
	if (!(duration > 0)) throw new Error(`The scene has no length to move over the still for (got ${duration} s).`);
	const probe = await probeStreams(options.input).catch(() => {
		throw new Error('The still is not a picture ffmpeg can read. Use a PNG, JPEG or WebP image.');
	});
	if (!probe.video?.width || !probe.video.height) throw new Error('The still is not a picture ffmpeg can read. Use a PNG, JPEG or WebP image.');
	const frames = frameCount(duration);
	const big = { width: width * OVERSAMPLE, height: height * OVERSAMPLE };
	// on = output frame number; zoom grows linearly from 1 to ZOOM_END; x moves from the centre towards the right of
	// the room the zoom leaves (a pan), y stays centred.
	const step = (ZOOM_END - 1) / Math.max(1, frames - 1);
	const zoom = `1+${num(step)}*on`;
	const x = `(iw-iw/zoom)*(0.5+0.4*on/${frames})`;
	const y = '(ih-ih/zoom)/2';
	const graph =
		`[0:v:0]scale=${big.width}:${big.height}:force_original_aspect_ratio=decrease,` +
		`pad=${big.width}:${big.height}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,` +
		`zoompan=z='${zoom}':x='${x}':y='${y}':d=${frames}:s=${width}x${height}:fps=${CLIP_FORMAT.fps},` +
		`trim=end_frame=${frames},setpts=PTS-STARTPTS,format=${CLIP_FORMAT.pixelFormat}[v];${silentAudio(frames)}`;
	await ffmpeg(['-i', options.input, '-filter_complex', graph, '-frames:v', String(frames), '-y', ...clipOutputArgs(options.output)], {
		duration,
		onProgress: options.onProgress,
	}).catch((error: Error) => {
		// A file that looks like a picture by its name but does not decode as one.
		throw new Error(`The still is not a picture ffmpeg can read (${error.message.split('\n')[0].slice(0, 200)}). Use a PNG, JPEG or WebP image.`);
	});
	return {
		duration,
		width,
		height,
		source: { width: probe.video.width ?? 0, height: probe.video.height ?? 0 },
	};
}
