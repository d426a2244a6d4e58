import type { Queryable } from '../transport/db';
import { fromRow } from '../../shared/store/rows';

export interface Campaign {
	id: string;
	name: string;
	budgetUsd?: number | null;
	createdAt: string;
	updatedAt: string;
}

/** The campaign with this name, created when missing (requests name campaigns, not ids). */
// Never the callback secret: a campaign travels in items, and items are kept in n8n's execution data.
const COLUMNS = 'id, name, budget_usd, created_at, updated_at';

export async function ensureCampaign(db: Queryable, name: string): Promise<Campaign> {
	const inserted = await db.query(`insert into campaigns (name) values ($1) on conflict (name) do nothing returning ${COLUMNS}`, [
		name,
	]);
	if (inserted.rows[0]) return fromRow<Campaign>(inserted.rows[0]);
	const { rows } = await db.query(`select ${COLUMNS} from campaigns where name = $1`, [name]);
	return fromRow<Campaign>(rows[0]);
}

/** The id of the campaign with this name, or null when there is none yet. */
export async function campaignIdByName(db: Queryable, name: string): Promise<string | null> {
	const { rows } = await db.query<{ id: string }>('select id from campaigns where name = $1', [name]);
	return rows[0]?.id ?? null;
}

export async function getCampaign(db: Queryable, id: string): Promise<Campaign | null> {
	const { rows } = await db.query(`select ${COLUMNS} from campaigns where id = $1`, [id]);
	return rows[0] ? fromRow<Campaign>(rows[0]) : null;
}

/** Sets the campaign's spending cap in USD (null = no cap). */
export async function setCampaignBudget(db: Queryable, id: string, budgetUsd: number | null): Promise<void> {
	await db.query('update campaigns set budget_usd = $2 where id = $1', [id, budgetUsd]);
}
