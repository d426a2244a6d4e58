/**
 * The built app (ui/dist) at /, with the SPA fallback to index.html for client-side routes. The app shell holds no
 * data (the login page is part of it), so it is served without a session; everything under /api needs one.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { Hono } from 'hono';
import { describeRoute } from './openapi';

const TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.jpg': 'image/jpeg',
	'.ico': 'image/x-icon',
	'.woff2': 'font/woff2',
	'.woff': 'font/woff',
	'.txt': 'text/plain; charset=utf-8',
	'.map': 'application/json; charset=utf-8',
	'.webmanifest': 'application/manifest+json',
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Reelsmith dashboard</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The dashboard app is not built yet</h1>
<p>The API is running, but there is no built web app in <code>ui/dist</code>.</p>
<p>Build it with <code>npm run build -w ui</code> (or restart with <code>npm start</code>, which builds it), then reload this page.</p>
</body></html>`;

export function staticRoutes(distDir: string) {
	const app = new Hono();
	const root = resolve(distDir);
	app.get(
		'*',
		describeRoute({
			tag: 'The app',
			access: 'public',
			summary: 'The dashboard web app (any path outside /api)',
			description: "The built files, and index.html for the app's own pages; 503 with a page saying how to build it when ui/dist is missing.",
			responses: {
				200: { description: 'A file of the app.', type: 'text/html' },
				503: { description: 'The app is not built.', type: 'text/html' },
			},
		}),
		async (c) => {
			const index = join(root, 'index.html');
			if (!existsSync(index)) return c.html(NOT_BUILT, 503, { 'cache-control': 'no-store' });
			let path: string;
			try {
				path = decodeURIComponent(new URL(c.req.url).pathname);
			} catch {
				path = '/';
			}
			const file = normalize(join(root, path));
			if (file.startsWith(root + sep) && extname(file)) {
				const info = await stat(file).catch(() => null);
				if (info?.isFile()) {
					// Vite puts content hashes in asset names: those never change, so they may be cached for good.
					const immutable = file.startsWith(join(root, 'assets') + sep);
					return c.body(await readFile(file), 200, {
						'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
						'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
					});
				}
				// A missing asset is a 404, not the app shell (a stale page asking for an old bundle should fail visibly).
				if (file.startsWith(join(root, 'assets') + sep)) return c.text('Not found', 404);
			}
			return c.body(await readFile(index), 200, {
				'content-type': TYPES['.html'],
				'cache-control': 'no-cache',
			});
		},
	);
	return app;
}
