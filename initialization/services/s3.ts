import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
// s3rver has no types of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver');

export interface LocalS3 {
	endpoint: string;
	accessKey: string;
	secretKey: string;
	stop(): Promise<void>;
}

/**
 * A local S3-compatible endpoint on disk (s3rver) for when S3_ENDPOINT is not set: no MinIO binary can be had
 * from the registries this project installs from. s3rver accepts the fixed S3RVER keys only.
 */
export async function startLocalS3(options: { directory: string; port?: number; host?: string }): Promise<LocalS3> {
	await mkdir(options.directory, { recursive: true });
	const server = new S3rver({
		address: options.host ?? '127.0.0.1',
		port: options.port ?? 0,
		directory: options.directory,
		silent: true,
		configureBuckets: [],
	});
	const address: AddressInfo = await server.run();
	return {
		endpoint: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
		accessKey: 'S3RVER',
		secretKey: 'S3RVER',
		stop: () => server.close(),
	};
}
