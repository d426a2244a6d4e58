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
import { batchAnswerSchema, describeRoute, errorSchema, rowProblemSchema, type ResponseDoc } from './openapi';
import { EXAMPLE_RUN, runSummarySchema } from './schemas';
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

const time = z.string().meta({ description: 'ISO 8601' });
const batchLineSchema = z.object({
	id: z.uuid(),
	campaignId: z.uuid(),
	source: z.string().meta({ description: 'csv or json' }),
	rows: z.number().int(),
	runs: z.number().int(),
	done: z.number().int(),
	failed: z.number().int(),
	queued: z.number().int(),
	running: z.number().int(),
	cancelled: z.number().int(),
	rejected: z.array(rowProblemSchema),
	exportedAt: time.nullable(),
	createdAt: time,
});
const EXAMPLE_PROBLEM = { row: 2, line: 3, field: 'preset', message: '"preset" must be one of youtube, shorts, square, cinema (got "tv").' };
const EXAMPLE_BATCH = {
	id: '9c4b2f3e-1d5a-4e6b-8c7d-2a1b3c4d5e6f',
	campaignId: EXAMPLE_RUN.campaignId,
	source: 'csv',
	rows: 3,
	runs: 2,
	done: 1,
	failed: 0,
	queued: 1,
	running: 0,
	cancelled: 0,
	rejected: [EXAMPLE_PROBLEM],
	exportedAt: null,
	createdAt: '2026-12-01T09:29:58.000Z',
};
const CAMPAIGN_NOT_FOUND: ResponseDoc = { description: 'No campaign with that id that the caller can see.', schema: errorSchema };
const BATCH_NOT_FOUND: ResponseDoc = {
	description: 'No batch with that id that the caller can see.',
	schema: errorSchema,
	example: { error: `There is no batch ${EXAMPLE_BATCH.id} that you can see. Check the link, or open its campaign.` },
};

export function batchRoutes(deps: Deps) {
	const app = new Hono<AppEnv>();
	// Exports being written, and the last failure of one, by batch id (this server process's own).
	const exports = new Map<string, Promise<BatchManifest>>();
	const failures = new Map<string, string>();

	app.post(
		'/campaigns/:id/batches',
		describeRoute({
			tag: 'Batches',
			summary: 'Upload a batch of runs to this campaign',
			description: `CSV text as "csv", or "rows" (run requests) with "defaults". Sent on to POST /webhook/reelsmith/batches, which checks every row on its own; at most ${MAX_BATCH_ROWS} rows.`,
			responses: {
				202: {
					description: 'The good rows are queued; the refused ones are listed by row, CSV line and field.',
					schema: batchAnswerSchema.extend({ batch: batchLineSchema.nullable() }),
					example: {
						batchId: EXAMPLE_BATCH.id,
						campaign: 'Spring launch',
						rows: 3,
						queued: 2,
						runs: [
							{ row: 1, runId: EXAMPLE_RUN.id, status: 'queued', queuePosition: 0 },
							{ row: 3, runId: '7a2d9e9b-1c3d-4e5f-8a9b-0c1d2e3f4a5b', status: 'queued', queuePosition: 1 },
						],
						rejected: [EXAMPLE_PROBLEM],
						batch: EXAMPLE_BATCH,
					},
				},
				400: {
					description: 'No row could be queued, or the batch itself is wrong (its columns, too many rows); nothing was written.',
					schema: errorSchema.extend({ rejected: z.array(rowProblemSchema) }).loose(),
				},
				404: CAMPAIGN_NOT_FOUND,
			},
		}),
		jsonBody(upload, {
			maxBytes: MAX_BATCH_BYTES + 64 * 1024,
			hint: `Split the file: a batch takes at most ${MAX_BATCH_ROWS} rows and ${MAX_BATCH_BYTES / 1024 / 1024} MB.`,
		}),
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
			if (answer.status !== 202)
				throw new ApiError(502, `The pipeline answered ${answer.status}: ${answer.body.message ?? 'no message'}. Try again.`);
			const batch = isUuid(answer.body.batchId) ? await visibleBatch(deps.db, user, answer.body.batchId) : null;
			return c.json({ ...answer.body, batch }, 202);
		},
	);

	app.get(
		'/campaigns/:id/batches',
		describeRoute({
			tag: 'Batches',
			summary: "The campaign's batches with their progress",
			description: 'Newest first, at most 50.',
			responses: {
				200: {
					description: 'Counts of done, failed, queued and running runs per batch.',
					schema: z.object({ batches: z.array(batchLineSchema) }),
					example: { batches: [EXAMPLE_BATCH] },
				},
				404: CAMPAIGN_NOT_FOUND,
			},
		}),
		async (c) => {
			const id = c.req.param('id');
			if (!isUuid(id) || !canSeeCampaign(c.get('user'), id)) throw campaignNotFound(id);
			const { rows } = await deps.db.query(`${BATCH_SQL} where b.campaign_id = $1 group by b.id order by b.created_at desc limit 50`, [id]);
			return c.json({ batches: rows.map(toLine) });
		},
	);

	app.get(
		'/batches/:id',
		describeRoute({
			tag: 'Batches',
			summary: 'A batch: its progress, its runs (with their row) and its export',
			responses: {
				200: {
					description: 'The batch page.',
					schema: z.object({
						batch: batchLineSchema,
						runs: z.array(runSummarySchema.extend({ row: z.number().int().nullable() }).loose()),
						export: z.object({ running: z.boolean(), error: z.string().nullable() }),
					}),
					example: { batch: EXAMPLE_BATCH, runs: [{ ...EXAMPLE_RUN, row: 1 }], export: { running: false, error: null } },
				},
				404: BATCH_NOT_FOUND,
			},
		}),
		async (c) => {
			const batch = await visibleBatch(deps.db, c.get('user'), c.req.param('id'));
			const runs = await runLines(deps.db, deps.maxRunning, 'where r.batch_id = $1 order by r.batch_row, r.created_at', [batch.id]);
			const { rows } = await deps.db.query<{ id: string; batch_row: number }>('select id, batch_row from runs where batch_id = $1', [batch.id]);
			const rowOf = new Map(rows.map((r) => [r.id, r.batch_row]));
			return c.json({
				batch,
				runs: runs.map((run) => ({ ...run, row: rowOf.get(run.id) ?? null })),
				export: { running: exports.has(batch.id), error: failures.get(batch.id) ?? null },
			});
		},
	);

	// An export runs in the background of the server: the answer waits a little for it (a small batch is done by then),
	// else it says that it is being written, and the batch page polls until `export.running` turns false.
	app.post(
		'/batches/:id/export',
		describeRoute({
			tag: 'Batches',
			summary: 'Export the batch: one ZIP of every finished video with its SRT, thumbnail and metadata',
			description: `Written to the object store as a stream, with a manifest of presigned links beside it. The answer waits up to ${EXPORT_WAIT_MS / 1000} s, else says it is still being written (the batch page then shows export.running).`,
			responses: {
				200: {
					description: 'Written.',
					schema: z
						.object({
							running: z.literal(false),
							exportedAt: time,
							videos: z.number().int(),
							left: z.array(z.unknown()),
							zipBytes: z.number().int(),
							zipUrl: z.string(),
							manifestUrl: z.string(),
							linksExpireAt: time,
						})
						.loose(),
					example: {
						running: false,
						exportedAt: '2026-12-01T10:00:00.000Z',
						videos: 2,
						left: [],
						zipBytes: 10485760,
						zipUrl: `/api/batches/${EXAMPLE_BATCH.id}/export.zip`,
						manifestUrl: `/api/batches/${EXAMPLE_BATCH.id}/manifest.json`,
						linksExpireAt: '2026-12-08T10:00:00.000Z',
					},
				},
				202: {
					description: 'Still being written.',
					schema: z.object({ running: z.literal(true), message: z.string() }),
					example: { running: true, message: 'The export is being written; the links appear here when it is done.' },
				},
				404: BATCH_NOT_FOUND,
				409: { description: 'No run of the batch has finished yet.', schema: errorSchema },
				502: { description: 'The export could not be written.', schema: errorSchema },
			},
		}),
		async (c) => {
			const batch = await visibleBatch(deps.db, c.get('user'), c.req.param('id'));
			if (batch.done === 0) throw conflict('No run of this batch has finished yet, so there is nothing to export. Wait for the first video.');
			let job = exports.get(batch.id);
			if (!job) {
				failures.delete(batch.id);
				job = buildBatchExport(deps, batch.id);
				exports.set(batch.id, job);
				job
					.catch((error: Error) => {
						deps.log(`[dashboard] export of batch ${batch.id} failed: ${error.stack ?? error.message}`);
						failures.set(
							batch.id,
							'The export could not be written (the server log has the details). Check that the object store is running, then press "Export batch" again.',
						);
					})
					.finally(() => exports.delete(batch.id));
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
		},
	);

	// The export's files are not served by the API either: a presigned link of the object store, as for a run's files.
	for (const [name, column] of [
		['export.zip', 'export_key'],
		['manifest.json', 'manifest_key'],
	] as const) {
		app.get(
			`/batches/:id/${name}`,
			describeRoute({
				tag: 'Batches',
				summary: `The batch export's ${name}`,
				description: `Redirects to a presigned link of the object store, valid ${LINK_SECONDS / 60} minutes.`,
				responses: {
					302: { description: 'To the presigned link (Location).' },
					404: { description: 'Not exported yet, or no batch the caller can see.', schema: errorSchema },
				},
			}),
			async (c) => {
				const batch = await visibleBatch(deps.db, c.get('user'), c.req.param('id'));
				const { rows } = await deps.db.query(`select ${column} as key from batches where id = $1`, [batch.id]);
				if (!rows[0]?.key) throw notFound('This batch has not been exported yet. Press "Export batch" on its page first.');
				const url = await deps.presigner.client.presignedGetObject(deps.presigner.bucket, rows[0].key, LINK_SECONDS, {
					'response-content-disposition': `attachment; filename="batch-${batch.id.slice(0, 8)}-${name}"`,
				});
				c.header('Cache-Control', 'private, no-store');
				return c.redirect(url, 302);
			},
		);
	}

	return app;
}
