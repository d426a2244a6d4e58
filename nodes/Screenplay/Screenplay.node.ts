import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import * as critique from './actions/critique.operation';
import * as parse from './actions/parse.operation';
import * as refine from './actions/refine.operation';
import { router } from './actions/router';

export class Screenplay implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Screenplay',
		name: 'screenplay',
		icon: { light: 'file:screenplay.svg', dark: 'file:screenplay.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		usableAsTool: true,
		description: 'Turn a script into a scene plan, score the plan and refine it',
		defaults: {
			name: 'Screenplay',
		},
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Critique',
						value: 'critique',
						description: 'Score a plan 0–100 against the rubric and list what to fix',
						action: 'Critique a plan',
					},
					{
						name: 'Parse',
						value: 'parse',
						description: 'Turn a screenplay, Markdown script or post into a plan of scenes',
						action: 'Parse a script into a plan',
					},
					{
						name: 'Refine',
						value: 'refine',
						description: 'Fix the issues a critique lists and return the new plan',
						action: 'Refine a plan',
					},
				],
				default: 'parse',
			},
			...parse.description,
			...critique.description,
			...refine.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
