import { ffmpeg } from '../../shared/transport/ffmpeg';
import { sec } from './encoding';
import { probeMedia, videoDuration } from './probe';

export interface ThumbnailOptions {
	input: string;
	/** A .jpg path. */
	output: string;
	/** Seconds into the video; clamped to the last frame. */
	time: number;
	/** Output width in pixels (height follows the aspect ratio); 0 keeps the video's width. */
	width?: number;
}

/** One JPEG frame at `time`, scaled to `width`. Returns what was actually taken. */
export async function extractThumbnail(
	options: ThumbnailOptions,
): Promise<{ time: number; width: number; height: number }> {
	const probe = await probeMedia(options.input, { measureAudio: false });
	if (!probe.video) throw new Error('The file has no video stream to take a thumbnail from.');
	const frame = probe.video.fps > 0 ? 1 / probe.video.fps : 0.04;
	// A time past the end gives no frame at all; take the last frame instead.
	const time = Math.max(0, Math.min(options.time, videoDuration(probe) - frame));
	const width = options.width && options.width > 0 ? Math.round(options.width / 2) * 2 : probe.video.width;
	const height = Math.max(2, Math.round((probe.video.height * width) / probe.video.width / 2) * 2);
	await ffmpeg([
		'-ss',
		sec(time),
		'-i',
		options.input,
		'-map',
		'0:v:0',
		'-frames:v',
		'1',
		'-vf',
		`scale=${width}:${height}:flags=lanczos,format=yuvj420p`,
		'-q:v',
		'3',
		'-update',
		'1',
		options.output,
	]);
	return { time, width, height };
}
