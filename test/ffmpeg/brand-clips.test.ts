import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { FFmpeg } from '../../nodes/FFmpeg/FFmpeg.node';
import { muxNarration } from '../../nodes/FFmpeg/lib/mux';
import { probeMedia } from '../../nodes/FFmpeg/lib/probe';
import { fitClip } from '../../nodes/shared/render/fit';
import { executionContext } from '../helpers/execution-context';
import { startS3, type TestS3 } from '../helpers/s3';
import { s3Credential } from '../video-generation/context';
import { makeClip, makeTone, tempDir } from '../fixtures/media/make';

const CAMPAIGN = '00000000-0000-4000-8000-0000000000b1';

function context(s3: TestS3, item: IDataObject, params: Record<string, unknown>): IExecuteFunctions {
	return executionContext({
		items: [item],
		parameters: params,
		credentials: { reelsmithS3Api: s3Credential(s3) },
		node: { id: 'ffmpeg-1', name: 'FFmpeg', type: 'n8n-nodes-reelsmith.ffmpeg' },
	});
}
const run = async (ctx: IExecuteFunctions): Promise<INodeExecutionData[]> => (await new FFmpeg().execute.call(ctx))[0];

describe('FFmpeg → Add Intro and Outro', () => {
	let s3: TestS3;
	let tmp: Awaited<ReturnType<typeof tempDir>>;
	let scenes: IDataObject[];

	beforeAll(async () => {
		[s3, tmp] = await Promise.all([startS3(), tempDir()]);
		// Two scenes as a run makes them: the clip format at 320×180 with narration at −14 LUFS.
		scenes = [];
		for (const n of [1, 2]) {
			await makeClip(tmp.path(`src-${n}.mp4`), { duration: 2, audio: 'silent' });
			await fitClip({ input: tmp.path(`src-${n}.mp4`), output: tmp.path(`clip-${n}.mp4`), duration: 2, width: 320, height: 180 });
			await makeTone(tmp.path(`line-${n}.wav`), { duration: 1.2 });
			await muxNarration({
				video: tmp.path(`clip-${n}.mp4`),
				audio: tmp.path(`line-${n}.wav`),
				output: tmp.path(`scene-${n}.mp4`),
				loudness: { target: -14 },
			});
			const ref = await s3.storage.uploadFile(tmp.path(`scene-${n}.mp4`), `runs/r1/scenes/00${n}/scene.mp4`, 'video/mp4');
			scenes.push({ ...ref, duration: 2, sceneNumber: n });
		}
		// The brand's intro: another size, 25 fps, a loud tone; the outro has no sound at all.
		await makeClip(tmp.path('intro.mp4'), { duration: 1.5, width: 640, height: 480, fps: 25, gainDb: -3, color: 'blue' });
		await s3.storage.uploadFile(tmp.path('intro.mp4'), 'brand/acme/intro.mp4', 'video/mp4');
		await makeClip(tmp.path('outro.mp4'), { duration: 1, width: 200, height: 200, audio: 'none', color: 'red' });
		await s3.storage.uploadFile(tmp.path('outro.mp4'), 'brand/acme/outro.mp4', 'video/mp4');
	}, 120_000);
	afterAll(async () => {
		await Promise.all([s3?.stop(), tmp?.cleanup()]);
	});

	const item = () => ({
		runId: 'r1',
		campaignId: CAMPAIGN,
		clips: scenes,
		cues: [{ start: 0.3, end: 1.5, text: 'We start now.', words: [{ text: 'We', start: 0.3, end: 0.5 }] }],
		thumbnailTime: 1.8,
		totalDuration: 4,
	});
	const params = (extra: Record<string, unknown> = {}) => ({
		operation: 'brandClips',
		clips: scenes,
		intro: { key: 'brand/acme/intro.mp4' },
		outro: { key: 'brand/acme/outro.mp4' },
		loudnessTarget: -14,
		brandVersion: 3,
		...extra,
	});

	it('fits the intro and outro to the scenes, moves the cues by the intro, and the join stays a stream copy', async () => {
		const [out] = await run(context(s3, item(), params()));
		const json = out.json as IDataObject & { clips: IDataObject[]; cues: IDataObject[]; brandClips: Record<string, IDataObject> };
		assert.deepEqual(
			json.clips.map((clip) => clip.role ?? clip.sceneNumber),
			['intro', 1, 2, 'outro'],
		);
		const intro = Number(json.brandClips.intro.duration);
		// 1.5 s at 25 fps is 38 frames (1.52 s); at the clip format's 30 fps that is 46 frames.
		assert.equal(intro, 1.533, 'the intro keeps its length, in whole frames at 30 fps');
		assert.equal(json.brandClips.intro.reused, false);
		assert.match(String(json.brandClips.intro.key), new RegExp(`^brand/${CAMPAIGN}/fitted/intro-[0-9a-f]{16}\\.mp4$`));
		assert.equal(json.cues[0].start, 0.3 + intro, 'the line is still shown when it is spoken');
		assert.equal((json.cues[0].words as IDataObject[])[0].start, 0.3 + intro);
		assert.equal(json.thumbnailTime, Math.round((1.8 + intro) * 1000) / 1000);
		assert.ok(Math.abs(Number(json.totalDuration) - (4 + intro + 1)) < 0.05, String(json.totalDuration));

		// Copy mode fails when any clip differs in codec, size, frame rate, timebase or audio.
		const [joined] = await run(context(s3, json, { operation: 'concat', clips: json.clips, mode: 'copy', transition: 'none', loudnessTarget: -14 }));
		assert.equal(joined.json.concatMode, 'copy');
		const file = tmp.path('joined.mp4');
		await s3.storage.downloadFile(joined.json.video as never, file);
		const facts = await probeMedia(file, { measureAudio: false });
		assert.deepEqual([facts.video?.width, facts.video?.height], [320, 180]);
		assert.ok(Math.abs(facts.duration - (intro + 4 + 1)) < 0.15, `joined ${facts.duration} s`);
	}, 180_000);

	it('uses the kept fit on the next run of the same kit version and format, and none when both are empty', async () => {
		const [out] = await run(context(s3, item(), params()));
		const kept = out.json.brandClips as Record<string, IDataObject>;
		assert.equal(kept.intro.reused, true);
		assert.equal(kept.outro.reused, true);
		const [plain] = await run(context(s3, item(), params({ intro: '', outro: '' })));
		assert.deepEqual(plain.json, item(), 'no intro, no outro: the item passes through');
	}, 120_000);

	it('says which clip could not be used and what to do', async () => {
		await assert.rejects(
			run(context(s3, item(), params({ intro: { key: 'brand/acme/missing.mp4' }, outro: '' }))),
			/The intro "brand\/acme\/missing\.mp4" could not be downloaded: .*upload it first.*Fix the brand kit's intro/,
		);
	}, 60_000);
});
