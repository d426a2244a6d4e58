import { ffmpeg, type FfmpegProgress } from '../../shared/transport/ffmpeg';
import { CLIP_FORMAT, type ExportPreset } from '../../shared/presets';
import { AAC_ARGS, FASTSTART_ARGS, H264_ARGS, KEEP_SUBTITLES_ARGS, SILENCE_INPUT, fitAudioFilter, sec } from './encoding';
import { probeMedia, videoDuration, type MediaProbe, type MediaFacts } from './probe';

export interface ExportOptions {
	input: string;
	output: string;
	preset: ExportPreset;
	onProgress?: (progress: FfmpegProgress) => void;
	/** What the input's reference said about it (stream facts); the file is probed when it has none that fit. */
	known?: MediaFacts | null;
}

export interface ExportResult {
	/** False when the input already matched the preset and was only remuxed (stream copy + faststart). */
	reencoded: boolean;
	/** Why a re-encode was needed (plain words); empty on the copy path. */
	reasons: string[];
	width: number;
	height: number;
	duration: number;
}

/** Everything that keeps `probe` from being delivered as it is for `preset`; empty = conforming. */
export function presetMismatches(probe: MediaProbe, preset: ExportPreset): string[] {
	const reasons: string[] = [];
	const video = probe.video;
	if (!video) return ['there is no video stream'];
	if (video.codec !== 'h264') reasons.push(`video codec is ${video.codec}, not H.264`);
	if (video.pixelFormat !== 'yuv420p') reasons.push(`pixel format is ${video.pixelFormat}, not yuv420p`);
	if (video.width !== preset.width || video.height !== preset.height) {
		reasons.push(`size is ${video.width}x${video.height}, not ${preset.width}x${preset.height}`);
	}
	if (Math.abs(video.fps - preset.fps) > 0.01) reasons.push(`frame rate is ${video.fps}, not ${preset.fps}`);
	const audio = probe.audio;
	if (!audio) reasons.push('there is no audio stream');
	else {
		if (audio.codec !== 'aac') reasons.push(`audio codec is ${audio.codec}, not AAC`);
		if (audio.sampleRate !== CLIP_FORMAT.audioRate) reasons.push(`audio sample rate is ${audio.sampleRate} Hz, not 48000 Hz`);
		if (audio.channels !== CLIP_FORMAT.audioChannels) reasons.push(`audio has ${audio.channels} channels, not 2`);
	}
	return reasons;
}

/**
 * Delivers a video in an export preset: H.264 yuv420p + AAC with +faststart. A video already in the preset's
 * format is only remuxed (seconds, no quality loss); anything else is scaled to fit and padded (letterbox or
 * pillarbox, never cropped) and re-encoded.
 */
export async function exportForPreset(options: ExportOptions): Promise<ExportResult> {
	const { preset } = options;
	const probe = await probeMedia(options.input, { measureAudio: false, known: options.known });
	if (!probe.video) throw new Error('The file has no video stream to export.');
	const duration = videoDuration(probe);
	const reasons = presetMismatches(probe, preset);
	const result = { reasons, width: preset.width, height: preset.height, duration };

	if (reasons.length === 0) {
		await ffmpeg(
			['-i', options.input, '-map', '0:v:0', '-map', '0:a:0', ...KEEP_SUBTITLES_ARGS, '-c', 'copy', ...FASTSTART_ARGS, options.output],
			{ duration, onProgress: options.onProgress },
		);
		return { reencoded: false, ...result };
	}

	const { width: W, height: H, fps } = preset;
	const video = [
		`scale=${W}:${H}:force_original_aspect_ratio=decrease:force_divisible_by=2`,
		`pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2:color=black`,
		'setsar=1',
		`fps=${fps}`,
		'format=yuv420p',
	].join(',');
	const bufsize = `${parseFloat(preset.videoBitrate) * 2}${preset.videoBitrate.replace(/^[\d.]+/, '')}`;
	await ffmpeg(
		[
			'-i',
			options.input,
			...(probe.audio ? [] : SILENCE_INPUT),
			'-map',
			'0:v:0',
			'-map',
			probe.audio ? '0:a:0' : '1:a:0',
			...KEEP_SUBTITLES_ARGS,
			'-vf',
			video,
			'-af',
			fitAudioFilter(duration),
			...H264_ARGS,
			// CRF keeps quality even; the preset's bitrate only caps peaks so uploads stay within platform limits.
			'-maxrate',
			preset.videoBitrate,
			'-bufsize',
			bufsize,
			...AAC_ARGS,
			'-b:a',
			preset.audioBitrate,
			'-t',
			sec(duration),
			...FASTSTART_ARGS,
			options.output,
		],
		{ duration, onProgress: options.onProgress },
	);
	return { reencoded: true, ...result };
}
