/**
 * Speech (issue 12): the espeak-ng path of Text to Speech for a set of scene lines ÷ espeak-ng alone, called once per
 * line, for the same lines, voices, rates and pitches. Target ≤ 1.5.
 *
 *   node --import tsx bench/speech.ts [--repeats 5]
 *
 * Ours is what Synthesize Scene does with each line, without the object store: the provider (voice check, text
 * file, espeak-ng), conversion to the clip format (48 kHz stereo 16-bit), the line's WAV, then the scene tracks
 * joined and written. The former path (an ffmpeg conversion per line, lib/audio.ts toClipWav) is timed beside it
 * for comparison. Median of alternating repeats; the load average at the start and the end.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { clipPcmOf, joinLines, toClipWav } from '../nodes/TextToSpeech/lib/audio';
import { pcmDuration, readWav, writeWav, type Pcm } from '../nodes/TextToSpeech/lib/wav';
import { espeakProvider } from '../nodes/TextToSpeech/providers/espeak';
import type { SpeechResult } from '../nodes/TextToSpeech/providers/types';
import voices from '../nodes/TextToSpeech/data/voices.json';
import { alternate, argument, load, median, printTable } from './ratio';

const TARGET = 1.5;

/** Three scenes' worth of lines: short replies, long narration, the cast's voices. */
const SCENES: Array<Array<[string, string]>> = [
	[
		['en-gb+m3', 'The kettle whistles. Alice pours two cups and sets one by the window.'],
		['en-us+m3', 'Is the kettle on?'],
		['en-us+f3', 'It has been on since six. You are late again, and the milk is gone.'],
		['en-us+m3', 'I found the key by the roses.'],
	],
	[
		['en-gb+m3', 'Rain on the greenhouse roof. Bob kneels between the seed trays, counting under his breath.'],
		['en-us+f3', 'Of course you did.'],
		['en-gb-scotland+m1', 'Forty two, forty three. Someone has been at the tomatoes.'],
		['en-us+f3', 'Nobody has been at your tomatoes, Bob. Come inside before you catch your death.'],
	],
	[
		['en-gb+m3', 'Night. The street is empty but for a fox, which stops under the lamp and looks back.'],
		['en-gb+f2', 'Did you see that?'],
		['en-us+m3', 'See what?'],
		['en-gb+f2', 'Never mind. Walk faster.'],
	],
];

const VOICES = voices.espeak.voices as Array<{ id: string; pitch?: number; rate?: number }>;
const settings = (voice: string) => {
	const known = VOICES.find((entry) => entry.id === voice);
	return { rate: known?.rate ?? voices.espeak.rate, pitch: known?.pitch ?? 50 };
};

async function main() {
	const repeats = Number(argument('repeats', '5'));
	const loadAtStart = load();
	const dir = await mkdtemp(join(tmpdir(), 'reelsmith-bench-speech-'));
	const speech = espeakProvider.create({});
	let round = 0;
	let spokenSeconds = 0;

	/** Synthesize Scene's work per scene, with `convert` turning the provider's file into clip-format PCM. */
	const ourPath = (convert: (result: SpeechResult, scratch: string) => Promise<Pcm>) => async () => {
		const work = join(dir, `ours-${round++}`);
		await promisify(execFile)('mkdir', ['-p', work]);
		let seconds = 0;
		for (const [sceneIndex, lines] of SCENES.entries()) {
			const audio: Pcm[] = [];
			for (const [index, [voice, text]] of lines.entries()) {
				const result = await speech.synthesize({ text, voice, directory: work });
				const file = join(work, `scene-${sceneIndex}-line-${index}.wav`);
				const pcm = await convert(result, `${file}.converted.wav`);
				await writeWav(file, pcm);
				audio.push(pcm);
			}
			const { track } = joinLines(audio, { leadIn: 0.2, gap: 0.3 });
			await writeWav(join(work, `scene-${sceneIndex}.wav`), track);
			seconds += pcmDuration(track);
		}
		spokenSeconds = seconds;
	};

	/** espeak-ng once per line, nothing else. */
	const espeakAlone = async () => {
		const work = join(dir, `espeak-${round++}`);
		await promisify(execFile)('mkdir', ['-p', work]);
		for (const [sceneIndex, lines] of SCENES.entries()) {
			for (const [index, [voice, text]] of lines.entries()) {
				const { rate, pitch } = settings(voice);
				const textFile = join(work, `${sceneIndex}-${index}.txt`);
				await writeFile(textFile, text);
				await promisify(execFile)('espeak-ng', ['-b', '1', `-v${voice}`, '-s', String(rate), '-p', String(pitch), '-w', join(work, `${sceneIndex}-${index}.wav`), '-f', textFile]);
			}
		}
	};

	try {
		// Warm-up: the voice list, the resampler's filter, the JIT.
		await ourPath(clipPcmOf)();
		await espeakAlone();
		const times = await alternate(repeats, {
			ours: ourPath(clipPcmOf),
			'espeak-ng alone': espeakAlone,
			// espeak-ng's WAV written to a file for ffmpeg, as that path had it.
			'ffmpeg per line': ourPath(async (result, scratch) => {
				await writeFile(`${scratch}.espeak.wav`, result.audio!);
				await toClipWav(`${scratch}.espeak.wav`, scratch);
				return readWav(scratch);
			}),
		});
		const lineCount = SCENES.flat().length;
		const baseline = median(times['espeak-ng alone']);
		const missed = printTable(
			`Speech: ${lineCount} lines in ${SCENES.length} scenes, ${spokenSeconds.toFixed(1)} s of scene tracks; median of ${repeats} alternating repeats`,
			[
				{ step: 'espeak-ng path (Synthesize Scene, no store)', ours: median(times.ours), baseline, ratio: 'ours/baseline', target: TARGET },
				{ step: 'former path: an ffmpeg conversion per line', ours: median(times['ffmpeg per line']), baseline, ratio: 'ours/baseline' },
			],
		);
		const perSecond = (value: number) => `${(value / spokenSeconds).toFixed(3)} s`;
		console.log(
			`\nwork per second of speech: ours ${perSecond(median(times.ours))}, espeak-ng alone ${perSecond(baseline)}, ` +
				`former path ${perSecond(median(times['ffmpeg per line']))}`,
		);
		console.log(`load average at start ${loadAtStart}, at end ${load()}`);
		if (missed.length > 0) console.log(`MISSED: ${missed.map((row) => row.step).join('; ')}`);
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

void main();
