import type { RowProblem } from '../lib/batch';
import type { Queryable } from '../transport/db';

/** The batch row that groups the runs one batch request queued (migration 011); its refused rows are kept on it. */
export async function insertBatch(
	db: Queryable,
	batch: { campaignId: string; source: 'json' | 'csv'; total: number; rejected: RowProblem[] },
): Promise<{ id: string; createdAt: string }> {
	const { rows } = await db.query(
		'insert into batches (campaign_id, source, rows_total, rejected) values ($1, $2, $3, $4) returning id, created_at',
		[batch.campaignId, batch.source, batch.total, JSON.stringify(batch.rejected)],
	);
	return { id: rows[0].id, createdAt: new Date(rows[0].created_at).toISOString() };
}
