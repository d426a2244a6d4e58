import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLIP_FORMAT } from '../../shared/presets';

/** Audio every Reelsmith video carries: AAC 48 kHz stereo 192k (the clip format), so scenes concatenate by copy. */
export const AAC_ARGS = [
	'-c:a',
	'aac',
	'-ar',
	String(CLIP_FORMAT.audioRate),
	'-ac',
	String(CLIP_FORMAT.audioChannels),
	'-b:a',
	CLIP_FORMAT.audioBitrate,
];

/** Video re-encode used when a step has to touch pixels: quick on 2 cores, visually clean, plays everywhere. */
export const H264_ARGS = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p'];

/** Web playback starts before the whole file is downloaded. */
export const FASTSTART_ARGS = ['-movflags', '+faststart'];

/** Soft subtitle tracks (mov_text) survive every step that rewrites a video; `?` = only when there is one. */
export const KEEP_SUBTITLES_ARGS = ['-map', '0:s?', '-c:s', 'copy'];

/** Seconds for ffmpeg options, without float noise such as 2.0000000004. */
export function sec(value: number): string {
	return String(Math.round(value * 1e6) / 1e6);
}

/** Silence in the clip audio format, as a lavfi input. */
export const SILENCE_INPUT = [
	'-f',
	'lavfi',
	'-i',
	`anullsrc=r=${CLIP_FORMAT.audioRate}:cl=stereo`,
];

/** Any audio into the clip audio format's rate and channels (filter string). */
export const CLIP_AUDIO_FORMAT = `aresample=${CLIP_FORMAT.audioRate},aformat=channel_layouts=stereo`;

/** Pads with silence or cuts the audio so it lasts exactly `duration` seconds, in the clip audio format. */
export function fitAudioFilter(duration: number): string {
	return [
		CLIP_AUDIO_FORMAT,
		`apad=whole_dur=${sec(duration)}`,
		`atrim=duration=${sec(duration)}`,
	].join(',');
}

export const DEFAULT_FONT_FILE =
	process.env.REELSMITH_FONT_FILE || '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/**
 * A path that can sit in a filter string as it is. Paths with other characters are copied into `dir` under
 * a fixed name, returned relative: run ffmpeg with `cwd: dir`. So nothing from the environment or the user
 * ever needs filter escaping.
 */
export async function filterSafePath(path: string, dir: string, fixedName: string): Promise<string> {
	if (/^[A-Za-z0-9_./-]+$/.test(path)) return path;
	await copyFile(path, join(dir, fixedName));
	return fixedName;
}
