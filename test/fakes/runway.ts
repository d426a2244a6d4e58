import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isDown, LoopbackServer, NOT_A_VIDEO, rolls, SubmissionLog, type ProviderKnobs } from './loopback';

export interface RunwayReply {
	status: number;
	error?: string;
	retryAfter?: string;
}

export interface RunwayScript {
	/** Answers to the next creates, in order, before a create is accepted. */
	submitReplies: RunwayReply[];
	/** Answers to the next task requests, in order, before the task state is reported. */
	pollReplies: RunwayReply[];
	/** Status per task request; the last one repeats (so ['RUNNING'] never finishes). */
	statuses: string[];
	failure?: string;
	failureCode?: string;
}

interface FakeTask {
	id: string;
	body: Record<string, unknown>;
	polls: number;
	createdAt: number;
	refused: boolean;
	/** knobs.failShare chose this task to fail; badResult: its output file is no video. */
	fails: boolean;
	badResult: boolean;
	/** knobs.expiredUrlShare chose this task: the first output URL it hands out has expired. */
	expiredUrl: boolean;
	/** Output URLs handed out so far; each carries its number as `?link=`. */
	links: number;
}

/**
 * A loopback Runway API: checks the Bearer secret and X-Runway-Version, runs tasks through a scripted status list.
 *
 * Knobs and counters for ledger and end-to-end tests (all reset by reset()):
 * - `log.submissions` / `log.count(marker)`: tasks accepted (= paid for), optionally only those whose promptText
 *   contains the marker. `submits` also counts refused create attempts. `log.billed(marker)`: those Runway charged
 *   (reported SUCCEEDED once).
 * - `log.maxInFlight` / `log.inFlight`: tasks accepted and not yet reported finished (or cancelled).
 * - `knobs.down = true | 'marker'`: answer 503 to every create, or to creates whose prompt contains the marker;
 *   the node retries, then calls Runway down and falls back.
 * - `knobs.refuse = 'marker'`: the task is accepted and then FAILS with failureCode SAFETY.INPUT.TEXT (Runway's
 *   content moderation) for prompts containing the marker.
 * - `knobs.taskMs = N`: a task reports RUNNING until N ms after it was accepted, then follows `script.statuses`.
 */
export class FakeRunway extends LoopbackServer {
	readonly script: RunwayScript = { submitReplies: [], pollReplies: [], statuses: ['RUNNING', 'SUCCEEDED'] };
	/** Every POST to a create endpoint (accepted or not). */
	submits = 0;
	/** Task ids cancelled with DELETE /v1/tasks/{id}. */
	readonly cancelled: string[] = [];
	requests = 0;
	polls = 0;
	/** Downloads answered 403 because their link had expired (knobs.expiredUrlShare). */
	expiredDownloads = 0;
	/** Times between consecutive status requests of one task, in ms. */
	readonly pollGaps: number[] = [];
	readonly tasks = new Map<string, FakeTask>();
	readonly bodies: Array<{ path: string; body: Record<string, unknown> }> = [];
	readonly log = new SubmissionLog();
	readonly knobs: ProviderKnobs = { down: false, taskMs: 0 };
	private lastPollAt = 0;

	/** Back to the defaults: counters zero, statuses RUNNING then SUCCEEDED, no knobs. Tasks are kept. */
	reset() {
		this.submits = 0;
		this.expiredDownloads = 0;
		this.requests = 0;
		this.polls = 0;
		this.pollGaps.length = 0;
		this.cancelled.length = 0;
		this.bodies.length = 0;
		this.lastPollAt = 0;
		this.log.reset();
		Object.assign(this.script, {
			submitReplies: [],
			pollReplies: [],
			statuses: ['RUNNING', 'SUCCEEDED'],
			failure: undefined,
			failureCode: undefined,
		});
		Object.assign(this.knobs, { down: false, refuse: undefined, taskMs: 0, failShare: 0, badResultShare: 0, expiredUrlShare: 0, random: undefined });
	}

	constructor(
		readonly apiSecret: string,
		readonly videoFile: string,
	) {
		super();
	}

	private reply(res: ServerResponse, reply: RunwayReply) {
		this.send(res, reply.status, { error: reply.error ?? `scripted ${reply.status}` }, reply.retryAfter ? { 'retry-after': reply.retryAfter } : {});
	}

	protected async handle(req: IncomingMessage, res: ServerResponse) {
		this.requests += 1;
		const url = new URL(req.url ?? '/', this.url);
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const file = /^\/files\/(?:([^/]+)\/)?output\.mp4$/.exec(url.pathname);
		if (req.method === 'GET' && file) {
			const owner = file[1] ? this.tasks.get(file[1]) : undefined;
			if (owner?.expiredUrl && url.searchParams.get('link') === '1') {
				this.expiredDownloads += 1;
				res.writeHead(403, { 'content-type': 'application/xml' });
				return void res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
			}
			res.writeHead(200, { 'content-type': 'video/mp4' });
			if (owner?.badResult) return void res.end(NOT_A_VIDEO);
			createReadStream(this.videoFile).pipe(res);
			return;
		}
		const create = req.method === 'POST' && (url.pathname === '/v1/text_to_video' || url.pathname === '/v1/image_to_video');
		if (create) this.submits += 1;
		if (req.headers.authorization !== `Bearer ${this.apiSecret}`) return this.reply(res, { status: 401, error: 'Invalid API key' });
		if (req.headers['x-runway-version'] !== '2024-11-06') {
			return this.reply(res, { status: 400, error: 'X-Runway-Version header is missing or invalid' });
		}
		if (create) {
			const scripted = this.script.submitReplies.shift();
			if (scripted) return this.reply(res, scripted);
			const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
			this.bodies.push({ path: url.pathname, body });
			const prompt = String(body.promptText ?? '');
			if (isDown(this.knobs, prompt)) return this.reply(res, { status: 503, error: 'Service unavailable (fake down)' });
			if (typeof body.promptText !== 'string' || body.promptText.length > 1000 || !['1280:720', '720:1280', '960:960'].includes(String(body.ratio))) {
				return this.reply(res, { status: 400, error: 'Validation of body failed' });
			}
			const id = `rw-${this.tasks.size + 1}`;
			const refused = Boolean(this.knobs.refuse && prompt.includes(this.knobs.refuse));
			const fails = !refused && rolls(this.knobs, this.knobs.failShare);
			const badResult = !refused && !fails && rolls(this.knobs, this.knobs.badResultShare);
			const expiredUrl = !refused && !fails && rolls(this.knobs, this.knobs.expiredUrlShare);
			this.tasks.set(id, { id, body, polls: 0, createdAt: Date.now(), refused, fails, badResult, expiredUrl, links: 0 });
			this.log.accepted(id, prompt);
			return this.send(res, 200, { id });
		}
		const task = /^\/v1\/tasks\/([^/]+)$/.exec(url.pathname);
		if (req.method === 'DELETE' && task) {
			this.cancelled.push(task[1]);
			this.log.finished(task[1]);
			res.writeHead(204);
			res.end();
			return;
		}
		if (req.method === 'GET' && task) {
			this.polls += 1;
			const now = Date.now();
			if (this.lastPollAt) this.pollGaps.push(now - this.lastPollAt);
			this.lastPollAt = now;
			const scripted = this.script.pollReplies.shift();
			if (scripted) return this.reply(res, scripted);
			const found = this.tasks.get(task[1]);
			if (!found) return this.reply(res, { status: 404, error: 'Task not found' });
			let status: string;
			if (Date.now() - found.createdAt < this.knobs.taskMs) status = 'RUNNING';
			else {
				status = found.refused || found.fails ? 'FAILED' : this.script.statuses[Math.min(found.polls, this.script.statuses.length - 1)];
				found.polls += 1;
			}
			if (status === 'SUCCEEDED') this.log.rendered(found.id);
			else if (['FAILED', 'CANCELLED'].includes(status)) this.log.finished(found.id);
			return this.send(res, 200, {
				id: found.id,
				status,
				createdAt: new Date().toISOString(),
				...(status === 'RUNNING' ? { progress: 0.5 } : {}),
				...(status === 'SUCCEEDED' ? { output: [`${this.url}/files/${found.id}/output.mp4?link=${++found.links}`] } : {}),
				...(status === 'FAILED'
					? found.refused
						? { failure: 'The prompt was flagged by content moderation (fake)', failureCode: 'SAFETY.INPUT.TEXT' }
						: found.fails
							? { failure: 'An unexpected error occurred (fake failShare)', failureCode: 'INTERNAL' }
							: { failure: this.script.failure ?? 'failed', failureCode: this.script.failureCode }
					: {}),
			});
		}
		return this.reply(res, { status: 404, error: 'Not found' });
	}
}
