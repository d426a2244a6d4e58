/**
 * Files are never served by the API: /api/artifacts/<key> checks that the key lies under runs/<runId>/ of a run the
 * user may see, then redirects to a presigned URL of the object store valid for 10 minutes.
 */
import { posix } from 'node:path';
import { Hono } from 'hono';
import { visibleRun } from './access';
import type { AppEnv, Deps } from './context';
import { ApiError, notFound } from './errors';
import { describeRoute, errorSchema } from './openapi';

export const LINK_SECONDS = 10 * 60;
const PREFIX = '/api/artifacts/';
const RUN_KEY = /^runs\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/[^\0]+$/i;

/** The dashboard link for an object key (each path segment encoded), or null. */
export function artifactUrl(key: string | null | undefined): string | null {
	if (!key) return null;
	return PREFIX + key.split('/').map(encodeURIComponent).join('/');
}

export function artifactRoutes(deps: Deps) {
	const app = new Hono<AppEnv>();
	app.get(
		'/*',
		describeRoute({
			tag: 'Runs',
			summary: "A run's file",
			description: `Redirects to a presigned link of the object store, valid ${LINK_SECONDS / 60} minutes. Add ?download=1 to save it under its name.`,
			responses: {
				302: { description: 'To the presigned link (Location).' },
				404: {
					description: 'Not a file of a run the caller can see, or not in storage yet.',
					schema: errorSchema,
				},
			},
		}),
		async (c) => {
			const path = new URL(c.req.url).pathname;
			let key: string;
			try {
				key = decodeURIComponent(path.slice(path.indexOf(PREFIX) + PREFIX.length));
			} catch {
				throw notFound('That file link is malformed. Open the run page again for fresh links.');
			}
			const match = RUN_KEY.exec(key);
			// A normalised key must stay the same: no "..", "." or empty segments to climb out of the run's folder.
			if (!match || posix.normalize(key) !== key || key.split('/').some((part) => part === '..' || part === '.' || part === '')) {
				throw notFound('That file does not belong to a run. Open the run page again for fresh links.');
			}
			await visibleRun(deps.db, c.get('user'), match[1]);
			const stat = await deps.storage.stat({ bucket: deps.storage.bucket, key }).catch((error: Error) => {
				deps.log(`[dashboard] object store: ${error.message}`);
				throw new ApiError(502, 'The object store did not answer. Check that it is running (S3_ENDPOINT), then try again.');
			});
			if (!stat) throw notFound('This file is not in storage (yet). If the run is still going, wait for the step that makes it.');
			const name = posix.basename(key);
			const headers: Record<string, string> = {};
			if (c.req.query('download') !== undefined && c.req.query('download') !== '0') {
				headers['response-content-disposition'] = `attachment; filename="${name.replace(/["\\]/g, '_')}"`;
			}
			const url = await deps.presigner.client.presignedGetObject(deps.presigner.bucket, key, LINK_SECONDS, headers);
			c.header('Cache-Control', 'private, no-store');
			return c.redirect(url, 302);
		},
	);
	return app;
}
