import { execFile } from 'node:child_process';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { S3Credentials } from '../../nodes/shared/transport/storage';

/** A parameter value, or a function standing in for an expression evaluated per item. */
export type Parameter = unknown | ((json: IDataObject, itemIndex: number) => unknown);

/**
 * The part of IExecuteFunctions our nodes use, backed by plain data: input items, parameters (dotted names
 * such as `options.concurrency` read into collections), the S3 credential and the Continue On Fail switch.
 */
export function executeContext(options: {
	items: IDataObject[];
	parameters: Record<string, Parameter>;
	s3: S3Credentials;
	continueOnFail?: boolean;
	nodeName?: string;
}): IExecuteFunctions {
	const items: INodeExecutionData[] = options.items.map((json) => ({ json }));
	const node = {
		id: 'test-node',
		name: options.nodeName ?? 'Test Node',
		type: 'n8n-nodes-reelsmith.test',
		typeVersion: 1,
		position: [0, 0] as [number, number],
		parameters: {},
	};
	const resolve = (value: unknown, itemIndex: number) =>
		typeof value === 'function' ? (value as (json: IDataObject, index: number) => unknown)(items[itemIndex].json, itemIndex) : value;
	const context = {
		getInputData: () => items,
		getNode: () => node,
		continueOnFail: () => options.continueOnFail ?? false,
		getCredentials: async (name: string) => {
			if (name !== 'reelsmithS3Api') throw new Error(`No credential ${name} in this test`);
			return { ...options.s3 };
		},
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			const [head, ...rest] = name.split('.');
			let value = resolve(options.parameters[head], itemIndex);
			for (const part of rest) value = (value as Record<string, unknown> | undefined)?.[part];
			return value === undefined ? fallback : value;
		},
	};
	return context as unknown as IExecuteFunctions;
}

/** Runs a binary and returns stdout as a Buffer (tests only: probing pixels and loudness). */
export function runBinary(bin: string, args: string[]): Promise<{ stdout: Buffer; stderr: string }> {
	return new Promise((resolve, reject) => {
		execFile(bin, args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
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
