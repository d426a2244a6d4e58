/**
 * Sending callbacks: one signed POST per attempt to the address that was checked (publicUrl.ts), redirects not
 * followed, and the outcome recorded (store/callbacks.ts). Used by Campaign → Send Callbacks (n8n: the watchdog and
 * the end of the pipeline) and by the dashboard's "send again".
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { PublicHostError, resolvePublicHost, type Lookup } from '../publicUrl';
import { recordAttempt, takeDelivery, takeDueDeliveries, type AttemptOutcome, type Delivery } from '../store/callbacks';
import type { Queryable } from '../transport/postgres';
import { isRetryable, retryDelaySeconds, type CallbackSettings } from './settings';
import { signedHeaders } from './sign';

/** Signs a link to an object for `seconds` (the S3 credential's presigner). */
export type Presign = (key: string, seconds: number) => Promise<string>;

export interface SendContext {
	db: Queryable;
	settings: CallbackSettings;
	presign: Presign;
	/** DNS, replaceable in tests. */
	lookup?: Lookup;
}

/** An attempt's outcome, and whether the receiver refused it for good (address refused, redirect). */
type Result = AttemptOutcome & { refused?: boolean };

const ANSWER_SHOWN = 300;

/** The body of one attempt: the stored event, plus a fresh link to the final video when there is one. */
export async function attemptBody(delivery: Delivery, ctx: Pick<SendContext, 'settings' | 'presign'>, now = new Date()): Promise<string> {
	const run = { ...(delivery.payload.run ?? {}) } as Record<string, unknown>;
	const key = typeof run.finalKey === 'string' ? run.finalKey : null;
	run.video = key
		? { key, url: await ctx.presign(key, ctx.settings.linkSeconds), expiresAt: new Date(now.getTime() + ctx.settings.linkSeconds * 1000).toISOString() }
		: null;
	delete run.finalKey;
	return JSON.stringify({ id: delivery.id, ...delivery.payload, run, createdAt: delivery.createdAt, sentAt: now.toISOString() });
}

/** One POST; never throws: what happened is in the result. */
export async function postOnce(delivery: Delivery, body: string, ctx: SendContext): Promise<Result> {
	const started = Date.now();
	const took = () => Date.now() - started;
	let target: { address: string; family: 4 | 6 };
	try {
		target = await resolvePublicHost(delivery.url, { allowLoopback: ctx.settings.allowLoopback }, ctx.lookup);
	} catch (error) {
		return { statusCode: null, latencyMs: took(), error: (error as Error).message, refused: error instanceof PublicHostError };
	}
	// The connection goes to the checked address whatever DNS answers now; TLS still checks the host name.
	const pinned: LookupFunction = (_host, options, callback) => {
		if ((options as { all?: boolean }).all) (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [target]);
		else callback(null, target.address, target.family);
	};
	const url = new URL(delivery.url);
	const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
	return new Promise<Result>((resolve) => {
		const req = send(
			url,
			{
				method: 'POST',
				lookup: pinned,
				timeout: ctx.settings.timeoutSeconds * 1000,
				headers: {
					'content-type': 'application/json',
					'user-agent': 'Reelsmith-Callbacks/1',
					'content-length': Buffer.byteLength(body),
					...signedHeaders(delivery.secret, delivery.id, body),
				},
			},
			(res) => {
				const chunks: Buffer[] = [];
				let size = 0;
				res.on('data', (chunk: Buffer) => {
					if (size < ANSWER_SHOWN) chunks.push(chunk);
					size += chunk.length;
				});
				res.on('end', () => {
					const code = res.statusCode ?? 0;
					const answer = Buffer.concat(chunks).toString('utf8').slice(0, ANSWER_SHOWN).trim();
					if (code >= 200 && code < 300) return resolve({ statusCode: code, latencyMs: took(), error: null });
					if (code >= 300 && code < 400) {
						return resolve({
							statusCode: code,
							latencyMs: took(),
							error: `The receiver redirected to ${res.headers.location ?? '(no location)'}; redirects are not followed. Set the callback URL to the final address.`,
							refused: true,
						});
					}
					resolve({ statusCode: code, latencyMs: took(), error: `The receiver answered ${code}${answer ? `: ${answer}` : ''}` });
				});
				res.on('error', (error) => resolve({ statusCode: res.statusCode ?? null, latencyMs: took(), error: error.message }));
			},
		);
		req.on('timeout', () => req.destroy(new Error(`No answer within ${ctx.settings.timeoutSeconds} s`)));
		req.on('error', (error) => resolve({ statusCode: null, latencyMs: took(), error: error.message }));
		req.end(body);
	});
}

/** Who makes scheduled attempts (callback_attempts.made_by); "send again" records the user instead. */
const SENDER = 'sender';

/** How long a sender holds a delivery: its request's time-out, DNS and some. */
const holdSeconds = (settings: CallbackSettings) => settings.timeoutSeconds + 30;

/** Sends one taken delivery and records the attempt; the schedule (retry, undeliverable) follows from the outcome. */
async function attempt(delivery: Delivery, ctx: SendContext, madeBy: string): Promise<Result & { delivered: boolean }> {
	let result: Result;
	try {
		result = await postOnce(delivery, await attemptBody(delivery, ctx), ctx);
	} catch (error) {
		// The link could not be signed (object store down): worth another try later.
		result = { statusCode: null, latencyMs: 0, error: (error as Error).message };
	}
	const delivered = result.error === null;
	let retryInSeconds: number | null = null;
	if (!delivered && isRetryable(result)) {
		const delay = retryDelaySeconds(delivery.attempts + 1, ctx.settings.retrySeconds);
		const age = (Date.now() - new Date(delivery.createdAt).getTime()) / 1000;
		if (age + delay <= ctx.settings.retryForSeconds) retryInSeconds = delay;
	}
	await recordAttempt(ctx.db, delivery.id, result, { delivered, retryInSeconds, madeBy, keepSchedule: madeBy !== SENDER && !delivered });
	return { ...result, delivered };
}

/** Sends every due delivery (up to `limit`), a few at a time. What each got, for the step's output. */
export async function sendDueCallbacks(ctx: SendContext, limit = 50, concurrency = 4) {
	const due = await takeDueDeliveries(ctx.db, limit, holdSeconds(ctx.settings));
	const results: Array<{ deliveryId: string; runId: string; event: string; delivered: boolean; statusCode: number | null; error: string | null }> = [];
	let next = 0;
	const worker = async () => {
		while (next < due.length) {
			const delivery = due[next++];
			const result = await attempt(delivery, ctx, SENDER);
			results.push({ deliveryId: delivery.id, runId: delivery.runId, event: delivery.event, delivered: result.delivered, statusCode: result.statusCode, error: result.error });
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));
	return results;
}

/** "Send again" from the dashboard: one attempt now, by `who`; null when that delivery is being sent right now. */
export async function sendAgain(ctx: SendContext, runId: string, deliveryId: string, who: string) {
	const delivery = await takeDelivery(ctx.db, runId, deliveryId, holdSeconds(ctx.settings));
	return delivery ? attempt(delivery, ctx, who) : null;
}
