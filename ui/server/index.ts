/**
 * startDashboard: the API and the built app on one port, beside n8n. Used by npm start
 * (initialization/start.ts), docker compose (ui/server/main.ts) and the tests and bench.
 */
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { S3Settings } from '../../initialization/credentials';
import { migrate } from '../../initialization/migrate';
import { callbackSettings, type CallbackSettings } from '../../nodes/shared/callbacks/settings';
import { maxRunningSetting } from '../../nodes/shared/store/runState';
import { Storage } from '../../nodes/shared/transport/storage';
import { createApp } from './app';
import { ensureFirstAdmin, Sessions, type FirstAdmin } from './auth';
import type { Deps } from './context';
import { createPool } from './db';
import { EventHub } from './events';
import { N8nQueue, queueSettingsFromEnv, type QueueSettings } from './n8nQueue';
import { expiredLeaseAlertSetting } from './system';

export const DEFAULT_DASHBOARD_PORT = 5680;
export const DEFAULT_DIST_DIR = resolve(__dirname, '..', 'dist');
/** How long a dashboard request waits for an object store that cannot be reached before it answers an error. */
const DASHBOARD_STORAGE_WAIT_MS = 3000;

export interface DashboardOptions {
	databaseUrl: string;
	s3: S3Settings;
	/** n8n's own address, e.g. http://127.0.0.1:5678 (a Wait node's resume URL is sent there). */
	n8nUrl: string;
	/** Production webhook base, e.g. http://127.0.0.1:5678/webhook */
	webhookBase: string;
	webhookToken: string;
	/** 0 = any free port. */
	port: number;
	host?: string;
	distDir?: string;
	/** Where browsers reach the object store, when it differs from s3.endpoint (download links are signed for it). */
	s3PublicEndpoint?: string;
	/**
	 * Where n8n's queue is in Redis (queue mode), or null for regular mode; default from REDIS_URL or
	 * QUEUE_BULL_REDIS_* and QUEUE_BULL_PREFIX (see n8nQueue.ts).
	 */
	queue?: QueueSettings | null;
	/** /api/health answers 503 once a run's lease has been expired this long; default REELSMITH_HEALTH_EXPIRED_LEASE_SECONDS or 300. */
	expiredLeaseAlertSeconds?: number;
	/** How "send again" sends callbacks; default from REELSMITH_CALLBACK_* (give n8n the same). */
	callbacks?: CallbackSettings;
	/** The dispatcher's Max Running (workflows: 2); queue positions count against it. */
	maxRunning?: number;
	/** First admin when there are no users; default REELSMITH_ADMIN_EMAIL / REELSMITH_ADMIN_PASSWORD. */
	admin?: { email?: string; password?: string };
	/** With no admin credentials given: generate a password and save it here (npm start: <data dir>/dashboard-admin.txt). */
	adminPasswordFile?: string;
	/** Apply the migrations first (default true; idempotent, safe beside n8n's own start). */
	migrate?: boolean;
	/** Postgres connections for requests (default 10); the live updates use one more. */
	poolSize?: number;
	secureCookie?: boolean;
	trustProxy?: boolean;
	heartbeatMs?: number;
	/** Bearer token of GET /metrics; default REELSMITH_METRICS_TOKEN; unset = metrics off. */
	metricsToken?: string;
	/** Keep campaign figures in memory between changes (default true). */
	cache?: boolean;
	log?: (line: string) => void;
}

export interface Dashboard {
	url: string;
	port: number;
	/** The first admin: created now (with the generated password, if any) or the existing one. */
	admin: FirstAdmin | undefined;
	events: EventHub;
	/** Every API route (method and path pattern), for the access checks of the reliability suite. */
	routes: Array<{ method: string; path: string }>;
	stop(): Promise<void>;
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
	const log = options.log ?? ((line: string) => console.log(line));
	if (options.migrate ?? true) await migrate(options.databaseUrl, { seed: false });
	// Settings first: a wrong value stops the start with its name, before anything is opened.
	const queueSettings = options.queue === undefined ? queueSettingsFromEnv() : options.queue;
	const expiredLeaseAlertSeconds = options.expiredLeaseAlertSeconds ?? expiredLeaseAlertSetting();
	const db = createPool(options.databaseUrl, options.poolSize ?? 10);
	const events = new EventHub(options.databaseUrl, db, log);
	const queue = new N8nQueue(queueSettings);
	let server: ReturnType<typeof serve> | undefined;
	try {
		// A page waits a moment for a restarting store, not the 30 s a run's step does.
		const storage = new Storage({ ...options.s3, forcePathStyle: options.s3.forcePathStyle ?? true }, DASHBOARD_STORAGE_WAIT_MS);
		const presigner = options.s3PublicEndpoint
			? new Storage({ ...options.s3, endpoint: options.s3PublicEndpoint, forcePathStyle: options.s3.forcePathStyle ?? true }, DASHBOARD_STORAGE_WAIT_MS)
			: storage;
		const admin = await ensureFirstAdmin(db, {
			email: options.admin?.email ?? process.env.REELSMITH_ADMIN_EMAIL,
			password: options.admin?.password ?? process.env.REELSMITH_ADMIN_PASSWORD,
			passwordFile: options.adminPasswordFile,
		});
		if (!admin) {
			log('[dashboard] there are no users yet and no REELSMITH_ADMIN_EMAIL / REELSMITH_ADMIN_PASSWORD: set both and restart to create the first admin.');
		}
		await events.start();
		const deps: Deps = {
			db,
			storage,
			presigner,
			webhookBase: options.webhookBase,
			webhookToken: options.webhookToken,
			maxRunning: options.maxRunning ?? maxRunningSetting(),
			callbacks: options.callbacks ?? callbackSettings(),
			events,
			queue,
			expiredLeaseAlertSeconds,
			secureCookie: options.secureCookie ?? false,
			trustProxy: options.trustProxy ?? false,
			log,
		};
		const sessions = new Sessions(db);
		events.onAuthChange((payload) => sessions.applyAnnounced(payload));
		const app = createApp(deps, sessions, {
			distDir: options.distDir ?? DEFAULT_DIST_DIR,
			n8nUrl: options.n8nUrl,
			heartbeatMs: options.heartbeatMs,
			cache: options.cache,
			metricsToken: (options.metricsToken ?? process.env.REELSMITH_METRICS_TOKEN)?.trim() || undefined,
		});
		const host = options.host ?? '127.0.0.1';
		const port = await new Promise<number>((resolvePromise, reject) => {
			server = serve({ fetch: app.fetch, port: options.port, hostname: host }, (info: AddressInfo) => resolvePromise(info.port));
			server.once('error', reject);
		});
		const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
		let stopping: Promise<void> | undefined;
		return {
			url: `http://${shownHost}:${port}`,
			port,
			admin,
			events,
			routes: app.routes.filter((route) => route.method !== 'ALL').map((route) => ({ method: route.method, path: route.path })),
			stop: () =>
				(stopping ??= (async () => {
					await events.stop();
					await queue.stop();
					await new Promise<void>((done) => {
						if (!server) return done();
						server.close(() => done());
						// Open SSE streams and keep-alive sockets would hold close() forever.
						(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
					});
					await db.end().catch(() => {});
				})()),
		};
	} catch (error) {
		await events.stop();
		await queue.stop();
		server?.close();
		await db.end().catch(() => {});
		throw error;
	}
}

export { createUser, hashPassword, verifyPassword } from './auth';
