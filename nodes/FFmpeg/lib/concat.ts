import { writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ffmpeg, type FfmpegProgress } from '../../shared/transport/ffmpeg';
import { CLIP_FORMAT } from '../../shared/presets';
import { AAC_ARGS, FASTSTART_ARGS, H264_ARGS, fitAudioFilter, sec } from './encoding';
import { measureLoudness, onTarget, planGain, type LoudnessTarget } from './loudness';
import { streamFactsOf, videoDuration, type MediaFacts, type Prober } from './probe';

export type ConcatMode = 'auto' | 'copy' | 'reencode';
export type Transition = 'none' | 'crossfade';

/** A local clip file, with what its reference said about it when it said anything. */
export type ConcatInput = string | { file: string; known?: MediaFacts | null };

export interface ConcatOptions {
	/** Local clip files in playing order. */
	inputs: ConcatInput[];
	output: string;
	/** auto = stream copy when every clip has the same streams, else re-encode (default auto). */
	mode?: ConcatMode;
	transition?: Transition;
	/** Seconds each crossfade lasts (default 0.5). */
	transitionDuration?: number;
	onProgress?: (progress: FfmpegProgress) => void;
	/** Reads the clips' stream facts where their references had none (default ffprobe, a few at a time). */
	prober?: Prober;
	/**
	 * Bring the joined sound to this loudness in the join's own audio encode, unless every clip says it already is
	 * (Mux with a Loudness Target marks its scene videos). So clips from elsewhere are encoded once, not once here and
	 * again by Loudness, which then only measures. The true peak is held 1.5 dB under its ceiling (−1.5 dBTP by default),
	 * room for what the AAC encode adds.
	 */
	loudness?: LoudnessTarget;
}

/** The options with plain file paths, as the ffmpeg steps below use them. */
type Job = Omit<ConcatOptions, 'inputs'> & { inputs: string[]; levelled?: Levelled | null };

/** The joined sound rendered once to PCM, and the gain that brings it to the target. */
interface Levelled {
	file: string;
	filter: string;
}

/** Room under the delivery true-peak ceiling for the AAC encode that follows the gain (it lifts peaks up to ~1 dB). */
const ENCODE_PEAK_ROOM_DB = 1.5;

export interface ConcatResult {
	/** What was actually done. */
	mode: 'copy' | 'reencode';
	/** Expected output length in seconds. */
	duration: number;
	/** Why copy was not possible (plain words); empty when the clips match. */
	mismatches: string[];
}

/**
 * Joins clips into one video. Clips made in the one clip format join their pictures by stream copy (the concat
 * demuxer, under a second even for many 1080p clips) and their sound, joined clip by clip, is encoded once (seconds);
 * anything else is re-encoded with the concat filter, or with xfade when crossfades are asked for. The output always
 * has +faststart.
 */
export async function concatClips(options: ConcatOptions): Promise<ConcatResult> {
	if (options.inputs.length === 0) throw new Error('There are no clips to join. Pass at least one clip.');
	const mode = options.mode ?? 'auto';
	const transition = options.transition ?? 'none';
	const inputs = options.inputs.map((input) => (typeof input === 'string' ? { file: input } : input));
	const probes = await streamFactsOf(inputs, { prober: options.prober });
	const job: Job = { ...options, inputs: inputs.map((input) => input.file) };
	probes.forEach((probe, index) => {
		if (!probe.video) throw new Error(`Clip ${index + 1} has no video stream. Only video clips can be joined.`);
	});
	const mismatches = streamMismatches(probes);
	const total = probes.reduce((sum, probe) => sum + videoDuration(probe), 0);
	job.levelled = await levelSound(job, probes, total);

	if (transition === 'crossfade' && options.inputs.length > 1) {
		if (mode === 'copy') {
			throw new Error('Crossfades blend frames, so they cannot be done by stream copy. Set the mode to auto or re-encode.');
		}
		const duration = await crossfade(job, probes);
		return { mode: 'reencode', duration, mismatches };
	}

	if (mode === 'copy' && mismatches.length > 0) {
		throw new Error(
			`The clips cannot be joined by stream copy: ${mismatches.join('; ')}. Set the mode to auto or re-encode.`,
		);
	}
	if (mode !== 'reencode' && mismatches.length === 0) {
		await copyConcat(job, probes, total);
		return { mode: 'copy', duration: total, mismatches };
	}
	await reencodeConcat(job, probes, total);
	return { mode: 'reencode', duration: total, mismatches };
}

/**
 * What differs between the clips in ways the concat demuxer cannot handle: codec and profile, size, pixel
 * format, frame rate, timebase and audio layout, each compared with the first clip.
 */
export function streamMismatches(probes: MediaFacts[]): string[] {
	const first = probes[0];
	if (!first) return [];
	const describe = (probe: MediaFacts) => ({
		'video codec': probe.video?.codec ?? 'none',
		'video profile': probe.video?.profile ?? 'none',
		size: probe.video ? `${probe.video.width}x${probe.video.height}` : 'none',
		'pixel format': probe.video?.pixelFormat ?? 'none',
		'frame rate': probe.video ? String(probe.video.fps) : 'none',
		timebase: probe.video?.timeBase ?? 'none',
		'audio codec': probe.audio?.codec ?? 'no audio',
		'audio sample rate': probe.audio ? `${probe.audio.sampleRate} Hz` : 'no audio',
		'audio channels': probe.audio ? `${probe.audio.channels}` : 'no audio',
	});
	const reference = describe(first);
	const problems: string[] = [];
	probes.slice(1).forEach((probe, index) => {
		const facts = describe(probe);
		for (const [name, value] of Object.entries(facts)) {
			const expected = reference[name as keyof typeof reference];
			if (value !== expected) problems.push(`clip ${index + 2} ${name} is ${value}, clip 1 is ${expected}`);
		}
	});
	return problems;
}

/**
 * The pictures are joined by stream copy (the concat demuxer); the sound is joined from each clip on its own and
 * encoded once. Copied AAC would carry every clip's encoder priming and padding (about 1,500 samples, 32 ms) into the
 * joined track, which players that play samples back to back hear as speech drifting 32 ms later per join.
 */
async function copyConcat(options: Job, probes: MediaFacts[], total: number): Promise<void> {
	// The list sits next to the output, in the caller's temp folder; clip paths are quoted for the list syntax.
	const list = join(dirname(options.output), `${basename(options.output)}.concat.txt`);
	const body = options.inputs.map((file) => `file '${file.replace(/'/g, "'\\''")}'`).join('\n');
	await writeFile(list, `ffconcat version 1.0\n${body}\n`);
	const pictures = ['-f', 'concat', '-safe', '0', '-i', list];
	if (!probes[0].audio) {
		await ffmpeg([...pictures, '-map', '0:v', '-c', 'copy', ...FASTSTART_ARGS, options.output], { onProgress: options.onProgress });
		return;
	}
	const sound = options.levelled
		? { inputs: ['-i', options.levelled.file], graph: levelledAudio(options.levelled, 1, total) }
		: { inputs: options.inputs.flatMap((file) => ['-i', file]), graph: joinedAudio(probes, 1) };
	await ffmpeg(
		[
			...pictures,
			...sound.inputs,
			'-filter_complex',
			sound.graph,
			'-map',
			'0:v',
			'-map',
			'[aout]',
			'-c:v',
			'copy',
			...AAC_ARGS,
			...FASTSTART_ARGS,
			options.output,
		],
		{ duration: total, onProgress: options.onProgress },
	);
}

/** The clips' sounds (inputs from `first` on) joined back to back as [aout]. */
function joinedAudio(probes: MediaFacts[], first: number): string {
	const sounds = probes.map((probe, index) => clipAudio(probe, first + index, `a${index}`));
	const labels = probes.map((_, index) => `[a${index}]`).join('');
	return `${sounds.join(';')};${labels}concat=n=${probes.length}:v=0:a=1[aout]`;
}

/** The levelled sound (input `input`) as [aout]: its gain, back in the clip audio format, exactly `duration` long. */
function levelledAudio(levelled: Levelled, input: number, duration: number): string {
	return `[${input}:a:0]${levelled.filter},${fitAudioFilter(duration)}[aout]`;
}

/**
 * When the join is asked for a loudness its clips do not say they have: the joined sound rendered once to PCM (a
 * decode, no encode), measured, and the gain planned on it. Null when there is nothing to do (no target, every clip
 * on it, no sound, silence, or already on target).
 */
async function levelSound(job: Job, probes: MediaFacts[], total: number): Promise<Levelled | null> {
	const loudness = job.loudness;
	if (!loudness || !probes.some((probe) => probe.audio)) return null;
	const target = { target: loudness.target ?? -14, truePeak: (loudness.truePeak ?? -1.5) - ENCODE_PEAK_ROOM_DB };
	// Mux marks the sound it brought to a target (and a scene with nothing to say as null): those need no measuring.
	const marked = probes.every((probe) => {
		const level = probe.audio?.loudness;
		return probe.audio === null || level === null || level === target.target;
	});
	if (marked) return null;
	const file = join(dirname(job.output), `${basename(job.output)}.sound.wav`);
	await ffmpeg(
		[
			...job.inputs.flatMap((input) => ['-i', input]),
			'-filter_complex',
			joinedAudio(probes, 0),
			'-map',
			'[aout]',
			'-c:a',
			'pcm_f32le',
			file,
		],
		{ duration: total },
	);
	const measured = await measureLoudness(file, target);
	if (!Number.isFinite(measured.integrated) || onTarget(measured, target)) return null;
	const plan = await planGain(file, measured, target);
	return plan ? { file, filter: plan.filter } : null;
}

/**
 * One clip's sound (input `input`) in the clip audio format, fitted to its own video length so sound stays in sync
 * across the joins; silence for a clip without sound.
 */
function clipAudio(probe: MediaFacts, input: number, label: string): string {
	const duration = videoDuration(probe);
	const source = probe.audio
		? `[${input}:a:0]aresample=${CLIP_FORMAT.audioRate},aformat=sample_fmts=fltp:channel_layouts=stereo,`
		: `anullsrc=r=${CLIP_FORMAT.audioRate}:cl=stereo,aformat=sample_fmts=fltp,`;
	return `${source}apad=whole_dur=${sec(duration)},atrim=duration=${sec(duration)},asetpts=PTS-STARTPTS[${label}]`;
}

/** Output geometry for re-encoding: the first clip's size and frame rate. */
function target(probes: MediaFacts[]) {
	const first = probes[0].video!;
	return {
		width: first.width,
		height: first.height,
		frameRate: first.fps > 0 ? first.frameRate : String(CLIP_FORMAT.fps),
	};
}

/**
 * One video and one audio label per clip, all at the same size, rate, timebase and audio format. With `hold`, every
 * clip's picture but the last is held on its last frame that much longer (the crossfade dissolves over the hold).
 * Without `withSound` only the pictures: a levelled sound is an input of its own.
 */
function normaliseInputs(probes: MediaFacts[], hold = 0, withSound = true): { filters: string[]; durations: number[] } {
	const { width, height, frameRate } = target(probes);
	const filters: string[] = [];
	const durations: number[] = [];
	probes.forEach((probe, index) => {
		const duration = videoDuration(probe);
		durations.push(duration);
		filters.push(
			`[${index}:v:0]fps=${frameRate},scale=${width}:${height}:force_original_aspect_ratio=decrease,` +
				`pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p,settb=AVTB,setpts=PTS-STARTPTS` +
				// trim first: a clip's video can run a frame past its stated length, and the hold must start at that length.
				(hold > 0 && index < probes.length - 1
					? `,trim=duration=${sec(duration)},tpad=stop_mode=clone:stop_duration=${sec(hold)}[v${index}]`
					: `[v${index}]`),
		);
		if (withSound) filters.push(clipAudio(probe, index, `a${index}`));
	});
	return { filters, durations };
}

/** The sound of a re-encode: the clips' own ([a0]…, joined) or the levelled one (one more input) as [aout]. */
function soundOf(options: Job, probes: MediaFacts[], duration: number): string {
	if (options.levelled) return levelledAudio(options.levelled, probes.length, duration);
	const sounds = probes.map((_, index) => `[a${index}]`).join('');
	return `${sounds}concat=n=${probes.length}:v=0:a=1[aout]`;
}

async function reencodeConcat(options: Job, probes: MediaFacts[], total: number): Promise<void> {
	const { filters } = normaliseInputs(probes, 0, !options.levelled);
	const pictures = probes.map((_, index) => `[v${index}]`).join('');
	filters.push(`${pictures}concat=n=${probes.length}:v=1:a=0[vout]`, soundOf(options, probes, total));
	await encode(options, filters, total);
}

/**
 * Crossfades without losing time: each clip but the last is held on its last frame for the fade, and the next clip
 * dissolves in over that hold. So every scene starts where it would without transitions, the video is as long as
 * its scenes, and subtitle cues built for back-to-back scenes stay right. The sound is joined back to back (no audio
 * fade): an acrossfade would take the overlap from the speech at both ends of a join.
 */
async function crossfade(options: Job, probes: MediaFacts[]): Promise<number> {
	const fade = options.transitionDuration ?? 0.5;
	const { filters, durations } = normaliseInputs(probes, fade, !options.levelled);
	const shortest = Math.min(...durations);
	if (!(fade > 0) || fade >= shortest) {
		const clip = durations.indexOf(shortest) + 1;
		throw new Error(
			`The transition duration (${sec(fade)} s) must be above 0 and shorter than the shortest clip ` +
				`(clip ${clip}, ${sec(shortest)} s). Lower the transition duration.`,
		);
	}
	// Clip k (from 0) starts at the sum of the clips before it, as in a plain join; its fade-in covers its first
	// `fade` seconds, over the held last frame of the clips before.
	let video = 'v0';
	let start = durations[0];
	for (let index = 1; index < probes.length; index++) {
		const v = index === probes.length - 1 ? 'vout' : `vx${index}`;
		filters.push(`[${video}][v${index}]xfade=transition=fade:duration=${sec(fade)}:offset=${sec(start)}[${v}]`);
		video = v;
		start += durations[index];
	}
	filters.push(soundOf(options, probes, start));
	await encode(options, filters, start);
	return start;
}

async function encode(options: Job, filters: string[], duration: number): Promise<void> {
	const inputs = [...options.inputs, ...(options.levelled ? [options.levelled.file] : [])].flatMap((file) => ['-i', file]);
	await ffmpeg(
		[
			...inputs,
			'-filter_complex',
			filters.join(';'),
			'-map',
			'[vout]',
			'-map',
			'[aout]',
			...H264_ARGS,
			...AAC_ARGS,
			// xfade rounds to whole frames; an explicit length keeps the result at the computed duration.
			'-t',
			sec(duration),
			...FASTSTART_ARGS,
			options.output,
		],
		{ duration, onProgress: options.onProgress },
	);
}
