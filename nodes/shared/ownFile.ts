import { extname, join } from 'node:path';
import { callbackSettings } from './callbacks/settings';
import { downloadPublicFile } from './fetchPublic';
import type { Storage } from './transport/storage';

/** A file of the caller's own a run names (a scene's clip or voice-over): by URL (a public host) or by key in the bucket. */
export type OwnFile = { url: string } | { key: string };

/** A parameter value as an OwnFile, or undefined when it is not one ({"url": …} or {"key": …}, one of them). */
export function ownFileOf(value: unknown): (OwnFile & { text?: string }) | undefined {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
	const { url, key, text } = value as Record<string, unknown>;
	const words = typeof text === 'string' && text.trim() ? { text: text.trim() } : {};
	if (typeof url === 'string' && url.trim() && key === undefined) return { url: url.trim(), ...words };
	if (typeof key === 'string' && key.trim() && url === undefined) return { key: key.trim(), ...words };
	return undefined;
}

const isMissing = (error: unknown) => ['NoSuchKey', 'NotFound', 'NoSuchBucket'].includes(String((error as { code?: string }).code));

/**
 * Downloads the file into `dir` (a URL with the music's rules: resolved and checked now, no redirects, size capped)
 * and returns its path; throws an Error whose message says what went wrong in words.
 */
export async function downloadOwnFile(storage: Storage, file: OwnFile, dir: string, what: string): Promise<string> {
	const extension = extname('url' in file ? new URL(file.url).pathname : file.key).toLowerCase();
	const path = join(dir, `own${/^\.[a-z0-9]{1,5}$/.test(extension) ? extension : '.bin'}`);
	if ('url' in file) {
		await downloadPublicFile(file.url, path, { what, allowLoopback: callbackSettings().allowLoopback, maxBytes: 500 * 1024 * 1024 });
		return path;
	}
	try {
		await storage.downloadFile(storage.ref(file.key), path);
	} catch (error) {
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- shared helper; the calling operation wraps it with its node and item
		if (isMissing(error)) throw new Error(`"${file.key}" is not in bucket "${storage.bucket}"; upload it first`);
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- shared helper; the calling operation wraps it with its node and item
		throw new Error(`"${file.key}" could not be read from object storage (${(error as Error).message}); check the Reelsmith S3 credential`);
	}
	return path;
}
