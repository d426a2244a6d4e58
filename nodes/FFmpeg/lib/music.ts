import { ffmpeg, type FfmpegProgress } from '../../shared/transport/ffmpeg';
import { AAC_ARGS, CLIP_AUDIO_FORMAT, FASTSTART_ARGS, KEEP_SUBTITLES_ARGS, sec } from './encoding';
import { measureLoudness } from './loudness';
import { probeMedia, videoDuration, type MediaFacts } from './probe';

/**
 * The music bed's ducking under speech: sidechaincompress keyed on the narration. Chosen so speech is clearly on top:
 * - threshold 0.02 (−34 dBFS): any spoken word (narration arrives at about −14 LUFS) opens the ducker, room tone
 *   and the gaps between lines do not;
 * - ratio 8: narration 15–20 dB over the threshold takes the bed down by about 12–17 dB, while it is spoken;
 * - attack 20 ms: the bed is down before the first syllable is heard through it;
 * - release 400 ms: the bed comes back after a line, not between two words of it (no pumping).
 */
export const DUCKING = { threshold: 0.02, ratio: 8, attackMs: 20, releaseMs: 400 } as const;
/** The bed's level when none is given: LUFS of the music on its own, before ducking (speech sits at about −14). */
export const DEFAULT_MUSIC_VOLUME = -20;
export const MUSIC_VOLUME_LIMITS = { min: -40, max: 0 } as const;
/** The fade at the end of the video, so the music does not stop mid-bar. */
const FADE_OUT_SECONDS = 2;

export interface MusicOptions {
	/** The joined video: its video stream is copied, its audio (the narration) stays as it is. */
	input: string;
	/** The music file (any format ffmpeg reads); looped or cut to the video length. */
	music: string;
	output: string;
	/** Loudness of the bed on its own in LUFS (dB relative to full scale), before ducking. Default −20. */
	volume?: number;
	/** Duck the bed under the narration (default true). */
	duck?: boolean;
	onProgress?: (progress: FfmpegProgress) => void;
	/** What the input's reference said about it (stream facts); the file is probed when it has none that fit. */
	known?: MediaFacts | null;
}

export interface MusicResult {
	/** Seconds: the video's length, which the mixed audio has too. */
	duration: number;
	/** LUFS of the music file as it came (null when it is silent). */
	musicLoudness: number | null;
	/** dB applied to the music to bring it to `volume`. */
	gain: number;
	volume: number;
	ducked: boolean;
}

/**
 * Lays a music bed under the narration: the music is looped or cut to the video's length with a short fade-out,
 * brought to `volume` LUFS (measured, so a loud master and a quiet one sit at the same level), ducked under the
 * narration, and added to it with amix normalize=0, so the narration keeps its level. The video stream is copied;
 * the audio is encoded once. The loudness step after this brings the mix to the run's target.
 */
export async function mixMusic(options: MusicOptions): Promise<MusicResult> {
	const volume = options.volume ?? DEFAULT_MUSIC_VOLUME;
	if (!Number.isFinite(volume) || volume < MUSIC_VOLUME_LIMITS.min || volume > MUSIC_VOLUME_LIMITS.max) {
		throw new Error(`The music volume must be from ${MUSIC_VOLUME_LIMITS.min} to ${MUSIC_VOLUME_LIMITS.max} dB (got ${volume}).`);
	}
	const duck = options.duck ?? true;
	const [probe, music] = await Promise.all([
		probeMedia(options.input, { measureAudio: false, known: options.known }),
		// A URL may answer with a web page or anything else: say so in words, not in ffprobe's.
		probeMedia(options.music, { measureAudio: false }).catch(() => {
			throw new Error('The music file is not a media file ffmpeg can read. Use an audio file (MP3, AAC, WAV, FLAC, Ogg…).');
		}),
	]);
	if (!probe.video) throw new Error('The video has no video stream to put music under.');
	if (!music.audio) throw new Error('The music file has no audio stream. Use an audio file (MP3, AAC, WAV, FLAC, Ogg…).');
	const duration = videoDuration(probe);
	if (!(duration > 0)) throw new Error('The video has no duration to lay music under.');

	const measured = (await measureLoudness(options.music)).integrated;
	const musicLoudness = Number.isFinite(measured) ? measured : null;
	// A silent music file gets no gain (there is nothing to bring up), and no gain above +30 dB (noise, not music).
	const gain = musicLoudness === null ? 0 : Math.min(30, volume - musicLoudness);
	const fade = Math.min(FADE_OUT_SECONDS, duration / 4);
	const bed =
		`[1:a:0]${CLIP_AUDIO_FORMAT},volume=${gain.toFixed(2)}dB,atrim=duration=${sec(duration)},asetpts=PTS-STARTPTS,` +
		`afade=t=out:st=${sec(duration - fade)}:d=${sec(fade)}`;
	let graph: string;
	if (!probe.audio) {
		// No narration at all: the bed is the sound.
		graph = `${bed}[aout]`;
	} else {
		const speech = `[0:a:0]${CLIP_AUDIO_FORMAT}`;
		const d = DUCKING;
		graph = duck
			? `${bed}[bed];${speech},asplit=2[speech][key];` +
				`[bed][key]sidechaincompress=threshold=${d.threshold}:ratio=${d.ratio}:attack=${d.attackMs}:release=${d.releaseMs}[ducked];` +
				`[speech][ducked]amix=inputs=2:duration=first:normalize=0[aout]`
			: `${bed}[bed];${speech}[speech];[speech][bed]amix=inputs=2:duration=first:normalize=0[aout]`;
	}
	await ffmpeg(
		[
			'-i',
			options.input,
			// The music repeats for as long as the trim asks (a short loop under a long video).
			'-stream_loop',
			'-1',
			'-i',
			options.music,
			'-filter_complex',
			graph,
			'-map',
			'0:v:0',
			'-map',
			'[aout]',
			...KEEP_SUBTITLES_ARGS,
			'-c:v',
			'copy',
			...AAC_ARGS,
			'-t',
			sec(duration),
			...FASTSTART_ARGS,
			'-y',
			options.output,
		],
		{ duration, onProgress: options.onProgress },
	);
	return { duration, musicLoudness, gain, volume, ducked: duck && !!probe.audio };
}
