import { ffmpeg } from '../../shared/transport/ffmpeg';
import { sec } from './encoding';
import { probeMedia, videoDuration, type MediaFacts } from './probe';

export interface ThumbnailOptions {
	input: string;
	/** A .jpg path. */
	output: string;
	/** Seconds into the video; clamped to the last frame. */
	time: number;
	/**
	 * Size of the JPEG (an export preset's thumbnail size); the frame is scaled to fit and padded with black when its
	 * shape differs, never stretched or cropped. Without it the JPEG keeps the video's size.
	 */
	size?: { width: number; height: number };
	/** What the input's reference said about it (stream facts); the file is probed when it has none that fit. */
	known?: MediaFacts | null;
}

const even = (value: number) => Math.max(2, Math.round(value / 2) * 2);

/** One JPEG frame at `time`, at `size`. Returns what was actually taken. */
export async function extractThumbnail(
	options: ThumbnailOptions,
): Promise<{ time: number; width: number; height: number }> {
	const probe = await probeMedia(options.input, { measureAudio: false, known: options.known });
	if (!probe.video) throw new Error('The file has no video stream to take a thumbnail from.');
	const frame = probe.video.fps > 0 ? 1 / probe.video.fps : 0.04;
	// A time past the end gives no frame at all; take the last frame instead.
	const time = Math.max(0, Math.min(options.time, videoDuration(probe) - frame));
	const width = even(options.size?.width || probe.video.width);
	const height = even(options.size?.height || probe.video.height);
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
		[
			`scale=${width}:${height}:force_original_aspect_ratio=decrease:force_divisible_by=2:flags=lanczos`,
			`pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black`,
			'setsar=1',
			'format=yuvj420p',
		].join(','),
		'-q:v',
		'3',
		'-update',
		'1',
		options.output,
	]);
	return { time, width, height };
}
