import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A 16-bit mono PCM WAV of a tone (speech stand-in) lasting `seconds`. */
export function toneWav(seconds: number, sampleRate = 48000, frequency = 330): Buffer {
	const frames = Math.max(1, Math.round(seconds * sampleRate));
	const data = Buffer.alloc(frames * 2);
	for (let i = 0; i < frames; i++) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * frequency * i) / sampleRate) * 12000), i * 2);
	const header = Buffer.alloc(44);
	header.write('RIFF', 0, 'ascii');
	header.writeUInt32LE(36 + data.length, 4);
	header.write('WAVEfmt ', 8, 'ascii');
	header.writeUInt32LE(16, 16);
	header.writeUInt16LE(1, 20);
	header.writeUInt16LE(1, 22);
	header.writeUInt32LE(sampleRate, 24);
	header.writeUInt32LE(sampleRate * 2, 28);
	header.writeUInt16LE(2, 32);
	header.writeUInt16LE(16, 34);
	header.write('data', 36, 'ascii');
	header.writeUInt32LE(data.length, 40);
	return Buffer.concat([header, data]);
}

/** A real MP3 (44.1 kHz, as mp3_44100_128) of a tone lasting `seconds`, made with ffmpeg. */
export async function toneMp3(seconds: number): Promise<Buffer> {
	const directory = await mkdtemp(join(tmpdir(), 'reelsmith-fake-mp3-'));
	try {
		const file = join(directory, 'tone.mp3');
		await new Promise<void>((resolve, reject) =>
			execFile(
				'ffmpeg',
				['-v', 'error', '-f', 'lavfi', '-i', `sine=frequency=280:sample_rate=44100:duration=${seconds.toFixed(3)}`, '-c:a', 'libmp3lame', '-b:a', '128k', file],
				(error, _out, stderr) => (error ? reject(new Error(`ffmpeg: ${stderr}`)) : resolve()),
			),
		);
		return await readFile(file);
	} finally {
		await rm(directory, { recursive: true, force: true });
	}
}
