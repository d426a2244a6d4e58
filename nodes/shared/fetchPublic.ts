/**
 * Downloading a file a run names by URL (its music): the host is resolved and every address checked when the download
 * starts (publicUrl.ts), the connection goes to the checked address, redirects are not followed, and the size and time
 * are capped, so a URL cannot reach inside the network or fill the disk.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolvePublicHost, type AddressRules, type Lookup } from './publicUrl';

export interface FetchLimits extends AddressRules {
	/** Bytes the file may have (default 100 MB). */
	maxBytes?: number;
	/** Milliseconds for the whole download (default 60 s). */
	timeoutMs?: number;
	/** DNS, replaceable in tests. */
	lookup?: Lookup;
	/** What the file is, in messages ("music"). */
	what?: string;
}

/** The URL could not be downloaded; the message says why and what to do. */
export class FetchError extends Error {}

const MB = 1024 * 1024;

/** Downloads `url` into `file`; throws a FetchError saying what went wrong. */
export async function downloadPublicFile(url: string, file: string, limits: FetchLimits = {}): Promise<string> {
	const what = limits.what ?? 'file';
	const maxBytes = limits.maxBytes ?? 100 * MB;
	const timeoutMs = limits.timeoutMs ?? 60_000;
	let target: { address: string; family: 4 | 6 };
	try {
		target = await resolvePublicHost(url, { allowLoopback: limits.allowLoopback }, limits.lookup, what);
	} catch (error) {
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- shared helper; the calling operation wraps it with its node and item
		throw new FetchError((error as Error).message);
	}
	// The connection goes to the checked address whatever DNS answers now; TLS still checks the host name.
	const pinned: LookupFunction = (_host, options, callback) => {
		if ((options as { all?: boolean }).all) (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [target]);
		else callback(null, target.address, target.family);
	};
	const parsed = new URL(url);
	const get = parsed.protocol === 'https:' ? httpsRequest : httpRequest;
	try {
		await new Promise<void>((resolve, reject) => {
			const req = get(parsed, { method: 'GET', lookup: pinned, timeout: timeoutMs, headers: { 'user-agent': 'Reelsmith/1' } }, (res) => {
				const code = res.statusCode ?? 0;
				if (code >= 300 && code < 400) {
					res.resume();
					return reject(
						new FetchError(
							`The ${what} URL redirected to ${res.headers.location ?? '(no location)'}; redirects are not followed. Use the final address.`,
						),
					);
				}
				if (code < 200 || code >= 300) {
					res.resume();
					return reject(new FetchError(`The ${what} URL answered ${code}. Check that the file is there and public.`));
				}
				const declared = Number(res.headers['content-length']);
				const tooBig = () =>
					new FetchError(
						`The ${what} file is larger than ${maxBytes >= MB ? `${Math.round(maxBytes / MB)} MB` : `${Math.round(maxBytes / 1024)} KB`}. Use a shorter or more compressed file.`,
					);
				if (declared > maxBytes) {
					res.destroy();
					return reject(tooBig());
				}
				const out = createWriteStream(file);
				let size = 0;
				res.on('data', (chunk: Buffer) => {
					size += chunk.length;
					if (size > maxBytes) {
						res.destroy(tooBig());
					}
				});
				res.on('error', (error) => {
					out.destroy();
					reject(error instanceof FetchError ? error : new FetchError(`Downloading the ${what} failed: ${error.message}`));
				});
				out.on('error', (error) => reject(new FetchError(`Writing the ${what} failed: ${error.message}`)));
				out.on('finish', () => resolve());
				res.pipe(out);
			});
			const timer = setTimeout(() => req.destroy(new FetchError(`The ${what} download took longer than ${timeoutMs / 1000} s.`)), timeoutMs);
			req.on('close', () => clearTimeout(timer));
			req.on('timeout', () => req.destroy(new FetchError(`The ${what} URL did not answer within ${timeoutMs / 1000} s.`)));
			req.on('error', (error) => reject(error instanceof FetchError ? error : new FetchError(`Downloading the ${what} failed: ${error.message}`)));
			req.end();
		});
	} catch (error) {
		await rm(file, { force: true });
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- shared helper; the calling operation wraps it with its node and item
		throw error;
	}
	return file;
}
