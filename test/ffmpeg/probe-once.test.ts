import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { concatClips } from '../../nodes/FFmpeg/lib/concat';
import { muxNarration } from '../../nodes/FFmpeg/lib/mux';
import { PROBE_CONCURRENCY, probeStreams, type MediaFacts, type Prober } from '../../nodes/FFmpeg/lib/probe';
import { makeClip, makeTone, streamDurations, tempDir } from '../fixtures/media/make';

/** A prober that counts its calls and the most that ran at once. */
function countingProber(): Prober & { calls: number; mostAtOnce: number } {
	let running = 0;
	const prober = Object.assign(
		async (file: string) => {
			prober.calls++;
			running++;
			prober.mostAtOnce = Math.max(prober.mostAtOnce, running);
			try {
				return await probeStreams(file);
			} finally {
				running--;
			}
		},
		{ calls: 0, mostAtOnce: 0 },
	);
	return prober;
}

describe('probing once per object', () => {
	let tmp: Awaited<ReturnType<typeof tempDir>>;
	let scenes: string[];
	let facts: MediaFacts;
	let other: { file: string; facts: MediaFacts };
	beforeAll(async () => {
		tmp = await tempDir();
		const scene = await makeClip(tmp.path('scene.mp4'), { duration: 1 });
		facts = await probeStreams(scene);
		// 20 scenes as the assembly gets them: the same clip format, each its own file.
		scenes = [];
		for (let index = 1; index <= 20; index++) {
			const file = tmp.path(`scene-${String(index).padStart(2, '0')}.mp4`);
			await copyFile(scene, file);
			scenes.push(file);
		}
		const longer = await makeClip(tmp.path('longer.mp4'), { duration: 2 });
		other = { file: longer, facts: await probeStreams(longer) };
	}, 60_000);
	afterAll(() => tmp.cleanup());

	it('a 20-scene join whose references carry their facts starts no ffprobe and joins by copy', async () => {
		const prober = countingProber();
		const result = await concatClips({
			inputs: scenes.map((file) => ({ file, known: facts })),
			output: tmp.path('complete.mp4'),
			prober,
		});
		assert.equal(prober.calls, 0);
		assert.equal(result.mode, 'copy');
		const durations = await streamDurations(tmp.path('complete.mp4'));
		assert.ok(Math.abs(durations.video! - 20) < 0.1, `video ${durations.video} s`);
	});

	it(`bare references are probed, at most ${PROBE_CONCURRENCY} at once`, async () => {
		const prober = countingProber();
		const result = await concatClips({ inputs: scenes, output: tmp.path('bare.mp4'), prober });
		assert.equal(prober.calls, 20);
		assert.ok(prober.mostAtOnce <= PROBE_CONCURRENCY, `${prober.mostAtOnce} at once`);
		assert.ok(prober.mostAtOnce > 1, 'probes still run side by side');
		assert.equal(result.mode, 'copy');
		assert.ok(Math.abs(result.duration - 20) < 0.1);
	});

	it('facts of another file or malformed facts are not trusted: that clip is probed and the join is right', async () => {
		const prober = countingProber();
		const inputs = [
			{ file: scenes[0], known: facts },
			// A reference left over from the 2 s clip (the object was replaced since): its size does not match.
			{ file: scenes[1], known: other.facts },
			// Facts cut short by someone's own node.
			{ file: scenes[2], known: { duration: 1, video: { codec: 'h264' } } as unknown as MediaFacts },
			{ file: other.file, known: other.facts },
		];
		const result = await concatClips({ inputs, output: tmp.path('mixed.mp4'), prober });
		assert.equal(prober.calls, 2);
		assert.equal(result.mode, 'copy');
		// 1 + 1 + 1 + 2 s: the stale reference's 2 s did not count for scene 2.
		assert.ok(Math.abs(result.duration - 5) < 0.1, `${result.duration} s`);
		const durations = await streamDurations(tmp.path('mixed.mp4'));
		assert.ok(Math.abs(durations.video! - 5) < 0.1, `video ${durations.video} s`);
	});

	it('mux trusts the clip and narration facts it is given, and the scene keeps the clip length', async () => {
		const narration = await makeTone(tmp.path('narration.wav'), { duration: 0.6 });
		const narrationFacts = await probeStreams(narration);
		const prober = countingProber();
		const { duration } = await muxNarration({
			video: scenes[0],
			audio: narration,
			output: tmp.path('muxed.mp4'),
			known: { video: facts, audio: narrationFacts },
			prober,
		});
		assert.equal(prober.calls, 0);
		// A bare narration file is probed: one call.
		await muxNarration({ video: scenes[0], audio: narration, output: tmp.path('muxed-2.mp4'), known: { video: facts }, prober });
		assert.equal(prober.calls, 1);
		assert.ok(Math.abs(duration - 1) < 0.05, `${duration} s`);
		const durations = await streamDurations(tmp.path('muxed.mp4'));
		assert.ok(Math.abs(durations.audio! - 1) < 0.05, `audio ${durations.audio} s`);
	});
});
