import type { INodeProperties } from 'n8n-workflow';
import { operationField } from '../shared/description';
import * as checkFrame from './actions/checkFrame.operation';
import * as critique from './actions/critique.operation';
import { modelParameters } from './actions/common';
import * as metadata from './actions/metadata.operation';
import * as plan from './actions/plan.operation';
import * as refine from './actions/refine.operation';
import * as videoPrompts from './actions/videoPrompts.operation';

/** The Claude node's parameters: the operation choice, then each operation's own fields. */
export const properties: INodeProperties[] = [
	operationField(
		[
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
		'plan',
	),
	...plan.description,
	...critique.description,
	...refine.description,
	...videoPrompts.description,
	...checkFrame.description,
	...metadata.description,
	// Video Prompts composes text from the plan and calls no model.
	...modelParameters.map((property) => ({ ...property, displayOptions: { hide: { operation: ['videoPrompts'] } } })),
];
