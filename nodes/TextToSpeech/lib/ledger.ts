import type { IExecuteFunctions } from 'n8n-workflow';
import { Ledger } from '../../shared/ledger';

/** One paid speech call: what it is for and what it costs. */
export interface SpeechCall {
	provider: string;
	model: string | null;
	characters: number;
	costUsd: number;
	/** For the budget message, e.g. "Scene 2: narration line 1 (ElevenLabs)". */
	what: string;
}

/** Budget check before and cost record after each paid speech call. */
export interface SpeechHooks {
	beforeCall(call: SpeechCall): Promise<void>;
	afterCall(call: SpeechCall): Promise<void>;
}

/**
 * The call as billed: every character the provider charged for (SpeechRequest.billed), answers that came back broken
 * or were lost on the way included. A provider that reports nothing (espeak-ng, free) is priced as asked.
 */
export function billedCall(call: SpeechCall, billedCharacters: number): SpeechCall {
	if (!billedCharacters || billedCharacters === call.characters || !call.characters) return call;
	return {
		...call,
		characters: billedCharacters,
		costUsd: Math.round(((call.costUsd * billedCharacters) / call.characters) * 1e6) / 1e6,
	};
}

const NONE: SpeechHooks = { beforeCall: async () => {}, afterCall: async () => {} };

/**
 * With the optional Reelsmith Postgres credential and an item that carries `runId`: each line's price
 * (nodes/shared/data/prices.json) is checked against the run's budget before it is voiced, and recorded after
 * (purpose 'speech', units = characters). Free providers (espeak-ng) are neither checked nor recorded.
 * Without the credential or a runId the node works standalone.
 */
export async function speechLedger(context: IExecuteFunctions, itemIndex: number): Promise<SpeechHooks> {
	const json = context.getInputData()[itemIndex]?.json ?? {};
	const runId = typeof json.runId === 'string' ? json.runId.trim() : '';
	if (!runId) return NONE;
	const ledger = await Ledger.fromNode(context, itemIndex);
	if (!ledger) return NONE;
	const scene = Number(json.sceneNumber);
	const sceneNumber = Number.isInteger(scene) && scene > 0 ? scene : null;
	return {
		async beforeCall(call) {
			if (call.costUsd > 0) await ledger.checkBudget(runId, call.costUsd, call.what);
		},
		async afterCall(call) {
			if (call.costUsd <= 0) return;
			await ledger.recordCost({
				runId,
				sceneNumber,
				provider: call.provider,
				model: call.model,
				units: call.characters,
				unit: 'character',
				amountUsd: call.costUsd,
				purpose: 'speech',
			});
		},
	};
}
