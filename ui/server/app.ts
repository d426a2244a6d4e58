/**
 * The dashboard's HTTP app: /api for the React app, /healthz (the process answers) and /api/health (its
 * dependencies, for monitoring), and the built app with SPA fallback.
 * Every error answer is JSON `{ error }` in plain words; internals go to the server log only.
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import * as z from 'zod/v4';
import { actionRoutes } from './actions';
import { voiceRoutes } from './voices';
import { terminalRoutes } from './terminal';
import { analyticsRoutes } from './analytics';
import { artifactRoutes } from './artifacts';
import { apiKeyRoutes } from './apiKeys';
import { authRoutes, bearerToken, requireSession, type Sessions } from './auth';
import { auditRoutes } from './auditRoutes';
import { callbackRoutes } from './callbacks';
import { castRoutes } from './cast';
import { mediaRoutes } from './media';
import { batchRoutes } from './batches';
import { brandRoutes } from './brand';
import { CampaignStats, campaignRoutes } from './campaigns';
import type { AppEnv, Deps } from './context';
import { ApiError } from './errors';
import { eventRoutes } from './events';
import { describeRoute, docsRoutes, undocumented } from './openapi';
import { metricsRoutes } from './metrics';
import { runRoutes } from './runs';
import { staticRoutes } from './static';
import { healthRoutes, systemRoutes } from './system';
import { userRoutes } from './users';
import { storyboardRoutes } from './storyboard';
import { trailerRoutes } from './trailer';

export interface AppOptions {
	distDir: string;
	n8nUrl?: string;
	heartbeatMs?: number;
	/** Keep campaign figures in memory between changes (default true; the bench turns it off for its baseline). */
	cache?: boolean;
	/** Bearer token of GET /metrics (REELSMITH_METRICS_TOKEN); unset = no metrics. */
	metricsToken?: string;
}

export function createApp(deps: Deps, sessions: Sessions, options: AppOptions): Hono<AppEnv> {
	const app = new Hono<AppEnv>();
	const stats = new CampaignStats(deps.db, options.cache ?? true);
	deps.events.onChange((campaignId) => stats.changed(campaignId));

	app.use('*', async (c, next) => {
		await next();
		c.header('X-Content-Type-Options', 'nosniff');
		c.header('Referrer-Policy', 'same-origin');
		c.header('X-Frame-Options', 'DENY');
	});

	// Cross-site requests cannot carry the SameSite=Lax cookie on POST, and this refuses any that name another origin.
	// A bearer request carries no cookie (a page of another site cannot set its Authorization header without CORS,
	// which this API never allows), so it is not checked here; its key's scope is, on every route.
	app.use('/api/*', async (c, next) => {
		if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && bearerToken(c.req.header('authorization')) === undefined) {
			const origin = c.req.header('origin');
			if (origin && origin !== 'null') {
				const host = c.req.header('x-forwarded-host') ?? c.req.header('host');
				let originHost = '';
				try {
					originHost = new URL(origin).host;
				} catch {
					// unparsable: refused below
				}
				if (originHost !== host) throw new ApiError(403, 'This request came from another site and was refused. Use the dashboard page itself.');
			}
		}
		await next();
	});

	// Liveness only (the compose healthcheck and the bench's floor use it): no database, always 200 while serving.
	app.get(
		'/healthz',
		describeRoute({
			tag: 'Health',
			access: 'public',
			summary: 'Liveness',
			description: 'The process answers; no dependency is checked (see /api/health).',
			responses: {
				200: {
					description: 'Serving.',
					schema: z.object({ ok: z.literal(true), liveUpdates: z.boolean() }),
					example: { ok: true, liveUpdates: true },
				},
			},
		}),
		(c) => c.json({ ok: true as const, liveUpdates: deps.events.listening }),
	);

	app.route('/metrics', metricsRoutes(deps, options.metricsToken));
	app.route('/api/health', healthRoutes(deps));
	app.route(
		'/api',
		docsRoutes(() => app.routes, { webhookBase: deps.webhookBase }),
	);
	app.route('/api', authRoutes(deps, sessions));
	app.use('/api/*', requireSession(sessions));
	app.route('/api', userRoutes(deps, sessions));
	app.route('/api/keys', apiKeyRoutes(deps, sessions));
	app.route('/api/campaigns', campaignRoutes(deps, sessions, stats));
	app.route('/api/campaigns', brandRoutes(deps));
	app.route('/api/runs', runRoutes(deps));
	app.route('/api', actionRoutes({ ...deps, n8nUrl: options.n8nUrl }));
	app.route('/api', storyboardRoutes(deps));
	app.route('/api', trailerRoutes(deps));
	app.route('/api', callbackRoutes(deps));
	app.route('/api', batchRoutes(deps));
	app.route('/api', voiceRoutes(deps, stats));
	app.route('/api', castRoutes(deps));
	app.route('/api', mediaRoutes(deps));
	app.route('/api', terminalRoutes(deps));
	app.route('/api/analytics', analyticsRoutes(deps));
	app.route('/api/system', systemRoutes(deps));
	app.route('/api/events', eventRoutes(deps.events, sessions, options.heartbeatMs));
	app.route('/api/artifacts', artifactRoutes(deps));
	app.route('/api/audit', auditRoutes(deps));
	app.all('/api/*', (c) => {
		throw new ApiError(404, `There is no API route ${c.req.method} ${new URL(c.req.url).pathname}. Check the address.`);
	});
	app.route('/', staticRoutes(options.distDir));

	// Every route is in the API document: one registered without describeRoute(...) stops the start, naming it.
	const missing = undocumented(app.routes);
	if (missing.length) {
		throw new Error(
			`${missing.join(', ')}: no describeRoute({ ... }) among the handlers. Add one (ui/server/openapi.ts says how) so /api/openapi.json lists the route.`,
		);
	}

	app.onError((error, c) => {
		if (error instanceof ApiError) {
			for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
			return c.json({ error: error.message, ...error.body }, error.status as 400);
		}
		if (error instanceof HTTPException && error.status < 500) {
			return c.json(
				{
					error: error.message || 'The request was not understood. Reload the page and try again.',
				},
				error.status,
			);
		}
		const id = randomBytes(4).toString('hex');
		deps.log(`[dashboard] error ${id} on ${c.req.method} ${new URL(c.req.url).pathname}: ${error.stack ?? error.message}`);
		return c.json(
			{
				error: `Something went wrong on the dashboard server (error ${id}). Try again; if it keeps happening, the server log has the details under ${id}.`,
			},
			500,
		);
	});

	return app;
}
