import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Plan } from '../../shared/plan';
import { textParameter } from '../../shared/parameters';
import { getPlan, planParameter, show } from './common';

/**
 * One text-to-video prompt per scene, composed from the plan without a model call: the scene's visual description,
 * the global style, the setting's description and the descriptions of the characters present, cut to the provider's
 * prompt limit (Kling 2500 characters, Runway 1000) at a word boundary.
 */
export const description: INodeProperties[] = [
	planParameter(['videoPrompts']),
	{
		displayName: 'Style',
		name: 'style',
		type: 'string',
		default: '',
		placeholder: 'warm 35mm film, soft daylight',
		description: 'Visual style added to every prompt',
		displayOptions: show(['videoPrompts']),
	},
	{
		displayName: 'Prompt Limit (Characters)',
		name: 'promptLimit',
		type: 'number',
		default: 2500,
		typeOptions: { minValue: 50 },
		description: 'Longest prompt the video provider takes: Kling 2500, Runway 1000',
		displayOptions: show(['videoPrompts']),
	},
];

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

function cut(text: string, limit: number): string {
	if (text.length <= limit) return text;
	const head = text.slice(0, limit - 1);
	const space = head.lastIndexOf(' ');
	return `${(space > limit / 2 ? head.slice(0, space) : head).replace(/[\s,.;:]+$/, '')}…`;
}

export function scenePrompts(plan: Plan, style: string, limit: number) {
	return plan.scenes.map((scene) => {
		const parts = [scene.visualDescription.trim()];
		if (style) parts.push(`Style: ${style}.`);
		const setting = plan.settings.find((candidate) => same(candidate.name, scene.location));
		if (setting?.description) parts.push(`Setting, ${setting.name}: ${setting.description}`);
		const present = new Set([...scene.characters, ...scene.dialogue.map((line) => line.speaker)].map((name) => name.trim()));
		for (const character of plan.characters) {
			if (character.description && [...present].some((name) => same(name, character.name))) {
				parts.push(`${character.name}: ${character.description}`);
			}
		}
		const full = parts.filter(Boolean).join(' ');
		const prompt = cut(full, limit);
		return { scene: scene.number, prompt, truncated: prompt !== full };
	});
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const plan = getPlan.call(this, itemIndex);
	const limit = Math.max(50, Math.floor(Number(this.getNodeParameter('promptLimit', itemIndex, 2500)) || 2500));
	const videoPrompts = scenePrompts(plan, textParameter(this, 'style', itemIndex), limit);
	return [{ json: { ...this.getInputData()[itemIndex].json, videoPrompts } }];
}
