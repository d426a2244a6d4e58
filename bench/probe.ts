/**
 * Probe storms (issue 12): the FFmpeg node's Concatenate step for 20 scenes (5 s, 1080p, the clip format) on a local
 * S3 endpoint, with complete references (each carries the stream facts the node that wrote it learned) and with bare
 * {bucket, key} references (each clip probed, a few at a time), beside the step's ffmpeg alone on the same local
 * files. Two more rows show the probing on its own: 20 ffprobe runs started at once (what the step did before) and
 * through the pool.
 *
 *   node --import tsx bench/probe.ts [--repeats 3] [--scenes 20]
 *   npm run bench:probe
 *
 * ffprobe runs are counted through a wrapper on REELSMITH_FFPROBE_PATH; the step's own count includes the one probe
 * of the joined video it uploads. Medians of alternating repeats; "cores" is the children's CPU time / wall time.
 */
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IExecuteFunctions } from 'n8n-workflow';
import { alternate, argument, machine, medianOf, table } from './media';

const REPEATS = Math.max(3, argument('repeats', 3));
const SCENES = argument('scenes', 20);
/** Complete references: the step costs at most this much more than its ffmpeg (download, upload, one probe). */
const TARGET_COMPLETE = 1.5;

async function main(): Promise<void> {
	const root = await mkdtemp(join(tmpdir(), 'reelsmith-bench-probe-'));
	// Every ffprobe the nodes start goes through this wrapper, which leaves one line per run.
	const counter = join(root, 'ffprobe-runs.txt');
	const wrapper = join(root, 'ffprobe');
	await writeFile(counter, '');
	await writeFile(wrapper, `#!/bin/sh\necho run >> '${counter}'\nexec ${process.env.REELSMITH_FFPROBE_PATH || 'ffprobe'} "$@"\n`);
	await chmod(wrapper, 0o755);
	process.env.REELSMITH_FFPROBE_PATH = wrapper;
	const runs = async () => (await readFile(counter, 'utf8')).split('\n').filter(Boolean).length;

	// Imported after the wrapper is in place: the transport reads the binary's path when it loads.
	const { startLocalS3 } = await import('../initialization/services/s3');
	const { Storage } = await import('../nodes/shared/transport/storage');
	const concatStep = await import('../nodes/FFmpeg/actions/concat.operation');
	const { concatClips } = await import('../nodes/FFmpeg/lib/concat');
	const { mapWithConcurrency } = await import('../nodes/shared/router');
	const { PROBE_CONCURRENCY, probeStreams } = await import('../nodes/FFmpeg/lib/probe');
	const { renderClip } = await import('../nodes/shared/render');
	const { joinedKey } = await import('../nodes/shared/keys');

	const startLoad = machine();
	const s3dir = join(root, 's3');
	await mkdir(s3dir);
	const server = await startLocalS3({ directory: s3dir });
	const credential = {
		endpoint: server.endpoint,
		region: 'us-east-1',
		accessKey: server.accessKey,
		secretKey: server.secretKey,
		bucket: 'reelsmith-bench',
		forcePathStyle: true,
	};
	const storage = new Storage(credential);
	try {
		await storage.ensureBucket();
		// One scene in the clip format, stored under 20 scene keys (the join does not care that they look alike).
		const renderDir = join(root, 'render');
		await mkdir(renderDir);
		const scene = await renderClip(
			{
				scene: { number: 1, heading: 'INT. KITCHEN - NIGHT', action: 'The phone rings.', dialogue: [], characters: [], duration: 5 } as never,
				style: 'terminal',
				preset: 'youtube',
				width: 1920,
				height: 1080,
				fps: 30,
				duration: 5,
			},
			renderDir,
		);
		const facts = await probeStreams(scene);
		const local: string[] = [];
		const complete: object[] = [];
		const bare: object[] = [];
		for (let index = 1; index <= SCENES; index++) {
			const key = `runs/bench/scenes/${String(index).padStart(3, '0')}/scene.mp4`;
			const uploaded = await storage.uploadFile(scene, key, 'video/mp4');
			complete.push({ ...uploaded, duration: facts.duration, width: 1920, height: 1080, media: facts });
			bare.push({ bucket: uploaded.bucket, key });
			const file = join(root, `scene-${index}.mp4`);
			await copyFile(scene, file);
			local.push(file);
		}

		// The operation as the node's item loop calls it, with what it reads of the n8n context.
		const step = (clips: object[]) => async () => {
			const parameters: Record<string, unknown> = { clips, mode: 'auto', transition: 'none', outputKey: joinedKey('bench') };
			const context = {
				getNodeParameter: (name: string, _item: number, fallback?: unknown) => parameters[name] ?? fallback,
				getInputData: () => [{ json: { runId: 'bench' } }],
				getNode: () => ({ id: 'ffmpeg-1', name: 'FFmpeg', type: 'n8n-nodes-reelsmith.ffmpeg', typeVersion: 1, position: [0, 0], parameters: {} }),
				getCredentials: async () => credential,
				logger: { debug: () => undefined },
			};
			await concatStep.execute.call(context as unknown as IExecuteFunctions, 0);
		};
		let output = 0;
		const probeCounts: Record<string, number[]> = {};
		const counted = (name: string, work: () => Promise<unknown>) => async () => {
			const before = await runs();
			await work();
			(probeCounts[name] ??= []).push((await runs()) - before);
		};
		const samples = await alternate(REPEATS, {
			complete: counted('complete', step(complete)),
			bare: counted('bare', step(bare)),
			// The step's ffmpeg on its own: the same command (pictures copied, sound joined once), facts given.
			ffmpeg: counted('ffmpeg', () =>
				concatClips({ inputs: local.map((file) => ({ file, known: facts })), output: join(root, `joined-${++output}.mp4`) }),
			),
			storm: counted('storm', () => Promise.all(local.map((file) => probeStreams(file)))),
			pool: counted('pool', () => mapWithConcurrency(local, PROBE_CONCURRENCY, (file) => probeStreams(file))),
		});

		const base = medianOf(samples.ffmpeg).seconds;
		const row = (label: string, name: string, target?: number) => {
			const { seconds, cores } = medianOf(samples[name]);
			const ratio = seconds / base;
			const result = target === undefined ? '' : ratio <= target ? 'met' : 'MISSED';
			return [label, seconds.toFixed(2), ratio.toFixed(2), target === undefined ? '—' : String(target), result, String(Math.max(...probeCounts[name])), cores.toFixed(2)];
		};
		console.log(
			`\nConcatenate step, ${SCENES} scenes of 5 s 1080p (clip format), local S3; median of ${REPEATS} alternating repeats.`,
		);
		console.log(`Start: ${startLoad}\n`);
		console.log(
			table(
				['what', 'seconds', 'vs ffmpeg alone', 'target', 'result', 'ffprobe runs', 'cores (cpu/wall)'],
				[
					row('concat step, complete references', 'complete', TARGET_COMPLETE),
					row('concat step, bare {bucket, key} references', 'bare'),
					row("the step's ffmpeg alone (baseline)", 'ffmpeg'),
					row(`${SCENES} ffprobe runs at once (the step before)`, 'storm'),
					row(`${SCENES} ffprobe runs, ${PROBE_CONCURRENCY} at a time`, 'pool'),
				],
			),
		);
		console.log(`\nEnd: ${machine()}`);
	} finally {
		await server.stop();
		await rm(root, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
