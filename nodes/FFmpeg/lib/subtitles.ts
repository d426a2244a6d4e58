import { copyFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ffmpeg, type FfmpegProgress } from '../../shared/transport/ffmpeg';
import { withWorkDir } from '../../shared/workdir';
import { FASTSTART_ARGS, H264_ARGS } from './encoding';
import { probeMedia, videoDuration } from './probe';

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
	/** An SRT built for libass (buildSrt with renderer 'libass'). */
	srt: string;
	output: string;
	/** libass font size on its 288-line canvas (scales with the video height); default 16. */
	fontSize?: number;
	onProgress?: (progress: FfmpegProgress) => void;
}

/**
 * Draws the subtitles into the picture (re-encodes the video, copies the audio). The SRT is copied to a
 * fixed name in a private folder and ffmpeg runs there, so the filter never contains a user or temp path.
 */
export async function burnSubtitles(options: BurnOptions): Promise<void> {
	const probe = await probeMedia(options.video, { measureAudio: false });
	if (!probe.video) throw new Error('The video file has no video stream to draw subtitles on.');
	const fontSize = Math.round(Math.min(72, Math.max(6, options.fontSize ?? 16)));
	const style = [
		'FontName=DejaVu Sans',
		`FontSize=${fontSize}`,
		'PrimaryColour=&H00FFFFFF',
		'OutlineColour=&H00000000',
		'BorderStyle=1',
		'Outline=1.5',
		'Shadow=0',
		'MarginV=16',
	].join(',');
	await withWorkDir(async (dir) => {
		await copyFile(options.srt, join(dir, 'subtitles.srt'));
		await ffmpeg(
			[
				'-i',
				resolve(options.video),
				'-map',
				'0:v:0',
				'-map',
				'0:a?',
				'-vf',
				`subtitles=filename=subtitles.srt:charenc=UTF-8:force_style='${style}'`,
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
