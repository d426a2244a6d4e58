import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fake provider's HTTP server on a free loopback port: start/stop and JSON answers; subclasses speak the protocol. */
export abstract class LoopbackServer {
	url = '';
	private readonly server = createServer((req, res) => void this.handle(req, res));

	protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

	async start(): Promise<this> {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this;
	}

	async stop(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	protected send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
		res.writeHead(status, { 'content-type': 'application/json', ...headers });
		res.end(JSON.stringify(body));
	}
}
