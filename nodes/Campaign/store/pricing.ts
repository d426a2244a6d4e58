import type { Plan } from '../../shared/plan';
import { completedSceneNumbers } from '../../shared/store/scenes';
import { ownClipScenes, ownStillScenes, ownVoiceScenes, ownVoiceSeconds } from '../lib/sceneMedia';
import { budgetStop, describeEstimate, estimateRun, type BudgetMoment, type Estimate } from '../lib/estimate';
import type { Queryable } from '../transport/db';
import { spending, type Run } from './runs';

export interface Pricing {
	estimate: Estimate;
	/** The event line: the total and what it is made of. */
	message: string;
	/** Why the run may not go on with this plan (budget stop), or null. */
	stop: string | null;
}

/**
 * Prices a plan for a run as it stands (completed scenes cost nothing more, what it spent counts) and checks it
 * against the run's and the campaign's budget. The one check for the pipeline's Estimate step and for a manager
 * picking another take on the approval screen.
 */
export async function priceRun(db: Queryable, run: Run, plan: Pick<Plan, 'scenes'> | null, moment: BudgetMoment = {}): Promise<Pricing> {
	const providers = run.options.providers ?? { planner: 'rules', video: ['local'], speech: ['espeak'] };
	const [completed, spent] = await Promise.all([completedSceneNumbers(db, run.id), spending(db, run.id)]);
	const estimate = estimateRun({
		plan: { scenes: Array.isArray(plan?.scenes) ? plan!.scenes : [] },
		providers,
		narrateAction: run.options.narrateAction,
		completed,
		ownClips: ownClipScenes(run.options.sceneMedia),
		ownVoices: ownVoiceScenes(run.options.sceneMedia),
		voiceSeconds: ownVoiceSeconds(run.options.sceneMedia),
		ownStills: ownStillScenes(run.options.sceneMedia),
		spentUsd: spent.runSpent,
	});
	const stop = budgetStop(
		estimate,
		{ runBudget: run.budgetUsd, campaignBudget: spent.campaignBudget, campaignSpent: spent.campaignSpent, campaignName: spent.campaignName },
		moment,
	);
	return { estimate, message: describeEstimate(estimate), stop };
}
