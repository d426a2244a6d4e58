import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { recordEvent, type EventStatus } from '../../store/events';
import { setRunStage } from '../../store/runs';
import { getDb, inputJson, jsonParameter, requireRun, runIdField, stopIfCancelled } from '../common';

const show = { resource: ['event'], operation: ['record'] };
const STATUSES: EventStatus[] = ['started', 'finished', 'failed', 'info'];

export const description: INodeProperties[] = [
	runIdField('event', 'record'),
	{
		displayName: 'Stage',
		name: 'stage',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'generation',
		description: 'The step: planning, refinement, generation, validation, assembly, or a finer one such as clip',
		displayOptions: { show },
	},
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		options: [
			{ name: 'Failed', value: 'failed' },
			{ name: 'Finished', value: 'finished', description: 'Duration is measured from the latest Started event of the same stage and scene' },
			{ name: 'Info', value: 'info' },
			{ name: 'Started', value: 'started' },
		],
		default: 'started',
		displayOptions: { show },
	},
	{
		displayName: 'Scene Number',
		name: 'sceneNumber',
		type: 'number',
		default: 0,
		description: 'The scene this step is about (0 = the whole run)',
		displayOptions: { show },
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		default: '',
		displayOptions: { show },
	},
	{
		displayName: 'Data',
		name: 'data',
		type: 'json',
		default: '',
		description: 'Extra details to keep with the event (JSON)',
		displayOptions: { show },
	},
];

/** Records a step event with its timing; the item passes through with `event`. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const fail = (message: string) => new NodeOperationError(this.getNode(), message, { itemIndex });
	const stage = String(this.getNodeParameter('stage', itemIndex, '') ?? '').trim();
	if (!stage || stage.length > 50) throw fail(`"Stage" must be a short step name such as generation (got "${stage.slice(0, 60)}").`);
	const status = this.getNodeParameter('status', itemIndex) as EventStatus;
	if (!STATUSES.includes(status)) throw fail(`"Status" must be one of ${STATUSES.join(', ')} (got "${status}").`);
	const sceneNumber = Number(this.getNodeParameter('sceneNumber', itemIndex, 0)) || null;
	if (sceneNumber !== null && (!Number.isInteger(sceneNumber) || sceneNumber < 1)) {
		throw fail(`"Scene Number" must be a whole number from 1, or 0 for the whole run (got ${sceneNumber}).`);
	}
	const message = String(this.getNodeParameter('message', itemIndex, '') ?? '') || null;
	const data = jsonParameter.call(this, 'data', itemIndex, undefined);

	const db = await getDb.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	// A step starting is where a cancel takes effect.
	if (status === 'started') await stopIfCancelled.call(this, db, run, stage, itemIndex);
	const event = await recordEvent(db, { runId: run.id, stage, status, sceneNumber, message, data });
	// A stage starting for the whole run is where the run now stands (the dashboard shows it as its progress).
	if (status === 'started' && sceneNumber === null && stage !== 'run') await setRunStage(db, run.id, stage);
	return [
		{
			json: {
				...inputJson.call(this, itemIndex),
				event: {
					id: event.id,
					stage: event.stage,
					status: event.status,
					sceneNumber: event.sceneNumber,
					durationMs: event.durationMs,
					createdAt: event.createdAt,
				},
			},
		},
	];
}
