import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { batchExportKey, finalKey, subtitlesKey, thumbnailKey } from '../../nodes/shared/keys';
import { Storage } from '../../nodes/shared/transport/storage';
import { buildBatchExport } from '../../ui/server/batchExport';
import { startStore, type Store } from './fixture';

/** The export of a batch whose video is larger than one upload part: the ZIP goes up in several parts and opens whole. */
describe('batch export', () => {
	let store: Store;
	let storage: Storage;
	let dir: string;
	beforeAll(async () => {
		store = await startStore({ s3: true });
		storage = new Storage(store.s3);
		dir = await mkdtemp(join(tmpdir(), 'batch-export-'));
	});
	afterAll(async () => {
		await store?.stop();
		if (dir) await rm(dir, { recursive: true, force: true });
	});

	it('streams a ZIP bigger than one 8 MB part, with each file intact and the runs not finished listed as left', async () => {
		const { rows: campaigns } = await store.db.query("insert into campaigns (name) values ('Export check') returning id");
		const { rows: batches } = await store.db.query(
			"insert into batches (campaign_id, source, rows_total) values ($1, 'json', 2) returning id",
			[campaigns[0].id],
		);
		const batchId = batches[0].id;
		const insert = async (row: number, status: string) =>
			(
				await store.db.query(
					`insert into runs (campaign_id, status, request, options, batch_id, batch_row) values ($1, $2, $3, '{"preset": "square"}', $4, $5) returning id`,
					[campaigns[0].id, status, JSON.stringify({ title: `Big one ${row}` }), batchId, row],
				)
			).rows[0].id as string;
		const done = await insert(1, 'completed');
		const waiting = await insert(2, 'queued');
		const video = randomBytes(12 * 1024 * 1024);
		await storage.uploadBuffer(video, finalKey(done, 'square'), 'video/mp4');
		await storage.uploadBuffer('1\n00:00:00,000 --> 00:00:01,000\nHello.\n', subtitlesKey(done), 'application/x-subrip');
		await storage.uploadBuffer(randomBytes(2000), thumbnailKey(done), 'image/jpeg');
		await store.db.query('update runs set final_key = $2, subtitles_key = $3, thumbnail_key = $4, duration = 1 where id = $1', [
			done,
			finalKey(done, 'square'),
			subtitlesKey(done),
			thumbnailKey(done),
		]);

		const manifest = await buildBatchExport({ db: store.db, storage, presigner: storage }, batchId);
		assert.deepEqual(manifest.left, [{ row: 2, runId: waiting, status: 'queued' }]);
		assert.deepEqual(manifest.runs[0].files.map((f) => f.name), ['001-big-one-1/video.mp4', '001-big-one-1/subtitles.srt', '001-big-one-1/thumbnail.jpg', '001-big-one-1/metadata.json']);
		const zip = join(dir, 'export.zip');
		await storage.downloadFile(storage.ref(batchExportKey(batchId)), zip);
		assert.equal((await stat(zip)).size, manifest.zip.bytes);
		execFileSync('unzip', ['-q', zip, '-d', join(dir, 'out')]);
		assert.ok(video.equals(await readFile(join(dir, 'out', '001-big-one-1', 'video.mp4'))), 'the video comes out byte for byte');
		const metadata = JSON.parse(await readFile(join(dir, 'out', '001-big-one-1', 'metadata.json'), 'utf8'));
		assert.deepEqual([metadata.runId, metadata.row, metadata.title, metadata.preset], [done, 1, 'Big one 1', 'square']);
		const { rows } = await store.db.query('select export_key, manifest_key, exported_at from batches where id = $1', [batchId]);
		assert.equal(rows[0].export_key, batchExportKey(batchId));
		assert.ok(rows[0].exported_at);
	});
});
