import { readFile, writeFile } from 'node:fs/promises';
import { CLIP_FORMAT } from '../../shared/presets';
import { ffmpeg } from '../../shared/transport/ffmpeg';
import { ProviderError } from '../../shared/transport/http';
import { MAX_PHASES, phaseCount, remixPcm, resamplePcm } from './resample';
import { parseWav, readWav, silence, type Pcm } from './wav';

/**
 * Any provider's audio as the clip audio format in PCM: 48 kHz stereo 16-bit WAV, canonical header
 * (-bitexact keeps ffmpeg's LIST chunk out), so lines and the scene track join by sample count.
 */
export async function toClipWav(input: string, output: string): Promise<void> {
	await ffmpeg([
		'-i',
		input,
		'-map',
		'0:a:0',
		'-ar',
		String(CLIP_FORMAT.audioRate),
		'-ac',
		String(CLIP_FORMAT.audioChannels),
		'-c:a',
		'pcm_s16le',
		'-bitexact',
		'-f',
		'wav',
		output,
	]);
}

/**
 * A provider's audio (a file, or in memory as espeak-ng gives it) as clip-format PCM. 16-bit PCM WAV (espeak-ng,
 * Google's LINEAR16) is converted here, in the process; anything else (MP3, other sample formats) goes through
 * ffmpeg into `scratch`.
 */
export async function clipPcmOf(source: string | { file?: string; audio?: Buffer }, scratch: string): Promise<Pcm> {
	const { file, audio } = typeof source === 'string' ? { file: source, audio: undefined } : source;
	const bytes = audio ?? (file ? await readFile(file) : null);
	if (!bytes) throw new Error('The speech provider returned neither a file nor audio.');
	const pcm = inProcessWav(bytes);
	if (pcm) return toClipPcm(pcm);
	let input = file;
	if (!input) {
		input = `${scratch}.source`;
		await writeFile(input, bytes);
	}
	await toClipWav(input, scratch);
	return readWav(scratch);
}

/** The WAV when this process can convert it, else null (ffmpeg then does). */
function inProcessWav(bytes: Buffer): Pcm | null {
	let pcm: Pcm;
	try {
		pcm = parseWav(bytes);
	} catch {
		return null;
	}
	if (pcm.channels !== 1 && pcm.channels !== 2) return null;
	return phaseCount(pcm.sampleRate, CLIP_FORMAT.audioRate) <= MAX_PHASES ? pcm : null;
}

/** 16-bit PCM in the clip format (48 kHz stereo): resampled, then mono copied to both channels. */
export function toClipPcm(pcm: Pcm): Pcm {
	const stereo = CLIP_FORMAT.audioChannels === 2;
	return remixPcm(resamplePcm(pcm, CLIP_FORMAT.audioRate, { stereo }), CLIP_FORMAT.audioChannels);
}

export interface PlacedLine {
	/** Seconds from the track start. */
	start: number;
	end: number;
}

/**
 * The scene track: `leadIn` seconds of silence, then the lines with `gap` seconds between them. A line marked in
 * `together` (dual dialogue) starts with the line before it and the two are mixed; the next line follows the longer.
 * Times come from sample counts, so they are exact to the sample.
 */
export function joinLines(lines: Pcm[], options: { leadIn: number; gap: number; together?: boolean[] }): { track: Pcm; placed: PlacedLine[] } {
	const sampleRate = CLIP_FORMAT.audioRate;
	const channels = CLIP_FORMAT.audioChannels;
	const frameBytes = channels * 2;
	const gapBytes = silence(options.gap, sampleRate, channels).length;
	// Where each line starts (bytes), and where the track ends so far.
	const starts: number[] = [];
	let end = silence(options.leadIn, sampleRate, channels).length;
	lines.forEach((line, index) => {
		if (line.sampleRate !== sampleRate || line.channels !== channels) {
			throw new Error(`Line ${index + 1} is ${line.sampleRate} Hz / ${line.channels} ch; expected ${sampleRate} Hz stereo.`);
		}
		const start = index === 0 ? end : options.together?.[index] ? starts[index - 1] : end + gapBytes;
		starts.push(start);
		end = Math.max(end, start + line.data.length);
	});
	const data = Buffer.alloc(end);
	lines.forEach((line, index) => {
		if (!options.together?.[index] || index === 0) {
			line.data.copy(data, starts[index]);
			return;
		}
		// Two voices at once: add the samples, clipped to 16 bits.
		for (let offset = 0; offset + 1 < line.data.length; offset += 2) {
			const at = starts[index] + offset;
			data.writeInt16LE(Math.max(-32768, Math.min(32767, data.readInt16LE(at) + line.data.readInt16LE(offset))), at);
		}
	});
	const seconds = (bytes: number) => bytes / frameBytes / sampleRate;
	const placed = lines.map((line, index) => ({ start: seconds(starts[index]), end: seconds(starts[index] + line.data.length) }));
	return { track: { sampleRate, channels, data }, placed };
}

/**
 * A provider answered audio that is cut short or is no audio at all. Not "down" (the next answer is likely fine), and
 * never stored as the scene's narration: the line is asked for once more (retakeBrokenAudio), then fails in words.
 */
export class BrokenAudioError extends ProviderError {
	constructor(message: string) {
		super(message);
		this.name = 'BrokenAudioError';
	}
}

/** The first bytes of a file that should have been audio, printable, for the message ("starting <html>…"). */
export function describeBytes(bytes: Buffer): string {
	const head = bytes
		.subarray(0, 24)
		.toString('latin1')
		.replace(/[^\x20-\x7e]+/g, ' ')
		.trim();
	return `${bytes.length} bytes${head ? `, starting "${head}"` : ''}`;
}

/**
 * `take` once more when its audio came back broken (paid again, for a reason: the first answer is unusable; `retaken`
 * says so, for the cost line); broken twice, the line fails saying so.
 */
export async function retakeBrokenAudio<T>(take: () => Promise<T>): Promise<{ value: T; retaken: boolean }> {
	try {
		return { value: await take(), retaken: false };
	} catch (error) {
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- provider code: the operation wraps it in a NodeOperationError naming the scene
		if (!(error instanceof BrokenAudioError)) throw error;
	}
	try {
		return { value: await take(), retaken: true };
	} catch (error) {
		if (error instanceof BrokenAudioError) error.message = `${error.message} It came back broken twice; run the scene again.`;
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- provider code: the operation wraps it in a NodeOperationError naming the scene
		throw error;
	}
}
