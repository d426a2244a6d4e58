import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { planningEstimate, usd } from '../../lib/estimate';
import { chooseProviders, describeProviders } from '../../lib/providers';
import { recordEvent } from '../../store/events';
import { setRunProviders } from '../../store/runs';
import { getDb, inputJson, requireRun, runIdField, stopIfCancelled } from '../common';
import { configuredCredentials } from './credentials';

export const description: INodeProperties[] = [runIdField('run', 'chooseProviders')];

/**
 * Resolves the run's planner, video and speech orders ('auto' → the configured paid providers, then the offline
 * ones) once per run and stores them in runs.options.providers; a resumed run keeps the lists it had. The item
 * passes through with options.providers, which the Claude, Video Generation and Text to Speech steps read.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const db = await getDb.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	await stopIfCancelled.call(this, db, run, 'providers', itemIndex);
	const item = inputJson.call(this, itemIndex);
	let providers = run.options.providers;
	if (!providers) {
		const ready = await configuredCredentials.call(this, itemIndex);
		const choice = chooseProviders(
			{ planner: run.options.planner ?? 'auto', video: run.options.video ?? ['auto'], speech: run.options.speech ?? ['auto'] },
			(credential) => ready.has(credential),
		);
		// The error workflow marks the run failed with this message (as for any step).
		if (!choice.ok) throw new NodeOperationError(this.getNode(), choice.message, { itemIndex });
		providers = choice.providers;
		await setRunProviders(db, run.id, providers);
		const planning = planningEstimate(providers, run.options);
		const planningNote = planning.claudeCalls
			? `Planning ${planning.takes} take(s) with Claude: at most ${planning.claudeCalls} call(s), about ${usd(planning.claudeUsd)}.`
			: '';
		await recordEvent(db, {
			runId: run.id,
			stage: 'providers',
			status: 'info',
			message: [`Providers: ${describeProviders(providers)}.`, ...choice.notes, planningNote].filter(Boolean).join(' '),
			data: { providers, asked: { planner: run.options.planner, video: run.options.video, speech: run.options.speech }, planning },
		});
	}
	const options = { ...((item.options as IDataObject) ?? run.options), providers } as unknown as IDataObject;
	return [{ json: { ...item, runId: run.id, options } }];
}
