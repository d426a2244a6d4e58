import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Plan } from '../../../shared/plan';
import { recordEvent } from '../../store/events';
import { failRun } from '../../../shared/store/runState';
import { priceRun } from '../../store/pricing';
import { setCostEstimate, setSceneMedia } from '../../store/runs';
import { measureVoiceOvers } from '../../lib/voiceOverLength';
import { getStorage } from '../../../shared/storageNode';
import { withTransaction } from '../../transport/db';
import { getDb, inputJson, jsonParameter, requireRun, runIdField, stopIfCancelled } from '../common';
import { runSummary } from './summary';

const show = { resource: ['run'], operation: ['estimate'] };

export const description: INodeProperties[] = [
	runIdField('run', 'estimate'),
	{
		displayName: 'Plan',
		name: 'plan',
		type: 'json',
		default: '={{ $json.plan }}',
		description: 'The final plan of the run, to price scene by scene',
		displayOptions: { show },
	},
];

/**
 * Prices the run before any paid generation (lib/estimate.ts) and stores it as runs.cost_estimate. When the estimate
 * does not fit what is left of the run's or the campaign's budget the run fails here, before the first video call,
 * with a message naming the estimate and the cap. Outputs: Within Budget (the item, with `estimate`) and
 * Over Budget (the failed run).
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[][]> {
	const db = await getDb.call(this);
	let run = await requireRun.call(this, db, itemIndex);
	await stopIfCancelled.call(this, db, run, 'estimate', itemIndex);
	const plan = jsonParameter.call(this, 'plan', itemIndex, null) as Plan | null;
	// An own voice-over sets its scene's length: measured here once and kept in the run, so re-pricing reads it.
	const media = run.options.sceneMedia ?? [];
	const unmeasured = media.some((entry) => entry.voiceOver && !(Number(entry.voiceOver.seconds) > 0));
	let measureNote = '';
	if (unmeasured) {
		const measured = await measureVoiceOvers(await getStorage.call(this), media);
		if (measured.measured > 0) run = (await setSceneMedia(db, run.id, measured.media)) ?? run;
		if (measured.problems.length) measureNote = ` The planned length was used where ${measured.problems.join('; ')}.`;
	}
	const priced = await priceRun(db, run, plan);
	const { estimate, stop } = priced;
	const message = priced.message + measureNote;
	const failed = await withTransaction(db, async (client) => {
		await setCostEstimate(client, run.id, estimate.totalUsd);
		await recordEvent(client, { runId: run.id, stage: 'estimate', status: 'info', message, data: estimate });
		if (!stop) return null;
		const row = await failRun(client, run.id, stop);
		if (row) await recordEvent(client, { runId: run.id, stage: 'estimate', status: 'failed', message: stop, data: estimate });
		return row;
	});
	const item = inputJson.call(this, itemIndex);
	if (stop) {
		return [[], [{ json: { runId: run.id, error: stop, estimate: estimate as unknown as IDataObject, run: runSummary(failed ?? run) } }]];
	}
	return [[{ json: { ...item, runId: run.id, estimate: estimate as unknown as IDataObject } }], []];
}
