/**
 * Live updates: one `LISTEN reelsmith_events` connection per API process (migration 001's triggers NOTIFY on every
 * event, run status/stage change and scene status change, whichever n8n worker wrote it), fanned out to the
 * Server-Sent Event streams of the users who may see that run. A comment heartbeat keeps proxies from closing idle
 * streams and re-checks the session, so a logged-out browser stops receiving.
 */
import { Hono } from 'hono';
import { streamSSE, type SSEMessage } from 'hono/streaming';
import { Client, type Pool } from 'pg';
import type { AppEnv, SessionUser } from './context';
import type { Sessions } from './auth';
import { describeRoute } from './openapi';

export const CHANNEL = 'reelsmith_events';
/** Sessions and keys that stopped being valid (auth.ts): every process drops its cached copy at once. */
export const AUTH_CHANNEL = 'reelsmith_auth';
const HEARTBEAT_MS = 15_000;

interface Subscriber {
	user: SessionUser;
	send(message: SSEMessage): void;
	/** Ends the stream (the server stops). */
	close(): void;
}

export class EventHub {
	private client: Client | undefined;
	private subscribers = new Set<Subscriber>();
	// Runs never move between campaigns, so the run → campaign map only grows (bounded below).
	private campaignOf = new Map<string, Promise<string | null>>();
	private stopped = false;
	private retryTimer: NodeJS.Timeout | undefined;
	private changeListeners: ((campaignId: string) => void)[] = [];
	private authListeners: ((payload: string) => void)[] = [];
	/** Notifications seen (for tests and the bench). */
	received = 0;

	constructor(
		private databaseUrl: string,
		private db: Pool,
		private log: (line: string) => void,
	) {}

	async start(): Promise<void> {
		const client = new Client({
			connectionString: this.databaseUrl,
			keepAlive: true,
		});
		client.on('notification', (message) => {
			if (message.channel === CHANNEL && message.payload) void this.dispatch(message.payload);
			if (message.channel === AUTH_CHANNEL && message.payload) for (const listener of this.authListeners) listener(message.payload);
		});
		client.on('error', (error) => this.reconnect(client, error));
		client.on('end', () => this.reconnect(client));
		await client.connect();
		await client.query(`listen ${CHANNEL}`);
		await client.query(`listen ${AUTH_CHANNEL}`);
		this.client = client;
	}

	private reconnect(client: Client, error?: Error): void {
		if (this.stopped || this.client !== client) return;
		this.client = undefined;
		this.log(`[dashboard] live updates: lost the Postgres connection${error ? ` (${error.message})` : ''}; reconnecting …`);
		client.end().catch(() => {});
		const attempt = (delay: number) => {
			this.retryTimer = setTimeout(() => {
				this.start().then(
					() => {
						this.log('[dashboard] live updates: reconnected.');
						// Notifications sent meanwhile are lost: tell the pages to reload what they show.
						for (const subscriber of this.subscribers) subscriber.send({ event: 'resync', data: '{}' });
					},
					() => attempt(Math.min(delay * 2, 30_000)),
				);
			}, delay);
		};
		attempt(1000);
	}

	private campaignFor(runId: string): Promise<string | null> {
		let found = this.campaignOf.get(runId);
		if (!found) {
			if (this.campaignOf.size > 100_000) this.campaignOf.clear();
			found = this.db
				.query<{
					campaign_id: string;
				}>('select campaign_id from runs where id = $1', [runId])
				.then((result) => result.rows[0]?.campaign_id ?? null);
			this.campaignOf.set(runId, found);
			found.then((id) => id === null && this.campaignOf.delete(runId)).catch(() => this.campaignOf.delete(runId));
		}
		return found;
	}

	private async dispatch(payload: string): Promise<void> {
		this.received++;
		let message: Record<string, unknown>;
		try {
			message = JSON.parse(payload);
		} catch {
			return;
		}
		if (typeof message.runId !== 'string') return;
		const campaignId = await this.campaignFor(message.runId).catch(() => null);
		if (!campaignId) return;
		// Cached figures first, so a page that reloads on this message reads the new ones.
		for (const listener of this.changeListeners) listener(campaignId);
		const data = JSON.stringify({ ...message, campaignId });
		for (const subscriber of this.subscribers) {
			const { user } = subscriber;
			if (user.role === 'admin' || user.campaignIds?.includes(campaignId)) subscriber.send({ data });
		}
	}

	/** Called with the campaign of every run that changed (any process, any n8n worker). */
	onChange(listener: (campaignId: string) => void): void {
		this.changeListeners.push(listener);
	}

	/** Called with every auth change any dashboard process announced (a revoked key, a logout, a changed user). */
	onAuthChange(listener: (payload: string) => void): void {
		this.authListeners.push(listener);
	}

	subscribe(subscriber: Subscriber): () => void {
		this.subscribers.add(subscriber);
		return () => this.subscribers.delete(subscriber);
	}

	/** A user just got a campaign (created it): their open streams include it from now on. */
	grant(userId: string, campaignId: string): void {
		for (const subscriber of this.subscribers) {
			const user = subscriber.user;
			if (user.id === userId && user.campaignIds && !user.campaignIds.includes(campaignId)) {
				subscriber.user = {
					...user,
					campaignIds: [...user.campaignIds, campaignId],
				};
			}
		}
	}

	get listening(): boolean {
		return this.client !== undefined;
	}

	get subscriberCount(): number {
		return this.subscribers.size;
	}

	async stop(): Promise<void> {
		this.stopped = true;
		clearTimeout(this.retryTimer);
		const client = this.client;
		this.client = undefined;
		for (const subscriber of this.subscribers) subscriber.close();
		this.subscribers.clear();
		await client?.end().catch(() => {});
	}
}

export function eventRoutes(hub: EventHub, sessions: Sessions, heartbeatMs = HEARTBEAT_MS) {
	const app = new Hono<AppEnv>();
	app.get(
		'/',
		describeRoute({
			tag: 'Live updates',
			summary: 'Server-Sent Events of the runs the caller may see',
			description:
				'A `ready` event once subscribed, then one JSON message per change (runId, campaignId, …); `logout` when the session ends; `resync` after a lost database connection.',
			responses: {
				200: { description: 'The event stream.', type: 'text/event-stream' },
			},
		}),
		(c) => {
			const credentials = {
				cookie: c.req.header('cookie'),
				authorization: c.req.header('authorization'),
			};
			const response = streamSSE(c, async (stream) => {
				let end = () => {};
				const ended = new Promise<void>((resolve) => (end = resolve));
				const subscriber: Subscriber = {
					user: c.get('user'),
					send: (message) => void stream.writeSSE(message),
					close: end,
				};
				const unsubscribe = hub.subscribe(subscriber);
				const heartbeat = setInterval(async () => {
					// Logged out (or expired) meanwhile: end the stream; the page then asks to log in.
					const user = await sessions.authenticate(credentials).catch(() => subscriber.user);
					if (stream.aborted || stream.closed) return;
					if (!user) {
						await stream.writeSSE({ event: 'logout', data: '{}' });
						return end();
					}
					subscriber.user = user;
					// A comment line: EventSource ignores it, proxies see traffic.
					await stream.write(`: heartbeat ${new Date().toISOString()}\n\n`);
				}, heartbeatMs);
				stream.onAbort(end); // the browser went away
				// retry: how long EventSource waits before reconnecting; "ready" tells the page (and tests) it is subscribed.
				await stream.writeSSE({
					retry: 2000,
					event: 'ready',
					data: JSON.stringify({ listening: hub.listening }),
				});
				await ended;
				clearInterval(heartbeat);
				unsubscribe();
			});
			// Beyond streamSSE's own headers: no proxy may transform or buffer the stream.
			response.headers.set('cache-control', 'no-cache, no-transform');
			response.headers.set('x-accel-buffering', 'no');
			return response;
		},
	);
	return app;
}
