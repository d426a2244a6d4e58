import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { setRunStage } from '../../store/runs';
import { getDb, inputJson, requireRun, runIdField, stopIfCancelled } from '../common';

const show = { resource: ['run'], operation: ['setStage'] };

export const description: INodeProperties[] = [
	runIdField('run', 'setStage'),
	{
		displayName: 'Stage',
		name: 'stage',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'generation',
		description: 'The stage the run is in now: planning, refinement, generation, validation or assembly',
		displayOptions: { show },
	},
];

/** Records which stage the run is in (the dashboard shows it); the item passes through. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const stage = String(this.getNodeParameter('stage', itemIndex, '') ?? '').trim();
	if (!stage || stage.length > 50) {
		throw new NodeOperationError(
			this.getNode(),
			`"Stage" must be a short stage name such as planning, refinement, generation, validation or assembly (got "${stage.slice(0, 60)}").`,
			{ itemIndex },
		);
	}
	const db = await getDb.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	await stopIfCancelled.call(this, db, run, stage, itemIndex);
	await setRunStage(db, run.id, stage);
	return [{ json: { ...inputJson.call(this, itemIndex), stage } }];
}
