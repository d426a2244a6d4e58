import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { listAssets } from '../../store/assets';
import { getCampaign } from '../../store/campaigns';
import { listEvents } from '../../store/events';
import { listPlanVersions } from '../../store/planVersions';
import { listScenes } from '../../../shared/store/scenes';
import { getDb, requireRun, runIdField } from '../common';

export const description: INodeProperties[] = [runIdField('run', 'get')];

/** Everything known about a run: the run, its campaign, scenes, plan versions, events and assets. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const db = await getDb.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	const [campaign, scenes, planVersions, events, assets] = await Promise.all([
		getCampaign(db, run.campaignId),
		listScenes(db, run.id),
		listPlanVersions(db, run.id),
		listEvents(db, run.id),
		listAssets(db, run.id),
	]);
	return [{ json: { run, campaign, scenes, planVersions, events, assets } as unknown as IDataObject }];
}
