import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../shared/description';
import * as critique from './actions/critique.operation';
import * as parse from './actions/parse.operation';
import * as refine from './actions/refine.operation';
import * as take from './actions/take.operation';

/** The Screenplay node's parameters: the operation choice, then each operation's own fields. */
export const properties: INodeProperties[] = [
	operationField(
		[
			{
				name: 'Critique',
				value: 'critique',
				description: 'Score a plan 0–100 against the rubric and list what to fix',
				action: 'Critique a plan',
			},
			{
				name: 'Make Take',
				value: 'take',
				description: 'Make one of several different takes of a parsed plan (another opening line, merged scenes)',
				action: 'Make a take of a plan',
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
		'parse',
	),
	...parse.description,
	...critique.description,
	...refine.description,
	...take.description,
];
