import { jsonParameter } from '../../shared/parameters';
import { extname, join } from 'node:path';
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeProperties,
} from 'n8n-workflow';
import { mediaFacts, type MediaFacts, type MediaRef, type ObjectRef } from '../../shared/refs';
import { keyOverrideField, resolveKey, type StandardKey } from '../../shared/outputKey';
import { PRESETS, presetByName, type ExportPreset } from '../../shared/presets';
import { getStorage } from '../../shared/storageNode';
import type { FfmpegProgress } from '../../shared/transport/ffmpeg';
import type { Storage } from '../../shared/transport/storage';
import { withWorkDir } from '../../shared/workdir';
import { probeStreams } from '../lib/probe';

/** A reference as read from a parameter; the bucket falls back to the credential's bucket. */
export interface InputRef {
	bucket?: string;
	key: string;
	/** The stream facts the reference carried (checked for shape; trusted only for a file of the same size). */
	media?: MediaFacts;
}

/** Parameter fields shared by the operations, shown only for `operation`. */
export function refField(
	operation: string,
	name: string,
	displayName: string,
	defaultValue: string,
	description: string,
	required = true,
): INodeProperties {
	return {
		displayName,
		name,
		type: 'json',
		required,
		default: defaultValue,
		description,
		displayOptions: { show: { operation: [operation] } },
	};
}

/** The Video parameter most operations start from, mapped from the previous node's `video` field. */
export function videoField(operation: string, description: string): INodeProperties {
	return refField(operation, 'video', 'Video', '={{ $json.video }}', description);
}

/** The export presets as options: the canvas shows their labels. */
export function presetField(operation: string, description: string): INodeProperties {
	return {
		displayName: 'Preset',
		name: 'preset',
		type: 'options',
		options: Object.entries(PRESETS).map(([value, preset]) => ({ name: preset.label, value })),
		default: 'youtube',
		description,
		displayOptions: { show: { operation: [operation] } },
	};
}

/** Output Key: empty by default, so the result goes to the run's standard key (built by keys.ts). */
export function outputKeyField(operation: string, standard: StandardKey, example?: string): INodeProperties {
	return keyOverrideField(
		{ displayName: 'Output Key', name: 'outputKey', displayOptions: { show: { operation: [operation] } } },
		standard,
		example,
	);
}

export function fail(this: IExecuteFunctions, itemIndex: number, message: string, description?: string): never {
	throw new NodeOperationError(this.getNode(), message, { itemIndex, description });
}

/** A JSON parameter: an object when an expression produced one, text when typed in; a bare key stays text. */
function jsonValue(this: IExecuteFunctions, name: string, label: string, itemIndex: number): unknown {
	return jsonParameter(this, name, label, itemIndex, { bareText: true }) ?? null;
}

function asRef(value: unknown): InputRef | null {
	// A bare key (text, not JSON) is accepted too: it lives in the credential's bucket.
	if (typeof value === 'string' && value.trim() !== '') return { key: value.trim() };
	if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
	const { bucket, key, media } = value as IDataObject;
	if (typeof key !== 'string' || key.trim() === '') return null;
	const ref: InputRef = { key: key.trim(), bucket: typeof bucket === 'string' && bucket ? bucket : undefined };
	const facts = mediaFacts(media);
	if (facts) ref.media = facts;
	return ref;
}

/**
 * Reads an object reference parameter. `hint` says where to map it from, e.g. "the previous node's clip field".
 */
export function readRef(this: IExecuteFunctions, itemIndex: number, name: string, label: string, hint: string): InputRef {
	const ref = asRef(jsonValue.call(this, name, label, itemIndex));
	if (!ref) {
		return fail.call(
			this,
			itemIndex,
			`The "${label}" parameter needs an object reference like {bucket, key}. Map it from ${hint}.`,
		);
	}
	return ref;
}

/** Like readRef, but empty means "none" (a wrong shape is still an error). */
export function readOptionalRef(
	this: IExecuteFunctions,
	itemIndex: number,
	name: string,
	label: string,
	hint: string,
): InputRef | null {
	const value = jsonValue.call(this, name, label, itemIndex);
	if (value === null || value === undefined) return null;
	const ref = asRef(value);
	if (!ref) {
		return fail.call(
			this,
			itemIndex,
			`The "${label}" parameter needs an object reference like {bucket, key}, or nothing. Map it from ${hint}.`,
		);
	}
	return ref;
}

export function readRefList(
	this: IExecuteFunctions,
	itemIndex: number,
	name: string,
	label: string,
	hint: string,
): InputRef[] {
	const value = jsonValue.call(this, name, label, itemIndex);
	if (!Array.isArray(value) || value.length === 0) {
		return fail.call(
			this,
			itemIndex,
			`The "${label}" parameter needs a list of object references like [{bucket, key}, …]. Map it from ${hint}.`,
		);
	}
	return value.map((entry, index) => {
		const ref = asRef(entry);
		if (!ref) {
			return fail.call(
				this,
				itemIndex,
				`Entry ${index + 1} of "${label}" is not an object reference like {bucket, key}. Check the list you map from ${hint}.`,
			);
		}
		return ref;
	});
}

/** The Video parameter, read as an object reference. */
export function readVideo(this: IExecuteFunctions, itemIndex: number): InputRef {
	return readRef.call(this, itemIndex, 'video', 'Video', "the previous node's video field");
}

/** An options parameter: an expression can give any text, so the value is checked against the options. */
export function readChoice<T extends string>(
	context: IExecuteFunctions,
	itemIndex: number,
	name: string,
	label: string,
	allowed: readonly T[],
	fallback: T,
): T {
	const value = context.getNodeParameter(name, itemIndex, fallback) as T;
	if (!allowed.includes(value)) {
		const choices = `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}`;
		fail.call(context, itemIndex, `The "${label}" parameter must be ${choices} (got "${value}").`);
	}
	return value;
}

/** A preset parameter by name, with the preset's own message when there is no such preset. */
export function readPreset(this: IExecuteFunctions, itemIndex: number): { name: string; preset: ExportPreset } {
	const name = String(this.getNodeParameter('preset', itemIndex, 'youtube'));
	try {
		return { name, preset: presetByName(name) };
	} catch (error) {
		return fail.call(this, itemIndex, `The "Preset" parameter: ${(error as Error).message}`);
	}
}

/** A number parameter within limits; `0` may mean "not set" where the caller says so. */
export function readNumber(
	this: IExecuteFunctions,
	itemIndex: number,
	name: string,
	label: string,
	limits: { min?: number; max?: number; fallback?: number } = {},
): number {
	const raw = this.getNodeParameter(name, itemIndex, limits.fallback ?? 0) as unknown;
	const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
	if (value === null || value === undefined || value === '') return limits.fallback ?? 0;
	if (typeof value !== 'number' || !Number.isFinite(value)) {
		const got = typeof raw === 'number' ? String(raw) : JSON.stringify(raw);
		return fail.call(this, itemIndex, `The "${label}" parameter must be a number (got ${got}). Check the value or expression.`);
	}
	if ((limits.min !== undefined && value < limits.min) || (limits.max !== undefined && value > limits.max)) {
		return fail.call(
			this,
			itemIndex,
			`The "${label}" parameter must be between ${limits.min ?? '-∞'} and ${limits.max ?? '∞'} (got ${value}).`,
		);
	}
	return value;
}

/** The key to upload to: the Output Key parameter, or the run's standard key for the item (see keys.ts). */
export function readOutputKey(
	this: IExecuteFunctions,
	itemIndex: number,
	standard: StandardKey,
	name = 'outputKey',
	label = 'Output Key',
): string {
	return resolveKey(this, itemIndex, standard, { name, label });
}

/** Local file name for a download: a fixed stem plus the key's extension (ffmpeg also sniffs content). */
export function localName(stem: string, ref: InputRef): string {
	const extension = extname(ref.key).toLowerCase();
	return /^\.[a-z0-9]{1,5}$/.test(extension) ? `${stem}${extension}` : `${stem}.bin`;
}

function isMissing(error: unknown): boolean {
	const code = (error as { code?: string }).code;
	return code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchBucket';
}

/** Downloads `ref`, with a message naming the parameter when the object is not there. */
export async function download(
	this: IExecuteFunctions,
	itemIndex: number,
	storage: Storage,
	ref: InputRef,
	file: string,
	label: string,
): Promise<string> {
	const bucket = ref.bucket || storage.bucket;
	try {
		await storage.downloadFile({ bucket, key: ref.key }, file);
	} catch (error) {
		if (!isMissing(error)) {
			throw new NodeOperationError(this.getNode(), error as Error, {
				itemIndex,
				description: `Downloading "${label}" (${ref.key}) from object storage failed. Check the Reelsmith S3 credential.`,
			});
		}
		return fail.call(
			this,
			itemIndex,
			`The "${label}" object "${ref.key}" is not in bucket "${bucket}". Check that the step that makes it ran and uploaded it.`,
		);
	}
	return file;
}

const CONTENT_TYPES: Record<string, string> = {
	'.mp4': 'video/mp4',
	'.mov': 'video/quicktime',
	'.webm': 'video/webm',
	'.m4a': 'audio/mp4',
	'.jpg': 'image/jpeg',
	'.jpeg': 'image/jpeg',
	'.png': 'image/png',
	'.srt': 'application/x-subrip',
	'.otio': 'application/json',
	'.edl': 'text/plain; charset=utf-8',
	'.wav': 'audio/wav',
};

/**
 * Uploads a media file and describes it for the next node: duration and size, and its stream facts (`media`), so
 * the steps after this one do not probe it again. This is the one probe of the new object.
 */
export async function uploadMedia(storage: Storage, file: string, key: string): Promise<MediaRef> {
	const contentType = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
	const [uploaded, facts] = await Promise.all([storage.uploadFile(file, key, contentType), probeStreams(file)]);
	const ref: MediaRef = { ...uploaded };
	const still = facts.video?.codec === 'mjpeg' || facts.video?.codec === 'png';
	if (!still) ref.duration = round(facts.duration);
	if (facts.video) {
		ref.width = facts.video.width;
		ref.height = facts.video.height;
	}
	if (!still) ref.media = facts;
	return ref;
}

export async function uploadText(storage: Storage, text: string, key: string): Promise<ObjectRef> {
	const contentType = CONTENT_TYPES[extname(key).toLowerCase()] ?? 'text/plain; charset=utf-8';
	return storage.uploadBuffer(text, key, contentType);
}

/** Storage for the credential plus a temp folder that is always removed. */
export async function withMedia<T>(
	context: IExecuteFunctions,
	fn: (storage: Storage, path: (name: string) => string) => Promise<T>,
): Promise<T> {
	const storage = await getStorage.call(context);
	return withWorkDir((dir) => fn(storage, (name) => join(dir, name)));
}

/** What a render step gets: the downloaded video, the file to write, and the work folder and storage for more. */
export interface RenderFiles {
	input: string;
	output: string;
	path: (name: string) => string;
	storage: Storage;
	onProgress: (progress: FfmpegProgress) => void;
	/** The video's stream facts from its reference, when it had them: pass them on to the lib as `known`. */
	known: MediaFacts | null;
}

/**
 * The shape of most operations: download the video, let `render` write `outputName` from it (ffmpeg progress in
 * the log as `what`), upload the result to `outputKey`. Returns the stored file and what `render` returned.
 */
export async function renderVideo<T>(
	context: IExecuteFunctions,
	itemIndex: number,
	step: { video: InputRef; outputKey: string; outputName: string; what: string },
	render: (files: RenderFiles) => Promise<T>,
): Promise<{ ref: MediaRef; result: T }> {
	return withMedia(context, async (storage, path) => {
		const input = await download.call(context, itemIndex, storage, step.video, path(localName('video', step.video)), 'Video');
		const output = path(step.outputName);
		const onProgress = progressLog.call(context, itemIndex, step.what);
		const result = await render({ input, output, path, storage, onProgress, known: step.video.media ?? null });
		return { ref: await uploadMedia(storage, output, step.outputKey), result };
	});
}

/** ffmpeg progress into the n8n log, every 10 %. n8n has no progress bar for nodes; logs show long renders moving. */
export function progressLog(
	this: IExecuteFunctions,
	itemIndex: number,
	what: string,
): (progress: FfmpegProgress) => void {
	let logged = -1;
	return (progress) => {
		if (progress.ratio === undefined) return;
		const percent = Math.floor(progress.ratio * 10) * 10;
		if (percent <= logged) return;
		logged = percent;
		this.logger?.debug(`FFmpeg ${what}: ${percent}%`, { itemIndex, seconds: progress.time, speed: progress.speed });
	};
}

/** The item's own json, so every operation passes through what came in. */
export function inputJson(this: IExecuteFunctions, itemIndex: number): IDataObject {
	return this.getInputData()[itemIndex]?.json ?? {};
}

export function round(value: number, digits = 3): number {
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}

/**
 * Transition and Transition Duration: how Concatenate joins the scenes, and what Export Timeline says it did. The
 * duration is shown only for crossfades.
 */
export function transitionFields(operation: string, words: { none: string; crossfade: string; duration: string }): INodeProperties[] {
	return [
		{
			displayName: 'Transition',
			name: 'transition',
			type: 'options',
			options: [
				{ name: 'None', value: 'none', description: words.none },
				{ name: 'Crossfade', value: 'crossfade', description: words.crossfade },
			],
			default: 'none',
			displayOptions: { show: { operation: [operation] } },
		},
		{
			displayName: 'Transition Duration',
			name: 'transitionDuration',
			type: 'number',
			default: 0.5,
			typeOptions: { minValue: 0.05, numberPrecision: 2 },
			description: words.duration,
			displayOptions: { show: { operation: [operation], transition: ['crossfade'] } },
		},
	];
}
