/**
 * Paid voice previews (table preview_costs): they belong to no run, and one made for a campaign counts against its
 * budget. Every place that sums a campaign's spend adds this (the ledger's budget checks, spending(), the dashboard).
 */
export const previewSpentSql = (campaignId: string) =>
	`(select coalesce(sum(p.cost_usd), 0) from preview_costs p where p.campaign_id = ${campaignId})`;

/** The same, per campaign of `$1` (a uuid[]), for lists of campaigns. */
export const PREVIEW_SPENT_BY_CAMPAIGN_SQL =
	'select campaign_id, sum(cost_usd) as spent from preview_costs where campaign_id = any($1::uuid[]) group by campaign_id';
