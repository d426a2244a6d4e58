import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { VideoGeneration } from '../../nodes/VideoGeneration/VideoGeneration.node';
import { readFile } from 'node:fs/promises';
import { startS3, type TestS3 } from '../helpers/s3';
import { makeImage, tempDir } from '../fixtures/media/make';
import { executeContext } from '../video-generation/context';
import { makeScene } from '../video-generation/scenes';
import { useVideoFakes } from './support';

/**
 * Character consistency and validation feedback through the Video Generation node: a storyboard still drawn by the
 * local renderer (or the user's reference) reaches Kling as bare base64 and Runway as a data URI (image-to-video),
 * and the reasons of a failed frame check end the prompt.
 */
const ACCESS = 'ak-refs';
const SECRET = 'sk-refs';
const RUNWAY_SECRET = 'rw-refs';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let s3: TestS3;
let stills: Awaited<ReturnType<typeof tempDir>>;
const fakes = useVideoFakes({ access: ACCESS, secret: SECRET, runwaySecret: RUNWAY_SECRET });

beforeAll(async () => {
	s3 = await startS3();
	stills = await tempDir();
});
afterAll(async () => {
	await s3?.stop();
	await stills?.cleanup();
});


function context(provider: 'kling' | 'runway' | 'local', json: IDataObject = {}, nodeOptions: IDataObject = {}, extra: IDataObject = {}): IExecuteFunctions {
	return executeContext({
		items: [{ runId: 'refs-run', sceneNumber: 2, scene: makeScene({ number: 2, duration: 1 }) as unknown as IDataObject, ...json }],
		parameters: {
			operation: 'generate',
			provider,
			fallbackProviders: [],
			style: 'titleCard',
			preset: 'square',
			scene: (item: IDataObject) => item.scene,
			narration: undefined,
			duration: 0,
			// As the node's default expression gives it.
			validationFeedback: (item: IDataObject) => ([] as unknown[]).concat(item.validationFeedback ?? []).join('\n'),
			outputKey: `runs/refs-run/scenes/002/clip-${provider}.mp4`,
			options: { pollInterval: 50, timeout: 20, retryAttempts: 2, ...nodeOptions },
			...extra,
		},
		s3,
		nodeName: 'Video Generation',
		credentials: {
			reelsmithKlingApi: { accessKey: ACCESS, secretKey: SECRET, baseUrl: fakes.kling.url },
			reelsmithRunwayApi: { apiSecret: RUNWAY_SECRET, baseUrl: fakes.runway.url },
		},
	});
}

const run = (ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> => new VideoGeneration().execute.call(ctx);

describe('storyboard reference frames', () => {
	test('Kling gets image-to-video with the storyboard still as bare base64 PNG', async () => {
		const [[item]] = await run(context('kling', {}, { referenceFrame: 'storyboard' }));
		assert.equal(item.json.provider, 'kling');
		assert.match(String(item.json.taskId), /^image2video:/, 'an image-to-video task');
		const [body] = fakes.kling.bodies;
		assert.equal(typeof body.image, 'string');
		assert.doesNotMatch(String(body.image), /^data:/, 'Kling takes bare base64, not a data URI');
		const png = Buffer.from(String(body.image), 'base64');
		assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE, 'a PNG');
		assert.equal(png.readUInt32BE(16), 1080, 'drawn at the run format width (square preset)');
		assert.equal(png.readUInt32BE(20), 1080);
		assert.equal(body.aspect_ratio, undefined, 'the still sets the shape');
	});

	test('Runway gets image_to_video with the storyboard still as a PNG data URI', async () => {
		const [[item]] = await run(context('runway', {}, { referenceFrame: 'storyboard' }));
		assert.equal(item.json.provider, 'runway');
		const [{ path, body }] = fakes.runway.bodies;
		assert.equal(path, '/v1/image_to_video');
		assert.match(String(body.promptImage), /^data:image\/png;base64,/);
		const png = Buffer.from(String(body.promptImage).split(',')[1], 'base64');
		assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
	});

	test("the user's reference wins over the storyboard still; a data URI reaches Kling as bare base64", async () => {
		const userImage = `data:image/jpeg;base64,${Buffer.from('user reference').toString('base64')}`;
		await run(context('kling', {}, { referenceFrame: 'storyboard', referenceImage: userImage }));
		assert.equal(fakes.kling.bodies[0].image, Buffer.from('user reference').toString('base64'));
		await run(context('runway', {}, { referenceFrame: 'storyboard', referenceImage: 'https://example.com/bob.png' }));
		assert.equal(fakes.runway.bodies[0].body.promptImage, 'https://example.com/bob.png');
	});

	test("a campaign cast's image (an object key) is read from the bucket: Runway gets it as a data URI, Kling as bare base64", async () => {
		const key = 'campaigns/6f1c2d3e-4b5a-4978-8a1b-2c3d4e5f6a7b/cast/3c9d1e2f-0a1b-4c2d-8e3f-4a5b6c7d8e9f.png';
		const image = Buffer.concat([PNG_SIGNATURE, Buffer.from('the cast image of Zoë')]);
		await s3.storage.uploadBuffer(image, key, 'image/png');
		await run(context('runway', {}, { referenceImage: key }));
		assert.equal(fakes.runway.bodies[0].path, '/v1/image_to_video');
		assert.equal(fakes.runway.bodies[0].body.promptImage, `data:image/png;base64,${image.toString('base64')}`);
		await run(context('kling', {}, { referenceImage: key }));
		assert.equal(fakes.kling.bodies[0].image, image.toString('base64'));
	});

	test('your own still (sceneMedia) is the first frame: Kling gets it as bare base64, Runway as a data URI, over any other reference', async () => {
		const key = 'campaigns/6f1c2d3e-4b5a-4978-8a1b-2c3d4e5f6a7b/media/still/0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e.png';
		const still = await makeImage(stills.path('own-still.png'), 'orange', '320x180');
		const bytes = await readFile(still);
		await s3.storage.uploadBuffer(bytes, key, 'image/png');
		const nodeOptions = { referenceFrame: 'storyboard', referenceImage: 'https://example.com/cast.png' };
		const [[kling]] = await run(context('kling', {}, nodeOptions, { ownStill: { key } }));
		assert.match(String(kling.json.taskId), /^image2video:/);
		assert.equal(fakes.kling.bodies[0].image, bytes.toString('base64'), 'the still itself, not the storyboard or the cast image');
		assert.ok(Number((kling.json.cost as IDataObject).amountUsd) > 0, 'Kling still costs the clip');
		await run(context('runway', {}, nodeOptions, { ownStill: { key } }));
		assert.equal(fakes.runway.bodies[0].path, '/v1/image_to_video');
		assert.equal(fakes.runway.bodies[0].body.promptImage, `data:image/png;base64,${bytes.toString('base64')}`);
	});

	test('your own still with the local renderer is a Ken Burns clip at $0; a still that is no picture fails the scene saying so', async () => {
		const key = 'stills/own-local.png';
		const still = await makeImage(stills.path('own-still-local.png'), 'blue', '640x480');
		await s3.storage.uploadFile(still, key, 'image/png');
		const [[item]] = await run(context('local', {}, {}, { ownStill: { key } }));
		assert.equal(item.json.provider, 'local');
		assert.equal((item.json.cost as IDataObject).amountUsd, 0);
		assert.deepEqual((item.json.ownStill as IDataObject).source, { width: 640, height: 480 });
		const clip = item.json.clip as IDataObject;
		assert.equal(clip.key, 'runs/refs-run/scenes/002/clip-local.mp4');
		assert.deepEqual([clip.width, clip.height], [1080, 1080]);
		assert.ok(Math.abs(Number(clip.duration) - 1) < 0.05, `the scene's 1 s (got ${clip.duration})`);
		assert.match(String((item.json.notes as string[])[0]), /your still \(640×480\) became a 1 s slow zoom/);

		await s3.storage.uploadBuffer(Buffer.from('not an image'), 'stills/not-a-picture.png', 'image/png');
		await assert.rejects(run(context('kling', {}, {}, { ownStill: { key: 'stills/not-a-picture.png' } })), /your still "stills\/not-a-picture.png" is not a PNG, JPEG or WebP image/);
		assert.equal(fakes.kling.bodies.length, 0, 'nothing was sent to Kling');
	});

	test('without a reference frame Kling stays text-to-video', async () => {
		const [[item]] = await run(context('kling'));
		assert.match(String(item.json.taskId), /^text2video:/);
		assert.equal(fakes.kling.bodies[0].image, undefined);
	});

	test('an unknown Reference Frame names the option', async () => {
		await assert.rejects(run(context('kling', {}, { referenceFrame: 'sketch' })), /"Reference Frame" must be none or storyboard \(got "sketch"\)/);
	});
});

describe('frame-check feedback in the prompt', () => {
	test('Kling and Runway prompts end with the reasons, within their prompt limits', async () => {
		const reasons = ['Alice is missing from the frame', 'the kitchen should be dark, it is bright'];
		await run(context('kling', { validationFeedback: reasons }));
		assert.match(String(fakes.kling.bodies[0].prompt), /Fix from the last check: Alice is missing from the frame; the kitchen should be dark, it is bright\.$/);

		const long = makeScene({ number: 2, duration: 1, action: 'A very long action. '.repeat(200) }) as unknown as IDataObject;
		await run(context('runway', { validationFeedback: reasons, scene: long }));
		const prompt = String(fakes.runway.bodies[0].body.promptText);
		assert.ok(prompt.length <= 1000, `Runway prompt within 1000 characters (got ${prompt.length})`);
		assert.match(prompt, /… Fix from the last check: Alice is missing from the frame; the kitchen should be dark, it is bright\.$/, 'the scene text is cut, the fix kept');
	});
});

describe('character descriptions in the prompt', () => {
	test('every character present in the scene is described with the same words, absent ones are not', async () => {
		const characters = [
			{ name: 'ALICE', lines: 1, scenes: [2], description: 'woman in her 30s, short red hair, green raincoat' },
			{ name: 'ZED', lines: 0, scenes: [3], description: 'tall man with a grey beard' },
		];
		await run(context('kling', { characters }));
		const prompt = String(fakes.kling.bodies[0].prompt);
		assert.match(prompt, /ALICE: woman in her 30s, short red hair, green raincoat/);
		assert.doesNotMatch(prompt, /grey beard/, 'ZED is not in scene 2');
	});
});
