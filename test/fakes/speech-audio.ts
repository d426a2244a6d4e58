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
				[
					'-v',
					'error',
					'-f',
					'lavfi',
					'-i',
					`sine=frequency=280:sample_rate=44100:duration=${seconds.toFixed(3)}`,
					'-c:a',
					'libmp3lame',
					'-b:a',
					'128k',
					file,
				],
				(error, _out, stderr) => (error ? reject(new Error(`ffmpeg: ${stderr}`)) : resolve()),
			),
		);
		return await readFile(file);
	} finally {
		await rm(directory, { recursive: true, force: true });
	}
}

/**
 * Seeded faults of the speech fakes, for the reliability suite (reset by each fake's reset()): a share of answers
 * whose audio is cut short (the first 40 % of its bytes, the header and timings still those of the whole) and a share
 * whose audio is no audio at all (a gateway's HTML page, base64-encoded as audio would be).
 */
export interface SpeechKnobs {
	truncatedShare: number;
	invalidShare: number;
	/** The dice; seed it (test/fakes/chaos.ts seededRandom) to replay a trial. */
	random?: () => number;
}

export const NOT_AUDIO = Buffer.from('<html><body>502 Bad Gateway</body></html>\n');

export const quietKnobs = (): SpeechKnobs => ({ truncatedShare: 0, invalidShare: 0, random: undefined });

/** The audio as the knobs deal it (one roll per answer), counted in `dealt`. */
export function dealAudio(knobs: SpeechKnobs, audio: Buffer, dealt: { truncated: number; invalid: number }): Buffer {
	if (!knobs.truncatedShare && !knobs.invalidShare) return audio;
	const roll = (knobs.random ?? Math.random)();
	if (roll < knobs.invalidShare) {
		dealt.invalid += 1;
		return NOT_AUDIO;
	}
	if (roll < knobs.invalidShare + knobs.truncatedShare) {
		dealt.truncated += 1;
		return audio.subarray(0, Math.floor(audio.length * 0.4));
	}
	return audio;
}
