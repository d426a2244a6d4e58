import { readFile, writeFile } from 'node:fs/promises';
import type { MediaFacts } from '../../shared/refs';

/** 16-bit PCM WAV: enough to time lines exactly and to join them with silence by sample count. */
export interface Pcm {
	sampleRate: number;
	channels: number;
	/** Interleaved 16-bit little-endian samples. */
	data: Buffer;
}

export function pcmDuration(pcm: Pcm): number {
	return pcm.data.length / (pcm.sampleRate * pcm.channels * 2);
}

/** Reads a PCM WAV, walking its chunks (ffmpeg and espeak add LIST/INFO chunks). */
export function parseWav(buffer: Buffer, name = 'audio', options: { whole?: boolean } = {}): Pcm {
	if (buffer.length < 12 || buffer.toString('ascii', 0, 4) !== 'RIFF' || buffer.toString('ascii', 8, 12) !== 'WAVE') {
		throw new Error(`${name} is not a WAV file.`);
	}
	let offset = 12;
	let format: { channels: number; sampleRate: number; bits: number; code: number } | undefined;
	while (offset + 8 <= buffer.length) {
		const id = buffer.toString('ascii', offset, offset + 4);
		let size = buffer.readUInt32LE(offset + 4);
		const body = offset + 8;
		if (id === 'fmt ') {
			format = {
				code: buffer.readUInt16LE(body),
				channels: buffer.readUInt16LE(body + 2),
				sampleRate: buffer.readUInt32LE(body + 4),
				bits: buffer.readUInt16LE(body + 14),
			};
		} else if (id === 'data') {
			if (!format) throw new Error(`${name}: the WAV data comes before its format.`);
			if (format.bits !== 16 || (format.code !== 1 && format.code !== 0xfffe)) {
				throw new Error(`${name}: only 16-bit PCM WAV is supported (got ${format.bits}-bit, format ${format.code}).`);
			}
			// Streamed WAVs may leave the size unset (0 or 0xFFFFFFFF): then the data runs to the end. A size the file
			// does not reach is a file cut off on its way; `whole` says so instead of playing what arrived.
			const unset = size === 0 || size === 0xffffffff;
			if (options.whole && !unset && body + size > buffer.length) {
				throw new Error(`${name} is cut short: its header promises ${size} bytes of audio, ${buffer.length - body} arrived.`);
			}
			if (unset || body + size > buffer.length) size = buffer.length - body;
			const frameBytes = format.channels * 2;
			const usable = size - (size % frameBytes);
			return { sampleRate: format.sampleRate, channels: format.channels, data: buffer.subarray(body, body + usable) };
		}
		offset = body + size + (size % 2);
	}
	throw new Error(`${name}: the WAV file has no audio data.`);
}

export async function readWav(file: string): Promise<Pcm> {
	return parseWav(await readFile(file), file);
}

export function wavBuffer(pcm: Pcm): Buffer {
	const header = Buffer.alloc(44);
	header.write('RIFF', 0, 'ascii');
	header.writeUInt32LE(36 + pcm.data.length, 4);
	header.write('WAVE', 8, 'ascii');
	header.write('fmt ', 12, 'ascii');
	header.writeUInt32LE(16, 16);
	header.writeUInt16LE(1, 20);
	header.writeUInt16LE(pcm.channels, 22);
	header.writeUInt32LE(pcm.sampleRate, 24);
	header.writeUInt32LE(pcm.sampleRate * pcm.channels * 2, 28);
	header.writeUInt16LE(pcm.channels * 2, 32);
	header.writeUInt16LE(16, 34);
	header.write('data', 36, 'ascii');
	header.writeUInt32LE(pcm.data.length, 40);
	return Buffer.concat([header, pcm.data]);
}

export async function writeWav(file: string, pcm: Pcm): Promise<void> {
	await writeFile(file, wavBuffer(pcm));
}

/** Silence of `seconds`, rounded to whole sample frames. */
export function silence(seconds: number, sampleRate: number, channels: number): Buffer {
	return Buffer.alloc(Math.max(0, Math.round(seconds * sampleRate)) * channels * 2);
}

/**
 * The stream facts of a WAV this node wrote (its PCM and the stored size), as ffprobe would report them: they
 * travel in the narration reference, so muxing it onto the clip needs no probe.
 */
export function wavFacts(pcm: Pcm, bytes: number): MediaFacts {
	const duration = pcmDuration(pcm);
	return {
		duration,
		formatName: 'wav',
		video: null,
		// A plain PCM header names no channel layout, so ffprobe reports none.
		audio: { codec: 'pcm_s16le', sampleRate: pcm.sampleRate, channels: pcm.channels, channelLayout: '', duration },
		subtitles: [],
		faststart: false,
		bytes,
	};
}
