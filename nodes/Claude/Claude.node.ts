import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { testPostgresCredential } from '../shared/transport/postgres';
import * as checkFrame from './actions/checkFrame.operation';
import * as critique from './actions/critique.operation';
import { modelParameters } from './actions/common';
import * as metadata from './actions/metadata.operation';
import * as plan from './actions/plan.operation';
import * as refine from './actions/refine.operation';
import { router } from './actions/router';
import * as videoPrompts from './actions/videoPrompts.operation';

export class Claude implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Claude',
		name: 'claude',
		icon: { light: 'file:claude.svg', dark: 'file:claude.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		usableAsTool: true,
		description: 'Plan a video from a script, brief or post with Claude, critique and refine the plan, check frames, write metadata',
		defaults: {
			name: 'Claude',
		},
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'reelsmithAnthropicApi', required: true },
			// Optional: with it, calls for items that carry a runId are checked against the run's budget and costed.
			{
				name: 'reelsmithPostgresApi',
				required: false,
				displayName: 'Reelsmith Postgres — for budgets, costs and task ids',
				testedBy: 'reelsmithPostgresApiTest',
			},
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Check Frame',
						value: 'checkFrame',
						description: 'Score how well a frame of a clip matches what the scene should show',
						action: 'Check a frame',
					},
					{
						name: 'Critique',
						value: 'critique',
						description: 'Score a plan 0–100 and list what to fix',
						action: 'Critique a plan',
					},
					{
						name: 'Metadata',
						value: 'metadata',
						description: 'Write the title, description, tags and thumbnail text for the finished video',
						action: 'Write video metadata',
					},
					{
						name: 'Plan',
						value: 'plan',
						description: 'Turn a script, brief or post into a scene plan with visual descriptions',
						action: 'Plan a video',
					},
					{
						name: 'Refine',
						value: 'refine',
						description: 'Fix the issues a critique lists and return the new plan and the changes',
						action: 'Refine a plan',
					},
					{
						name: 'Video Prompts',
						value: 'videoPrompts',
						description: 'Write one text-to-video prompt per scene from the plan, within the provider limit',
						action: 'Write video prompts for a plan',
					},
				],
				default: 'plan',
			},
			...plan.description,
			...critique.description,
			...refine.description,
			...videoPrompts.description,
			...checkFrame.description,
			...metadata.description,
			// Video Prompts composes text from the plan and calls no model.
			...modelParameters.map((property) => ({ ...property, displayOptions: { hide: { operation: ['videoPrompts'] } } })),
		],
	};

	methods = {
		credentialTest: {
			reelsmithPostgresApiTest: testPostgresCredential,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
