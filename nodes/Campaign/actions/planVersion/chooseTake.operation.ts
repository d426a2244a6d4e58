import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { bestTake, chooseTake, listTakes } from '../../../shared/store/planTakes';
import { applyCast, castMessage } from '../../lib/cast';
import { getCastVersion, latestCast, setRunCastVersion } from '../../store/cast';
import { recordEvent } from '../../store/events';
import { getPlanVersion, type PlanVersion } from '../../store/planVersions';
import { storePlanVersion } from '../../store/storePlanVersion';
import { getStorage } from '../../../shared/storageNode';
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
 * When the run's campaign has a cast, the chosen plan is matched to it (lib/cast.ts applyCast: descriptions, voices,
 * reference images) and stored as a new version of that take (source `cast`), which the run goes on with; the cast
 * version is recorded on the run (runs.cast_version), so a resume or an approval uses the same one.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const db = await getDb.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	const wanted = Number(this.getNodeParameter('take', itemIndex, 0)) || 0;
	const { takes, version: chosen } = await withTransaction(db, async (client) => {
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
	let version: PlanVersion = chosen;
	const cast = run.castVersion ? await getCastVersion(db, run.campaignId, run.castVersion) : await latestCast(db, run.campaignId);
	if (cast && cast.cast.characters.length + cast.cast.settings.length > 0 && chosen.source !== 'cast') {
		const { plan, match } = applyCast(chosen.plan, cast.cast, run.options.language);
		const message = castMessage(cast.version, match);
		const storage = await getStorage.call(this);
		version = await storePlanVersion(db, storage, {
			runId: run.id,
			take: chosen.take,
			parentVersion: chosen.version,
			score: chosen.score,
			critique: chosen.critique,
			plan,
			source: 'cast',
			changes: [message],
			choose: true,
		});
		await setRunCastVersion(db, run.id, cast.version);
		await recordEvent(db, {
			runId: run.id,
			stage: 'planning',
			status: 'info',
			message,
			data: { castVersion: cast.version, planVersion: version.version, ...match },
		});
		const index = takes.findIndex((take) => take.take === version.take);
		if (index >= 0) takes[index] = { ...takes[index], version: version.version };
	}
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
