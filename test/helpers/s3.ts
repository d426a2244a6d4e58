import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startLocalS3 } from '../../initialization/services/s3';
import { Storage, type S3Credentials } from '../../nodes/shared/transport/storage';

export interface TestS3 extends S3Credentials {
	storage: Storage;
	stop(): Promise<void>;
}

/** A real S3-protocol endpoint (s3rver) on a free loopback port, on a temp folder, with the bucket created. */
export async function startS3(bucket = 'reelsmith-test'): Promise<TestS3> {
	const dir = await mkdtemp(join(tmpdir(), 'reelsmith-s3-'));
	const server = await startLocalS3({ directory: dir });
	const credentials: S3Credentials = {
		endpoint: server.endpoint,
		region: 'us-east-1',
		accessKey: server.accessKey,
		secretKey: server.secretKey,
		bucket,
		forcePathStyle: true,
	};
	const storage = new Storage(credentials);
	await storage.ensureBucket();
	return {
		...credentials,
		storage,
		async stop() {
			await server.stop();
			await rm(dir, { recursive: true, force: true });
		},
	};
}

/**
 * The S3 endpoint for a test file (or describe block): started before its tests, stopped after. Read it inside
 * hooks and tests (it is filled in when the tests start).
 */
export function useS3(bucket?: string): TestS3 {
	const s3 = {} as TestS3;
	beforeAll(async () => {
		Object.assign(s3, await startS3(bucket));
	});
	afterAll(() => s3.stop?.());
	return s3;
}

/** Downloads an object of the test bucket to `file` and gives back the file's path. */
export async function downloadTo(s3: TestS3, key: string, file: string): Promise<string> {
	await s3.storage.downloadFile({ bucket: s3.bucket, key }, file);
	return file;
}
