import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { router } from './actions/router';
import { properties } from './description';

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
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
