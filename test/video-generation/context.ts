import { execFile } from 'node:child_process';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { S3Credentials } from '../../nodes/shared/transport/storage';
import { executionContext, type Parameter } from '../helpers/execution-context';

export type { Parameter };

/** The S3 credential as the node reads it (the fields of the Reelsmith S3 credential only). */
export function s3Credential(s3: S3Credentials): IDataObject {
	const { endpoint, region, accessKey, secretKey, bucket, forcePathStyle } = s3;
	return { endpoint, region, accessKey, secretKey, bucket, forcePathStyle };
}

/**
 * The shared test context (test/helpers/execution-context.ts) for the media nodes: the S3 credential always,
 * other credentials when given. `attached` narrows which of the others are attached to the node (S3 always is);
 * by default every given credential is.
 */
export function executeContext(options: {
	items: IDataObject[];
	parameters: Record<string, Parameter>;
	s3: S3Credentials;
	credentials?: Record<string, IDataObject>;
	attached?: string[];
	continueOnFail?: boolean;
	nodeName?: string;
}): IExecuteFunctions {
	return executionContext({
		items: options.items,
		parameters: options.parameters,
		credentials: { reelsmithS3Api: s3Credential(options.s3), ...options.credentials },
		attached: options.attached && ['reelsmithS3Api', ...options.attached],
		continueOnFail: options.continueOnFail,
		node: { name: options.nodeName ?? 'Test Node' },
	});
}

/** Runs a binary and returns stdout as a Buffer (tests only: probing pixels and loudness). */
export function runBinary(bin: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ stdout: Buffer; stderr: string }> {
	return new Promise((resolve, reject) => {
		execFile(bin, args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, env: env && { ...process.env, ...env } }, (error, stdout, stderr) => {
			if (error) reject(new Error(`${bin} ${args.join(' ')} failed: ${stderr.toString()}`));
			else resolve({ stdout, stderr: stderr.toString() });
		});
	});
}

/** One decoded frame at `time` as 8-bit luma, scaled to width x height. */
export async function lumaFrame(file: string, time: number, width = 160, height = 90): Promise<Buffer> {
	const { stdout } = await runBinary('ffmpeg', [
		'-v', 'error', '-ss', String(time), '-i', file, '-frames:v', '1',
		'-vf', `scale=${width}:${height}:flags=area,format=gray`, '-f', 'rawvideo', 'pipe:1',
	]);
	return stdout;
}

/** Share of pixels brighter than `threshold` (text on the dark backgrounds of both styles; scaled-down strokes are dim). */
export function brightShare(frame: Buffer, threshold = 60): number {
	let bright = 0;
	for (const value of frame) if (value > threshold) bright++;
	return bright / frame.length;
}

/** The frame without its top `fraction` (the terminal title bar), for counting typed text only. */
export function belowTop(frame: Buffer, width: number, height: number, fraction = 0.15): Buffer {
	return frame.subarray(Math.ceil(height * fraction) * width);
}

/** Share of pixels whose luma differs by more than `threshold`: compression noise stays below it, changed text does not. */
export function changedShare(a: Buffer, b: Buffer, threshold = 40): number {
	let changed = 0;
	for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > threshold) changed++;
	return changed / a.length;
}

/** Mean absolute luma difference of two frames. */
export function meanDifference(a: Buffer, b: Buffer): number {
	let sum = 0;
	for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
	return sum / a.length;
}

/** ffmpeg's volumedetect mean volume in dB. */
export async function meanVolume(file: string): Promise<number> {
	const { stderr } = await runBinary('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-af', 'volumedetect', '-f', 'null', '-']);
	const match = /mean_volume:\s*(-?[\d.]+|-inf) dB/.exec(stderr);
	return match ? Number(match[1] === '-inf' ? -Infinity : match[1]) : -Infinity;
}

/** The box around pixels brighter than `threshold` in rows from `fromRow` on (null when none): where drawn text is. */
export function brightBox(
	frame: Buffer,
	width: number,
	threshold = 60,
	fromRow = 0,
): { left: number; top: number; right: number; bottom: number } | null {
	const height = frame.length / width;
	let box: { left: number; top: number; right: number; bottom: number } | null = null;
	for (let y = fromRow; y < height; y++) {
		for (let x = 0; x < width; x++) {
			if (frame[y * width + x] <= threshold) continue;
			if (!box) box = { left: x, top: y, right: x, bottom: y };
			box.left = Math.min(box.left, x);
			box.right = Math.max(box.right, x);
			box.top = Math.min(box.top, y);
			box.bottom = Math.max(box.bottom, y);
		}
	}
	return box;
}

/** Mean red, green and blue (0-255) of the decoded frame at `time`: the background's colour, mostly. */
export async function meanColour(file: string, time: number): Promise<[number, number, number]> {
	const input = ['-v', 'error', '-ss', String(time), '-i', file, '-frames:v', '1'];
	const { stdout } = await runBinary('ffmpeg', [...input, '-vf', 'scale=64:36:flags=area', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1']);
	const sums = [0, 0, 0];
	for (let i = 0; i < stdout.length; i++) sums[i % 3] += stdout[i];
	const pixels = stdout.length / 3;
	return [sums[0] / pixels, sums[1] / pixels, sums[2] / pixels];
}
