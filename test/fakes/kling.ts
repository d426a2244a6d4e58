import { createHmac, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isDown, LoopbackServer, NOT_A_VIDEO, rolls, SubmissionLog, type ProviderKnobs } from './loopback';

/** A scripted non-success answer: HTTP status, Kling code, optional Retry-After header. */
export interface KlingReply {
	status: number;
	code: number;
	message?: string;
	retryAfter?: string;
}

export interface KlingScript {
	/** Answers to the next submits, in order, before a submit is accepted. */
	submitReplies: KlingReply[];
	/** Answers to the next status requests, in order, before the task state is reported. */
	pollReplies: KlingReply[];
	/** How the accepted task ends: 'succeed', 'failed' (with failMessage) or 'never' (stays processing). */
	outcome: 'succeed' | 'failed' | 'never';
	failMessage: string;
	/** Status requests answered "processing" before the outcome shows. */
	processingPolls: number;
}

interface FakeTask {
	id: string;
	kind: string;
	body: Record<string, unknown>;
	polls: number;
	createdAt: number;
	/** knobs.failShare chose this task to fail; badResult: its result file is no video. */
	fails: boolean;
	badResult: boolean;
	/** knobs.expiredUrlShare chose this task: the first result URL it hands out has expired. */
	expiredUrl: boolean;
	/** Result URLs handed out so far; each carries its number as `?link=`. */
	links: number;
}

/**
 * A loopback Kling API: checks the HS256 JWT (signature, exp, nbf) like Kling does, takes text2video and
 * image2video tasks, answers status requests per the script, and serves the result video itself.
 *
 * Knobs and counters for ledger and end-to-end tests (all reset by reset()):
 * - `log.submissions` / `log.count(marker)`: tasks accepted; `count('INT. KITCHEN')` counts the tasks of the
 *   scenes whose prompt contains that text. `log.billed(marker)`: those Kling charged (reported succeeded once). `submits` also counts refused and failed submit attempts.
 * - `log.maxInFlight` / `log.inFlight`: tasks accepted and not yet reported finished by a status request.
 * - `knobs.down = true | 'marker'`: answer 503 (code 5000) to every submit, or to submits whose prompt contains
 *   the marker; the node retries, then calls Kling down and falls back.
 * - `knobs.refuse = 'marker'`: 400 code 1301 (content policy) for prompts containing the marker.
 * - `knobs.taskMs = N`: a task reports "processing" until N ms after it was accepted (kill n8n meanwhile to test
 *   resuming); `script.processingPolls` still applies on top.
 * - `knobs.failShare`, `badResultShare`, `expiredUrlShare` (with the seeded `knobs.random`): tasks that fail, whose
 *   result is no video, or whose first result URL has expired before it is fetched (`expiredDownloads` counts them).
 */
export class FakeKling extends LoopbackServer {
	readonly script: KlingScript = {
		submitReplies: [],
		pollReplies: [],
		outcome: 'succeed',
		failMessage: '',
		processingPolls: 1,
	};
	/** Every POST that reached a task endpoint (accepted or not): a later retry must not add a paid duplicate. */
	submits = 0;
	/** Every request, authorised or not. */
	requests = 0;
	polls = 0;
	downloads = 0;
	/** Downloads answered 403 because their link had expired (knobs.expiredUrlShare). */
	expiredDownloads = 0;
	readonly tasks = new Map<string, FakeTask>();
	readonly bodies: Record<string, unknown>[] = [];
	readonly log = new SubmissionLog();
	readonly knobs: ProviderKnobs = { down: false, taskMs: 0 };
	/** This many submits are cut before Kling takes them: the connection breaks, no task is made, nothing is billed. */
	dropSubmits = 0;
	/** Awaited after a task is accepted (billed) and before the answer is sent; 'drop' cuts the connection instead. */
	onAccepted?: (taskId: string, prompt: string) => Promise<void | 'drop'>;
	/** Awaited before a result file is sent (its task id as in the URL). */
	onDownload?: (taskId: string) => Promise<void>;

	constructor(
		readonly accessKey: string,
		readonly secretKey: string,
		/** The MP4 served as every task's result. */
		readonly videoFile: string,
	) {
		super();
	}

	/** Back to the defaults: counters zero, script 'succeed' after one processing poll, no knobs. Tasks are kept. */
	reset() {
		this.submits = 0;
		this.requests = 0;
		this.polls = 0;
		this.downloads = 0;
		this.expiredDownloads = 0;
		this.bodies.length = 0;
		this.log.reset();
		this.onAccepted = undefined;
		this.onDownload = undefined;
		this.dropSubmits = 0;
		Object.assign(this.script, { submitReplies: [], pollReplies: [], outcome: 'succeed', failMessage: '', processingPolls: 1 });
		Object.assign(this.knobs, { down: false, refuse: undefined, taskMs: 0, failShare: 0, badResultShare: 0, expiredUrlShare: 0, random: undefined });
	}

	private reply(res: ServerResponse, reply: KlingReply) {
		this.send(
			res,
			reply.status,
			{ code: reply.code, message: reply.message ?? `scripted error ${reply.code}`, request_id: 'fake' },
			reply.retryAfter ? { 'retry-after': reply.retryAfter } : {},
		);
	}

	/** Kling's auth codes: 1001 missing, 1002 invalid (bad signature, wrong issuer), 1003 not yet valid, 1004 expired. */
	private authError(header: string | undefined): KlingReply | undefined {
		const token = header?.startsWith('Bearer ') ? header.slice(7) : '';
		if (!token) return { status: 401, code: 1001, message: 'Authorization is empty' };
		const parts = token.split('.');
		if (parts.length !== 3) return { status: 401, code: 1002, message: 'Authorization is invalid' };
		const expected = createHmac('sha256', this.secretKey).update(`${parts[0]}.${parts[1]}`).digest();
		const given = Buffer.from(parts[2], 'base64url');
		if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
			return { status: 401, code: 1002, message: 'Authorization is invalid: signature mismatch' };
		}
		let header0: Record<string, unknown>;
		let claims: Record<string, unknown>;
		try {
			header0 = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
			claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
		} catch {
			return { status: 401, code: 1002, message: 'Authorization is invalid' };
		}
		if (header0.alg !== 'HS256' || header0.typ !== 'JWT' || claims.iss !== this.accessKey) {
			return { status: 401, code: 1002, message: 'Authorization is invalid' };
		}
		const now = Math.floor(Date.now() / 1000);
		if (typeof claims.exp !== 'number' || claims.exp <= now) return { status: 401, code: 1004, message: 'Authorization is expired' };
		if (typeof claims.nbf !== 'number' || claims.nbf > now) return { status: 401, code: 1003, message: 'Authorization is not yet effective' };
		return undefined;
	}

	protected async handle(req: IncomingMessage, res: ServerResponse) {
		this.requests += 1;
		const url = new URL(req.url ?? '/', this.url);
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);

		const file = /^\/files\/(?:([^/]+)\/)?result\.mp4$/.exec(url.pathname);
		if (req.method === 'GET' && file) {
			this.downloads += 1;
			const owner = file[1] ? this.tasks.get(file[1]) : undefined;
			if (owner?.expiredUrl && url.searchParams.get('link') === '1') {
				this.expiredDownloads += 1;
				res.writeHead(403, { 'content-type': 'application/xml' });
				return void res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
			}
			// A download held back (a slow link): what the node does meanwhile is what a test counts.
			await this.onDownload?.(file[1] ?? '');
			res.writeHead(200, { 'content-type': 'video/mp4' });
			if (owner?.badResult) return void res.end(NOT_A_VIDEO);
			createReadStream(this.videoFile).pipe(res);
			return;
		}
		const task = /^\/v1\/videos\/(text2video|image2video)(?:\/([^/]+))?$/.exec(url.pathname);
		if (!task) return this.send(res, 404, { code: 1200, message: 'not found' });
		if (req.method === 'POST' && !task[2]) this.submits += 1;
		const denied = this.authError(req.headers.authorization);
		if (denied) return this.reply(res, denied);

		if (req.method === 'POST' && !task[2]) {
			if (this.dropSubmits > 0) {
				this.dropSubmits -= 1;
				return void req.socket.destroy();
			}
			const scripted = this.script.submitReplies.shift();
			if (scripted) return this.reply(res, scripted);
			const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
			this.bodies.push(body);
			const prompt = String(body.prompt ?? '');
			if (isDown(this.knobs, prompt)) return this.reply(res, { status: 503, code: 5000, message: 'service unavailable (fake down)' });
			if (this.knobs.refuse && prompt.includes(this.knobs.refuse)) {
				return this.reply(res, { status: 400, code: 1301, message: 'content security policy violation (fake)' });
			}
			if (typeof body.prompt !== 'string' || body.prompt.length > 2500 || !['5', '10'].includes(String(body.duration))) {
				return this.reply(res, { status: 400, code: 1201, message: 'invalid prompt or duration' });
			}
			if (typeof body.duration !== 'string') return this.reply(res, { status: 400, code: 1201, message: 'duration must be a string' });
			const external = typeof body.external_task_id === 'string' ? body.external_task_id : '';
			if (external && [...this.tasks.values()].some((known) => known.body.external_task_id === external)) {
				return this.reply(res, { status: 400, code: 1201, message: 'external_task_id already exists' });
			}
			const id = `task-${this.tasks.size + 1}`;
			const fails = rolls(this.knobs, this.knobs.failShare);
			const badResult = !fails && rolls(this.knobs, this.knobs.badResultShare);
			const expiredUrl = !fails && rolls(this.knobs, this.knobs.expiredUrlShare);
			this.tasks.set(id, { id, kind: task[1], body, polls: 0, createdAt: Date.now(), fails, badResult, expiredUrl, links: 0 });
			this.log.accepted(id, prompt);
			// The reliability suite kills n8n here: the task is billed, the answer never arrives.
			const hook = this.onAccepted;
			if (hook && (await hook(id, prompt)) === 'drop') return void req.socket.destroy();
			return this.send(res, 200, {
				code: 0,
				message: 'SUCCEED',
				request_id: 'fake',
				data: { task_id: id, task_status: 'submitted', created_at: Date.now(), updated_at: Date.now() },
			});
		}
		if (req.method === 'GET' && task[2]) {
			this.polls += 1;
			const scripted = this.script.pollReplies.shift();
			if (scripted) return this.reply(res, scripted);
			// The query path takes Kling's task_id or the caller's external_task_id.
			const found = this.tasks.get(task[2]) ?? [...this.tasks.values()].find((known) => known.body.external_task_id === task[2]);
			if (!found || found.kind !== task[1]) return this.reply(res, { status: 400, code: 1201, message: 'task not found' });
			found.polls += 1;
			const done = this.script.outcome !== 'never' && found.polls > this.script.processingPolls && Date.now() - found.createdAt >= this.knobs.taskMs;
			const status = done ? (found.fails ? 'failed' : this.script.outcome) : 'processing';
			if (done && status === 'succeed') this.log.rendered(found.id);
			else if (done) this.log.finished(found.id);
			return this.send(res, 200, {
				code: 0,
				message: 'SUCCEED',
				request_id: 'fake',
				data: {
					task_id: found.id,
					task_status: status,
					task_status_msg: status === 'failed' ? (found.fails ? 'Generation failed (fake failShare)' : this.script.failMessage) : '',
					task_result:
						status === 'succeed'
							? { videos: [{ id: 'v1', url: `${this.url}/files/${found.id}/result.mp4?link=${++found.links}`, duration: '2' }] }
							: undefined,
				},
			});
		}
		return this.send(res, 405, { code: 1200, message: 'method not allowed' });
	}
}
