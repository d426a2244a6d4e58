import { CLIP_FORMAT } from '../../shared/presets';
import { ffmpeg } from '../../shared/transport/ffmpeg';
import { silence, type Pcm } from './wav';

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

export interface PlacedLine {
	/** Seconds from the track start. */
	start: number;
	end: number;
}

/**
 * The scene track: `leadIn` seconds of silence, then the lines with `gap` seconds between them.
 * Times come from sample counts, so they are exact to the sample.
 */
export function joinLines(lines: Pcm[], options: { leadIn: number; gap: number }): { track: Pcm; placed: PlacedLine[] } {
	const sampleRate = CLIP_FORMAT.audioRate;
	const channels = CLIP_FORMAT.audioChannels;
	const frameBytes = channels * 2;
	const parts: Buffer[] = [silence(options.leadIn, sampleRate, channels)];
	const placed: PlacedLine[] = [];
	let bytes = parts[0].length;
	lines.forEach((line, index) => {
		if (line.sampleRate !== sampleRate || line.channels !== channels) {
			throw new Error(`Line ${index + 1} is ${line.sampleRate} Hz / ${line.channels} ch; expected ${sampleRate} Hz stereo.`);
		}
		if (index > 0) {
			const gap = silence(options.gap, sampleRate, channels);
			parts.push(gap);
			bytes += gap.length;
		}
		const start = bytes / frameBytes / sampleRate;
		parts.push(line.data);
		bytes += line.data.length;
		placed.push({ start, end: bytes / frameBytes / sampleRate });
	});
	return { track: { sampleRate, channels, data: Buffer.concat(parts) }, placed };
}
