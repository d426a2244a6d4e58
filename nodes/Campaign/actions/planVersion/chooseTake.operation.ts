import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { bestTake, chooseTake, listTakes } from '../../../shared/store/planTakes';
import { getPlanVersion } from '../../store/planVersions';
import { withTransaction } from '../../transport/db';
import { getDb, inputJson, requireRun, runIdField } from '../common';

const show = { resource: ['planVersion'], operation: ['chooseTake'] };

export const description: INodeProperties[] = [
	runIdField('planVersion', 'chooseTake'),
	{
		displayName: 'Take',
		name: 'take',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description: "The take to go on with; 0 = the best-scored take (a tie goes to the earlier take)",
		displayOptions: { show },
	},
];

/**
 * After planning: marks the take the run goes on with (plan_versions.chosen) and outputs the item with that take's
 * newest plan, critique, planVersion, planScore and take, plus `takes`: every take's version and score.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const db = await getDb.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	const wanted = Number(this.getNodeParameter('take', itemIndex, 0)) || 0;
	const { takes, version } = await withTransaction(db, async (client) => {
		const all = await listTakes(client, run.id);
		const pick = wanted > 0 ? all.find((take) => take.take === wanted) : bestTake(all);
		if (!pick) {
			throw new NodeOperationError(
				this.getNode(),
				all.length
					? `Run ${run.id} has no take ${wanted}; it has take(s) ${all.map((take) => take.take).join(', ')}.`
					: `Run ${run.id} has no plan version yet: record one (Plan Version → Record) before choosing a take.`,
				{ itemIndex },
			);
		}
		await chooseTake(client, run.id, pick.take);
		return { takes: all.map((take) => ({ ...take, chosen: take.take === pick.take })), version: await getPlanVersion(client, run.id, pick.version) };
	});
	return [
		{
			json: {
				...inputJson.call(this, itemIndex),
				plan: { ...version.plan },
				critique: version.critique ? { ...version.critique } : null,
				planVersion: version.version,
				planKey: version.planKey,
				planScore: version.score,
				take: version.take,
				takes: takes.map((take) => ({ take: take.take, version: take.version, score: take.score, chosen: take.chosen })),
			},
		},
	];
}
