import type { IExecuteFunctions } from 'n8n-workflow';
import prompts from '../../shared/data/prompts.json';
import { ledgerHooks } from '../../shared/claudeLedger';
import { forPurpose } from '../../shared/store/aiCalls';
import { callStructured, type Tool, type Usage } from '../../shared/transport/anthropic';
import { fill } from '../../shared/text';
import { scenePrompt } from '../providers/remote';
import type { ClipRequest } from '../providers/types';

/**
 * After Kling or Runway refused a scene under its content policy: Claude (the Reelsmith Anthropic credential on this
 * node, through the one Anthropic transport, budget check and cost ledger the Claude node uses) rewrites the scene's prompt keeping its
 * meaning. Only the words sent to the provider change; the plan, narration and subtitles stay as written.
 */
export const ANTHROPIC_CREDENTIAL = 'reelsmithAnthropicApi';
/** Kling's limit; the provider still cuts to its own (Runway 1000). */
const LONGEST = 2500;

const tool: Tool = {
	name: 'submit_rewritten_prompt',
	description: 'The rewritten text-to-video prompt and what was changed.',
	input_schema: {
		type: 'object',
		properties: {
			prompt: { type: 'string', description: 'The whole rewritten prompt', minLength: 1, maxLength: LONGEST },
			changed: { type: 'string', description: 'One sentence: what was changed and why' },
		},
		required: ['prompt', 'changed'],
	},
};

export interface PromptRewrite {
	provider: string;
	/** The provider's refusal, in plain words. */
	reason: string;
	original: string;
	rewritten: string;
	/** Claude's sentence on what it changed. */
	changed: string;
	costUsd: number;
}

/** A Reelsmith Anthropic credential with a key is attached: refused prompts can be rewritten. */
export async function canRewrite(context: IExecuteFunctions, itemIndex: number): Promise<boolean> {
	if (!context.getNode().credentials?.[ANTHROPIC_CREDENTIAL]) return false;
	try {
		const credentials = await context.getCredentials(ANTHROPIC_CREDENTIAL, itemIndex);
		return String(credentials?.apiKey ?? '').trim() !== '';
	} catch {
		return false;
	}
}

export async function rewriteRefusedPrompt(
	context: IExecuteFunctions,
	itemIndex: number,
	request: ClipRequest,
	provider: string,
	reason: string,
): Promise<PromptRewrite> {
	const original = scenePrompt(request, undefined);
	const hooks = await ledgerHooks(context, itemIndex, 'rewritePrompt');
	const { value, usage } = await forPurpose('rewritePrompt', () =>
		callStructured<{ prompt: string; changed: string }>(
			context,
			itemIndex,
			{
				system: prompts.rewriteRefused.system,
				content: fill(prompts.rewriteRefused.user, { provider, reason, prompt: original }),
				tool,
				validate: (input) => {
					const answer = (input ?? {}) as { prompt?: unknown; changed?: unknown };
					const prompt = typeof answer.prompt === 'string' ? answer.prompt.trim() : '';
					const problems: string[] = [];
					if (!prompt) problems.push('prompt must be a non-empty string');
					else if (prompt.length > LONGEST) problems.push(`prompt must be at most ${LONGEST} characters`);
					else if (prompt === original.trim()) problems.push('prompt must differ from the refused prompt');
					if (problems.length) return { problems };
					return { value: { prompt, changed: typeof answer.changed === 'string' ? answer.changed.trim() : '' } };
				},
				what: 'rewritten prompt',
			},
			hooks,
		),
	);
	return { provider, reason, original, rewritten: value.prompt, changed: value.changed, costUsd: costOf(usage) };
}

const costOf = (usage: Usage) => Math.round(usage.costUsd * 1e6) / 1e6;
