import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import type { Critique, Plan } from '../../../shared/plan';
import { getStorage } from '../../../shared/storageNode';
import { storePlanVersion } from '../../store/storePlanVersion';
import { getDb, inputJson, jsonParameter, requireRun, runIdField } from '../common';

const show = { resource: ['planVersion'], operation: ['record'] };

export const description: INodeProperties[] = [
	runIdField('planVersion', 'record'),
	{
		displayName: 'Plan',
		name: 'plan',
		type: 'json',
		default: '={{ $json.plan }}',
		displayOptions: { show },
	},
	{
		displayName: 'Critique',
		name: 'critique',
		type: 'json',
		default: '={{ $json.critique ?? null }}',
		description: "The critic's verdict on this plan ({ score, issues }); its score is stored with the version",
		displayOptions: { show },
	},
	{
		displayName: 'Parent Version',
		name: 'parentVersion',
		type: 'number',
		// eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-number -- maps the item's field by default, like the other defaults here
		default: '={{ $json.planVersion ?? 0 }}',
		description: 'The version this plan was refined from (0 = none)',
		displayOptions: { show },
	},
	{
		displayName: 'Changes',
		name: 'changes',
		type: 'json',
		default: '={{ $json.changes ?? [] }}',
		description: 'What the refinement changed, as a list of sentences',
		displayOptions: { show },
	},
	{
		displayName: 'Take',
		name: 'take',
		type: 'number',
		// eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-number -- maps the item's field by default, like the other defaults here
		default: '={{ $json.take ?? 1 }}',
		description: 'Which take of the run this plan belongs to (1–5; 1 when the run plans one take)',
		displayOptions: { show },
	},
	{
		displayName: 'Source',
		name: 'source',
		type: 'string',
		default: '={{ $json.changes ? "refine" : "parse" }}',
		description: 'Who made this version: parse, refine, claude or manual',
		displayOptions: { show },
	},
];

/**
 * Stores a plan version: the JSON (plan + critique) in object storage at its planKey (keys.ts) and a row
 * with its score and take. Version numbers count up per run; the item passes through with planVersion, planKey,
 * planScore, take and takeVersion (the version's number within its take).
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const fail = (message: string) => new NodeOperationError(this.getNode(), message, { itemIndex });
	const plan = jsonParameter.call(this, 'plan', itemIndex, null) as Plan | null;
	if (!plan || typeof plan !== 'object' || !Array.isArray(plan.scenes)) {
		throw fail('"Plan" is not a plan (no scenes list). Map it from the Screenplay node ({{ $json.plan }}).');
	}
	const critique = jsonParameter.call(this, 'critique', itemIndex, null) as Critique | null;
	const rawScore = critique && typeof critique === 'object' ? critique.score : undefined;
	if (rawScore !== undefined && rawScore !== null && !(typeof rawScore === 'number' && rawScore >= 0 && rawScore <= 100)) {
		throw fail(`"Critique" score must be a number from 0 to 100 (got ${JSON.stringify(rawScore)}).`);
	}
	const score = typeof rawScore === 'number' ? Math.round(rawScore) : null;
	const changes = jsonParameter.call(this, 'changes', itemIndex, null) as string[] | null;
	if (changes !== null && !Array.isArray(changes)) throw fail('"Changes" must be a list of sentences, e.g. ["Split scene 2"].');
	const parent = Number(this.getNodeParameter('parentVersion', itemIndex, 0)) || null;
	const source = String(this.getNodeParameter('source', itemIndex, '') || 'parse');
	const take = Number(this.getNodeParameter('take', itemIndex, 1) || 1);
	if (!Number.isInteger(take) || take < 1 || take > 5) throw fail(`"Take" must be a whole number from 1 to 5 (got ${JSON.stringify(take)}).`);

	const db = await getDb.call(this);
	const storage = await getStorage.call(this);
	const run = await requireRun.call(this, db, itemIndex);
	const recorded = await storePlanVersion(db, storage, { runId: run.id, take, parentVersion: parent, score, critique, plan, source, changes });
	return [
		{
			json: {
				...inputJson.call(this, itemIndex),
				planVersion: recorded.version,
				planKey: recorded.planKey,
				planScore: recorded.score,
				take,
				// The how-manieth version of this take: the refinement loop counts its iterations per take.
				takeVersion: recorded.takeVersion,
			},
		},
	];
}
