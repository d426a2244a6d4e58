import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLIP_FORMAT } from '../presets';
import styles from '../data/styles.json';
import { fontPath } from './fonts';

/**
 * Filter-graph building blocks. Only numbers, our own colours and file paths ever go into the graph; user text
 * is written to files that drawtext reads with `expansion=none`, so nothing in a script is parsed by ffmpeg.
 */

/** Seconds or pixels for a filter string, without float noise such as 2.0000000004. */
export function num(value: number): string {
	return String(Math.round(value * 1e6) / 1e6);
}

/**
 * A file path as a filter option value. Two levels of escaping apply (option value, then filter graph), so a
 * temp folder with `:` or quotes in its name cannot split the option or the graph.
 */
export function filterPath(path: string): string {
	const optionLevel = path.replace(/[\\':]/g, (char) => `\\${char}`);
	return optionLevel.replace(/[\\'[\],;]/g, (char) => `\\${char}`);
}

export interface DrawTextOptions {
	font: string;
	textFile: string;
	size: number;
	color: string;
	x: string;
	y: string;
	enable?: string;
	lineSpacing?: number;
	shadowColor?: string;
	shadowOffset?: number;
}

/** A drawtext filter that reads its text from a file, literally (no %{...} expansion). */
export function drawText(options: DrawTextOptions): string {
	const parts = [
		`fontfile=${filterPath(fontPath(options.font))}`,
		`textfile=${filterPath(options.textFile)}`,
		'expansion=none',
		`fontsize=${Math.max(1, Math.round(options.size))}`,
		`fontcolor=${options.color}`,
		`x='${options.x}'`,
		`y='${options.y}'`,
	];
	if (options.lineSpacing !== undefined) parts.push(`line_spacing=${Math.round(options.lineSpacing)}`);
	if (options.shadowColor && options.shadowOffset) {
		const offset = Math.max(1, Math.round(options.shadowOffset));
		parts.push(`shadowcolor=${options.shadowColor}`, `shadowx=${offset}`, `shadowy=${offset}`);
	}
	if (options.enable) parts.push(`enable='${options.enable}'`);
	return `drawtext=${parts.join(':')}`;
}

/**
 * libass draws an ASS file (nodes/shared/ass.ts) with complex shaping, onto a transparent layer as well (`alpha=1`).
 * `fontsDir` is where the script's font is, so a font found through REELSMITH_FONT_DIR is one libass finds too.
 */
export function drawAss(file: string, fontsDir: string, alpha = true): string {
	return `ass=filename=${filterPath(file)}${alpha ? ':alpha=1' : ''}:shaping=complex:fontsdir=${filterPath(fontsDir)}`;
}

export function drawBox(x: number, y: number, width: number, height: number, color: string): string {
	return `drawbox=x=${Math.round(x)}:y=${Math.round(y)}:w=${Math.max(1, Math.round(width))}:h=${Math.max(1, Math.round(height))}:color=${color}:t=fill`;
}

/** Half-open time window [from, to) as an enable expression, so neighbouring states never show together. */
export function between(from: number, to: number): string {
	return `gte(t,${num(from)})*lt(t,${num(to)})`;
}

/** Writes user text to a numbered file in the work folder and returns its path. */
export class TextFiles {
	private count = 0;

	constructor(private readonly directory: string) {}

	async write(text: string, extension = 'txt'): Promise<string> {
		this.count += 1;
		const file = join(this.directory, `text-${String(this.count).padStart(4, '0')}.${extension}`);
		await writeFile(file, text, 'utf8');
		return file;
	}
}

/** Repeats a one-frame still as a stream at `fps` (frame n at n/fps), so work done on it once shows on every frame. */
export function holdStill(fps: number): string[] {
	return ['loop=loop=-1:size=1:start=0', `setpts=N/${fps}/TB`];
}

export function frameCount(duration: number): number {
	return Math.max(1, Math.round(duration * CLIP_FORMAT.fps));
}

/** The silent stereo track every clip carries, exactly as long as the video. */
export function silentAudio(frames: number, label = 'a'): string {
	const samples = Math.round((frames / CLIP_FORMAT.fps) * CLIP_FORMAT.audioRate);
	return `anullsrc=r=${CLIP_FORMAT.audioRate}:cl=stereo,atrim=end_sample=${samples}[${label}]`;
}

/**
 * Output options shared by every style: one codec setup (CLIP_FORMAT + pinned x264 profile/level/GOP and a 90 kHz
 * track timescale), so clips of a run join with the concat demuxer by stream copy.
 */
export function clipOutputArgs(output: string): string[] {
	const encoding = styles.encoding;
	return [
		'-map',
		'[v]',
		'-map',
		'[a]',
		'-c:v',
		CLIP_FORMAT.videoCodec,
		'-preset',
		encoding.preset,
		'-crf',
		String(encoding.crf),
		'-profile:v',
		encoding.profile,
		'-level:v',
		encoding.level,
		'-pix_fmt',
		CLIP_FORMAT.pixelFormat,
		'-r',
		String(CLIP_FORMAT.fps),
		'-g',
		String(encoding.keyframeSeconds * CLIP_FORMAT.fps),
		'-c:a',
		CLIP_FORMAT.audioCodec,
		'-ar',
		String(CLIP_FORMAT.audioRate),
		'-ac',
		String(CLIP_FORMAT.audioChannels),
		'-b:a',
		CLIP_FORMAT.audioBitrate,
		'-video_track_timescale',
		String(encoding.videoTrackTimescale),
		'-movflags',
		'+faststart',
		'-f',
		'mp4',
		output,
	];
}
