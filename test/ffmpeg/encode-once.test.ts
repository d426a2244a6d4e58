/**
 * Assembly encodes the sound once (issue 12): clips that were not muxed at the target (someone's own clips) get their
 * gain in the join's own audio encode, so Loudness only measures them; scenes Mux brought to the target are not
 * measured again by the join. ffmpeg runs are counted through a wrapper on REELSMITH_FFMPEG_PATH (as bench/probe.ts
 * counts ffprobe), in place before the transport reads it; an audio encode is a run with "-c:a aac".
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import { concatClips } from '../../nodes/FFmpeg/lib/concat';
import { measureLoudness, normaliseLoudness } from '../../nodes/FFmpeg/lib/loudness';
import { probeStreams } from '../../nodes/FFmpeg/lib/probe';
import { makeClip, tempDir } from '../fixtures/media/make';

const runsFile = vi.hoisted(() => {
	const { chmodSync, mkdtempSync, writeFileSync } = process.getBuiltinModule('node:fs');
	const { tmpdir } = process.getBuiltinModule('node:os');
	const { join } = process.getBuiltinModule('node:path');
	const dir = mkdtempSync(join(tmpdir(), 'reelsmith-ffmpeg-count-'));
	const file = join(dir, 'runs.txt');
	const wrapper = join(dir, 'ffmpeg');
	writeFileSync(file, '');
	writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${file}'\nexec ${process.env.REELSMITH_FFMPEG_PATH || 'ffmpeg'} "$@"\n`);
	chmodSync(wrapper, 0o755);
	process.env.REELSMITH_FFMPEG_PATH = wrapper;
	return file;
});

const runs = async () => (await readFile(runsFile, 'utf8')).split('\n').filter(Boolean);
/** The ffmpeg runs `work` starts, and how many of them encode audio. */
async function counted(work: () => Promise<unknown>): Promise<{ runs: number; audioEncodes: number }> {
	const before = (await runs()).length;
	await work();
	const started = (await runs()).slice(before);
	return { runs: started.length, audioEncodes: started.filter((args) => / -c:a aac /.test(` ${args} `)).length };
}

describe('assembly encodes the sound once', () => {
	let tmp: Awaited<ReturnType<typeof tempDir>>;
	let quiet: string[];
	let wider: string;
	beforeAll(async () => {
		tmp = await tempDir();
		// Own clips: in the clip format, but their sound 20 dB or more under the delivery loudness.
		quiet = [];
		for (const [index, gainDb] of [-32, -36, -30].entries()) {
			quiet.push(await makeClip(tmp.path(`own-${index}.mp4`), { duration: 1.5, gainDb, frequency: 300 + 100 * index }));
		}
		wider = await makeClip(tmp.path('wider.mp4'), { duration: 1.5, width: 640, height: 360, gainDb: -34 });
	}, 60_000);
	afterAll(() => tmp.cleanup());

	const joinThenLoudness = (inputs: string[], name: string, target?: number) => async () => {
		const joined = tmp.path(`${name}-joined.mp4`);
		const concat = await concatClips({ inputs, output: joined, loudness: target === undefined ? undefined : { target } });
		const loudness = await normaliseLoudness({ input: joined, output: tmp.path(`${name}-final.mp4`), target: -14 });
		return { concat, loudness };
	};

	it('own clips joined with the target are encoded once: Loudness finds them on target and passes them on', async () => {
		let result: Awaited<ReturnType<ReturnType<typeof joinThenLoudness>>> | undefined;
		const levelled = await counted(async () => (result = await joinThenLoudness(quiet, 'levelled', -14)()));
		assert.equal(result!.concat.mode, 'copy', 'the pictures are still copied');
		assert.equal(levelled.audioEncodes, 1);
		assert.equal(result!.loudness.passes, 0);
		assert.equal(result!.loudness.normalizationType, 'unchanged (on target)');
		const final = await measureLoudness(tmp.path('levelled-final.mp4'));
		assert.ok(Math.abs(final.integrated + 14) <= 0.5, `final ${final.integrated} LUFS`);
		assert.ok(final.truePeak <= -1.5, `true peak ${final.truePeak} dBTP`);

		// As assembly joined them before: once in the join, once more in Loudness.
		const before = await counted(joinThenLoudness(quiet, 'before'));
		assert.equal(before.audioEncodes, 2);
	});

	it('clips that need a re-encode get their gain in that one encode too', async () => {
		let result: Awaited<ReturnType<ReturnType<typeof joinThenLoudness>>> | undefined;
		const levelled = await counted(async () => (result = await joinThenLoudness([quiet[0], wider], 'reencoded', -14)()));
		assert.equal(result!.concat.mode, 'reencode');
		assert.equal(levelled.audioEncodes, 1);
		assert.equal(result!.loudness.passes, 0);
		const durations = await probeStreams(tmp.path('reencoded-final.mp4'));
		assert.ok(Math.abs(durations.duration - 3) < 0.1, `${durations.duration} s`);
	});

	it('scenes Mux brought to the target are not measured again by the join', async () => {
		const marked = await Promise.all(
			quiet.map(async (file) => {
				const facts = await probeStreams(file);
				return { file, known: { ...facts, audio: { ...facts.audio!, loudness: -14 } } };
			}),
		);
		const join = await counted(() => concatClips({ inputs: marked, output: tmp.path('marked.mp4'), loudness: { target: -14 } }));
		assert.deepEqual(join, { runs: 1, audioEncodes: 1 }, 'the join alone: no measuring pass');
	});
});
