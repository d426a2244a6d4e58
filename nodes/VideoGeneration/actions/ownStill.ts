import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { downloadOwnFile, ownFileOf, type OwnFile } from '../../shared/ownFile';
import { jsonParameter } from '../../shared/parameters';
import { probeStreams } from '../../shared/probe';
import type { Storage } from '../../shared/transport/storage';
import { withWorkDir } from '../../shared/workdir';
import { kenBurnsClip } from '../../shared/render/kenBurns';
import type { OwnMediaJob } from './ownClip';

export type OwnStill = OwnFile;

/** Runway takes data URIs up to 5 MB (Kling more): the still goes to either, so the smaller limit holds. */
const DATA_URI_LIMIT = 5 * 1024 * 1024;
const FIX = 'Fix the scene\'s entry in "sceneMedia" (or upload the still and give its "key"), then send the run again or resume it.';

/** The "Own Still" parameter: {"key": …} or {"url": …}, or empty for none. The run request checked it (sceneMedia). */
export function readOwnStill(this: IExecuteFunctions, itemIndex: number, label: string): OwnStill | undefined {
	const value = jsonParameter(this, 'ownStill', 'Own Still', itemIndex, { optional: true });
	if (value === undefined || value === '') return undefined;
	const file = ownFileOf(value);
	if (file) return 'url' in file ? { url: file.url } : { key: file.key };
	const hint = 'Set it to {"key": "<object key>"} or {"url": "https://…"}, or leave it empty.';
	throw new NodeOperationError(this.getNode(), `${label}"Own Still" is not a picture reference. ${hint}`, { itemIndex });
}

const where = (still: OwnStill) => ('url' in still ? `"${still.url}"` : `"${still.key}"`);

/** The image type the bytes are (not what the name says), for the data URI; undefined when not PNG, JPEG or WebP. */
function imageType(bytes: Buffer): 'png' | 'jpeg' | 'webp' | undefined {
	if (bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))) return 'png';
	if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpeg';
	if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
	return undefined;
}

/**
 * The still as a data URI for Kling or Runway's image-to-video (the provider modules turn it into the form their API
 * reads: Kling bare base64, Runway the data URI), as cast images are sent. A URL still is downloaded here, with the
 * SSRF guard, so the provider never fetches a host the caller chose.
 */
export async function stillDataUri(storage: Storage, still: OwnStill, label: string): Promise<string> {
	return withWorkDir(async (dir) => {
		let path: string;
		try {
			path = await downloadOwnFile(storage, still, dir, 'still');
		} catch (error) {
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- caught in the provider loop, which fails the scene with NodeOperationError
			throw new Error(`${label}your still ${where(still)} could not be downloaded: ${(error as Error).message}. ${FIX}`);
		}
		const size = (await stat(path)).size;
		const bytes = await readFile(path);
		const type = imageType(bytes);
		if (!type) throw new Error(`${label}your still ${where(still)} is not a PNG, JPEG or WebP image, which Kling and Runway animate. ${FIX}`);
		const uri = `data:image/${type};base64,${bytes.toString('base64')}`;
		if (uri.length > DATA_URI_LIMIT) {
			throw new Error(
				`${label}your still ${where(still)} is ${(size / 1024 / 1024).toFixed(1)} MB; Kling and Runway take images of at most about 3.7 MB (5 MB as base64). Send a smaller JPEG. ${FIX}`,
			);
		}
		return uri;
	});
}

/**
 * The scene's clip from the caller's still with the local renderer: a slow zoom and pan over it (render/kenBurns.ts)
 * for the scene's length, stored where the generated clip would go. The style's text is not drawn over it: the
 * still is the picture the caller chose, and the scene's words reach the viewer as subtitles (attached or burned).
 */
export async function makeStillClip(
	this: IExecuteFunctions,
	itemIndex: number,
	job: OwnMediaJob & { still: OwnStill },
): Promise<INodeExecutionData[]> {
	const { still, storage, label } = job;
	const fail = (message: string) => new NodeOperationError(this.getNode(), message, { itemIndex });
	const made = await withWorkDir(async (dir) => {
		let input: string;
		try {
			input = await downloadOwnFile(storage, still, dir, 'still');
		} catch (error) {
			throw fail(`${label}your still ${where(still)} could not be downloaded: ${(error as Error).message}. ${FIX}`);
		}
		const output = join(dir, 'clip.mp4');
		let moved;
		try {
			moved = await kenBurnsClip({ input, output, duration: job.duration, width: job.width, height: job.height });
		} catch (error) {
			throw fail(`${label}your still ${where(still)} could not be used: ${(error as Error).message} ${FIX}`);
		}
		const [facts, ref] = await Promise.all([probeStreams(output), storage.uploadFile(output, job.outputKey, 'video/mp4')]);
		return {
			moved,
			ref: { ...ref, duration: facts.video?.duration ?? job.duration, width: job.width, height: job.height, media: facts },
		};
	});
	const item = this.getInputData()[itemIndex];
	const cost = { provider: 'local', model: 'ken-burns', units: job.duration, unit: 'second' as const, amountUsd: 0 };
	// A $0 line like every locally rendered clip's, so the run's costs list every scene.
	if (job.ledger && job.runId) {
		await job.ledger.recordCost({
			runId: job.runId,
			sceneNumber: job.sceneNumber ?? null,
			provider: cost.provider,
			model: cost.model,
			units: cost.units,
			unit: 'second',
			amountUsd: 0,
			purpose: 'clip',
		});
	}
	return [
		{
			json: {
				...item.json,
				clip: { ...made.ref } as unknown as IDataObject,
				provider: 'local',
				taskId: '',
				attempts: [{ provider: 'local', outcome: 'served', message: 'a slow zoom over your still' }],
				cost: { ...cost },
				ownStill: { ...still, source: { ...made.moved.source } },
				notes: [
					`${label}your still (${made.moved.source.width}×${made.moved.source.height}) became a ${job.duration} s slow zoom fitted into ${job.width}×${job.height}.`,
				],
			},
			pairedItem: { item: itemIndex },
		},
	];
}
