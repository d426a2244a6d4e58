import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'minio';
import type { ObjectRef } from '../refs';
import { unreachableReason } from './unreachable';

/** Fields of the `reelsmithS3Api` credential. */
export interface S3Credentials {
	endpoint: string;
	region: string;
	accessKey: string;
	secretKey: string;
	bucket: string;
	forcePathStyle?: boolean;
}

/** How long a request is tried again while the object store is away (a restart) before the step fails. */
export const STORAGE_WAIT_MS = 30_000;

/** Errors of reaching the store at all: the request never got an answer, so sending it again is safe. */
function couldNotReach(error: unknown): boolean {
	const { code } = (error ?? {}) as { code?: string };
	return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ServiceUnavailable', 'SlowDown'].includes(String(code));
}

/** The one place that talks to object storage (MinIO or any S3). */
export class Storage {
	readonly client: Client;
	readonly bucket: string;

	constructor(
		readonly credentials: S3Credentials,
		private readonly waitMs = STORAGE_WAIT_MS,
	) {
		let url: URL;
		try {
			url = new URL(credentials.endpoint);
		} catch {
			throw new Error(
				`The S3 endpoint "${credentials.endpoint}" is not a URL. Use e.g. http://127.0.0.1:9000 in the Reelsmith S3 credential.`,
			);
		}
		this.client = new Client({
			endPoint: url.hostname,
			port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
			useSSL: url.protocol === 'https:',
			accessKey: credentials.accessKey,
			secretKey: credentials.secretKey,
			region: credentials.region || 'us-east-1',
			pathStyle: credentials.forcePathStyle ?? true,
		});
		this.bucket = credentials.bucket;
	}

	ref(key: string, bucket = this.bucket): ObjectRef {
		return { bucket, key };
	}

	/** Creates the bucket when it does not exist yet (first start, tests). */
	async ensureBucket(): Promise<void> {
		await this.patiently(async () => {
			if (!(await this.client.bucketExists(this.bucket))) {
				await this.client.makeBucket(this.bucket, this.credentials.region || 'us-east-1');
			}
		});
	}

	async uploadFile(file: string, key: string, contentType: string): Promise<ObjectRef> {
		const { size } = await stat(file);
		await this.patiently(() => this.client.fPutObject(this.bucket, key, file, { 'Content-Type': contentType }));
		return { bucket: this.bucket, key, contentType, bytes: size };
	}

	async uploadBuffer(body: Buffer | string, key: string, contentType: string): Promise<ObjectRef> {
		const buffer = typeof body === 'string' ? Buffer.from(body) : body;
		await this.patiently(() => this.client.putObject(this.bucket, key, buffer, buffer.length, { 'Content-Type': contentType }));
		return { bucket: this.bucket, key, contentType, bytes: buffer.length };
	}

	/**
	 * Writes a stream as it comes, one part of `partSize` bytes at a time (a multipart upload; an object smaller than one
	 * part is one PUT). Done here rather than by minio's putObject, which lists unfinished uploads first (s3rver, the
	 * local store, does not implement that) and holds a whole part of 64 MB or more.
	 */
	async uploadStream(body: Readable, key: string, contentType: string, partSize = 8 * 1024 * 1024): Promise<ObjectRef> {
		const headers = { 'Content-Type': contentType };
		let pending: Buffer[] = [];
		let pendingBytes = 0;
		let total = 0;
		let uploadId: string | null = null;
		const parts: Array<{ part: number; etag: string }> = [];
		const flush = async () => {
			const payload = Buffer.concat(pending, pendingBytes);
			pending = [];
			pendingBytes = 0;
			uploadId ??= await this.client.initiateNewMultipartUpload(this.bucket, key, headers);
			const part = parts.length + 1;
			const { etag } = await this.client.uploadPart({ bucketName: this.bucket, objectName: key, uploadID: uploadId, partNumber: part, headers: {} }, payload);
			parts.push({ part, etag });
		};
		try {
			for await (const chunk of body) {
				const buffer = chunk as Buffer;
				pending.push(buffer);
				pendingBytes += buffer.length;
				total += buffer.length;
				if (pendingBytes >= partSize) await flush();
			}
			if (uploadId === null) {
				await this.client.putObject(this.bucket, key, Buffer.concat(pending, pendingBytes), pendingBytes, headers);
			} else {
				if (pendingBytes > 0) await flush();
				await this.client.completeMultipartUpload(this.bucket, key, uploadId, parts);
			}
		} catch (error) {
			if (uploadId) await this.client.abortMultipartUpload(this.bucket, key, uploadId).catch(() => {});
			// A stream cannot be sent again: only the message is made plain.
			throw couldNotReach(error) ? this.unreachable(error) : error;
		}
		return { bucket: this.bucket, key, contentType, bytes: total };
	}

	/** A readable stream of the object, for callers that pass it on (a ZIP entry). */
	async readStream(ref: ObjectRef): Promise<Readable> {
		return this.patiently(() => this.client.getObject(ref.bucket || this.bucket, ref.key));
	}

	async downloadFile(ref: ObjectRef, file: string): Promise<void> {
		await mkdir(dirname(file), { recursive: true });
		// The whole download is tried again: createWriteStream starts the file afresh.
		await this.patiently(async () => {
			const stream = await this.client.getObject(ref.bucket || this.bucket, ref.key);
			await pipeline(stream, createWriteStream(file));
		});
	}

	async downloadBuffer(ref: ObjectRef): Promise<Buffer> {
		return this.patiently(async () => {
			const stream = await this.client.getObject(ref.bucket || this.bucket, ref.key);
			const chunks: Buffer[] = [];
			for await (const chunk of stream) chunks.push(chunk as Buffer);
			return Buffer.concat(chunks);
		});
	}

	/** Size and type, or null when the object does not exist. */
	async stat(ref: ObjectRef): Promise<{ bytes: number; contentType?: string } | null> {
		try {
			const info = await this.patiently(() => this.client.statObject(ref.bucket || this.bucket, ref.key));
			return { bytes: info.size, contentType: info.metaData?.['content-type'] };
		} catch (error) {
			const code = (error as { code?: string }).code;
			if (code === 'NotFound' || code === 'NoSuchKey') return null;
			throw error;
		}
	}

	async listKeys(prefix: string): Promise<string[]> {
		return this.patiently(async () => {
			const keys: string[] = [];
			const stream = this.client.listObjectsV2(this.bucket, prefix, true);
			for await (const item of stream) if ((item as { name?: string }).name) keys.push((item as { name: string }).name);
			return keys;
		});
	}

	async presignedGetUrl(ref: ObjectRef, expirySeconds = 900): Promise<string> {
		return this.client.presignedGetObject(ref.bucket || this.bucket, ref.key, expirySeconds);
	}

	/**
	 * Runs a request, sending it again while the store cannot be reached (a restart takes seconds, and a run should
	 * not fail for that); past the wait, the step fails saying what was down and that resume finishes the run.
	 */
	private async patiently<T>(request: () => Promise<T>): Promise<T> {
		const deadline = Date.now() + this.waitMs;
		for (let wait = 250; ; wait = Math.min(wait * 2, 4000)) {
			try {
				return await request();
			} catch (error) {
				if (!couldNotReach(error)) throw error;
				if (Date.now() + wait > deadline) throw this.unreachable(error);
				await sleep(wait);
			}
		}
	}

	private unreachable(error: unknown): Error {
		return new Error(
			`The object store (S3 at ${this.credentials.endpoint}, bucket "${this.bucket}") could not be reached for ${Math.round(this.waitMs / 1000)} s (${unreachableReason(error)}). Check that it is running; once it is back, resume the run to finish it.`,
		);
	}

	/** A readable stream for a local file, for callers that need one. */
	static readFile(file: string) {
		return createReadStream(file);
	}
}

const cache = new Map<string, Storage>();

/** One client per distinct credential, reused across items and executions. */
export function storageFor(credentials: S3Credentials): Storage {
	const id = JSON.stringify(credentials);
	let storage = cache.get(id);
	if (!storage) {
		storage = new Storage(credentials);
		cache.set(id, storage);
	}
	return storage;
}
