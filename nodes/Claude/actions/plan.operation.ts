import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import prompts from '../../shared/data/prompts.json';
import type { ScriptFormat } from '../../shared/plan';
import { readPlan } from '../../shared/screenplay/validate';
import { jsonParameter, textParameter } from '../../shared/parameters';
import { planTool, planValidator } from '../lib/schema';
import { ledgerHooks } from '../../shared/claudeLedger';
import { callStructured } from '../../shared/transport/anthropic';
import { asJson, fill, planForPrompt, positiveOrNull, show, paidJson } from './common';

const on = ['plan'];

export const description: INodeProperties[] = [
	{
		displayName: 'Source',
		name: 'source',
		type: 'options',
		options: [
			{ name: 'Brief', value: 'brief', description: 'A topic or a few sentences about the video' },
			{ name: 'Parsed Plan', value: 'parsedPlan', description: 'The plan from Screenplay → Parse, to be completed' },
			{ name: 'Post', value: 'post', description: 'A title and a body, e.g. a blog post' },
			{ name: 'Script', value: 'script', description: 'A screenplay, Fountain or Markdown script as text' },
		],
		default: 'script',
		description: 'What the plan is made from',
		displayOptions: show(on),
	},
	{
		displayName: 'Script',
		name: 'script',
		type: 'string',
		typeOptions: { rows: 8 },
		default: '={{ $json.script }}',
		displayOptions: { show: { operation: on, source: ['script'] } },
	},
	{
		displayName: 'Parsed Plan',
		name: 'parsedPlan',
		type: 'json',
		default: '={{ $json.plan }}',
		description: 'The plan from Screenplay → Parse; Claude keeps its scenes and dialogue and writes the visual descriptions',
		displayOptions: { show: { operation: on, source: ['parsedPlan'] } },
	},
	{
		displayName: 'Brief',
		name: 'brief',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '={{ $json.brief }}',
		displayOptions: { show: { operation: on, source: ['brief'] } },
	},
	{
		displayName: 'Post Title',
		name: 'postTitle',
		type: 'string',
		default: '={{ $json.title }}',
		displayOptions: { show: { operation: on, source: ['post'] } },
	},
	{
		displayName: 'Post Body',
		name: 'postBody',
		type: 'string',
		typeOptions: { rows: 8 },
		default: '={{ $json.body }}',
		displayOptions: { show: { operation: on, source: ['post'] } },
	},
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		description: 'Title of the video; empty lets Claude choose one',
		displayOptions: show(on),
	},
	{
		displayName: 'Style',
		name: 'style',
		type: 'string',
		default: '',
		placeholder: 'warm 35mm film, soft daylight',
		description: 'Visual style every scene should share',
		displayOptions: show(on),
	},
	{
		displayName: 'Target Duration (Seconds)',
		name: 'targetDuration',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description: 'Total length of the video; 0 leaves it to Claude',
		displayOptions: show(on),
	},
	{
		displayName: 'Scene Count',
		name: 'sceneCount',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description: 'How many scenes; 0 leaves it to Claude (a parsed plan keeps its scenes)',
		displayOptions: show(on),
	},
];

function sourceText(this: IExecuteFunctions, itemIndex: number): { text: string; format: ScriptFormat; title: string } {
	const source = this.getNodeParameter('source', itemIndex, 'script') as string;
	const missing = (label: string) =>
		new NodeOperationError(this.getNode(), `"${label}" is empty: there is nothing to plan from.`, { itemIndex });
	if (source === 'parsedPlan') {
		const read = readPlan(jsonParameter(this, 'parsedPlan', 'Parsed Plan', itemIndex));
		if (!read.value) {
			throw new NodeOperationError(this.getNode(), `The "Parsed Plan" parameter is not a Reelsmith plan: ${read.problem}.`, { itemIndex });
		}
		return {
			text: `Keep these scenes, their order and dialogue; write every visual description:\n${planForPrompt(read.value)}`,
			format: read.value.format,
			title: read.value.title,
		};
	}
	if (source === 'brief') {
		const brief = textParameter(this, 'brief', itemIndex);
		if (!brief) throw missing('Brief');
		return { text: `Brief:\n${brief}`, format: 'post', title: '' };
	}
	if (source === 'post') {
		const title = textParameter(this, 'postTitle', itemIndex);
		const body = textParameter(this, 'postBody', itemIndex);
		if (!body) throw missing('Post Body');
		return { text: `Post title: ${title}\n\nPost:\n${body}`, format: 'post', title };
	}
	const script = textParameter(this, 'script', itemIndex);
	if (!script) throw missing('Script');
	return { text: `Script:\n${script}`, format: 'screenplay', title: '' };
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const source = sourceText.call(this, itemIndex);
	const targetDuration = positiveOrNull(this.getNodeParameter('targetDuration', itemIndex, 0));
	const sceneCount = positiveOrNull(this.getNodeParameter('sceneCount', itemIndex, 0));
	const title = textParameter(this, 'title', itemIndex) || source.title;
	const style = textParameter(this, 'style', itemIndex);
	const { value: plan, usage } = await callStructured(this, itemIndex, {
		system: prompts.plan.system,
		content: fill(prompts.plan.user, {
			sceneCount: sceneCount ? `${sceneCount} scenes` : 'as many scenes as the material needs',
			targetDuration: targetDuration ? `${targetDuration} seconds` : 'the length the material needs',
			style: style || 'your choice, the same in every scene',
			title: title || 'your choice',
			source: source.text,
		}),
		tool: planTool,
		validate: planValidator({ format: source.format, targetDuration, title }),
		what: 'plan',
	}, await ledgerHooks(this, itemIndex, 'plan'));
	return [{ json: { ...this.getInputData()[itemIndex].json, plan: asJson(plan), ...paidJson(usage) } }];
}
