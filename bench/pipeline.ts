/**
 * Stack-level benchmarks of issue 12, through a real stack (embedded Postgres, local S3, n8n with the workflows):
 *
 * - P1 pipeline overhead: webhook → final MP4 of a 6-scene offline run (rules planner, local renderer, espeak-ng),
 *   from the POST to the run's finished_at, ÷ the same media work done directly in this script on local files (no
 *   n8n, no object store): the same renderer, espeak-ng provider, mux, concat, loudness and export functions, scenes
 *   made in batches of the run's concurrency as the Generation workflow does. Target ≤ 1.15.
 * - P3 concurrency: 12 scenes against the Kling fake with task latency L, request concurrency 3 (the batch size) and
 *   Kling's provider limit 3 (kling.json; generate-scene.json leaves the node's Provider Concurrency empty, so the
 *   data default holds): the generation stage (events 'generation' started → finished) ÷ 4L. Target ≤ 1.10.
 * - P4 memory: peak RSS of each n8n process (main, task runner) during a 5-scene and a 50-scene offline run of short
 *   scenes, after an unmeasured 1-scene run (the first run's peak is n8n loading code); growth (50 − 5) ≤ 64 MiB.
 * - P6 scale-out: provider-bound runs (Kling fake with latency L) in queue mode, 2 workers vs 1: throughput ratio
 *   ≥ 1.8. Each worker runs one job at a time (--p6-worker-concurrency 1) and each run has one scene by default: Kling's
 *   limit of 3 tasks at once holds for the whole installation (the ledger's slot), so runs of 3 scenes are bound by
 *   the provider, not by the workers, whatever their number (--p6-scenes 3 shows it).
 *
 *   node --import tsx bench/pipeline.ts [--only P1,P3,P4,P6] [--repeats 3] [--latency 20] [--quick] [--timeline]
 *
 * Every repeat is printed as it ends; the table at the end has the medians, each target beside it and MISSED where
 * a target is not met. The load average is printed at the start and the end: other work on the machine shows there.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildPackage, ensureInstalled, startStack, type Stack, type StackOptions } from '../initialization/stack';
import { SIGNATURE_HEADER, signBody } from '../nodes/Campaign/lib/auth';
import { concatClips, exportForPreset, muxNarration, normaliseLoudness } from '../nodes/FFmpeg/lib';
import { CLIP_FORMAT, presetByName } from '../nodes/shared/presets';
import { clipPcmOf, joinLines } from '../nodes/TextToSpeech/lib/audio';
import { linesToSpeak, type NarrateAction } from '../nodes/TextToSpeech/lib/script';
import { castVoices } from '../nodes/TextToSpeech/lib/voices';
import { silence, writeWav, type Pcm } from '../nodes/TextToSpeech/lib/wav';
import { espeakProvider } from '../nodes/TextToSpeech/providers/espeak';
import { clipDuration } from '../nodes/VideoGeneration/actions/generate.operation';
import type { ClipRequest } from '../nodes/VideoGeneration/providers/types';
import { renderClip } from '../nodes/shared/render';
import { FakeKling } from '../test/fakes/kling';
import { makeClip } from '../test/fixtures/media/make';
import { freePort } from '../test/helpers/ports';
import { deleteKeys, redisReachable, TEST_REDIS } from '../test/helpers/redis';
import { markedRun } from './reliability/env';
import { n8nMemory, peaks, sampleMemory } from './lib/memory';
import { generationTimeline } from './lib/timeline';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const value = (name: string) => {
	const index = argv.indexOf(`--${name}`);
	return index >= 0 ? argv[index + 1] : undefined;
};
const QUICK = flag('quick');
const number = (name: string, full: number, quick: number) => Number(value(name) ?? (QUICK ? quick : full));
const ONLY = new Set((value('only') ?? 'P1,P3,P4,P6').split(',').map((name) => name.trim().toUpperCase()));
const REPEATS = number('repeats', 3, 1);
/** Seconds a Kling fake task takes (P3, P6). */
const LATENCY = number('latency', 20, 5);
const P1_SCENES = 6;
const P3_SCENES = number('p3-scenes', 12, 6);
const P4_SMALL = 5;
const P4_LARGE = number('p4-scenes', 50, 20);
const P6_RUNS = number('p6-runs', 6, 4);
const P6_SCENES = number('p6-scenes', 1, 1);
const P6_WORKER_CONCURRENCY = number('p6-worker-concurrency', 1, 1);
/** The 1080p delivery preset by default; --quick uses the square one (less to encode, same commands). */
const PRESET = value('preset') ?? (QUICK ? 'square' : 'youtube');
const KLING_KEYS = { accessKey: 'bench-kling-access', secretKey: 'bench-kling-secret-0123456789abcdef' };

interface Row {
	name: string;
	ours: string;
	baseline: string;
	ratio: number;
	target: string;
	met: boolean;
	note?: string;
}
const rows: Row[] = [];

const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const load = () =>
	loadavg()
		.map((n) => n.toFixed(2))
		.join(' ');
const log = (line: string) => console.log(`[bench:pipeline] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------------
// The stack and its runs

interface Bench {
	stack: Stack;
	db: pg.Pool;
	kling: FakeKling;
	dataDir: string;
	stop(): Promise<void>;
}

async function startBench(label: string, options: { queue?: StackOptions['queue']; maxRunning: number }): Promise<Bench> {
	const dataDir = await mkdtemp(join(tmpdir(), `reelsmith-bench-pipeline-${label}-`));
	// A 5 s clip as every Kling task's result (what the reliability suite serves too).
	const clip = await makeClip(join(dataDir, 'kling-clip.mp4'), { width: 640, height: 360, duration: 5 });
	const kling = await new FakeKling(KLING_KEYS.accessKey, KLING_KEYS.secretKey, clip).start();
	log(`${label}: starting the stack (${options.queue ? `queue mode, ${options.queue.workers} worker(s)` : 'regular mode'}) …`);
	const stack = await startStack({
		dataDir,
		n8nPort: await freePort(),
		queue: options.queue,
		n8nEnv: { REELSMITH_MAX_RUNNING: String(options.maxRunning) },
		log: () => {},
		providerKeys: { kling: { ...KLING_KEYS, baseUrl: kling.url } },
	});
	const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 3 });
	return {
		stack,
		db,
		kling,
		dataDir,
		async stop() {
			await db.end().catch(() => {});
			await stack.stop().catch(() => {});
			await kling.stop().catch(() => {});
			await rm(dataDir, { recursive: true, force: true });
		},
	};
}

/** POSTs a run as the dashboard does (signed body); returns the run id and the time the POST was sent. */
async function postRun(bench: Bench, body: Record<string, unknown>): Promise<{ runId: string; postedAt: number }> {
	const bytes = Buffer.from(JSON.stringify(body));
	const postedAt = Date.now();
	const response = await fetch(`${bench.stack.webhookBase}/reelsmith/runs`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(bench.stack.webhookToken, bytes) },
		body: new Uint8Array(bytes),
	});
	const answer = (await response.json().catch(() => ({}))) as { runId?: string };
	if (response.status !== 202 || !answer.runId) throw new Error(`the webhook answered ${response.status} ${JSON.stringify(answer).slice(0, 200)}`);
	return { runId: answer.runId, postedAt };
}

/** Waits until every run completed (throws on a failed one); returns their rows. */
async function waitCompleted(bench: Bench, runIds: string[], boundMs: number) {
	const started = Date.now();
	for (;;) {
		const { rows: runs } = await bench.db.query('select id, status, error, started_at, finished_at from runs where id = any($1::uuid[])', [runIds]);
		const failed = runs.find((run) => run.status === 'failed' || run.status === 'cancelled');
		if (failed) throw new Error(`run ${failed.id} ${failed.status}: ${String(failed.error ?? '').slice(0, 300)}`);
		if (runs.length === runIds.length && runs.every((run) => run.status === 'completed')) return runs;
		if (Date.now() - started > boundMs) throw new Error(`runs not completed after ${Math.round(boundMs / 1000)} s`);
		await sleep(200);
	}
}

/** An offline run: rules planner, one planning pass, local clips, espeak-ng. */
function offlineRun(marker: string, scenes: number, extra: Record<string, unknown> = {}) {
	return markedRun(marker, scenes, {
		title: `Bench ${marker}`,
		campaign: 'Bench pipeline',
		preset: PRESET,
		video: ['local'],
		speech: ['espeak'],
		...extra,
	});
}

// ---------------------------------------------------------------------------------------------------------------
// P1: the same media work without n8n

interface PlanScene {
	number: number;
	duration?: number;
	[key: string]: unknown;
}

/** The run's final plan and options, as its stages read them. */
async function runPlan(bench: Bench, runId: string) {
	const { rows: plans } = await bench.db.query('select plan from plan_versions where run_id = $1 order by version desc limit 1', [runId]);
	const { rows: runs } = await bench.db.query('select options from runs where id = $1', [runId]);
	return { plan: plans[0].plan as { scenes: PlanScene[]; characters?: unknown }, options: runs[0].options as Record<string, any> };
}

/** One scene as generate-scene.json makes it: speak the lines, render the clip, put the narration on it. */
async function directScene(scene: PlanScene, characters: unknown, narrateAction: NarrateAction, directory: string): Promise<string> {
	await mkdir(directory, { recursive: true });
	const speech = espeakProvider.create({ credentials: {} } as never);
	const cast = castVoices({
		characters,
		voiceMap: {},
		narratorVoice: espeakProvider.narratorVoice,
		characterVoices: espeakProvider.characterVoices,
		voiceForScript: espeakProvider.voiceForScript,
	});
	const spoken = linesToSpeak(scene, narrateAction);
	const audio: Pcm[] = [];
	for (const [index, line] of spoken.entries()) {
		const voice = line.kind === 'dialogue' ? cast.voiceFor(line.speaker, line.text) : cast.narratorFor(line.text);
		const result = await speech.synthesize({ text: line.text, voice, directory });
		audio.push(await clipPcmOf(result, join(directory, `line-${index + 1}.wav`)));
	}
	let track: Pcm;
	let lines: ClipRequest['lines'];
	if (audio.length) {
		const joined = joinLines(audio, { leadIn: 0.2, gap: 0.3, together: spoken.map((line) => line.together === true) });
		track = joined.track;
		lines = spoken.map((line, index) => ({ speaker: line.speaker, text: line.text, kind: line.kind, ...joined.placed[index] }));
	} else {
		const seconds = Number(scene.duration) > 0 ? Number(scene.duration) : 1;
		track = {
			sampleRate: CLIP_FORMAT.audioRate,
			channels: CLIP_FORMAT.audioChannels,
			data: silence(seconds, CLIP_FORMAT.audioRate, CLIP_FORMAT.audioChannels),
		};
	}
	const narration = join(directory, 'narration.wav');
	await writeWav(narration, track);
	const preset = presetByName(PRESET);
	const request: ClipRequest = {
		scene: scene as never,
		style: 'titleCard',
		preset: PRESET,
		width: preset.width,
		height: preset.height,
		fps: CLIP_FORMAT.fps,
		duration: clipDuration(scene as never, { duration: track.data.length / (track.sampleRate * track.channels * 2) }),
		lines,
	};
	const clip = await renderClip(request, directory);
	const output = join(directory, 'scene.mp4');
	await muxNarration({ video: clip, audio: narration, output });
	return output;
}

/** The whole run's media work on local files: scenes in batches of `concurrency`, then join, loudness, export. */
async function directRun(plan: Awaited<ReturnType<typeof runPlan>>): Promise<number> {
	const directory = await mkdtemp(join(tmpdir(), 'reelsmith-bench-direct-'));
	const started = Date.now();
	try {
		const concurrency = Number(plan.options.concurrency) || 3;
		const narrateAction = (plan.options.narrateAction ?? 'whenNoDialogue') as NarrateAction;
		const scenes: string[] = [];
		for (let at = 0; at < plan.plan.scenes.length; at += concurrency) {
			const batch = plan.plan.scenes.slice(at, at + concurrency);
			scenes.push(
				...(await Promise.all(
					batch.map((scene) => directScene(scene, plan.plan.characters, narrateAction, join(directory, `scene-${scene.number}`))),
				)),
			);
		}
		const joined = join(directory, 'joined.mp4');
		await concatClips({ inputs: scenes, output: joined, mode: 'auto', transition: 'none' });
		const loud = join(directory, 'loudness.mp4');
		await normaliseLoudness({ input: joined, output: loud, target: Number(plan.options.loudnessTarget ?? -14), truePeak: -1.5 });
		await exportForPreset({ input: loud, output: join(directory, 'final.mp4'), preset: presetByName(PRESET) });
		return (Date.now() - started) / 1000;
	} finally {
		await rm(directory, { recursive: true, force: true });
	}
}

async function p1(bench: Bench): Promise<void> {
	const ours: number[] = [];
	const direct: number[] = [];
	for (let repeat = 1; repeat <= REPEATS; repeat++) {
		const { runId, postedAt } = await postRun(bench, offlineRun(`P1R${repeat}X${randomBytes(2).toString('hex')}`, P1_SCENES));
		const [run] = await waitCompleted(bench, [runId], 30 * 60_000);
		ours.push((new Date(run.finished_at).getTime() - postedAt) / 1000);
		direct.push(await directRun(await runPlan(bench, runId)));
		log(`P1 repeat ${repeat}: ours ${ours.at(-1)!.toFixed(1)} s, direct ${direct.at(-1)!.toFixed(1)} s (load ${load()})`);
	}
	const ratio = median(ours) / median(direct);
	rows.push({
		name: `P1 pipeline overhead (${P1_SCENES} scenes, ${PRESET})`,
		ours: `${median(ours).toFixed(1)} s`,
		baseline: `${median(direct).toFixed(1)} s direct`,
		ratio,
		target: '<= 1.15',
		met: ratio <= 1.15,
	});
}

// ---------------------------------------------------------------------------------------------------------------
// P3: generation against a slow provider

async function p3(bench: Bench): Promise<void> {
	bench.kling.knobs.taskMs = LATENCY * 1000;
	const ideal = Math.ceil(P3_SCENES / 3) * LATENCY;
	const times: number[] = [];
	try {
		for (let repeat = 1; repeat <= REPEATS; repeat++) {
			const body = offlineRun(`P3R${repeat}X${randomBytes(2).toString('hex')}`, P3_SCENES, { video: ['kling'], concurrency: 3 });
			const { runId } = await postRun(bench, body);
			await waitCompleted(bench, [runId], 30 * 60_000);
			const { rows: events } = await bench.db.query<{ seconds: number }>(
				`select extract(epoch from max(created_at) filter (where status = 'finished') - min(created_at) filter (where status = 'started'))::float as seconds
				   from events where run_id = $1 and stage = 'generation' and scene_number is null`,
				[runId],
			);
			times.push(events[0].seconds);
			// --timeline: where the stage's time went, from the ledger, the fake's log, events and n8n's execution data.
			if (flag('timeline')) {
				const lines = await generationTimeline({ db: bench.db, n8nDatabaseUrl: bench.stack.n8nDatabaseUrl, runId, log: bench.kling.log }).catch(
					(error) => [`timeline not read: ${(error as Error).message}`],
				);
				for (const line of lines) log(`P3 timeline: ${line}`);
			}
			log(
				`P3 repeat ${repeat}: generation ${times.at(-1)!.toFixed(1)} s against ${ideal} s ideal; Kling saw at most ${bench.kling.log.maxInFlight} task(s) in flight (load ${load()})`,
			);
		}
	} finally {
		bench.kling.knobs.taskMs = 0;
	}
	const ratio = median(times) / ideal;
	rows.push({
		name: `P3 concurrency (${P3_SCENES} scenes, L ${LATENCY} s, limit 3)`,
		ours: `${median(times).toFixed(1)} s`,
		baseline: `${ideal} s (${Math.ceil(P3_SCENES / 3)}L)`,
		ratio,
		target: '<= 1.10',
		met: ratio <= 1.1,
	});
}

// ---------------------------------------------------------------------------------------------------------------
// P4: memory of a small and a large run

async function p4(bench: Bench): Promise<void> {
	const roots = () => [bench.stack.main.pid, ...bench.stack.workers.map((worker) => worker.pid)].filter((pid): pid is number => !!pid);
	const peakOf = async (scenes: number) => {
		const sampler = sampleMemory(roots, 250);
		// Short scenes: one line each, at the smallest preset, so 50 scenes take minutes.
		const { runId } = await postRun(bench, offlineRun(`P4N${scenes}X${randomBytes(2).toString('hex')}`, scenes, { preset: 'square' }));
		try {
			await waitCompleted(bench, [runId], 90 * 60_000);
		} finally {
			await sampler.stop();
		}
		return peaks(sampler.samples);
	};
	const mib = (memory: Map<string, number>) => [...memory].map(([role, size]) => `${role} ${size.toFixed(0)} MiB`).join(', ');
	// The first run after n8n starts loads the package, the SDKs and the workflows: its peak (800 MiB once, against
	// 550 for a later 50-scene run) says nothing of the run's size, so an unmeasured run of one scene goes first.
	const warmUp = await peakOf(1);
	log(`P4 warm-up (1 scene, not counted): ${mib(warmUp)} (load ${load()})`);
	log(`P4 idle before the ${P4_SMALL}-scene run: ${mib(await n8nMemory(roots()))}`);
	const small = await peakOf(P4_SMALL);
	log(`P4 ${P4_SMALL} scenes: ${mib(small)} (load ${load()})`);
	log(`P4 idle before the ${P4_LARGE}-scene run: ${mib(await n8nMemory(roots()))}`);
	const large = await peakOf(P4_LARGE);
	log(`P4 ${P4_LARGE} scenes: ${mib(large)} (load ${load()})`);
	log(`P4 idle after it: ${mib(await n8nMemory(roots()))}`);
	if (!small.size || !large.size) {
		// A sampler that sees nothing must not pass as "no growth".
		rows.push({ name: 'P4 memory', ours: 'no n8n process found', baseline: '-', ratio: NaN, target: 'growth <= 64 MiB', met: false });
	}
	for (const role of new Set([...small.keys(), ...large.keys()])) {
		const growth = (large.get(role) ?? 0) - (small.get(role) ?? 0);
		rows.push({
			name: `P4 memory, ${role}`,
			ours: `${(large.get(role) ?? 0).toFixed(0)} MiB at ${P4_LARGE} scenes`,
			baseline: `${(small.get(role) ?? 0).toFixed(0)} MiB at ${P4_SMALL}`,
			ratio: growth,
			target: 'growth <= 64 MiB',
			met: growth <= 64,
			note: 'ratio column = growth in MiB',
		});
	}
}

// ---------------------------------------------------------------------------------------------------------------
// P6: queue mode, 1 worker vs 2

/**
 * Where a run's time went, mean over the runs: queued (accepted → started), each stage (its 'started' → 'finished'
 * events) and the rest of the run. Shows whether the workers wait on the provider or on the CPU.
 */
async function stageBreakdown(bench: Bench, runIds: string[]): Promise<string> {
	const { rows: stages } = await bench.db.query<{ stage: string; seconds: number }>(
		`select stage, avg(seconds)::float as seconds from (
		   select run_id, stage, extract(epoch from max(created_at) filter (where status = 'finished') - min(created_at) filter (where status = 'started')) as seconds
		     from events where run_id = any($1::uuid[]) and scene_number is null group by run_id, stage) per_run
		  where seconds is not null group by stage order by 2 desc`,
		[runIds],
	);
	const { rows: runs } = await bench.db.query<{ queued: number; running: number }>(
		`select avg(extract(epoch from started_at - queued_at))::float as queued, avg(extract(epoch from finished_at - started_at))::float as running
		   from runs where id = any($1::uuid[])`,
		[runIds],
	);
	const parts = stages.map((row) => `${row.stage} ${row.seconds.toFixed(1)} s`);
	return `queued ${runs[0].queued.toFixed(1)} s, running ${runs[0].running.toFixed(1)} s (${parts.join(', ')})`;
}

async function p6Throughput(workers: number): Promise<number> {
	const prefix = `rs-bench-pipeline-${randomBytes(3).toString('hex')}`;
	const bench = await startBench(`P6-${workers}w`, {
		queue: { workers, concurrency: P6_WORKER_CONCURRENCY, redis: TEST_REDIS, prefix },
		maxRunning: P6_RUNS,
	});
	try {
		bench.kling.knobs.taskMs = LATENCY * 1000;
		const results: number[] = [];
		for (let repeat = 1; repeat <= REPEATS; repeat++) {
			const started = Date.now();
			const posted = await Promise.all(
				Array.from({ length: P6_RUNS }, (_, index) =>
					postRun(
						bench,
						offlineRun(`P6W${workers}R${repeat}N${index + 1}X${randomBytes(2).toString('hex')}`, P6_SCENES, { video: ['kling'], preset: 'square' }),
					),
				),
			);
			await waitCompleted(
				bench,
				posted.map((run) => run.runId),
				30 * 60_000,
			);
			const seconds = (Date.now() - started) / 1000;
			results.push((P6_RUNS * 60) / seconds);
			log(
				`P6 ${workers} worker(s) repeat ${repeat}: ${P6_RUNS} runs in ${seconds.toFixed(1)} s = ${results.at(-1)!.toFixed(2)} runs/min (load ${load()})`,
			);
			log(
				`P6 ${workers} worker(s) repeat ${repeat}, mean per run: ${await stageBreakdown(
					bench,
					posted.map((run) => run.runId),
				).catch((error) => `not read (${error.message})`)}; Kling at most ${bench.kling.log.maxInFlight} task(s) in flight`,
			);
		}
		return median(results);
	} finally {
		await bench.stop();
		await deleteKeys(`${prefix}:*`);
	}
}

async function p6(): Promise<void> {
	if (!(await redisReachable())) {
		rows.push({
			name: 'P6 scale-out',
			ours: 'not measured',
			baseline: `no Redis at ${TEST_REDIS.host}:${TEST_REDIS.port}`,
			ratio: NaN,
			target: '>= 1.8',
			met: false,
		});
		return;
	}
	// Stacks are started one after the other; the repeats alternate within each stack, not between them (a stack
	// start costs a minute).
	const one = await p6Throughput(1);
	const two = await p6Throughput(2);
	const ratio = two / one;
	rows.push({
		name: `P6 scale-out (${P6_RUNS} runs x ${P6_SCENES} scene, L ${LATENCY} s, worker concurrency ${P6_WORKER_CONCURRENCY})`,
		ours: `${two.toFixed(2)} runs/min, 2 workers`,
		baseline: `${one.toFixed(2)} runs/min, 1 worker`,
		ratio,
		target: '>= 1.8',
		met: ratio >= 1.8,
	});
}

// ---------------------------------------------------------------------------------------------------------------

function printTable(loadAtStart: string): void {
	const header = ['benchmark', 'ours', 'baseline', 'ratio', 'target', 'met'];
	const cells = rows.map((row) => [
		row.name,
		row.ours,
		row.baseline,
		Number.isFinite(row.ratio) ? row.ratio.toFixed(2) : '-',
		row.target,
		row.met ? 'met' : 'MISSED',
	]);
	const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column].length)));
	const line = (values: string[]) => values.map((text, column) => text.padEnd(widths[column])).join('  ');
	console.log(
		`\nbench:pipeline${QUICK ? ' --quick' : ''} · ${cpus().length} cores · repeats ${REPEATS} · load average at start ${loadAtStart}, at end ${load()}\n`,
	);
	console.log(line(header));
	console.log(line(widths.map((width) => '-'.repeat(width))));
	for (const values of cells) console.log(line(values));
	for (const row of rows.filter((row) => row.note)) console.log(`  ${row.name}: ${row.note}`);
}

async function main(): Promise<void> {
	const loadAtStart = load();
	await ensureInstalled(() => {});
	await buildPackage(() => {});
	try {
		if (ONLY.has('P1') || ONLY.has('P3') || ONLY.has('P4')) {
			const bench = await startBench('regular', { maxRunning: 2 });
			try {
				if (ONLY.has('P1')) await p1(bench);
				if (ONLY.has('P3')) await p3(bench);
				if (ONLY.has('P4')) await p4(bench);
			} finally {
				await bench.stop();
			}
		}
		if (ONLY.has('P6')) await p6();
	} finally {
		printTable(loadAtStart);
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
