import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { toClipPcm } from '../../nodes/TextToSpeech/lib/audio';
import { remixPcm, resamplePcm } from '../../nodes/TextToSpeech/lib/resample';
import { pcmDuration, type Pcm } from '../../nodes/TextToSpeech/lib/wav';

/** A mono 16-bit sine of `seconds` at `rate` Hz. */
function sine(frequency: number, rate: number, seconds: number, amplitude = 10_000): Pcm {
	const frames = Math.round(rate * seconds);
	const samples = new Int16Array(frames);
	for (let i = 0; i < frames; i++) samples[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequency * i) / rate));
	return { sampleRate: rate, channels: 1, data: Buffer.from(samples.buffer) };
}

const channel = (pcm: Pcm, c: number) => {
	const all = new Int16Array(pcm.data.buffer, pcm.data.byteOffset, pcm.data.length / 2);
	return Array.from({ length: all.length / pcm.channels }, (_, i) => all[i * pcm.channels + c]);
};
/** Level away from the edges (the filter's start and end ramp). */
const peak = (values: number[]) => Math.max(...values.slice(200, -200).map(Math.abs));
const crossings = (values: number[]) => values.slice(1).filter((v, i) => (values[i] < 0) !== (v < 0)).length;

describe('speech into the clip format without ffmpeg', () => {
	test("espeak-ng's 22,050 Hz mono becomes 48 kHz stereo of the same length, pitch and level (−3 dB per channel, as ffmpeg)", () => {
		const line = sine(440, 22050, 2);
		const clip = toClipPcm(line);
		assert.equal(clip.sampleRate, 48000);
		assert.equal(clip.channels, 2);
		assert.equal(clip.data.length / 4, Math.ceil((44100 * 48000) / 22050), 'every input sample, rounded up to whole output samples');
		assert.equal(pcmDuration(clip), pcmDuration(line));
		const left = channel(clip, 0);
		assert.deepEqual(channel(clip, 1), left, 'both channels carry the line');
		assert.ok(Math.abs(crossings(left) - crossings(channel(line, 0))) <= 1, 'same pitch: as many zero crossings');
		const expected = 10_000 * Math.SQRT1_2;
		assert.ok(Math.abs(peak(left) - expected) / expected < 0.01, `peak ${peak(left)}, expected ${expected.toFixed(0)}`);
	});

	test('sibilants above the new Nyquist frequency are filtered out when the rate goes down, not folded back', () => {
		// 20 kHz at 48 kHz → 24 kHz (Nyquist 12 kHz): would alias to 4 kHz at full level without the low-pass.
		const out = resamplePcm(sine(20_000, 48000, 0.5), 24000);
		assert.ok(peak(channel(out, 0)) < 30, `residue ${peak(channel(out, 0))} of 10000`);
		const speech = resamplePcm(sine(3_000, 48000, 0.5), 24000);
		assert.ok(Math.abs(peak(channel(speech, 0)) - 10_000) < 150, 'a 3 kHz voice band tone passes at its level');
	});

	test('audio already in the clip format is passed on untouched; stereo folds to mono as the mean', () => {
		const stereo = remixPcm(sine(1000, 48000, 0.1), 2);
		assert.equal(toClipPcm(stereo), stereo);
		const back = remixPcm(stereo, 1);
		assert.deepEqual(channel(back, 0), channel(stereo, 0));
	});
});
