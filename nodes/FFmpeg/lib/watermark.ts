import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ffmpeg, type FfmpegProgress } from '../../shared/transport/ffmpeg';
import { drawableText } from '../../shared/text';
import { withWorkDir } from '../../shared/workdir';
import { DEFAULT_FONT_FILE, FASTSTART_ARGS, H264_ARGS, KEEP_SUBTITLES_ARGS, filterSafePath } from './encoding';
import { probeMedia, videoDuration, type MediaFacts } from './probe';

export type WatermarkPosition = 'topLeft' | 'topRight' | 'bottomLeft' | 'bottomRight' | 'center';
export const WATERMARK_POSITIONS: WatermarkPosition[] = ['topLeft', 'topRight', 'bottomLeft', 'bottomRight', 'center'];

export interface WatermarkOptions {
	input: string;
	output: string;
	/** Text to draw (drawn from a file with expansion=none, so any characters are safe). */
	text?: string;
	/** An image file (PNG with transparency works best), used instead of text. */
	image?: string;
	position?: WatermarkPosition;
	/** 0..1 (default 0.8). */
	opacity?: number;
	/** Pixels from the edges (default 3% of the video height). */
	margin?: number;
	/** Text size in pixels (default 5% of the video height). */
	fontSize?: number;
	/** Image width as a share of the video width (default 0.15). */
	imageScale?: number;
	onProgress?: (progress: FfmpegProgress) => void;
	/** What the input's reference said about it (stream facts); the file is probed when it has none that fit. */
	known?: MediaFacts | null;
}

/** Places a text or image mark in a corner (or the centre). Re-encodes the video; audio and soft subtitles are copied. */
export async function addWatermark(options: WatermarkOptions): Promise<void> {
	const probe = await probeMedia(options.input, { measureAudio: false, known: options.known });
	if (!probe.video) throw new Error('The file has no video stream to watermark.');
	const { width, height } = probe.video;
	const position = options.position ?? 'bottomRight';
	if (!WATERMARK_POSITIONS.includes(position)) {
		throw new Error(`Unknown watermark position "${position}". Use one of: ${WATERMARK_POSITIONS.join(', ')}.`);
	}
	const opacity = Math.min(1, Math.max(0, options.opacity ?? 0.8));
	const margin = Math.round(options.margin ?? Math.max(4, height * 0.03));
	const text = options.text !== undefined ? drawableText(options.text).trim() : '';
	if (!options.image && !text) {
		throw new Error('The watermark needs text or an image. Set the text (it may not be only emoji) or pass an image.');
	}

	await withWorkDir(async (dir) => {
		const inputs = ['-i', resolve(options.input)];
		let graph: string;
		if (options.image) {
			inputs.push('-i', resolve(options.image));
			const markWidth = Math.max(2, Math.round((width * (options.imageScale ?? 0.15)) / 2) * 2);
			const [x, y] = place(position, margin, 'main_w', 'main_h', 'overlay_w', 'overlay_h');
			graph =
				`[1:v]scale=${markWidth}:-2,format=rgba,colorchannelmixer=aa=${opacity}[mark];` +
				`[0:v:0][mark]overlay=x=${x}:y=${y}:format=auto,format=yuv420p[vout]`;
		} else {
			// User text only through a file, with expansion off: %, :, ' and \ are drawn as they are.
			await writeFile(join(dir, 'watermark.txt'), text);
			const font = await filterSafePath(DEFAULT_FONT_FILE, dir, 'font.ttf');
			const fontSize = Math.round(options.fontSize ?? Math.max(10, height * 0.05));
			const [x, y] = place(position, margin, 'w', 'h', 'text_w', 'text_h');
			graph =
				`[0:v:0]drawtext=fontfile=${font}:textfile=watermark.txt:expansion=none:fontsize=${fontSize}:` +
				`fontcolor=white@${opacity}:borderw=2:bordercolor=black@${opacity}:x=${x}:y=${y}[vout]`;
		}
		await ffmpeg(
			[
				...inputs,
				'-filter_complex',
				graph,
				'-map',
				'[vout]',
				'-map',
				'0:a?',
				...KEEP_SUBTITLES_ARGS,
				...H264_ARGS,
				'-c:a',
				'copy',
				...FASTSTART_ARGS,
				resolve(options.output),
			],
			{ cwd: dir, duration: videoDuration(probe), onProgress: options.onProgress },
		);
	});
}

/** x and y expressions for a corner, in the variable names of the filter that draws the mark. */
function place(position: WatermarkPosition, margin: number, W: string, H: string, w: string, h: string): [string, string] {
	const left = String(margin);
	const right = `${W}-${w}-${margin}`;
	const top = String(margin);
	const bottom = `${H}-${h}-${margin}`;
	switch (position) {
		case 'topLeft':
			return [left, top];
		case 'topRight':
			return [right, top];
		case 'bottomLeft':
			return [left, bottom];
		case 'center':
			return [`(${W}-${w})/2`, `(${H}-${h})/2`];
		default:
			return [right, bottom];
	}
}
