import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { assDocument } from '../../shared/ass';
import { fontMetrics } from '../../shared/fontMetrics';
import { ffmpeg, type FfmpegProgress } from '../../shared/transport/ffmpeg';
import { withWorkDir } from '../../shared/workdir';
import { FASTSTART_ARGS, H264_ARGS } from './encoding';
import { probeMedia, videoDuration, type MediaFacts } from './probe';
import { buildSrt, subtitleBlocks, type SrtOptions, type SubtitleCue } from './srt';
import { SUBTITLE_LINE_HEIGHT_EM } from './textWidth';

export interface AttachOptions {
	video: string;
	srt: string;
	output: string;
	/** ISO 639-2 language tag for the track (default "eng"). */
	language?: string;
	onProgress?: (progress: FfmpegProgress) => void;
}

/** Adds the SRT as a soft subtitle track (mov_text, what MP4 players read); video and audio are copied. */
export async function attachSubtitles(options: AttachOptions): Promise<void> {
	const language = /^[a-z]{3}$/.test(options.language ?? '') ? options.language! : 'eng';
	await ffmpeg(
		[
			'-i',
			options.video,
			'-i',
			options.srt,
			'-map',
			'0:v',
			'-map',
			'0:a?',
			'-map',
			'1:0',
			'-c:v',
			'copy',
			'-c:a',
			'copy',
			'-c:s',
			'mov_text',
			'-metadata:s:s:0',
			`language=${language}`,
			...FASTSTART_ARGS,
			options.output,
		],
		{ onProgress: options.onProgress },
	);
}

export interface BurnOptions {
	video: string;
	cues: SubtitleCue[];
	/** How cues become subtitles (speaker prefix, line length); burning adds the renderer and the row width. */
	srt?: Omit<SrtOptions, 'renderer' | 'maxRowEm'>;
	output: string;
	/** libass font size on its 288-line canvas (scales with the video height); default 16. */
	fontSize?: number;
	/** Font family for libass (the run language's, nodes/shared/data/scriptFonts.json); default DejaVu Sans. */
	font?: string;
	/**
	 * The font file of a script that needs shaping (Devanagari; scriptFonts.json `shaping`): ffmpeg's subtitles filter
	 * leaves libass unshaped, so the subtitles are written as an ASS script and drawn by the ass filter with
	 * shaping=complex, from this font.
	 */
	shapedFont?: string;
	/** Text colour as #rrggbb (a campaign's brand kit); default white. */
	color?: string;
	onProgress?: (progress: FfmpegProgress) => void;
	/** What the input's reference said about it (stream facts); the file is probed when it has none that fit. */
	known?: MediaFacts | null;
}

/** #rrggbb as an ASS colour (&HAABBGGRR, alpha 00 = opaque); anything else is white, as it would reach the filter. */
export function assColour(hex: string | undefined): string {
	const match = /^#([0-9a-fA-F]{2})([0-9a-fA-F]{2})([0-9a-fA-F]{2})$/.exec(hex ?? '');
	return match ? `&H00${match[3]}${match[2]}${match[1]}`.toUpperCase() : '&H00FFFFFF';
}

/** ffmpeg turns an SRT into ASS on a 384×288 canvas; libass scales it to the frame (fonts by the frame height). */
const CANVAS = { width: 384, height: 288 };
/** Title-safe area: text stays inside the middle 90 % of the width. */
const SAFE_WIDTH = 0.9;
const OUTLINE = 1.5;
/** Room for libass hinting and rounding, so a row measured to fit does fit. */
const MEASURE_SLACK = 0.97;

/**
 * How wide a burned row may be, in em of the font: the title-safe width less the outline on both sides, at the
 * size libass draws `fontSize` on a `width`×`height` frame.
 */
export function burnRowEm(width: number, height: number, fontSize: number): number {
	const scale = height / CANVAS.height;
	const emPixels = (fontSize * scale) / SUBTITLE_LINE_HEIGHT_EM;
	return ((width * SAFE_WIDTH - 2 * OUTLINE * scale) / emPixels) * MEASURE_SLACK;
}

/**
 * Draws the subtitles into the picture (re-encodes the video, copies the audio). Rows are wrapped to the title-safe
 * width of this video at this font size (a 9:16 frame holds about 17 characters a row at the default size), long
 * URLs and hashtags broken across rows, and libass's side margins are the same 5 %. The SRT is written to a fixed
 * name in a private folder and ffmpeg runs there, so the filter never contains a user or temp path.
 */
export async function burnSubtitles(options: BurnOptions): Promise<void> {
	const probe = await probeMedia(options.video, { measureAudio: false, known: options.known });
	if (!probe.video) throw new Error('The video file has no video stream to draw subtitles on.');
	const fontSize = Math.round(Math.min(72, Math.max(6, options.fontSize ?? 16)));
	const margin = Math.ceil((CANVAS.width * (1 - SAFE_WIDTH)) / 2);
	// Only names from scriptFonts.json reach the style: letters and spaces, nothing that could end the option.
	const family = /^[A-Za-z0-9 ]+$/.test(options.font ?? '') ? options.font! : 'DejaVu Sans';
	const style = [
		`FontName=${family}`,
		`FontSize=${fontSize}`,
		`PrimaryColour=${assColour(options.color)}`,
		'OutlineColour=&H00000000',
		'BorderStyle=1',
		`Outline=${OUTLINE}`,
		'Shadow=0',
		`MarginL=${margin}`,
		`MarginR=${margin}`,
		'MarginV=16',
	].join(',');
	const srtOptions: SrtOptions = { ...options.srt, renderer: 'libass', maxRowEm: burnRowEm(probe.video.width, probe.video.height, fontSize) };
	await withWorkDir(async (dir) => {
		let filter = `subtitles=filename=subtitles.srt:charenc=UTF-8:force_style='${style}'`;
		if (options.shapedFont) {
			// The same look as the SRT's (ffmpeg's 384×288 canvas, bottom centre), shaped; the font is linked into the
			// private folder so the filter names no outside path either.
			// libass sizes a font by its line height: the script's font gets the em size DejaVu has at `fontSize`
			// (Lohit's lines are 1.6 em tall, DejaVu's 1.16: at the same size its letters were a quarter smaller).
			const metrics = fontMetrics(resolve(options.shapedFont));
			const size = (fontSize * ((metrics.ascent + metrics.descent) / metrics.unitsPerEm)) / SUBTITLE_LINE_HEIGHT_EM;
			const styles = [{ name: 'Default', family, size, colour: '0xffffff', outline: OUTLINE, alignment: 2, marginL: margin, marginR: margin, marginV: 16 }];
			const events = subtitleBlocks(options.cues, srtOptions).map((block) => ({ ...block, style: 'Default' }));
			await writeFile(join(dir, 'subtitles.ass'), assDocument({ ...CANVAS, styles, events, escaped: true }));
			await mkdir(join(dir, 'fonts'));
			await symlink(resolve(options.shapedFont), join(dir, 'fonts', basename(options.shapedFont)));
			filter = 'ass=filename=subtitles.ass:shaping=complex:fontsdir=fonts';
		} else {
			await writeFile(join(dir, 'subtitles.srt'), buildSrt(options.cues, srtOptions));
		}
		await ffmpeg(
			[
				'-i',
				resolve(options.video),
				'-map',
				'0:v:0',
				'-map',
				'0:a?',
				'-vf',
				filter,
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
