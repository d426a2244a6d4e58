import type { Pcm } from './wav';

/**
 * Sample-rate conversion in-process, so a line of speech reaches the clip format without starting ffmpeg (starting
 * it once per line cost five times what espeak-ng itself takes). A windowed-sinc (Kaiser) interpolator: 16 taps,
 * cutoff at 97 % of the lower Nyquist frequency (ffmpeg's default), one precomputed filter per output phase. Speech
 * keeps its sound (the difference from ffmpeg's own resampler is ~45 dB below it, tested) at a few milliseconds per
 * second of audio; more taps cost time (bench/speech.ts) for a difference only at the top of the band.
 */

/** Taps on each side of the output instant. */
const HALF_TAPS = 8;
/** Kaiser window shape (β 6: ~60 dB stopband). */
const KAISER_BETA = 6;
/** The low-pass's cutoff as a share of the lower Nyquist frequency, as ffmpeg's resampler sets it. */
const CUTOFF = 0.97;
/** Rates whose ratio needs more phases than this are left to ffmpeg (odd rates, never espeak-ng's or the APIs'). */
export const MAX_PHASES = 4096;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** How many distinct filter phases converting `from` to `to` needs (to / gcd). */
export function phaseCount(from: number, to: number): number {
	return to / gcd(from, to);
}

/** Zeroth-order modified Bessel function of the first kind (for the Kaiser window). */
function bessel0(x: number): number {
	let sum = 1;
	let term = 1;
	for (let k = 1; k < 50; k++) {
		term *= (x / (2 * k)) ** 2;
		sum += term;
		if (term < 1e-12 * sum) break;
	}
	return sum;
}

/** One filter (2 × HALF_TAPS coefficients) per output phase, one after another, each normalised to unity gain. */
function filterBank(from: number, to: number): Float32Array {
	const phases = phaseCount(from, to);
	const width = 2 * HALF_TAPS;
	const step = from / to; // input samples per output sample
	const cutoff = (CUTOFF * Math.min(from, to)) / from; // as a share of the input Nyquist frequency
	const norm = bessel0(KAISER_BETA);
	const bank = new Float32Array(phases * width);
	for (let phase = 0; phase < phases; phase++) {
		// Output sample n sits at input position n × step; its fraction past the input sample repeats every `phases`.
		const position = phase * step;
		const fraction = position - Math.floor(position);
		let sum = 0;
		for (let k = 0; k < width; k++) {
			const distance = k - (HALF_TAPS - 1) - fraction; // from the output instant to input sample floor + k − HALF_TAPS + 1
			const x = cutoff * distance;
			const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
			const r = distance / HALF_TAPS;
			const tap = Math.abs(r) >= 1 ? 0 : (sinc * bessel0(KAISER_BETA * Math.sqrt(1 - r * r))) / norm;
			bank[phase * width + k] = tap;
			sum += tap;
		}
		for (let k = 0; k < width; k++) bank[phase * width + k] /= sum;
	}
	return bank;
}

const banks = new Map<string, Float32Array>();

/**
 * 16-bit PCM at `to` Hz; the length is the input's duration rounded up to a whole output sample, as ffmpeg gives it.
 * `stereo` turns mono into stereo on the way (as remixPcm does), which saves a pass over the samples.
 */
export function resamplePcm(pcm: Pcm, to: number, options: { stereo?: boolean } = {}): Pcm {
	const from = pcm.sampleRate;
	const spread = options.stereo === true && pcm.channels === 1;
	if (from === to) return spread ? remixPcm(pcm, 2) : pcm;
	if (!(from > 0 && to > 0 && Number.isInteger(from) && Number.isInteger(to))) {
		throw new Error(`Cannot resample ${from} Hz audio to ${to} Hz.`);
	}
	const phases = phaseCount(from, to);
	if (phases > MAX_PHASES) throw new Error(`Resampling ${from} Hz to ${to} Hz needs too many filter phases.`);
	const key = `${from}:${to}`;
	let bank = banks.get(key);
	if (!bank) {
		bank = filterBank(from, to);
		banks.set(key, bank);
	}
	const width = 2 * HALF_TAPS;
	const channels = pcm.channels;
	const input = samples(pcm);
	const frames = Math.floor(input.length / channels);
	const outFrames = Math.ceil((frames * to) / from);
	const outChannels = spread ? 2 : channels;
	const scale = spread ? Math.SQRT1_2 : 1;
	const output = new Int16Array(outFrames * outChannels);
	const inStep = from / gcd(from, to); // input samples advanced per `phases` output samples
	// Where each phase's window starts past its period's first input sample: floor(phase × from / to), in integers.
	const advance = new Int32Array(phases);
	for (let phase = 0; phase < phases; phase++) advance[phase] = Math.floor((phase * from) / to);
	// One channel at a time, zero-padded on both sides, so the inner loop needs no bounds checks.
	const padded = new Float32Array(frames + 3 * width);
	for (let c = 0; c < channels; c++) {
		for (let i = 0; i < frames; i++) padded[width + i] = input[i * channels + c];
		let period = width - HALF_TAPS + 1; // padded index of the first tap for output 0
		let phase = 0;
		for (let n = 0; n < outFrames; n++) {
			const first = period + advance[phase];
			const offset = phase * width;
			let acc = 0;
			for (let k = 0; k < width; k += 4) {
				// width is a multiple of 4: four taps a step keeps the loop short.
				acc +=
					padded[first + k] * bank[offset + k] +
					padded[first + k + 1] * bank[offset + k + 1] +
					padded[first + k + 2] * bank[offset + k + 2] +
					padded[first + k + 3] * bank[offset + k + 3];
			}
			const rounded = Math.round(acc * scale);
			const sample = rounded > 32767 ? 32767 : rounded < -32768 ? -32768 : rounded;
			output[n * outChannels + c] = sample;
			if (spread) output[n * 2 + 1] = sample;
			if (++phase === phases) {
				phase = 0;
				period += inStep;
			}
		}
	}
	return { sampleRate: to, channels: outChannels, data: Buffer.from(output.buffer) };
}

/**
 * Mono to stereo or stereo to mono with ffmpeg's own matrix (what `-ac` did before), so narration keeps its level:
 * mono goes to both channels at −3 dB (×√½); stereo folds to mono as the mean of the two channels.
 */
export function remixPcm(pcm: Pcm, channels: number): Pcm {
	if (pcm.channels === channels) return pcm;
	const input = samples(pcm);
	const frames = Math.floor(input.length / pcm.channels);
	const output = new Int16Array(frames * channels);
	if (pcm.channels === 1 && channels === 2) {
		for (let i = 0; i < frames; i++) output[2 * i] = output[2 * i + 1] = Math.round(input[i] * Math.SQRT1_2);
	} else if (pcm.channels === 2 && channels === 1) {
		for (let i = 0; i < frames; i++) output[i] = Math.round((input[2 * i] + input[2 * i + 1]) / 2);
	} else {
		throw new Error(`Cannot remix ${pcm.channels} channels to ${channels}.`);
	}
	return { sampleRate: pcm.sampleRate, channels, data: Buffer.from(output.buffer) };
}

/** The samples as 16-bit integers (little-endian hosts; a copy only when the bytes are not 2-aligned). */
function samples(pcm: Pcm): Int16Array {
	const data = pcm.data.byteOffset % 2 === 0 ? pcm.data : Buffer.from(pcm.data);
	return new Int16Array(data.buffer, data.byteOffset, Math.floor(data.length / 2));
}
