import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A task a fake provider accepted (and would bill for). */
export interface Submission {
	taskId: string;
	prompt: string;
	/** Date.now() when it was accepted. */
	at: number;
}

/**
 * What the paid-provider fakes (Kling, Runway) share for the end-to-end and ledger tests: every accepted task is
 * counted, and knobs make the provider down, refuse a prompt, or take real time per task.
 */
export interface ProviderKnobs {
	/** true: 503 on every submit; a text: 503 on submits whose prompt contains it. Retried, so the node sees "down". */
	down: boolean | string;
	/** Prompts containing this text are refused under the content policy (no retry, no fallback). */
	refuse?: string;
	/** Wall-clock ms a task takes before it can finish (on top of the scripted statuses); 0 = as scripted. */
	taskMs: number;
	/** Share of accepted tasks that end failed (decided when accepted, with `random`), for the reliability suite. */
	failShare?: number;
	/** Share of succeeded tasks whose result file is not a video (a provider's broken output). */
	badResultShare?: number;
	/**
	 * Share of succeeded tasks whose first result URL has expired by the time it is fetched (403, as a presigned link
	 * answers); the next status answer carries a fresh one, as the provider's does.
	 */
	expiredUrlShare?: number;
	/** The dice for failShare, badResultShare and expiredUrlShare; seed it (test/fakes/chaos.ts seededRandom) to replay a trial. */
	random?: () => number;
}

/** Rolls the dice for a share knob of a newly accepted task. */
export const rolls = (knobs: ProviderKnobs, share: number | undefined) => Boolean(share && (knobs.random ?? Math.random)() < share);

/** What a broken provider output looks like: bytes that are no MP4. */
export const NOT_A_VIDEO = Buffer.from('<html><body>502 Bad Gateway</body></html>\n');

/** Counts accepted tasks and how many were running at once (accepted, no terminal status reported yet). */
export class SubmissionLog {
	readonly submissions: Submission[] = [];
	/** Most tasks in flight at the same time since the last reset. */
	maxInFlight = 0;
	private readonly open = new Set<string>();

	accepted(taskId: string, prompt: string) {
		this.submissions.push({ taskId, prompt, at: Date.now() });
		this.open.add(taskId);
		this.maxInFlight = Math.max(this.maxInFlight, this.open.size);
	}

	/** A status request reported the task as finished (succeeded, failed or cancelled). */
	finished(taskId: string) {
		this.open.delete(taskId);
	}

	/** Tasks the provider charged for: rendered to the end (a failed or cancelled task is refunded, as Kling and Runway do). */
	readonly charged = new Set<string>();

	/** A status request reported the task succeeded: it is billed, once, whatever happens to its download. */
	rendered(taskId: string) {
		this.charged.add(taskId);
		this.finished(taskId);
	}

	/** Billed tasks whose prompt contains `text`. */
	billed(text = ''): number {
		return this.submissions.filter((submission) => this.charged.has(submission.taskId) && submission.prompt.includes(text)).length;
	}

	get inFlight(): number {
		return this.open.size;
	}

	/** Accepted tasks whose prompt contains `text` (a scene's heading makes a good marker). */
	count(text = ''): number {
		return this.submissions.filter((submission) => submission.prompt.includes(text)).length;
	}

	reset() {
		this.submissions.length = 0;
		this.open.clear();
		this.charged.clear();
		this.maxInFlight = 0;
	}
}

export const isDown = (knobs: ProviderKnobs, prompt: string) =>
	knobs.down === true || (typeof knobs.down === 'string' && knobs.down !== '' && prompt.includes(knobs.down));

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
