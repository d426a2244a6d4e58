import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, test } from 'vitest';
import { clipPcmOf, toClipWav } from '../../nodes/TextToSpeech/lib/audio';
import { readWav, type Pcm } from '../../nodes/TextToSpeech/lib/wav';
import { useWorkDir } from '../helpers/work-dir';

const work = useWorkDir('reelsmith-tts-audio-');

const samples = (pcm: Pcm) => new Int16Array(pcm.data.buffer, pcm.data.byteOffset, pcm.data.length / 2);
const rmsDb = (values: Int16Array) => 10 * Math.log10(values.reduce((sum, v) => sum + v * v, 0) / values.length);

describe('a line of espeak-ng speech in the clip format', () => {
	test('converted in the process, it matches what ffmpeg made of it: format, length, level and sound', async () => {
		const line = work.file('line.wav');
		await promisify(execFile)('espeak-ng', ['-w', line, 'The kettle whistles. Alice pours two cups, and Bob finds the key.']);
		const ours = await clipPcmOf(line, work.file('unused.wav'));
		await toClipWav(line, work.file('ffmpeg.wav'));
		const ffmpeg = await readWav(work.file('ffmpeg.wav'));

		assert.deepEqual([ours.sampleRate, ours.channels], [ffmpeg.sampleRate, ffmpeg.channels]);
		assert.ok(Math.abs(ours.data.length - ffmpeg.data.length) <= 4, `${ours.data.length} vs ${ffmpeg.data.length} bytes`);
		const a = samples(ours);
		const b = samples(ffmpeg);
		assert.ok(Math.abs(rmsDb(a) - rmsDb(b)) < 0.1, `level ${rmsDb(a).toFixed(2)} vs ${rmsDb(b).toFixed(2)} dB`);
		// Same waveform, in time: the difference is 40 dB below the speech (the two low-pass filters differ near 11 kHz).
		const n = Math.min(a.length, b.length);
		let signal = 0;
		let error = 0;
		for (let i = 0; i < n; i++) {
			signal += b[i] * b[i];
			error += (a[i] - b[i]) ** 2;
		}
		assert.ok(10 * Math.log10(signal / error) > 40, `difference ${(10 * Math.log10(signal / error)).toFixed(1)} dB below the speech`);
	});

	test('audio the process cannot read (MP3) still goes through ffmpeg', async () => {
		const mp3 = work.file('line.mp3');
		await promisify(execFile)('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=1', '-c:a', 'libmp3lame', mp3]);
		const pcm = await clipPcmOf(mp3, work.file('mp3.wav'));
		assert.deepEqual([pcm.sampleRate, pcm.channels], [48000, 2]);
		assert.ok(Math.abs(pcm.data.length / 4 / 48000 - 1) < 0.06, `${pcm.data.length / 4 / 48000} s`);
	});
});
