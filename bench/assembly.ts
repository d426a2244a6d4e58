/**
 * P2 assembly (issue 12): the FFmpeg node's assembly steps as workflows/assembly.json chains them — Join scenes
 * (concat), Normalise loudness, Export preset (youtube, a remux with faststart) — over N × 5 s 1080p scenes with
 * narration, ÷ the raw-ffmpeg floor: copy concat, one measure pass (ebur128), one audio-only apply pass (gain +
 * true-peak limiter, video copied, faststart). Target ≤ 1.2. And a re-encode-everything approach (concat filter,
 * one-pass loudnorm, x264 veryfast) ÷ ours: target ≥ 10.
 *
 *   node --import tsx bench/assembly.ts [--scenes 20] [--repeats 3]
 *
 * The scenes are made once, as the pipeline makes them: espeak-ng narration through Text to Speech's own path, put
 * on one 5 s 1080p picture with FFmpeg → Mux, with the run's loudness target (as workflows/generate-scene.json does)
 * and, for the second row, without it (scenes at their own level, as before, or clips from elsewhere). Ours calls
 * the lib functions the operations run, on local files: the object store's download and upload are not included.
 * Median of alternating repeats; the load average at the start and the end.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatClips } from '../nodes/FFmpeg/lib/concat';
import { H264_ARGS, AAC_ARGS, FASTSTART_ARGS } from '../nodes/FFmpeg/lib/encoding';
import { exportForPreset } from '../nodes/FFmpeg/lib/export';
import { gainFilter, measureLoudness, normaliseLoudness } from '../nodes/FFmpeg/lib/loudness';
import { muxNarration } from '../nodes/FFmpeg/lib/mux';
import { probeStreams, type MediaFacts } from '../nodes/FFmpeg/lib/probe';
import { presetByName } from '../nodes/shared/presets';
import { ffmpeg } from '../nodes/shared/transport/ffmpeg';
import { clipPcmOf, joinLines } from '../nodes/TextToSpeech/lib/audio';
import { writeWav, type Pcm } from '../nodes/TextToSpeech/lib/wav';
import { espeakProvider } from '../nodes/TextToSpeech/providers/espeak';
import { alternate, argument, load, median, printTable } from './ratio';

const TARGET_FLOOR = 1.2;
const TARGET_REENCODE = 10;
const LOUDNESS = { target: -14, truePeak: -1.5 };

const LINES: Array<[string, string]> = [
	['en-gb+m3', 'The kettle whistles. Alice pours two cups.'],
	['en-us+f3', 'You are late again, and the milk is gone.'],
	['en-us+m3', 'I found the key by the roses.'],
	['en-gb-scotland+m1', 'Someone has been at the tomatoes.'],
	['en-gb+f2', 'Did you see that? Walk faster.'],
];

type Scene = { file: string; known: MediaFacts };

/** Scene files with the facts their references carry, as the Mux node gives them (it marks a sound it levelled). */
async function makeScenes(dir: string, count: number): Promise<{ atTarget: Scene[]; ownLevel: Scene[] }> {
	const picture = join(dir, 'picture.mp4');
	await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30', '-t', '5', ...H264_ARGS, ...FASTSTART_ARGS, picture]);
	const speech = espeakProvider.create({});
	const atTarget: Scene[] = [];
	const ownLevel: Scene[] = [];
	for (let scene = 0; scene < count; scene++) {
		const work = join(dir, `scene-${scene}`);
		await mkdir(work);
		const audio: Pcm[] = [];
		for (const offset of [0, 1]) {
			const [voice, text] = LINES[(scene + offset) % LINES.length];
			const result = await speech.synthesize({ text: `${text} Scene ${scene + 1}.`, voice, directory: work });
			audio.push(await clipPcmOf(result, join(work, `line-${offset}.wav`)));
		}
		const narration = join(work, 'narration.wav');
		await writeWav(narration, joinLines(audio, { leadIn: 0.2, gap: 0.3 }).track);
		const levelled = join(work, 'scene.mp4');
		const own = join(work, 'scene-own-level.mp4');
		await muxNarration({ video: picture, audio: narration, output: levelled, loudness: { target: LOUDNESS.target } });
		await muxNarration({ video: picture, audio: narration, output: own });
		const facts = await probeStreams(levelled);
		atTarget.push({ file: levelled, known: { ...facts, audio: facts.audio && { ...facts.audio, loudness: LOUDNESS.target } } });
		ownLevel.push({ file: own, known: await probeStreams(own) });
	}
	return { atTarget, ownLevel };
}

async function main() {
	const count = Number(argument('scenes', '20'));
	const repeats = Number(argument('repeats', '3'));
	const skipReencode = process.argv.includes('--no-reencode');
	const loadAtStart = load();
	const dir = await mkdtemp(join(tmpdir(), 'reelsmith-bench-assembly-'));
	try {
		process.stderr.write(`making ${count} scenes in ${dir} …\n`);
		const scenes = await makeScenes(dir, count);
		let round = 0;
		const out = (name: string) => join(dir, `${name}-${round++}.mp4`);
		const preset = presetByName('youtube');
		const facts: Record<string, string> = {};

		const ours = (inputs: Scene[], label: string) => async () => {
			const steps: string[] = [];
			const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
				const start = process.hrtime.bigint();
				const value = await fn();
				steps.push(`${name} ${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(2)} s`);
				return value;
			};
			const joined = out('concat');
			// As assembly.json joins: at the run's loudness target (scenes not at it are levelled in the join's encode).
			await step('concat', () => concatClips({ inputs, output: joined, loudness: LOUDNESS }));
			const loud = out('loudness');
			const result = await step('loudness', () => normaliseLoudness({ input: joined, output: loud, ...LOUDNESS }));
			const exported = await step('export', () => exportForPreset({ input: loud, output: out('final'), preset }));
			facts[label] =
				`joined ${result.input.integrated} LUFS / ${result.input.truePeak} dBTP → ${result.normalizationType}, ${result.passes} encode(s): ` +
				`${result.message} Export ${exported.reencoded ? 're-encoded' : 'remuxed'}. Last round: ${steps.join(', ')}`;
		};

		const floor = async () => {
			const list = join(dir, 'floor-list.txt');
			await writeFile(list, scenes.ownLevel.map(({ file }) => `file '${file}'`).join('\n'));
			const joined = out('floor-concat');
			await ffmpeg(['-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', joined]);
			const measured = await measureLoudness(joined, LOUDNESS);
			const { filter } = gainFilter(LOUDNESS.target - measured.integrated, measured.truePeak, LOUDNESS.truePeak);
			await ffmpeg(['-i', joined, '-map', '0:v', '-c:v', 'copy', '-map', '0:a', '-af', `${filter},aresample=48000`, ...AAC_ARGS, ...FASTSTART_ARGS, out('floor-final')]);
		};

		const reencode = async () => {
			const inputs = scenes.ownLevel.flatMap(({ file }) => ['-i', file]);
			const pairs = scenes.ownLevel.map((_, index) => `[${index}:v:0][${index}:a:0]`).join('');
			await ffmpeg([
				...inputs,
				'-filter_complex',
				`${pairs}concat=n=${count}:v=1:a=1[v][a0];[a0]loudnorm=I=${LOUDNESS.target}:TP=${LOUDNESS.truePeak},aresample=48000[a]`,
				'-map', '[v]', '-map', '[a]', ...H264_ARGS, ...AAC_ARGS, ...FASTSTART_ARGS, out('reencode'),
			]);
		};

		const contenders: Record<string, () => Promise<unknown>> = {
			ours: ours(scenes.atTarget, 'ours'),
			floor,
			'ours, scenes at their own level': ours(scenes.ownLevel, 'ours, scenes at their own level'),
		};
		if (!skipReencode) contenders['re-encode everything'] = reencode;
		const times = await alternate(repeats, contenders);
		const base = median(times.floor);
		const rows = [
			{ step: 'assembly (scenes muxed at the target) / floor', ours: median(times.ours), baseline: base, ratio: 'ours/baseline' as const, target: TARGET_FLOOR },
			{ step: 'assembly (scenes at own level) / floor', ours: median(times['ours, scenes at their own level']), baseline: base, ratio: 'ours/baseline' as const },
		];
		if (!skipReencode) {
			rows.push({ step: 're-encode everything / assembly', ours: median(times.ours), baseline: median(times['re-encode everything']), ratio: 'baseline/ours' as const, target: TARGET_REENCODE } as never);
		}
		const missed = printTable(`P2 assembly: ${count} × 5 s 1080p scenes with espeak-ng narration; median of ${repeats} alternating repeats`, rows);
		for (const [label, fact] of Object.entries(facts)) console.log(`${label}: ${fact}`);
		console.log(`load average at start ${loadAtStart}, at end ${load()}`);
		if (missed.length > 0) console.log(`MISSED: ${missed.map((row) => row.step).join('; ')}`);
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

void main();
