import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../initialization/services/s3';
import { Storage, type S3Credentials } from '../../nodes/shared/transport/storage';

/**
 * The object store while it is away (issue 14, R6: the store down for 30 s during generation and assembly). A run's
 * step waits out a short outage; past the wait it fails saying what was down and that resume finishes the run
 * (before, it read n8n's "The service refused the connection - perhaps it is offline", naming nothing).
 */
let dir: string;
let server: LocalS3;
let port: number;

const credentials = (): S3Credentials => ({
	endpoint: server.endpoint,
	region: 'us-east-1',
	accessKey: server.accessKey,
	secretKey: server.secretKey,
	bucket: 'outage',
	forcePathStyle: true,
});

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'reelsmith-s3-outage-'));
	server = await startLocalS3({ directory: dir });
	port = Number(new URL(server.endpoint).port);
	await new Storage(credentials()).ensureBucket();
});

afterAll(async () => {
	await server.stop().catch(() => {});
	await rm(dir, { recursive: true, force: true });
});

describe('object storage while the store is down', () => {
	test('an upload sent while the store is down waits for it and lands once it is back', async () => {
		const storage = new Storage(credentials(), 20_000);
		await server.stop();
		const started = Date.now();
		const uploading = storage.uploadBuffer('clip bytes', 'runs/r1/scenes/001/clip.mp4', 'video/mp4');
		await new Promise((resolve) => setTimeout(resolve, 2000));
		server = await startLocalS3({ directory: dir, port });
		const ref = await uploading;
		assert.ok(Date.now() - started >= 2000, 'it waited for the store');
		assert.equal(ref.bytes, 10);
		assert.equal((await storage.downloadBuffer(ref)).toString(), 'clip bytes');
	});

	test('down for longer than the wait: the step fails naming the object store and saying that resume finishes the run', async () => {
		const storage = new Storage(credentials(), 1500);
		await server.stop();
		try {
			for (const attempt of [
				() => storage.uploadBuffer('x', 'runs/r1/final.mp4', 'video/mp4'),
				() =>
					storage.downloadBuffer({
						bucket: 'outage',
						key: 'runs/r1/scenes/001/clip.mp4',
					}),
				() =>
					storage.stat({
						bucket: 'outage',
						key: 'runs/r1/scenes/001/clip.mp4',
					}),
			]) {
				await assert.rejects(
					attempt(),
					new RegExp(
						`^Error: The object store \\(S3 at http://127\\.0\\.0\\.1:${port}, bucket "outage"\\) could not be reached for 2 s \\(the connection was refused\\)\\. Check that it is running; once it is back, resume the run to finish it\\.$`,
					),
				);
			}
		} finally {
			server = await startLocalS3({ directory: dir, port });
		}
	});

	test('an answer from the store is not waited on: a missing object is reported at once', async () => {
		const storage = new Storage(credentials(), 20_000);
		const started = Date.now();
		assert.equal(await storage.stat({ bucket: 'outage', key: 'runs/none.mp4' }), null);
		await assert.rejects(
			storage.downloadBuffer({ bucket: 'outage', key: 'runs/none.mp4' }),
			(error: { code?: string }) => error.code === 'NoSuchKey',
		);
		assert.ok(Date.now() - started < 2000);
	});
});
