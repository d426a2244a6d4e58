import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../shared/description';
import * as generate from './actions/generate.operation';

/** The Video Generation node's parameters: the operation choice, then the Generate fields. */
export const properties: INodeProperties[] = [
	operationField(
		[
			{
				name: 'Generate',
				value: 'generate',
				action: 'Generate a scene clip',
				description: 'Render the scene with the chosen provider, wait for it and store the clip',
			},
		],
		'generate',
	),
	...generate.description,
];
