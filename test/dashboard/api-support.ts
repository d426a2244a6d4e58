/**
 * For the dashboard API tests: a loopback stand-in for n8n's webhooks that records what it was sent (our own start,
 * resume and Wait-node webhooks, not a paid provider), a cookie-keeping API client, a Server-Sent Events reader and
 * n8n's Bull queue written into a real Redis.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';

export interface Recorded {
	method: string;
	path: string;
	headers: IncomingMessage['headers'];
	body: any;
}

export type Responder = (request: Recorded) => { status: number; body: unknown } | Promise<{ status: number; body: unknown }>;

export class FakeN8n {
	readonly calls: Recorded[] = [];
	readonly routes = new Map<string, Responder>();
	private server: Server | undefined;
	url = '';

	async start(): Promise<void> {
		this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', async () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let body: unknown = text;
				try {
					body = JSON.parse(text);
				} catch {
					// kept as text
				}
				const call: Recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
				this.calls.push(call);
				const responder = [...this.routes].find(([prefix]) => call.path.startsWith(prefix))?.[1];
				const answer = responder ? await responder(call) : { status: 404, body: { message: 'The requested webhook is not registered.' } };
				res.writeHead(answer.status, { 'content-type': 'application/json' });
				res.end(JSON.stringify(answer.body));
			});
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
	}

	callsTo(prefix: string): Recorded[] {
		return this.calls.filter((call) => call.path.startsWith(prefix));
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
	}
}

export interface Answer {
	status: number;
	body: any;
	headers: Headers;
}

/** An API client that keeps its session cookie, like a browser tab. */
export class Browser {
	cookie = '';
	constructor(readonly base: string) {}

	async request(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<Answer> {
		const response = await fetch(this.base + path, {
			method,
			redirect: 'manual',
			...init,
			headers: {
				...(body !== undefined ? { 'content-type': 'application/json' } : {}),
				...(this.cookie ? { cookie: this.cookie } : {}),
				...(init.headers as Record<string, string> | undefined),
			},
			body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
		});
		const setCookie = response.headers.get('set-cookie');
		if (setCookie) {
			const [pair] = setCookie.split(';');
			this.cookie = pair.endsWith('=') ? '' : pair;
		}
		const text = await response.text();
		let parsed: unknown = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// not JSON (HTML page, redirect)
		}
		return { status: response.status, body: parsed, headers: response.headers };
	}

	get = (path: string) => this.request('GET', path);
	post = (path: string, body?: unknown) => this.request('POST', path, body);
	patch = (path: string, body?: unknown) => this.request('PATCH', path, body);

	async login(email: string, password: string): Promise<Answer> {
		return this.post('/api/login', { email, password });
	}
}

export interface EventStream {
	messages: any[];
	status: number;
	/** Resolves with the first message (from now on or already received) matching; rejects after `ms`. */
	waitFor(match: (message: any) => boolean, ms: number): Promise<any>;
	close(): void;
}

/**
 * GET /api/events like EventSource, calling `onMessage` with each JSON message as it arrives. Resolves once the
 * server said "ready" (the stream is subscribed), or at once with the status when it did not answer 200.
 */
export async function subscribeEvents(
	base: string,
	cookie: string,
	onMessage: (message: any) => void,
): Promise<{ status: number; close(): void }> {
	const controller = new AbortController();
	const response = await fetch(`${base}/api/events`, { headers: cookie ? { cookie } : {}, signal: controller.signal });
	const subscription = { status: response.status, close: () => controller.abort() };
	if (response.status !== 200 || !response.body) {
		await response.text().catch(() => '');
		return subscription;
	}
	let ready: () => void = () => {};
	const isReady = new Promise<void>((resolve) => (ready = resolve));
	void (async () => {
		const decoder = new TextDecoder();
		let buffer = '';
		try {
			for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
				buffer += decoder.decode(chunk, { stream: true });
				let end: number;
				while ((end = buffer.indexOf('\n\n')) >= 0) {
					const block = buffer.slice(0, end);
					buffer = buffer.slice(end + 2);
					const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
					const data = block
						.split('\n')
						.filter((line) => line.startsWith('data: '))
						.map((line) => line.slice(6))
						.join('\n');
					if (event === 'ready') ready();
					if (event === 'message' && data) onMessage(JSON.parse(data));
				}
			}
		} catch {
			// aborted by close()
		}
	})();
	await isReady;
	return subscription;
}

/** Opens /api/events and keeps every message, stamped with when it arrived, for waitFor. */
export async function openEvents(base: string, cookie: string): Promise<EventStream> {
	const messages: any[] = [];
	const waiters = new Set<() => void>();
	const subscription = await subscribeEvents(base, cookie, (message) => {
		messages.push({ ...message, receivedAt: Date.now() });
		for (const waiter of [...waiters]) waiter();
	});
	return {
		messages,
		status: subscription.status,
		waitFor(match, ms) {
			return new Promise((resolve, reject) => {
				const check = () => {
					const found = messages.find(match);
					if (found) {
						waiters.delete(check);
						clearTimeout(timer);
						resolve(found);
					}
				};
				const timer = setTimeout(() => {
					waiters.delete(check);
					reject(new Error(`no matching event within ${ms} ms; got ${JSON.stringify(messages)}`));
				}, ms);
				waiters.add(check);
				check();
			});
		},
		close: subscription.close,
	};
}

/**
 * n8n's queue in a real Redis, laid out as Bull 4 (n8n 2.40) lays it out under `<prefix>:jobs:*` — wait, active and
 * paused are lists, delayed and failed sorted sets, a job a hash — plus connections named as Bull names the blocking
 * connection of a process that runs jobs (CLIENT SETNAME `<prefix>:<base64 "jobs">`, set by queue.process()). Only
 * this test's own database index and prefix are touched.
 */
export class BullQueueInRedis {
	private connections: Redis[] = [];
	readonly admin: Redis;

	constructor(
		readonly db: number,
		readonly prefix: string,
		readonly port = 6379,
	) {
		this.admin = this.connect(db);
	}

	private connect(db: number): Redis {
		const client = new Redis({ host: '127.0.0.1', port: this.port, db, maxRetriesPerRequest: 1 });
		client.on('error', () => {});
		this.connections.push(client);
		return client;
	}

	key = (type: string) => `${this.prefix}:jobs:${type}`;

	/** Jobs as n8n adds them (a hash with its execution, the id in a list or set). */
	async addJobs(type: 'wait' | 'active' | 'paused' | 'delayed' | 'failed', executionIds: number[]): Promise<void> {
		for (const executionId of executionIds) {
			const id = String(await this.admin.incr(this.key('id')));
			await this.admin.hset(this.key(id), {
				name: 'job',
				data: JSON.stringify({ workflowId: 'wf1', executionId: String(executionId), loadStaticData: false }),
				opts: JSON.stringify({ priority: 100, removeOnComplete: true, removeOnFail: true }),
				timestamp: String(Date.now()),
				priority: '100',
			});
			if (type === 'delayed' || type === 'failed') await this.admin.zadd(this.key(type), Date.now(), id);
			else await this.admin.lpush(this.key(type), id);
		}
	}

	/** A connection named like the blocking connection of an n8n worker of `queue` (default "jobs"), on database `db`. */
	async worker(options: { queue?: string; db?: number; prefix?: string } = {}): Promise<Redis> {
		const client = this.connect(options.db ?? this.db);
		const name = `${options.prefix ?? this.prefix}:${Buffer.from(options.queue ?? 'jobs').toString('base64')}`;
		await client.client('SETNAME', name);
		return client;
	}

	/** Everything under this test's prefix, in its own database only. */
	async clear(): Promise<void> {
		const keys = await this.admin.keys(`${this.prefix}:*`);
		if (keys.length) await this.admin.del(...keys);
	}

	close(): void {
		for (const client of this.connections) client.disconnect();
		this.connections = [];
	}
}
