import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import type { Plan } from '../../../shared/plan';
import { upsertPendingScenes } from '../../../shared/store/scenes';
import { getDb, jsonParameter, requireRun, runIdField, stopIfCancelled } from '../common';

const show = { resource: ['scene'], operation: ['prepare'] };

export const description: INodeProperties[] = [
	runIdField('scene', 'prepare'),
	{
		displayName: 'Plan',
		name: 'plan',
		type: 'json',
		default: '={{ $json.plan }}',
		description: 'The final plan of the run (from Start, or the last plan version)',
		displayOptions: { show },
	},
];

/**
 * Creates the scene rows of the final plan and emits one scene item per scene still to make. Completed scenes
 * (from an earlier, interrupted execution) emit nothing, which is how a resume skips them.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const plan = jsonParameter.call(this, 'plan', itemIndex, null) as Plan | null;
	if (!plan || typeof plan !== 'object' || !Array.isArray(plan.scenes) || plan.scenes.length === 0) {
		throw new NodeOperationError(
			this.getNode(),
			'"Plan" has no scenes. Map the plan from the Screenplay node or from Start ({{ $json.plan }}).',
			{ itemIndex },
		);
	}
	plan.scenes.forEach((scene, index) => {
		if (!Number.isInteger(scene?.number) || scene.number < 1) {
			throw new NodeOperationError(
				this.getNode(),
				`"Plan": scene ${index + 1} has no valid "number" (got ${JSON.stringify(scene?.number)}). Use a plan made by the Screenplay node.`,
				{ itemIndex },
			);
		}
	});
	const db = await getDb.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	await stopIfCancelled.call(this, db, run, 'generation', itemIndex);
	const rows = await upsertPendingScenes(
		db,
		run.id,
		plan.scenes.map((scene) => ({ number: scene.number, heading: scene.heading ?? '', duration: Number(scene.duration) || 0 })),
	);
	const rowOf = new Map(rows.map((row) => [row.number, row]));
	return plan.scenes
		.filter((scene) => rowOf.get(scene.number)?.status !== 'completed')
		.map((scene) => ({
			json: {
				runId: run.id,
				campaignId: run.campaignId,
				sceneNumber: scene.number,
				scene,
				characters: plan.characters ?? [],
				options: run.options,
				// The number this attempt will have: a scene that failed in an earlier execution goes on counting.
				attempt: (rowOf.get(scene.number)?.attempts ?? 0) + 1,
			} as unknown as IDataObject,
		}));
}
