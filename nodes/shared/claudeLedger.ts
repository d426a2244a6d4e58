import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { BudgetError, Ledger } from './ledger';
import { typicalClaudeCallUsd } from './prices';
import type { CallHooks } from './transport/anthropic';

/** The run (and scene) an item belongs to, when it carries one. */
export function runOf(context: IExecuteFunctions, itemIndex: number): { runId: string; sceneNumber: number | null } | undefined {
	const json = context.getInputData()[itemIndex]?.json ?? {};
	const runId = typeof json.runId === 'string' ? json.runId.trim() : '';
	if (!runId) return undefined;
	const scene = Number(json.sceneNumber);
	return { runId, sceneNumber: Number.isInteger(scene) && scene > 0 ? scene : null };
}

/**
 * With the optional Reelsmith Postgres credential and an item that carries `runId`: the run's budget is checked
 * before each call (at the price of a typical call, prices.anthropic.typicalCall) and each call's real cost is
 * recorded after it, repair calls included. Without either, the node works standalone and records nothing.
 */
export async function ledgerHooks(context: IExecuteFunctions, itemIndex: number, purpose: string): Promise<CallHooks> {
	const run = runOf(context, itemIndex);
	if (!run) return {};
	const ledger = await Ledger.fromNode(context, itemIndex);
	if (!ledger) return {};
	return {
		async beforeCall(model) {
			try {
				await ledger.checkBudget(run.runId, typicalClaudeCallUsd(model), `Claude ${purpose}`);
			} catch (error) {
				const budget = error instanceof BudgetError;
				throw new NodeOperationError(context.getNode(), budget ? error.message : `Could not check the run's budget: ${(error as Error).message}`, {
					itemIndex,
					description: budget
						? 'Nothing was sent to Anthropic: the budget check stopped the call before it was made.'
						: 'Check the Reelsmith Postgres credential on the node, or remove it to run without budgets.',
				});
			}
		},
		async afterCall(cost) {
			await ledger.recordCost({
				runId: run.runId,
				sceneNumber: run.sceneNumber,
				provider: 'anthropic',
				model: cost.model,
				units: cost.inputTokens + cost.outputTokens,
				unit: 'token',
				amountUsd: cost.costUsd,
				purpose,
			});
		},
	};
}
