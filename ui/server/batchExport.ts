/**
 * A batch's export, built on demand by the dashboard server (POST /api/batches/:id/export): one ZIP of every completed
 * run's final MP4, SRT, thumbnail and metadata JSON, plus a manifest JSON with presigned links. The ZIP is streamed from
 * the runs' objects through yazl into a multipart upload, so neither a video nor the ZIP is ever whole in memory, and
 * the files are stored, not deflated (MP4 and JPEG do not compress). At most one 8 MB part of the ZIP is held at a time.
 */
import { posix } from 'node:path';
import type { Pool } from 'pg';
import { ZipFile } from 'yazl';
import { batchExportKey, batchManifestKey, metadataKey } from '../../nodes/shared/keys';
import type { Storage } from '../../nodes/shared/transport/storage';

/** The ZIP goes up in parts of this size: the most of it in memory at any time (S3's smallest part is 5 MB). */
const ZIP_PART_BYTES = 8 * 1024 * 1024;
/** The manifest's links last a week, S3's longest presigned lifetime (SigV4). */
export const MANIFEST_LINK_SECONDS = 7 * 24 * 3600;

interface ExportRun {
	id: string;
	batch_row: number;
	status: string;
	title: string | null;
	preset: string;
	final_key: string | null;
	subtitles_key: string | null;
	thumbnail_key: string | null;
	duration: number | null;
	finished_at: Date | null;
}

export interface ManifestFile {
	/** The path inside the ZIP. */
	name: string;
	/** The object it came from, with a presigned link; null for the metadata JSON written for the export. */
	key: string | null;
	bytes: number;
	url: string | null;
}

export interface BatchManifest {
	batchId: string;
	campaign: string;
	exportedAt: string;
	linksExpireAt: string;
	zip: ManifestFile;
	runs: Array<{ row: number; runId: string; title: string | null; folder: string; files: ManifestFile[] }>;
	/** Runs not in the ZIP: not completed (yet). */
	left: Array<{ row: number; runId: string; status: string }>;
}

const slug = (text: string | null) =>
	(text ?? '')
		.normalize('NFKD')
		.replace(/[^\w\s-]/g, '')
		.trim()
		.toLowerCase()
		.replace(/[\s_-]+/g, '-')
		.slice(0, 40) || 'run';

export async function buildBatchExport(deps: { db: Pool; storage: Storage; presigner: Storage }, batchId: string): Promise<BatchManifest> {
	const { db, storage, presigner } = deps;
	const { rows: batches } = await db.query<{ campaign: string }>(
		'select c.name as campaign from batches b join campaigns c on c.id = b.campaign_id where b.id = $1',
		[batchId],
	);
	const { rows: runs } = await db.query<ExportRun>(
		`select id, batch_row, status, request->>'title' as title, options->>'preset' as preset, final_key, subtitles_key,
		        thumbnail_key, duration, finished_at
		   from runs where batch_id = $1 order by batch_row, created_at`,
		[batchId],
	);
	const done = runs.filter((run) => run.status === 'completed' && run.final_key);
	if (!done.length) throw new Error(`Batch ${batchId} has no completed run to export yet.`);

	const zip = new ZipFile();
	const entries: BatchManifest['runs'] = [];
	for (const run of done) {
		const folder = `${String(run.batch_row).padStart(3, '0')}-${slug(run.title)}`;
		const files: ManifestFile[] = [];
		for (const [name, key] of [
			[`video${posix.extname(run.final_key!) || '.mp4'}`, run.final_key],
			['subtitles.srt', run.subtitles_key],
			['thumbnail.jpg', run.thumbnail_key],
		] as const) {
			if (!key) continue;
			const stat = await storage.stat(storage.ref(key));
			if (!stat) continue;
			const path = `${folder}/${name}`;
			// Opened when yazl reaches the entry: one object download at a time.
			zip.addReadStreamLazy(path, { compress: false, size: stat.bytes, mtime: run.finished_at ?? new Date() }, (callback) => {
				storage.readStream(storage.ref(key)).then((stream) => callback(null, stream), (error: Error) => callback(error, null as never));
			});
			files.push({ name: path, key, bytes: stat.bytes, url: null });
		}
		// The run's facts, with the title/description/tags the pipeline stored when it has them.
		const stored = await storage.stat(storage.ref(metadataKey(run.id)));
		const extra = stored ? JSON.parse((await storage.downloadBuffer(storage.ref(metadataKey(run.id)))).toString('utf8')) : {};
		const metadata = Buffer.from(
			JSON.stringify({ runId: run.id, batchId, row: run.batch_row, title: run.title, preset: run.preset, durationS: run.duration === null ? null : Number(run.duration), finishedAt: run.finished_at, ...extra }, null, 2),
		);
		zip.addBuffer(metadata, `${folder}/metadata.json`, { compress: false, mtime: run.finished_at ?? new Date() });
		files.push({ name: `${folder}/metadata.json`, key: null, bytes: metadata.length, url: null });
		entries.push({ row: run.batch_row, runId: run.id, title: run.title, folder, files });
	}
	// yazl 3 hands end()'s callback the ZIP's size (known: every entry stored, with its size); @types/yazl predates it.
	const end = zip.end as unknown as (options: undefined, done: (total: number) => void) => void;
	const size = await new Promise<number>((resolve) => end.call(zip, undefined, resolve));
	const zipRef = await storage.uploadStream(zip.outputStream as never, batchExportKey(batchId), 'application/zip', ZIP_PART_BYTES);

	const link = (key: string) => presigner.client.presignedGetObject(presigner.bucket, key, MANIFEST_LINK_SECONDS);
	const exportedAt = new Date();
	for (const entry of entries) {
		for (const file of entry.files) if (file.key) file.url = await link(file.key);
	}
	const manifest: BatchManifest = {
		batchId,
		campaign: batches[0]?.campaign ?? '',
		exportedAt: exportedAt.toISOString(),
		linksExpireAt: new Date(exportedAt.getTime() + MANIFEST_LINK_SECONDS * 1000).toISOString(),
		zip: { name: 'export.zip', key: zipRef.key, bytes: zipRef.bytes ?? size, url: await link(zipRef.key) },
		runs: entries,
		left: runs.filter((run) => !done.includes(run)).map((run) => ({ row: run.batch_row, runId: run.id, status: run.status })),
	};
	await storage.uploadBuffer(JSON.stringify(manifest, null, 2), batchManifestKey(batchId), 'application/json');
	await db.query('update batches set export_key = $2, manifest_key = $3, exported_at = $4 where id = $1', [
		batchId,
		zipRef.key,
		batchManifestKey(batchId),
		exportedAt,
	]);
	return manifest;
}
