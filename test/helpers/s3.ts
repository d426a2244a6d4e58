import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
