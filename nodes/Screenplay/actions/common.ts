import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import clipLimits from '../../shared/data/clipLimits.json';
import { MAX_SCENES, type Critique, type Plan } from '../../shared/plan';
import { readCritique, readPlan } from '../../shared/screenplay/validate';

export type VideoProvider = 'local' | 'kling' | 'runway';

/** Parameters shared by Critique and Refine, shown for the given operation. */
export function planParameters(operation: string): INodeProperties[] {
	const show = { show: { operation: [operation] } };
	return [
		{
			displayName: 'Plan',
			name: 'plan',
			type: 'json',
			default: '={{ $json.plan }}',
			required: true,
			description: 'The plan from Screenplay → Parse, as an object or JSON text',
			displayOptions: show,
		},
	];
}

export function limitParameters(operation: string): INodeProperties[] {
	const show = { show: { operation: [operation] } };
	return [
		{
			displayName: 'Target Duration (Seconds)',
			name: 'targetDuration',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0 },
			description: "Total length the video should have. 0 uses the plan's own target (none when the plan has none).",
			displayOptions: show,
		},
		...clipParameters(operation),
	];
}

/** Video provider and clip limit: the longest scene a clip can hold. */
export function clipParameters(operation: string): INodeProperties[] {
	const show = { show: { operation: [operation] } };
	return [
		{
			displayName: 'Video Provider',
			name: 'videoProvider',
			type: 'options',
			options: [
				{ name: 'Kling', value: 'kling', description: 'Clips up to 10 seconds' },
				{ name: 'Local', value: 'local', description: 'Rendered here with ffmpeg; clips up to 20 seconds' },
				{ name: 'Runway', value: 'runway', description: 'Clips up to 10 seconds' },
			],
			default: 'local',
			description: 'The provider that will render the clips; its longest clip is the scene length limit',
			displayOptions: show,
		},
		{
			displayName: 'Clip Limit (Seconds)',
			name: 'clipLimit',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0 },
			description: "Longest scene allowed. 0 uses the video provider's limit.",
			displayOptions: show,
		},
	];
}

export function maxScenesParameter(operation: string): INodeProperties {
	return {
		displayName: 'Max Scenes',
		name: 'maxScenes',
		type: 'number',
		default: MAX_SCENES,
		typeOptions: { minValue: 1 },
		description: `Most scenes the plan may have, also after long scenes are split to fit the clip limit (a run takes at most ${MAX_SCENES})`,
		displayOptions: { show: { operation: [operation] } },
	};
}

export function maxScenesFor(this: IExecuteFunctions, itemIndex: number): number {
	const value = Number(this.getNodeParameter('maxScenes', itemIndex, MAX_SCENES));
	return Number.isFinite(value) && value >= 1 ? Math.floor(value) : MAX_SCENES;
}

/** Seconds from the Clip Limit parameter, else the provider's limit in nodes/shared/data/clipLimits.json. */
export function clipLimitFor(this: IExecuteFunctions, itemIndex: number): number {
	const override = Number(this.getNodeParameter('clipLimit', itemIndex, 0));
	if (Number.isFinite(override) && override > 0) return override;
	const provider = this.getNodeParameter('videoProvider', itemIndex, 'local') as string;
	const limit = (clipLimits as Record<string, unknown>)[provider];
	if (typeof limit !== 'number') {
		throw new NodeOperationError(this.getNode(), `Unknown video provider "${provider}". Choose local, kling or runway.`, {
			itemIndex,
		});
	}
	return limit;
}

/** Plans and critiques are plain JSON; n8n's item type just cannot see that through their interfaces. */
export function asJson(value: object): IDataObject {
	return value as unknown as IDataObject;
}

/** A positive number, or null for 0 / empty / not set. */
export function positiveOrNull(value: unknown): number | null {
	const seconds = Number(value);
	return value !== null && value !== '' && Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}

export function getPlan(this: IExecuteFunctions, itemIndex: number): Plan {
	const read = readPlan(this.getNodeParameter('plan', itemIndex, undefined));
	if (read.value) return read.value;
	throw new NodeOperationError(
		this.getNode(),
		`The "Plan" parameter is not a Reelsmith plan: ${read.problem}. Connect it to the output of Screenplay → Parse.`,
		{ itemIndex, description: 'Plan defaults to {{ $json.plan }}: the item must carry the plan Parse produced, or set the parameter to one.' },
	);
}

export function getCritique(this: IExecuteFunctions, itemIndex: number): Critique {
	const read = readCritique(this.getNodeParameter('critique', itemIndex, undefined));
	if (read.value) return read.value;
	throw new NodeOperationError(
		this.getNode(),
		`The "Critique" parameter is not a critique: ${read.problem}. Connect it to the output of Screenplay → Critique.`,
		{ itemIndex, description: 'Critique defaults to {{ $json.critique }}: run Critique on the plan first.' },
	);
}
