import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { checkClip } from '../../nodes/FFmpeg/lib/check';
import { makeClip, tempDir } from '../fixtures/media/make';

describe('checkClip', () => {
	let tmp: Awaited<ReturnType<typeof tempDir>>;
	beforeAll(async () => {
		tmp = await tempDir();
	});
	afterAll(() => tmp.cleanup());

	it('passes a good clip', async () => {
		const check = await checkClip(await makeClip(tmp.path('good.mp4'), { duration: 2 }), { expectedDuration: 2 });
		assert.deepEqual(check.problems, []);
		assert.equal(check.ok, true);
		assert.equal(check.probe?.video?.width, 320);
	});

	it('flags a silent clip in plain words', async () => {
		const check = await checkClip(await makeClip(tmp.path('silent.mp4'), { audio: 'silent' }), {
			minMeanVolume: -60,
		});
		assert.equal(check.ok, false);
		assert.equal(check.problems.length, 1);
		assert.match(check.problems[0], /^the audio is silent \(.*needs at least -60 dB\)$/);
	});

	it('flags a clip without audio', async () => {
		const check = await checkClip(await makeClip(tmp.path('mute.mp4'), { audio: 'none' }));
		assert.deepEqual(check.problems, ['the clip has no audio stream']);
	});

	it('flags the wrong duration with both numbers and the tolerance', async () => {
		const file = await makeClip(tmp.path('short.mp4'), { duration: 1 });
		const check = await checkClip(file, { expectedDuration: 3, tolerance: 0.5 });
		assert.deepEqual(check.problems, ['the clip is 1 s long, expected 3 s (± 0.5 s)']);
		assert.equal((await checkClip(file, { expectedDuration: 1.4, tolerance: 0.5 })).ok, true);
	});

	it('reports a missing or unreadable file instead of throwing', async () => {
		assert.deepEqual(await checkClip(tmp.path('nope.mp4')), {
			ok: false,
			problems: ['the clip file does not exist'],
			probe: null,
		});
		await writeFile(tmp.path('junk.mp4'), 'this is not a video');
		const junk = await checkClip(tmp.path('junk.mp4'));
		assert.equal(junk.ok, false);
		assert.match(junk.problems[0], /^the clip could not be read as a video/);
	});
});
