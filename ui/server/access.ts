/**
 * Who may see what: an admin sees every campaign; a manager sees the campaigns they are a member of. Anything else
 * answers 404 (not 403), so ids of other campaigns' runs and files reveal nothing.
 */
import type { Pool } from 'pg';
import type { SessionUser } from './context';
import { isUuid } from './db';
import { badRequest, notFound } from './errors';

/** The campaign ids a query must stay within, or null for "all" (admin). Pass as a uuid[] parameter. */
export const scope = (user: SessionUser): string[] | null => (user.role === 'admin' ? null : (user.campaignIds ?? []));

export const canSeeCampaign = (user: SessionUser, campaignId: string) => user.role === 'admin' || (user.campaignIds ?? []).includes(campaignId);

export const runNotFound = (runId: string) =>
	notFound(`There is no run ${runId} that you can see. Check the link, or ask an admin to add you to its campaign.`);

export const campaignNotFound = (campaignId: string) =>
	notFound(`There is no campaign ${campaignId} that you can see. Go back to the campaign list.`);

/** The run's campaign id when the user may see the run; else a 404. */
export async function visibleRun(db: Pool, user: SessionUser, runId: string): Promise<{ campaignId: string }> {
	if (!isUuid(runId)) throw runNotFound(runId);
	const { rows } = await db.query<{ campaign_id: string }>('select campaign_id from runs where id = $1', [runId]);
	if (!rows[0] || !canSeeCampaign(user, rows[0].campaign_id)) throw runNotFound(runId);
	return { campaignId: rows[0].campaign_id };
}

/** The distinct, lower-cased campaign ids, all of existing campaigns; else a 400 naming `field` and the unknown ids. */
export async function knownCampaignIds(db: Pick<Pool, 'query'>, ids: string[], field = 'campaignIds'): Promise<string[]> {
	const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
	const { rows } = await db.query<{ id: string }>('select id from campaigns where id = any($1::uuid[])', [wanted]);
	const unknown = wanted.filter((id) => !rows.some((row) => row.id === id));
	if (unknown.length)
		throw badRequest(field, `No campaign has the id ${unknown.map((id) => `"${id}"`).join(', ')}. Use ids from GET /api/campaigns.`);
	return wanted;
}
