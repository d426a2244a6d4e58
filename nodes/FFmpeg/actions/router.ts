import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { runOperations, type OperationHandler } from '../../shared/router';
import * as brandClips from './brandClips.operation';
import * as checkClip from './checkClip.operation';
import * as concat from './concat.operation';
import * as exportAlpha from './exportAlpha.operation';
import * as exportVideo from './export.operation';
import * as loudness from './loudness.operation';
import * as music from './music.operation';
import * as mux from './mux.operation';
import * as probe from './probe.operation';
import * as subtitles from './subtitles.operation';
import * as thumbnail from './thumbnail.operation';
import * as timeline from './timeline.operation';
import * as trailer from './trailer.operation';
import * as watermark from './watermark.operation';

/** Operation value → its module. Adding an operation = one file and one line here (and one option in the description). */
export const operations = {
	probe,
	checkClip,
	mux,
	brandClips,
	concat,
	subtitles,
	music,
	loudness,
	thumbnail,
	timeline,
	trailer,
	watermark,
	export: exportVideo,
	exportAlpha,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const handlers: Record<string, OperationHandler> = Object.fromEntries(Object.entries(operations).map(([name, op]) => [name, op.execute]));
	return runOperations.call(this, handlers);
}
