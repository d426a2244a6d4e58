/** For the end-to-end tests on a real stack: its webhooks called as a client would, and a run's row polled. */
import type pg from 'pg';
import type { Stack } from '../../initialization/stack';

export const RUN_TIMEOUT_MS = 6 * 60_000;

/**
 * POSTs to one of the stack's webhooks (`reelsmith/runs`) with its token; `headers` override (an empty token too).
 * A string body is sent as it is (to send broken JSON). The answer's JSON, or `{ raw }` when it is not JSON.
 */
export async function postWebhook(stack: Stack, path: string, body: unknown, headers: Record<string, string> = {}) {
	const response = await fetch(`${stack.webhookBase}/${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-reelsmith-token': stack.webhookToken, ...headers },
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
	const text = await response.text();
	let json: Record<string, unknown> = {};
	try {
		json = JSON.parse(text);
	} catch {
		json = { raw: text };
	}
	return { status: response.status, json };
}

/** Polls the run's row until `until` holds; past the timeout, fails with the row and the run's events. */
export async function waitForRun(
	db: pg.Pool,
	runId: string,
	until: (run: Record<string, any>) => boolean,
	{ timeoutMs = RUN_TIMEOUT_MS, everyMs = 500 } = {},
): Promise<Record<string, any>> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const { rows } = await db.query('select * from runs where id = $1', [runId]);
		if (rows[0] && until(rows[0])) return rows[0];
		if (Date.now() > deadline) {
			const events = await db.query('select stage, status, message from events where run_id = $1 order by id', [runId]);
			throw new Error(`Run ${runId} did not get there in time: ${JSON.stringify(rows[0])}\nevents: ${JSON.stringify(events.rows)}`);
		}
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
}
