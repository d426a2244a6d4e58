import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback HTTP proxy in front of one provider fake that misbehaves as real networks and providers do, at seeded
 * random: 429 with and without Retry-After, 500/502/503, requests that hang until the client gives up, connections
 * reset before the provider saw the request, replies lost after it acted (the dangerous one: a submit was billed
 * and the client never heard), bodies cut short, and slow bodies. The credential's base URL points at the proxy;
 * the provider's own URLs in its answers (result downloads) are rewritten to the proxy, so downloads go through it.
 *
 * Every fault is counted by kind, and every request that reached the provider is counted, so a test can tell what
 * the provider billed from what the client saw.
 */
export type FaultKind = 'rate429' | 'rate429Bare' | 'error500' | 'error502' | 'error503' | 'timeout' | 'reset' | 'lostReply' | 'truncated' | 'slow';

export interface ChaosOptions {
	/** Share of requests that get a fault, 0..1. */
	errorRate: number;
	/** Which faults to pick from (evenly); default all but lostReply, which no client can make safe by itself. */
	kinds?: FaultKind[];
	seed: number;
	/** How long a "timeout" request hangs before the socket is destroyed (the client's own timeout usually ends it first). */
	hangMs?: number;
	/** Paths that never get a fault (e.g. a provider's health check). */
	spare?: RegExp;
}

export const SAFE_FAULTS: FaultKind[] = ['rate429', 'rate429Bare', 'error500', 'error502', 'error503', 'timeout', 'reset', 'truncated', 'slow'];

/** mulberry32: a small seeded generator, so a failing trial can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export class ChaosProxy {
	url = '';
	/** Requests forwarded to the provider (it saw them: a submit among them was billed). */
	forwarded = 0;
	readonly faults: Record<FaultKind, number> = {
		rate429: 0,
		rate429Bare: 0,
		error500: 0,
		error502: 0,
		error503: 0,
		timeout: 0,
		reset: 0,
		lostReply: 0,
		truncated: 0,
		slow: 0,
	};
	private random: () => number;
	/** Faults dealt to the next requests, in order, before the odds apply (null: that request passes). */
	private readonly queue: Array<FaultKind | null> = [];
	private readonly server = createServer((req, res) => void this.handle(req, res));
	private readonly sockets = new Set<Socket>();

	constructor(
		readonly target: string,
		public options: ChaosOptions,
	) {
		this.random = seededRandom(options.seed);
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
	}

	/** New odds (and a new seed) from now on; counters are kept. */
	set(options: Partial<ChaosOptions>) {
		this.options = { ...this.options, ...options };
		if (options.seed !== undefined) this.random = seededRandom(options.seed);
	}

	/** The next requests get these faults, in order (null = none), whatever the odds: a test that needs one exact fault. */
	script(...faults: Array<FaultKind | null>) {
		this.queue.push(...faults);
	}

	get totalFaults(): number {
		return Object.values(this.faults).reduce((sum, n) => sum + n, 0);
	}

	async start(): Promise<this> {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this;
	}

	async stop(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	private pick(path: string): FaultKind | null {
		if (this.options.spare?.test(path)) return null;
		if (this.queue.length) return this.queue.shift() ?? null;
		if (this.random() >= this.options.errorRate) return null;
		const kinds = this.options.kinds ?? SAFE_FAULTS;
		return kinds[Math.floor(this.random() * kinds.length)] ?? null;
	}

	private async handle(req: IncomingMessage, res: ServerResponse) {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const fault = this.pick(req.url ?? '/');
		if (fault) this.faults[fault] += 1;
		const json = (status: number, headers: Record<string, string> = {}) => {
			res.writeHead(status, { 'content-type': 'application/json', ...headers });
			res.end(JSON.stringify({ error: { message: `chaos ${fault}` }, code: status, message: `chaos ${fault}` }));
		};
		switch (fault) {
			case 'rate429':
				return json(429, { 'retry-after': '1' });
			case 'rate429Bare':
				return json(429);
			case 'error500':
				return json(500);
			case 'error502':
				return json(502);
			case 'error503':
				return json(503);
			case 'reset':
				return req.socket.destroy();
			case 'timeout':
				setTimeout(() => req.socket.destroy(), this.options.hangMs ?? 120_000).unref();
				return;
		}
		const answer = await this.forward(req, Buffer.concat(chunks)).catch(() => null);
		if (!answer) return req.socket.destroy();
		if (fault === 'lostReply') return req.socket.destroy();
		const body = this.rewrite(answer.body, answer.headers['content-type']);
		const headers: Record<string, string> = { ...answer.headers, 'content-length': String(body.length) };
		delete headers['transfer-encoding'];
		if (fault === 'truncated') {
			// Headers promise the whole body; half arrives and the connection drops, as a cut download does.
			res.writeHead(answer.status, headers);
			res.write(body.subarray(0, Math.floor(body.length / 2)));
			setTimeout(() => req.socket.destroy(), 50);
			return;
		}
		res.writeHead(answer.status, headers);
		if (fault === 'slow') {
			const step = Math.max(1, Math.ceil(body.length / 20));
			for (let at = 0; at < body.length; at += step) {
				if (res.destroyed) return;
				res.write(body.subarray(at, at + step));
				await new Promise((resolve) => setTimeout(resolve, 100));
			}
			res.end();
			return;
		}
		res.end(body);
	}

	private forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
		const target = new URL(req.url ?? '/', this.target);
		return new Promise((resolve, reject) => {
			const outgoing = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (incoming) => {
				const parts: Buffer[] = [];
				incoming.on('data', (chunk: Buffer) => parts.push(chunk));
				incoming.on('end', () => {
					this.forwarded += 1;
					const headers: Record<string, string> = {};
					for (const [key, value] of Object.entries(incoming.headers)) if (typeof value === 'string') headers[key] = value;
					resolve({ status: incoming.statusCode ?? 502, headers, body: Buffer.concat(parts) });
				});
				incoming.on('error', reject);
			});
			outgoing.on('error', reject);
			outgoing.end(body);
		});
	}

	/** The provider's own address in a JSON answer (result URLs) becomes the proxy's. */
	private rewrite(body: Buffer, contentType: string | undefined): Buffer {
		if (!/json/.test(contentType ?? '')) return body;
		const origin = new URL(this.target).origin;
		const text = body.toString('utf8');
		return text.includes(origin) ? Buffer.from(text.split(origin).join(this.url)) : body;
	}
}
