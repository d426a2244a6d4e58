/** What workflow items carry instead of media bytes: where the object lives and what it is. */
export interface ObjectRef {
	bucket: string;
	key: string;
	contentType?: string;
	bytes?: number;
}

export interface MediaRef extends ObjectRef {
	/** Seconds. */
	duration?: number;
	width?: number;
	height?: number;
	/**
	 * What the node that wrote the object knows about it (streams, codecs, size), so the steps after it need not
	 * probe it again. Optional: a bare {bucket, key} is probed where it is used.
	 */
	media?: MediaFacts;
}

export interface VideoFacts {
	codec: string;
	/** Codec profile ("High", "Main"); clips joined by copy must share it. */
	profile: string | null;
	width: number;
	height: number;
	/** Frames per second as a number (29.97, 30). */
	fps: number;
	/** The exact rate as ffprobe gives it ("30/1", "30000/1001"); used to re-encode at the same rate. */
	frameRate: string;
	pixelFormat: string;
	timeBase: string;
	duration: number | null;
}

export interface AudioFacts {
	codec: string;
	sampleRate: number;
	channels: number;
	channelLayout: string;
	duration: number | null;
	/**
	 * The integrated loudness (LUFS) the node that wrote the file brought its sound to (Mux with a Loudness Target),
	 * null for a sound it made silent on purpose; absent when nobody knows (ffprobe cannot tell). Join scenes then
	 * need not measure it.
	 */
	loudness?: number | null;
}

export interface SubtitleFacts {
	codec: string;
	language: string | null;
}

/** A media file's streams as ffprobe reports them (no decoding), and its size: what a step needs to plan its work. */
export interface MediaFacts {
	/** Seconds (container duration). */
	duration: number;
	formatName: string;
	video: VideoFacts | null;
	audio: AudioFacts | null;
	subtitles: SubtitleFacts[];
	/** The index (moov) comes before the media data (mdat), so playback can start while downloading. */
	faststart: boolean;
	/** Size of the file the facts describe: a reference whose object has another size is probed again. */
	bytes: number;
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isText = (value: unknown): value is string => typeof value === 'string';
const isDuration = (value: unknown) => value === null || (isNumber(value) && value >= 0);
const isObject = (value: unknown): value is Record<string, unknown> =>
	Boolean(value) && typeof value === 'object' && !Array.isArray(value);

function isVideo(value: unknown): value is VideoFacts {
	if (!isObject(value)) return false;
	const { codec, profile, width, height, fps, frameRate, pixelFormat, timeBase, duration } = value;
	return (
		isText(codec) && (profile === null || isText(profile)) && isNumber(width) && width > 0 && isNumber(height) &&
		height > 0 && isNumber(fps) && fps >= 0 && isText(frameRate) && isText(pixelFormat) && isText(timeBase) &&
		isDuration(duration)
	);
}

function isAudio(value: unknown): value is AudioFacts {
	if (!isObject(value)) return false;
	const { codec, sampleRate, channels, channelLayout, duration } = value;
	return isText(codec) && isNumber(sampleRate) && sampleRate > 0 && isNumber(channels) && channels > 0 && isText(channelLayout) && isDuration(duration);
}

/**
 * The media facts a reference carries, when they are complete and well formed; null otherwise (then the file is
 * probed). Items pass through expressions and other people's nodes, so nothing in them is taken on trust.
 */
export function mediaFacts(value: unknown): MediaFacts | null {
	if (!isObject(value)) return null;
	const { duration, formatName, video, audio, subtitles, faststart, bytes } = value;
	if (!isNumber(duration) || duration < 0 || !isText(formatName) || typeof faststart !== 'boolean') return null;
	if (!isNumber(bytes) || bytes <= 0) return null;
	if (!(video === null || isVideo(video)) || !(audio === null || isAudio(audio))) return null;
	if (!Array.isArray(subtitles) || !subtitles.every((s) => isObject(s) && isText(s.codec))) return null;
	return value as unknown as MediaFacts;
}
