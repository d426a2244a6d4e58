import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { parseScript, ScriptError, type FormatOption } from '../../shared/screenplay/parse';
import { sceneBudgetProblem } from '../lib/refine';
import { asJson, clipLimitFor, clipParameters, maxScenesFor, maxScenesParameter, positiveOrNull } from './common';

const show = { show: { operation: ['parse'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Script',
		name: 'script',
		type: 'string',
		typeOptions: { rows: 10 },
		default: '={{ $json.script }}',
		required: true,
		description: 'Fountain, screenplay text with INT./EXT. headings, a Markdown script with ## Scene headings, or a post.',
		displayOptions: show,
	},
	{
		displayName: 'Format',
		name: 'format',
		type: 'options',
		options: [
			{ name: 'Auto-Detect', value: 'auto', description: 'Markdown, Fountain or screenplay by their headings; text without headings is a post' },
			{ name: 'Fountain', value: 'fountain' },
			{ name: 'Markdown Script', value: 'markdown', description: '## Scene headings, SPEAKER: line dialogue' },
			{ name: 'Post', value: 'post', description: 'Free text (e.g. a Reddit post) cut into narrated scenes' },
			{ name: 'Screenplay Text', value: 'screenplay', description: 'Plain text with INT./EXT. headings, e.g. pasted from a PDF.' },
		],
		default: 'auto',
		displayOptions: show,
	},
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '={{ $json.title }}',
		description: "The video's title (for a post, the post title). Empty uses the script's title page or first line.",
		displayOptions: show,
	},
	{
		displayName: 'Target Duration (Seconds)',
		name: 'targetDuration',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description: 'Total length the video should have; the critic checks it. 0 means no target.',
		displayOptions: show,
	},
	{
		displayName: 'Scene Count',
		name: 'sceneCount',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description: 'For posts: how many scenes to cut the text into. 0 picks by length (about 32 words per scene).',
		displayOptions: show,
	},
	...clipParameters('parse'),
	maxScenesParameter('parse'),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const script = this.getNodeParameter('script', itemIndex, '') as unknown;
	const format = this.getNodeParameter('format', itemIndex, 'auto') as FormatOption;
	const title = this.getNodeParameter('title', itemIndex, '') as unknown;
	const targetDuration = positiveOrNull(this.getNodeParameter('targetDuration', itemIndex, 0));
	const sceneCount = positiveOrNull(this.getNodeParameter('sceneCount', itemIndex, 0));
	try {
		const plan = parseScript(typeof script === 'string' ? script : script == null ? '' : String(script), {
			format,
			title: typeof title === 'string' ? title : null,
			targetDuration,
			sceneCount,
		});
		// Refused here, before any work, when no refinement could fit the script into Max Scenes clips.
		const tooLong = sceneBudgetProblem(plan, { clipLimit: clipLimitFor.call(this, itemIndex), maxScenes: maxScenesFor.call(this, itemIndex) });
		if (tooLong) throw new ScriptError(tooLong);
		return [{ json: { ...this.getInputData()[itemIndex].json, plan: asJson(plan) } }];
	} catch (error) {
		if (error instanceof ScriptError) {
			throw new NodeOperationError(this.getNode(), error.message, {
				itemIndex,
				description: `Field: ${error.field}. Format was "${format}".`,
			});
		}
		throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
	}
}
