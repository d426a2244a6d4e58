import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { getStorage } from '../../../shared/storageNode';
import { listTakes } from '../../../shared/store/planTakes';
import { drawStills, type DrawResult } from '../../lib/storyboard';
import type { RunOptions } from '../../lib/request';
import { recordEvent } from '../../store/events';
import { getPlanVersion } from '../../store/planVersions';
import { getDb, inputJson, requireRun, runIdField } from '../common';

export const description: INodeProperties[] = [runIdField('run', 'drawStoryboard')];

/**
 * Before the approval wait of a run started with approval: true, draws one still per scene of each take's newest plan
 * version (lib/storyboard.ts) for the approval screen. A run that needs no approval passes through untouched. Never
 * stops the run: a still that cannot be drawn is recorded (the screen shows the scene without it and says why), and so
 * is a storyboard that could not be drawn at all. Stills stored already are kept, so a resumed run does not redraw them.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const db = await getDb.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	const item = { ...inputJson.call(this, itemIndex), runId: run.id };
	if (run.approval !== 'pending') return [{ json: item }];
	const total: DrawResult = { drawn: 0, failed: 0, kept: 0 };
	await recordEvent(db, { runId: run.id, stage: 'storyboard', status: 'started', message: 'Drawing the storyboard stills.' });
	try {
		const storage = await getStorage.call(this);
		for (const take of await listTakes(db, run.id)) {
			const version = await getPlanVersion(db, run.id, take.version);
			const made = await drawStills(db, storage, {
				runId: run.id,
				version: take.version,
				take: take.take,
				plan: version.plan,
				options: (run.options ?? {}) as RunOptions,
			});
			total.drawn += made.drawn;
			total.failed += made.failed;
			total.kept += made.kept;
		}
	} catch (error) {
		// The storage or the database failed under the whole storyboard: the approval screen goes without pictures.
		const message = `The storyboard stills could not be drawn: ${(error as Error).message} The approval screen shows the scenes without pictures; the run goes on.`;
		await recordEvent(db, { runId: run.id, stage: 'storyboard', status: 'failed', message }).catch(() => {});
		return [{ json: { ...item, storyboard: { ...total, error: message } as IDataObject } }];
	}
	const stills = total.drawn + total.kept;
	await recordEvent(db, {
		runId: run.id,
		stage: 'storyboard',
		status: 'finished',
		message: `Storyboard: ${stills} still${stills === 1 ? '' : 's'}${total.kept ? ` (${total.kept} drawn before)` : ''}${total.failed ? `, ${total.failed} scene${total.failed === 1 ? '' : 's'} without one` : ''}.`,
		data: total,
	});
	return [{ json: { ...item, storyboard: { ...total } } }];
}
