import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import prompts from '../../shared/data/prompts.json';
import { critiquePlan, withRulesCritic } from '../../shared/screenplay/critique';
import { critiqueTool, critiqueValidator } from '../lib/schema';
import { ledgerHooks } from '../../shared/claudeLedger';
import { callStructured } from '../../shared/transport/anthropic';
import { asJson, fill, getPlan, planForPrompt, planParameter, positiveOrNull, targetParameters, paidJson } from './common';

export const description: INodeProperties[] = [planParameter(['critique']), ...targetParameters(['critique'])];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const plan = getPlan.call(this, itemIndex);
	const target = positiveOrNull(this.getNodeParameter('targetDuration', itemIndex, 0)) ?? plan.targetDuration;
	const { value: critique, usage } = await callStructured(this, itemIndex, {
		system: prompts.critique.system,
		content: fill(prompts.critique.user, {
			targetDuration: target ? `${target} seconds` : 'none',
			clipLimit: String(this.getNodeParameter('clipLimit', itemIndex, 10)),
			plan: planForPrompt(plan),
		}),
		tool: critiqueTool,
		validate: critiqueValidator,
		what: 'critique',
	}, await ledgerHooks(this, itemIndex, 'critique'));
	// One standard for both planners: the rules critic scores the same plan, and the lower score and every issue count.
	const clipLimit = Number(this.getNodeParameter('clipLimit', itemIndex, 10)) || 10;
	const combined = withRulesCritic(critique, critiquePlan(plan, { targetDuration: target, clipLimit }));
	return [{ json: { ...this.getInputData()[itemIndex].json, critique: asJson(combined), ...paidJson(usage) } }];
}
