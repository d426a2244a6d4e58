/**
 * The app on the other end of a run's callbackUrl, on loopback: records each request as it came (raw body, headers,
 * time) and answers with what `answer` says (a status, after `delayMs`). Not a paid provider: the user's own server.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback {
	headers: IncomingMessage['headers'];
	/** The raw body, as the signature covers it. */
	body: string;
	/** The body parsed. */
	event: Record<string, any>;
	/** Date.now() when it arrived. */
	at: number;
	/** The status it was answered with. */
	answer: number;
}

export class CallbackReceiver {
	received: ReceivedCallback[] = [];
	/** The status for a request (default 200); `earlier` are the requests before it. */
	answer: (event: Record<string, any>, earlier: ReceivedCallback[]) => number = () => 200;
	delayMs = 0;
	url = '';
	private server: Server | undefined;

	/** Answers the requests in turn with these statuses; the last repeats. */
	answerInTurn(statuses: number[]) {
		this.answer = (_event, earlier) => statuses[Math.min(earlier.length, statuses.length - 1)];
	}

	reset() {
		this.received = [];
		this.answer = () => 200;
		this.delayMs = 0;
	}

	async start(path = '/hooks/reelsmith'): Promise<this> {
		this.server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				const body = Buffer.concat(chunks).toString('utf8');
				let event: Record<string, any> = {};
				try {
					event = JSON.parse(body);
				} catch {
					// kept raw: a test asserts on what it got
				}
				const answer = this.answer(event, [...this.received]);
				this.received.push({ headers: req.headers, body, event, at: Date.now(), answer });
				setTimeout(() => res.writeHead(answer).end(answer >= 400 ? 'receiver says no' : 'ok'), this.delayMs);
			});
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}${path}`;
		return this;
	}

	stop(): Promise<void> {
		return new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}
}
