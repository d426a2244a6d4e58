import { KIT_REQUEST_FIELDS, type RunBrand } from '../../lib/brandKit';
import type { RunOptions, validateRunRequest } from '../../lib/request';
import { latestBrandKit } from '../../store/brandKits';
import { latestCast } from '../../store/cast';
import { narratorProfile, voiceProfileOf } from '../../../shared/voiceProfile';
import { speaksLanguage } from '../../../shared/voices';
import { setCampaignBudget } from '../../store/campaigns';
import { recordEvent } from '../../store/events';
import { insertRun, type Run } from '../../store/runs';
import type { Queryable } from '../../transport/db';

type Valid = Extract<ReturnType<typeof validateRunRequest>, { ok: true }>;

/**
 * Queues one checked run request in the caller's transaction (Accept, Create Batch): the run row and its first event.
 * The campaign's newest brand kit fills what the request left out (preset, style, terminal colours, loudness) and
 * gives the run its look (options.brand); the run keeps the kit's version. The campaign's narrator (its cast's) fills
 * options.narrator when the request gave none.
 */
export async function queueRun(client: Queryable, campaignId: string, check: Valid, batch?: { id: string; row: number }): Promise<Run> {
	const { request, plan } = check;
	const saved = await latestBrandKit(client, campaignId);
	const options: RunOptions = { ...check.options };
	if (saved) {
		const { kit } = saved;
		const sent = new Set<string>(check.sent);
		for (const field of KIT_REQUEST_FIELDS) {
			if (!sent.has(field) && kit[field] !== undefined) (options as unknown as Record<string, unknown>)[field] = kit[field];
		}
		const brand: RunBrand = { version: saved.version };
		if (kit.colors && Object.keys(kit.colors).length) brand.colors = kit.colors;
		if (kit.fonts && Object.keys(kit.fonts).length) brand.fonts = kit.fonts;
		if (kit.logo) brand.logo = kit.logo;
		options.brand = brand;
	}
	// The campaign's narrator (kept with its cast) speaks for runs that name none; a request's own wins.
	const cast = options.narrator ? null : await latestCast(client, campaignId);
	const narrator = narratorProfile(options.narrator, cast?.cast.narrator ? voiceProfileOf(cast.cast.narrator) : null);
	if (narrator) options.narrator = narrator;
	if (request.campaignBudget !== null) await setCampaignBudget(client, campaignId, request.campaignBudget);
	const inserted = await insertRun(client, {
		campaignId,
		priority: request.priority,
		request,
		options,
		batchId: batch?.id,
		batchRow: batch?.row,
		brandVersion: saved?.version ?? null,
	});
	await recordEvent(client, {
		runId: inserted.id,
		stage: 'run',
		status: 'queued',
		message:
			`Accepted: ${plan.scenes.length} scene(s), priority ${request.priority}` +
			(request.budget !== null ? `, budget $${request.budget.toFixed(2)}` : '') +
			(options.approval ? ', storyboard approval required' : '') +
			(saved ? `, brand kit v${saved.version}` : '') +
			(cast && narrator ? `, the campaign's narrator (${narrator.voice}, cast v${cast.version})` : '') +
			(narrator?.language && !speaksLanguage([narrator.language], options.language)
				? `; the narrator's voice was chosen for ${narrator.language}, the run speaks ${options.language}: it keeps that voice`
				: '') +
			(batch ? `, row ${batch.row} of batch ${batch.id}` : '') +
			'.',
		data: {
			scenes: plan.scenes.length,
			format: plan.format,
			...(saved ? { brandVersion: saved.version } : {}),
			...(batch ? { batchId: batch.id, batchRow: batch.row } : {}),
		},
	});
	return inserted;
}
