import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { NodeOperationError, type ICredentialTestFunctions, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { FFmpeg } from '../../nodes/FFmpeg/FFmpeg.node';
import { probeMedia } from '../../nodes/FFmpeg/lib/probe';
import {
	finalKey,
	frameCheckKey,
	joinedKey,
	loudnessKey,
	sceneVideoKey,
	subtitledKey,
	subtitlesKey,
	thumbnailKey,
	watermarkedKey,
} from '../../nodes/shared/keys';
import { testS3Credential } from '../../nodes/shared/storageNode';
import { executionContext } from '../helpers/execution-context';
import { startS3, type TestS3 } from '../helpers/s3';
import { s3Credential } from '../video-generation/context';
import { makeClip, makeTone, tempDir } from '../fixtures/media/make';

type Params = Record<string, unknown>;

/** The shared test context with the S3 credential, for the FFmpeg node. */
function executeContext(
	s3: TestS3,
	items: IDataObject[],
	params: Params | ((itemIndex: number) => Params),
	options: { continueOnFail?: boolean } = {},
): IExecuteFunctions {
	return executionContext({
		items,
		parameters: typeof params === 'function' ? (itemIndex) => params(itemIndex) : params,
		credentials: { reelsmithS3Api: s3Credential(s3) },
		continueOnFail: options.continueOnFail,
		node: { id: 'ffmpeg-1', name: 'FFmpeg', type: 'n8n-nodes-reelsmith.ffmpeg' },
	});
}

async function run(context: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const [output] = await new FFmpeg().execute.call(context);
	return output;
}

describe('FFmpeg node', () => {
	let s3: TestS3;
	let tmp: Awaited<ReturnType<typeof tempDir>>;
	let clipRef: IDataObject;
	let narrationRef: IDataObject;

	beforeAll(async () => {
		[s3, tmp] = await Promise.all([startS3(), tempDir()]);
		await makeClip(tmp.path('clip.mp4'), { duration: 2, audio: 'silent' });
		await makeTone(tmp.path('narration.wav'), { duration: 1.2 });
		clipRef = { ...(await s3.storage.uploadFile(tmp.path('clip.mp4'), 'runs/r1/scenes/001/clip.mp4', 'video/mp4')) };
		narrationRef = {
			...(await s3.storage.uploadFile(tmp.path('narration.wav'), 'runs/r1/scenes/001/narration.wav', 'audio/wav')),
			duration: 1.2,
		};
	});
	afterAll(async () => {
		await Promise.all([s3?.stop(), tmp?.cleanup()]);
	});

	it('describes itself as the spec says: name, credential test, operations and defaults', () => {
		const node = new FFmpeg();
		const { description } = node;
		assert.equal(description.name, 'ffmpeg');
		assert.equal(description.displayName, 'FFmpeg');
		assert.deepEqual(description.credentials, [{ name: 'reelsmithS3Api', required: true, testedBy: 'reelsmithS3ApiTest' }]);
		assert.equal(node.methods.credentialTest.reelsmithS3ApiTest, testS3Credential);
		const operation = description.properties.find((p) => p.name === 'operation')!;
		const values = (operation.options as Array<{ value: string }>).map((o) => o.value).sort();
		assert.deepEqual(values, [
			'brandClips',
			'checkClip',
			'concat',
			'export',
			'exportAlpha',
			'loudness',
			'music',
			'mux',
			'probe',
			'subtitles',
			'thumbnail',
			'timeline',
			'trailer',
			'watermark',
		]);
		const field = (op: string, name: string) =>
			description.properties.find((p) => p.name === name && p.displayOptions?.show?.operation?.includes(op));
		assert.equal(field('probe', 'input')?.default, '={{ $json.clip }}');
		assert.equal(field('mux', 'video')?.default, '={{ $json.clip }}');
		assert.equal(field('mux', 'audio')?.default, '={{ $json.narration }}');
		assert.equal(field('concat', 'clips')?.default, '={{ $json.clips }}');
		assert.equal(field('timeline', 'clips')?.default, '={{ $json.clips }}');
		assert.equal(field('subtitles', 'language')?.default, "={{ $json.options.language || 'en' }}");
		assert.equal(field('concat', 'transitionDuration')?.default, 0.5);
		assert.equal(field('checkClip', 'tolerance')?.default, 0.5);
		assert.equal(field('checkClip', 'minMeanVolume')?.default, -60);
		assert.deepEqual(
			['music', 'volume', 'duck'].map((name) => field('music', name)?.default),
			['={{ $json.options.music }}', -20, true],
		);
		assert.deepEqual(
			['target', 'truePeak'].map((name) => field('loudness', name)?.default),
			[-14, -1.5],
		);
		// Output keys are the run's standard keys unless the operator overrides them.
		const writing = ['concat', 'export', 'exportAlpha', 'loudness', 'music', 'mux', 'subtitles', 'thumbnail', 'watermark'];
		assert.deepEqual(
			writing.map((op) => field(op, 'outputKey')?.default),
			writing.map(() => ''),
		);
		assert.equal(field('subtitles', 'srtKey')?.default, '');
		assert.equal(field('thumbnail', 'frameFor')?.default, 'run');
		assert.equal(field('concat', 'outputKey')?.placeholder, joinedKey('<runId>'));
		// Every operation's parameters are shown for that operation only.
		for (const property of description.properties) {
			if (property.name === 'operation') continue;
			assert.equal(property.displayOptions?.show?.operation?.length, 1, `${property.name} belongs to one operation`);
		}
	});

	it('tests the S3 credential: OK for the bucket, a clear error for a missing one', async () => {
		const data = { endpoint: s3.endpoint, region: s3.region, accessKey: s3.accessKey, secretKey: s3.secretKey };
		const call = (bucket: string) =>
			testS3Credential.call({} as ICredentialTestFunctions, {
				id: '1',
				name: 'S3',
				type: 'reelsmithS3Api',
				data: { ...data, bucket },
			});
		assert.equal((await call(s3.bucket)).status, 'OK');
		assert.match((await call('no-such-bucket')).message, /bucket "no-such-bucket" does not exist/);
	});

	it('probe: keeps the item, adds probe facts, pairs each output with its item', async () => {
		const items = [
			{ runId: 'r1', sceneNumber: 1, clip: clipRef },
			{ runId: 'r1', sceneNumber: 2, clip: clipRef },
		];
		const output = await run(executeContext(s3, items, (i) => ({ operation: 'probe', input: items[i].clip })));
		assert.equal(output.length, 2);
		assert.deepEqual(
			output.map((item) => item.pairedItem),
			[{ item: 0 }, { item: 1 }],
		);
		const probe = output[1].json.probe as IDataObject;
		assert.equal(output[1].json.sceneNumber, 2);
		assert.equal((probe.video as IDataObject).width, 320);
		assert.equal((probe.audio as IDataObject).codec, 'aac');
		assert.equal(probe.faststart, true);
		assert.ok(Math.abs((probe.duration as number) - 2) < 0.05);
		// A JSON string typed into the field works like a mapped object.
		const typed = await run(executeContext(s3, [{}], { operation: 'probe', input: JSON.stringify({ bucket: s3.bucket, key: clipRef.key }) }));
		assert.equal(((typed[0].json.probe as IDataObject).video as IDataObject).height, 180);
	});

	it('mux: uploads the scene video to its standard key; with Continue On Fail a bad item becomes an error item, paired with its input', async () => {
		const items = [
			{ runId: 'r1', sceneNumber: 1, clip: clipRef, narration: narrationRef },
			{ runId: 'r1', sceneNumber: 2 },
		];
		const params = (i: number) => ({
			operation: 'mux',
			video: items[i].clip ?? null,
			audio: items[i].narration ?? null,
			duration: 0,
		});
		const output = await run(executeContext(s3, items, params, { continueOnFail: true }));
		assert.equal(output.length, 2);
		assert.deepEqual(
			output.map((item) => item.pairedItem),
			[{ item: 0 }, { item: 1 }],
		);

		const sceneVideo = output[0].json.sceneVideo as IDataObject;
		assert.deepEqual(
			{ key: sceneVideo.key, bucket: sceneVideo.bucket, width: sceneVideo.width, height: sceneVideo.height },
			{ key: sceneVideoKey('r1', 1), bucket: s3.bucket, width: 320, height: 180 },
		);
		assert.ok(Math.abs((sceneVideo.duration as number) - 2) < 0.05);
		assert.equal(output[0].json.narration, narrationRef, 'input fields are kept');
		await s3.storage.downloadFile({ bucket: s3.bucket, key: sceneVideoKey('r1', 1) }, tmp.path('scene.mp4'));
		const probe = await probeMedia(tmp.path('scene.mp4'));
		assert.ok(probe.meanVolume! > -40, 'narration is in the scene video');

		// With the run's Loudness Target (as generate-scene.json sets it) the narration arrives at that loudness.
		const atTarget = await run(executeContext(s3, [items[0]], () => ({ ...params(0), loudnessTarget: -14, outputKey: 'runs/r1/at-target.mp4' })));
		await s3.storage.downloadFile({ bucket: s3.bucket, key: (atTarget[0].json.sceneVideo as IDataObject).key as string }, tmp.path('at-target.mp4'));
		const level = (await probeMedia(tmp.path('at-target.mp4'))).loudness!;
		assert.ok(Math.abs(level + 14) <= 0.5, `${level} LUFS, was ${probe.loudness} LUFS`);

		assert.equal(
			output[1].json.error,
			'The "Video" parameter needs an object reference like {bucket, key}. Map it from the previous node\'s clip field.',
		);
		assert.equal(output[1].json.sceneNumber, 2);

		// Without Continue On Fail the same item stops the node with a NodeOperationError for item 1.
		await assert.rejects(run(executeContext(s3, items, params)), (error: unknown) => {
			assert.ok(error instanceof NodeOperationError);
			assert.equal(error.context.itemIndex, 1);
			assert.match(error.message, /"Video" parameter needs an object reference/);
			return true;
		});
	});

	it('names the parameter when a referenced object or a key field is missing', async () => {
		const missing = { bucket: s3.bucket, key: 'runs/r1/scenes/009/clip.mp4' };
		await assert.rejects(
			run(executeContext(s3, [{}], { operation: 'mux', video: missing, audio: null, duration: 0, outputKey: 'x.mp4' })),
			/The "Video" object "runs\/r1\/scenes\/009\/clip.mp4" is not in bucket "reelsmith-test"/,
		);
		await assert.rejects(
			run(
				executeContext(s3, [{}], {
					operation: 'mux',
					video: clipRef,
					audio: null,
					duration: 0,
					outputKey: 'runs/undefined/scenes/NaN/scene.mp4',
				}),
			),
			/"Output Key" resolved to "runs\/undefined\/scenes\/NaN\/scene.mp4"/,
		);
		// No override and nothing to derive the standard key from: the message names the field and what to map.
		const mux = { operation: 'mux', video: clipRef, audio: null, duration: 0 };
		await assert.rejects(
			run(executeContext(s3, [{ sceneNumber: 1 }], mux)),
			/^NodeOperationError: "Output Key" is empty and the item has no runId, so there is no standard key for the scene video\. Pass items with runId and sceneNumber/,
		);
		await assert.rejects(run(executeContext(s3, [{ runId: 'r1' }], mux)), /"Output Key" is empty and the item has no sceneNumber \(got null\)/);
		await assert.rejects(run(executeContext(s3, [{ runId: '../r1', sceneNumber: 1 }], mux)), /runId "\.\.\/r1" cannot name a folder/);
	});

	it('checkClip: reports a missing object and a silent clip as problems, never throws', async () => {
		const items = [{ sceneVideo: { bucket: s3.bucket, key: 'runs/r1/scenes/007/scene.mp4' } }, { sceneVideo: clipRef }, {}];
		const output = await run(
			executeContext(s3, items, (i) => ({
				operation: 'checkClip',
				input: items[i].sceneVideo ?? null,
				expectedDuration: 2,
				tolerance: 0.5,
				minMeanVolume: -60,
			})),
		);
		const checks = output.map((item) => item.json.check as IDataObject);
		assert.deepEqual(checks[0], {
			ok: false,
			problems: ['clip is missing from storage (key runs/r1/scenes/007/scene.mp4)'],
			probe: null,
		});
		assert.equal(checks[1].ok, false);
		assert.equal((checks[1].problems as string[]).length, 1);
		assert.match((checks[1].problems as string[])[0], /^the audio is silent/);
		assert.equal(checks[2].ok, false);
		assert.match((checks[2].problems as string[])[0], /no clip to check/);
	});

	it("lays a brand kit's logo where the kit says (assembly's Brand logo step), and passes the video on without one", async () => {
		const { execFile } = await import('node:child_process');
		const { promisify } = await import('node:util');
		const ffmpegOut = (args: string[]) => promisify(execFile)('ffmpeg', ['-v', 'error', ...args], { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 });
		await ffmpegOut(['-f', 'lavfi', '-i', 'color=c=0xff0000:s=64x64', '-frames:v', '1', tmp.path('logo.png')]);
		await s3.storage.uploadFile(tmp.path('logo.png'), 'brand/acme/logo.png', 'image/png');
		const json: IDataObject = { runId: 'r3', video: clipRef };
		const step = async (params: IDataObject) => (await run(executeContext(s3, [json], { operation: 'watermark', video: clipRef, source: 'image', ...params })))[0].json;

		const marked = await step({ image: { key: 'brand/acme/logo.png' }, position: 'topLeft', options: { opacity: 1, imageScale: 0.2, passThrough: true } });
		assert.equal((marked.video as IDataObject).key, watermarkedKey('r3'));
		await s3.storage.downloadFile({ bucket: s3.bucket, key: watermarkedKey('r3') }, tmp.path('marked.mp4'));
		const rgbAt = async (x: number, y: number) => {
			const { stdout } = await ffmpegOut(['-ss', '0.5', '-i', tmp.path('marked.mp4'), '-frames:v', '1', '-vf', `crop=2:2:${x}:${y},format=rgb24`, '-f', 'rawvideo', '-']);
			return [stdout[0], stdout[1], stdout[2]];
		};
		const width = (marked.video as IDataObject).width as number;
		// The logo is 20 % of the width, a margin of 3 % of the height from the top-left corner.
		const inLogo = await rgbAt(Math.round(width * 0.1), 20);
		assert.ok(inLogo[0] > 200 && inLogo[1] < 60 && inLogo[2] < 60, `the top-left shows the red logo (rgb ${inLogo.join(', ')})`);
		const elsewhere = await rgbAt(width - 20, 20);
		assert.ok(!(elsewhere[0] > 200 && elsewhere[1] < 60), `the top-right does not (rgb ${elsewhere.join(', ')})`);

		const passed = await step({ image: '', position: 'bottomRight', options: { passThrough: true } });
		assert.deepEqual(passed.video, clipRef, 'a kit without a logo passes the video on unchanged');
		await assert.rejects(step({ image: '', position: 'bottomRight', options: {} }), /Image/);
	});

	it("assembles through the node into the run's standard keys: concat → subtitles → loudness → thumbnail → watermark → export", async () => {
		const scenes: IDataObject[] = [];
		for (const n of [1, 2]) {
			const file = await makeClip(tmp.path(`scene-${n}.mp4`), { duration: 1, gainDb: -35, frequency: 300 * n });
			scenes.push({ ...(await s3.storage.uploadFile(file, `runs/r2/scenes/00${n}/scene.mp4`, 'video/mp4')), duration: 1 });
		}
		const step = async (params: Params, json: IDataObject) => (await run(executeContext(s3, [json], params)))[0].json;

		let json: IDataObject = { runId: 'r2', clips: scenes };
		json = await step({ operation: 'concat', clips: scenes, mode: 'auto', transition: 'none' }, json);
		assert.equal(json.concatMode, 'copy');
		assert.equal((json.video as IDataObject).key, joinedKey('r2'));
		assert.ok(Math.abs(((json.video as IDataObject).duration as number) - 2) < 0.1);

		const cues = [
			{ start: 0, end: 0.9, text: 'Hello: "world"', speaker: 'ALICE' },
			{ start: 1, end: 1.9, text: '100% \\o/', speaker: null },
		];
		json = await step(
			{
				operation: 'subtitles',
				video: json.video,
				cues: JSON.stringify(cues),
				mode: 'attach',
				options: { speakerPrefix: true },
			},
			json,
		);
		assert.deepEqual(json.subtitles, {
			bucket: s3.bucket,
			key: subtitlesKey('r2'),
			contentType: 'application/x-subrip',
			bytes: (json.subtitles as IDataObject).bytes,
		});
		assert.equal((json.video as IDataObject).key, subtitledKey('r2'));
		const srt = (await s3.storage.downloadBuffer({ bucket: s3.bucket, key: subtitlesKey('r2') })).toString();
		assert.match(srt, /^1\n00:00:00,000 --> 00:00:00,900\nALICE: Hello: "world"\n/);

		json = await step({ operation: 'loudness', video: json.video, target: -14, truePeak: -1.5 }, json);
		assert.equal((json.video as IDataObject).key, loudnessKey('r2'));
		const loudness = json.loudness as IDataObject;
		assert.ok(Math.abs(((loudness.output as IDataObject).integrated as number) + 14) <= 1);
		assert.ok(((loudness.input as IDataObject).integrated as number) < -30);

		const thumb = await step({ operation: 'thumbnail', video: json.video, time: 0.5, preset: 'shorts' }, json);
		assert.deepEqual(
			{ ...(thumb.thumbnail as IDataObject), bytes: undefined },
			{ bucket: s3.bucket, key: thumbnailKey('r2'), contentType: 'image/jpeg', bytes: undefined, width: 1080, height: 1920 },
		);
		// Every preset's thumbnail has that platform's size (presets.json), whatever the video's shape.
		for (const [preset, size] of [
			['youtube', [1280, 720]],
			['square', [1080, 1080]],
		] as const) {
			const other = await step({ operation: 'thumbnail', video: json.video, time: 0.5, preset }, json);
			const { width, height } = other.thumbnail as IDataObject;
			assert.deepEqual([width, height], size, preset);
		}
		// Validation's frame of one scene goes beside that scene's files.
		const frame = await step({ operation: 'thumbnail', video: json.video, frameFor: 'scene' }, { ...json, sceneNumber: 2 });
		assert.equal((frame.thumbnail as IDataObject).key, frameCheckKey('r2', 2));
		assert.ok((await s3.storage.stat({ bucket: s3.bucket, key: frameCheckKey('r2', 2) }))?.bytes);
		// An Output Key that is set wins (a leading slash is dropped).
		const cover = await step({ operation: 'thumbnail', video: json.video, outputKey: '/brand/cover.jpg' }, json);
		assert.equal((cover.thumbnail as IDataObject).key, 'brand/cover.jpg');

		const marked = await step(
			{
				operation: 'watermark',
				video: json.video,
				source: 'text',
				text: 'Reelsmith',
				position: 'topRight',
				options: {},
			},
			json,
		);
		assert.equal((marked.video as IDataObject).key, watermarkedKey('r2'));
		assert.equal((marked.video as IDataObject).width, 320);
		json = { ...json, video: marked.video };

		json = await step({ operation: 'export', video: json.video, preset: 'square' }, json);
		assert.equal((json.video as IDataObject).key, finalKey('r2', 'square'));
		assert.deepEqual(json.export, {
			preset: 'square',
			width: 1080,
			height: 1080,
			reencoded: true,
			reasons: ['size is 320x180, not 1080x1080'],
		});
		await s3.storage.downloadFile({ bucket: s3.bucket, key: finalKey('r2', 'square') }, tmp.path('final.mp4'));
		const final = await probeMedia(tmp.path('final.mp4'));
		assert.deepEqual(
			[final.video?.width, final.video?.height, final.video?.pixelFormat, final.audio?.codec, final.faststart],
			[1080, 1080, 'yuv420p', 'aac', true],
		);
		assert.deepEqual(
			final.subtitles.map((s) => s.codec),
			['mov_text'],
			'the soft subtitle track survives loudness, watermark and export',
		);
		assert.ok(Math.abs(final.loudness! + 14) <= 1.5, `final loudness ${final.loudness}`);
	});
});
