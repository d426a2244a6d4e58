/**
 * Batches: the campaign page's upload (CSV or JSON, sent on to the batches webhook, which checks every row), a
 * campaign's batches with their progress, a batch page, and the batch export (built here: batchExport.ts).
 */
import { Hono } from 'hono';
import type { Pool } from 'pg';
import * as z from 'zod/v4';
import { MAX_BATCH_BYTES, MAX_BATCH_ROWS } from '../../nodes/Campaign/lib/batch';
import { campaignNotFound, canSeeCampaign } from './access';
import { LINK_SECONDS } from './artifacts';
import { buildBatchExport, type BatchManifest } from './batchExport';
import type { AppEnv, Deps, SessionUser } from './context';
import { iso, isUuid } from './db';
import { ApiError, conflict, notFound } from './errors';
import { jsonBody } from './http';
import { callWebhook } from './n8n';
import { runLines } from './summaries';

export const BATCHES_WEBHOOK = 'reelsmith/batches';
/** How long the export button's request waits for the ZIP before answering that it is still being written. */
const EXPORT_WAIT_MS = 10_000;

export interface BatchLine {
	id: string;
	campaignId: string;
	source: string;
	rows: number;
	runs: number;
	done: number;
	failed: number;
	queued: number;
	running: number;
	cancelled: number;
	rejected: Array<{ row: number; line?: number; field: string; message: string }>;
	exportedAt: string | null;
	createdAt: string;
}

const BATCH_SQL = `
	select b.id, b.campaign_id, b.source, b.rows_total, b.rejected, b.exported_at, b.created_at,
	       count(r.id) as runs,
	       count(r.id) filter (where r.status = 'completed') as done,
	       count(r.id) filter (where r.status = 'failed') as failed,
	       count(r.id) filter (where r.status = 'queued') as queued,
	       count(r.id) filter (where r.status in ('starting', 'running', 'awaiting_approval')) as running,
	       count(r.id) filter (where r.status = 'cancelled') as cancelled
	  from batches b left join runs r on r.batch_id = b.id`;

const toLine = (row: Record<string, any>): BatchLine => ({
	id: row.id,
	campaignId: row.campaign_id,
	source: row.source,
	rows: Number(row.rows_total),
	runs: Number(row.runs),
	done: Number(row.done),
	failed: Number(row.failed),
	queued: Number(row.queued),
	running: Number(row.running),
	cancelled: Number(row.cancelled),
	rejected: row.rejected ?? [],
	exportedAt: iso(row.exported_at),
	createdAt: iso(row.created_at)!,
});

async function visibleBatch(db: Pool, user: SessionUser, batchId: string): Promise<BatchLine> {
	const missing = notFound(`There is no batch ${batchId} that you can see. Check the link, or open its campaign.`);
	if (!isUuid(batchId)) throw missing;
	const { rows } = await db.query(`${BATCH_SQL} where b.id = $1 group by b.id`, [batchId]);
	if (!rows[0] || !canSeeCampaign(user, rows[0].campaign_id)) throw missing;
	return toLine(rows[0]);
}

// The webhook checks the batch itself (nodes/Campaign/lib/batch.ts); here it only has to be CSV text or rows.
const upload = z.object({
	csv: z.string({ error: 'Send the CSV file\'s text as "csv".' }).optional(),
	rows: z.array(z.unknown(), { error: '"rows" must be a list of run requests.' }).optional(),
	defaults: z.record(z.string(), z.unknown()).optional(),
});

export function batchRoutes(deps: Deps) {
	const app = new Hono<AppEnv>();
	// Exports being written, and the last failure of one, by batch id (this server process's own).
	const exports = new Map<string, Promise<BatchManifest>>();
	const failures = new Map<string, string>();

	app.post(
		'/campaigns/:id/batches',
		jsonBody(upload, { maxBytes: MAX_BATCH_BYTES + 64 * 1024, hint: `Split the file: a batch takes at most ${MAX_BATCH_ROWS} rows and ${MAX_BATCH_BYTES / 1024 / 1024} MB.` }),
		async (c) => {
			const user = c.get('user');
			const id = c.req.param('id');
			if (!isUuid(id) || !canSeeCampaign(user, id)) throw campaignNotFound(id);
			const { rows } = await deps.db.query<{ name: string }>('select name from campaigns where id = $1', [id]);
			if (!rows[0]) throw campaignNotFound(id);
			const answer = await callWebhook(deps.webhookBase, deps.webhookToken, BATCHES_WEBHOOK, { ...c.req.valid('json'), campaign: rows[0].name });
			if (answer.status === 400 || answer.status === 413) {
				const { field = 'body', message = 'The pipeline refused the batch.', rejected = [] } = answer.body;
				return c.json({ error: message, field, rejected }, answer.status);
			}
			if (answer.status !== 202) throw new ApiError(502, `The pipeline answered ${answer.status}: ${answer.body.message ?? 'no message'}. Try again.`);
			const batch = isUuid(answer.body.batchId) ? await visibleBatch(deps.db, user, answer.body.batchId) : null;
			return c.json({ ...answer.body, batch }, 202);
		},
	);

	app.get('/campaigns/:id/batches', async (c) => {
		const id = c.req.param('id');
		if (!isUuid(id) || !canSeeCampaign(c.get('user'), id)) throw campaignNotFound(id);
		const { rows } = await deps.db.query(`${BATCH_SQL} where b.campaign_id = $1 group by b.id order by b.created_at desc limit 50`, [id]);
		return c.json({ batches: rows.map(toLine) });
	});

	app.get('/batches/:id', async (c) => {
		const batch = await visibleBatch(deps.db, c.get('user'), c.req.param('id'));
		const runs = await runLines(deps.db, deps.maxRunning, 'where r.batch_id = $1 order by r.batch_row, r.created_at', [batch.id]);
		const { rows } = await deps.db.query<{ id: string; batch_row: number }>('select id, batch_row from runs where batch_id = $1', [batch.id]);
		const rowOf = new Map(rows.map((r) => [r.id, r.batch_row]));
		return c.json({
			batch,
			runs: runs.map((run) => ({ ...run, row: rowOf.get(run.id) ?? null })),
			export: { running: exports.has(batch.id), error: failures.get(batch.id) ?? null },
		});
	});

	// An export runs in the background of the server: the answer waits a little for it (a small batch is done by then),
	// else it says that it is being written, and the batch page polls until `export.running` turns false.
	app.post('/batches/:id/export', async (c) => {
		const batch = await visibleBatch(deps.db, c.get('user'), c.req.param('id'));
		if (batch.done === 0) throw conflict('No run of this batch has finished yet, so there is nothing to export. Wait for the first video.');
		let job = exports.get(batch.id);
		if (!job) {
			failures.delete(batch.id);
			job = buildBatchExport(deps, batch.id);
			exports.set(batch.id, job);
			job.catch((error: Error) => {
				deps.log(`[dashboard] export of batch ${batch.id} failed: ${error.stack ?? error.message}`);
				failures.set(batch.id, 'The export could not be written (the server log has the details). Check that the object store is running, then press "Export batch" again.');
			}).finally(() => exports.delete(batch.id));
		}
		const manifest = await Promise.race([job, new Promise<null>((resolve) => setTimeout(() => resolve(null), EXPORT_WAIT_MS))]).catch(() => null);
		if (!manifest) {
			if (failures.has(batch.id)) throw new ApiError(502, failures.get(batch.id)!);
			return c.json({ running: true, message: 'The export is being written; the links appear here when it is done.' }, 202);
		}
		return c.json({
			running: false,
			exportedAt: manifest.exportedAt,
			videos: manifest.runs.length,
			left: manifest.left,
			zipBytes: manifest.zip.bytes,
			zipUrl: `/api/batches/${batch.id}/export.zip`,
			manifestUrl: `/api/batches/${batch.id}/manifest.json`,
			linksExpireAt: manifest.linksExpireAt,
		});
	});

	// The export's files are not served by the API either: a presigned link of the object store, as for a run's files.
	for (const [name, column] of [['export.zip', 'export_key'], ['manifest.json', 'manifest_key']] as const) {
		app.get(`/batches/:id/${name}`, async (c) => {
			const batch = await visibleBatch(deps.db, c.get('user'), c.req.param('id'));
			const { rows } = await deps.db.query(`select ${column} as key from batches where id = $1`, [batch.id]);
			if (!rows[0]?.key) throw notFound('This batch has not been exported yet. Press "Export batch" on its page first.');
			const url = await deps.presigner.client.presignedGetObject(deps.presigner.bucket, rows[0].key, LINK_SECONDS, {
				'response-content-disposition': `attachment; filename="batch-${batch.id.slice(0, 8)}-${name}"`,
			});
			c.header('Cache-Control', 'private, no-store');
			return c.redirect(url, 302);
		});
	}

	return app;
}
