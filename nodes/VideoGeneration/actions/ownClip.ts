import { join } from 'node:path';
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { downloadOwnFile, ownFileOf, type OwnFile } from '../../shared/ownFile';
import type { Ledger } from '../../shared/ledger';
import { jsonParameter } from '../../shared/parameters';
import { probeStreams } from '../../shared/probe';
import type { Storage } from '../../shared/transport/storage';
import { withWorkDir } from '../../shared/workdir';
import { fitClip } from '../../shared/render/fit';

/** The provider name an own clip is recorded under (scenes.provider, costs): no provider made it, nothing was paid. */
export const OWN_PROVIDER = 'own';

export type OwnClip = OwnFile;

/**
 * The "Own Clip" parameter: {"key": …} or {"url": …}, or empty for a generated clip. The run request checked it
 * (Campaign/lib/sceneMedia.ts); here only its shape, for a node used by hand.
 */
export function readOwnClip(this: IExecuteFunctions, itemIndex: number, label: string): OwnClip | undefined {
	const value = jsonParameter(this, 'ownClip', 'Own Clip', itemIndex, { optional: true });
	if (value === undefined || value === '') return undefined;
	const file = ownFileOf(value);
	if (file) return 'url' in file ? { url: file.url } : { key: file.key };
	const hint = 'Set it to {"key": "<object key>"} or {"url": "https://…"}, or leave it empty to generate the clip.';
	throw new NodeOperationError(this.getNode(), `${label}"Own Clip" is not a clip reference. ${hint}`, { itemIndex });
}

/** Where a scene clip made from the caller's own file goes, and what it is costed under. */
export interface OwnMediaJob {
	storage: Storage;
	outputKey: string;
	duration: number;
	width: number;
	height: number;
	label: string;
	ledger?: Ledger;
	runId?: string;
	sceneNumber?: number;
}

/**
 * The scene's clip from the caller's file instead of a provider: downloaded, cut or looped to the scene's length,
 * fitted to the preset's frame (render/fit.ts), stored where the generated clip would go, at $0 under provider
 * "own". Nothing is submitted to any video provider.
 */
export async function makeOwnClip(
	this: IExecuteFunctions,
	itemIndex: number,
	job: OwnMediaJob & { clip: OwnClip },
): Promise<INodeExecutionData[]> {
	const { clip, storage, label } = job;
	const fail = (message: string, error?: unknown) =>
		new NodeOperationError(this.getNode(), message, {
			itemIndex,
			description: error ? (error as Error).message : undefined,
		});
	const where = 'url' in clip ? `"${clip.url}"` : `"${clip.key}"`;
	const fix = 'Fix the scene\'s entry in "sceneMedia" (or upload the file and give its "key"), then send the run again or resume it.';
	const result = await withWorkDir(async (dir) => {
		let input: string;
		try {
			input = await downloadOwnFile(storage, clip, dir, 'clip');
		} catch (error) {
			throw fail(`${label}your clip ${where} could not be downloaded: ${(error as Error).message}. ${fix}`);
		}
		const output = join(dir, 'clip.mp4');
		let fitted;
		try {
			fitted = await fitClip({
				input,
				output,
				duration: job.duration,
				width: job.width,
				height: job.height,
			});
		} catch (error) {
			throw fail(`${label}your clip ${where} could not be used: ${(error as Error).message} ${fix}`);
		}
		const [facts, ref] = await Promise.all([probeStreams(output), storage.uploadFile(output, job.outputKey, 'video/mp4')]);
		return {
			fitted,
			ref: {
				...ref,
				duration: facts.video?.duration ?? job.duration,
				width: job.width,
				height: job.height,
				media: facts,
			},
		};
	});
	const cost = {
		provider: OWN_PROVIDER,
		model: OWN_PROVIDER,
		units: job.duration,
		unit: 'second' as const,
		amountUsd: 0,
	};
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
	const { fitted } = result;
	const notes = [
		`${label}your clip (${fitted.source.width}×${fitted.source.height}, ${fitted.source.duration} s) was ${fitted.looped ? 'looped' : 'cut'} to ${job.duration} s and fitted into ${job.width}×${job.height}.`,
	];
	const item = this.getInputData()[itemIndex];
	return [
		{
			json: {
				...item.json,
				clip: { ...result.ref } as unknown as IDataObject,
				provider: OWN_PROVIDER,
				taskId: '',
				attempts: [{ provider: OWN_PROVIDER, outcome: 'served' }],
				cost: { ...cost },
				ownClip: {
					...clip,
					looped: fitted.looped,
					source: { ...fitted.source },
				},
				notes,
			},
			pairedItem: { item: itemIndex },
		},
	];
}
