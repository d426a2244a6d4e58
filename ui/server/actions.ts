/**
 * What a manager can do to runs: start one through the pipeline webhook, retry/resume through the
 * resume webhook, cancel, and approve or reject a storyboard the workflow is waiting on (n8n Wait node).
 */
import { Hono, type Context } from 'hono';
import type { Pool } from 'pg';
import * as z from 'zod/v4';
import { campaignNotFound, canSeeCampaign, runNotFound, visibleRun } from './access';
import { audit } from './audit';
import type { AppEnv, Deps, SessionUser } from './context';
import { iso, isUuid } from './db';
import { ApiError, badRequest, conflict } from './errors';
import { jsonBody } from './http';
import { callWebhook, postJson } from './n8n';
import {
	cancelIdleRun,
	decideStoryboard,
	cancelRun,
	mayMove,
	requeueApprovedRun,
	requestCancel,
	withdrawStoryboardDecision,
	type RunStatus,
} from '../../nodes/shared/store/runState';
import { describeRoute, errorSchema, webhookRejectionSchema, type ResponseDoc } from './openapi';
import { EXAMPLE_RUN, runActionSchema, runSummarySchema } from './schemas';
import { chooseTake, listTakes } from '../../nodes/shared/store/planTakes';
import { WaitDecisionSchema } from '../../nodes/Campaign/lib/resume';
import { getPlanVersion } from '../../nodes/Campaign/store/planVersions';
import { priceRun, type Pricing } from '../../nodes/Campaign/store/pricing';
import { getRun, setCostEstimate } from '../../nodes/Campaign/store/runs';
import { runLine } from './summaries';
import { RequestSchema } from '../../nodes/Campaign/lib/request';

const RUN_NOT_FOUND: ResponseDoc = {
	description: 'No run with that id that the caller can see (also for an API key outside its campaigns).',
	schema: errorSchema,
	example: {
		error: 'There is no run 6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11 that you can see. Check the link, or ask an admin to add you to its campaign.',
	},
};
const NOT_NOW = (example: string): ResponseDoc => ({
	description: 'The run is not in a state for this.',
	schema: errorSchema,
	example: { error: example },
});
const ACTION_DONE: ResponseDoc = {
	description: 'Done: the run as now.',
	schema: runActionSchema,
	example: { run: EXAMPLE_RUN },
};

export const RUNS_WEBHOOK = 'reelsmith/runs';
export const RESUME_WEBHOOK = 'reelsmith/resume';
// A run still "running" whose lease expired has nobody working on it (its n8n process died): resumable (the Watchdog
// requeues it by itself too). A run without a lease (made before leases) counts when its row has not changed this long.
const STALE_MINUTES = 10;

interface RunState {
	status: RunStatus;
	stage: string | null;
	approval: string | null;
	approval_by: string | null;
	approval_at: Date | null;
	approval_url: string | null;
	cancel_requested_at: Date | null;
	stale: boolean;
}

async function runState(db: Pool, runId: string): Promise<RunState> {
	const { rows } = await db.query<RunState>(
		`select status, stage, approval, approval_by, approval_at, approval_url, cancel_requested_at,
		        coalesce(lease_expires_at <= now(), updated_at < now() - make_interval(mins => $2)) as stale
		   from runs where id = $1`,
		[runId, STALE_MINUTES],
	);
	if (!rows[0]) throw runNotFound(runId);
	return rows[0];
}

/** A run's state as the audit trail keeps it before and after a change. */
const snapshot = (state: RunState) => ({ status: state.status, stage: state.stage, approval: state.approval });

const describe = (state: RunState) => `${state.status.replace('_', ' ')}${state.stage && state.status === 'running' ? ` (${state.stage})` : ''}`;

async function recordEvent(db: Pool, runId: string, message: string, data: Record<string, unknown>): Promise<void> {
	await db.query("insert into events (run_id, stage, status, message, data) values ($1, 'run', 'info', $2, $3)", [
		runId,
		message,
		JSON.stringify(data),
	]);
}

/**
 * The Wait node's resume URL carries n8n's public address (WEBHOOK_URL); the dashboard may reach n8n elsewhere
 * (another container), so the part from /webhook-waiting/ on is sent to the n8n address the dashboard was given.
 */
export function internalResumeUrl(approvalUrl: string, n8nUrl: string | undefined): string {
	if (!n8nUrl) return approvalUrl;
	const at = approvalUrl.indexOf('/webhook-waiting/');
	return at < 0 ? approvalUrl : `${n8nUrl.replace(/\/+$/, '')}${approvalUrl.slice(at)}`;
}

// The pipeline webhook checks the run request itself (nodes/Campaign/lib/request.ts); here it only has to be an object.
const runRequest = z.record(z.string(), z.unknown());
const storyboardDecision = z.object({
	decision: z.enum(['approve', 'reject'], {
		error: 'Send "decision": "approve" or "reject".',
	}),
	note: z.string({ error: 'The note must be text.' }).nullish(),
	take: z
		.number({ error: 'The take must be a take number such as 2.' })
		.int({ error: 'The take must be a whole take number such as 2.' })
		.min(1, { error: 'The take must be a take number from 1 up.' })
		.nullish(),
});

export function actionRoutes(deps: Deps & { n8nUrl?: string }) {
	const app = new Hono<AppEnv>();
	const answerRun = async (c: Context<AppEnv>, runId: string, extra: Record<string, unknown> = {}) =>
		c.json({ run: await runLine(deps.db, deps.maxRunning, runId), ...extra }, 202);

	// Start a run in this campaign: the body is the webhook request without "campaign" (the campaign is the page's).
	app.post(
		'/campaigns/:id/runs',
		describeRoute({
			tag: 'Runs',
			summary: 'Start a run in this campaign',
			description:
				'The body is the run request of POST /webhook/reelsmith/runs; its "campaign" is replaced by this campaign\'s name. The pipeline webhook checks it and its 400 is relayed as `error: { field, message }`.',
			responses: {
				202: {
					description: 'Queued.',
					schema: z.object({
						runId: z.uuid(),
						status: z.string(),
						queuePosition: z.number().int().nullable(),
						run: runSummarySchema.nullable(),
					}),
					example: {
						runId: EXAMPLE_RUN.id,
						status: 'queued',
						queuePosition: 0,
						run: {
							...EXAMPLE_RUN,
							status: 'queued',
							stage: null,
							startedAt: null,
							queuePosition: 0,
						},
					},
				},
				400: {
					description: "A field is wrong (the pipeline's answer, or the body is not a JSON object).",
					schema: z.object({
						error: z.union([z.string(), webhookRejectionSchema.pick({ field: true, message: true })]),
						field: z.string().optional(),
					}),
					example: {
						error: {
							field: 'preset',
							message:
								'"preset" must be one of youtube, shorts, square (got "tiktok"). Fix "preset" in the request or leave it out to use the default.',
						},
					},
				},
				404: {
					description: 'No campaign with that id that the caller can see.',
					schema: errorSchema,
				},
				502: {
					description: 'The pipeline did not answer as expected.',
					schema: errorSchema,
					example: {
						error: 'The pipeline answered 500: no message. Try again.',
					},
				},
			},
		}),
		jsonBody(runRequest, {
			hint: 'Send a shorter script, or split it into several runs.',
			documentedAs: RequestSchema.omit({ campaign: true }),
		}),
		async (c) => {
			const user = c.get('user');
			const id = c.req.param('id');
			if (!isUuid(id) || !canSeeCampaign(user, id)) throw campaignNotFound(id);
			const { rows } = await deps.db.query<{ name: string }>('select name from campaigns where id = $1', [id]);
			if (!rows[0]) throw campaignNotFound(id);
			const body = c.req.valid('json');
			const answer = await callWebhook(deps.webhookBase, deps.webhookToken, RUNS_WEBHOOK, { ...body, campaign: rows[0].name });
			if (answer.status === 400) {
				const field = String(answer.body.field ?? 'body');
				const message = String(answer.body.message ?? 'The pipeline refused the request. Check the form and try again.');
				return c.json({ error: { field, message } }, 400);
			}
			if (answer.status !== 200 && answer.status !== 202) {
				throw new ApiError(502, `The pipeline answered ${answer.status}: ${answer.body.message ?? 'no message'}. Try again.`);
			}
			const runId = answer.body.runId;
			if (isUuid(runId)) {
				await audit(deps.db, user, {
					action: 'run.start',
					subjectType: 'run',
					subjectId: runId,
					after: { campaign: rows[0].name, title: body.title ?? null },
				});
			}
			const run = isUuid(runId) ? await runLine(deps.db, deps.maxRunning, runId) : null;
			return c.json({ ...answer.body, run }, 202);
		},
	);

	const resume = (action: 'retry' | 'resume') => async (c: Context<AppEnv>) => {
		const runId = c.req.param('id')!;
		await visibleRun(deps.db, c.get('user'), runId);
		const state = await runState(deps.db, runId);
		// The queue takes back a failed run, or an interrupted one (starting/running) that stopped moving.
		if (!mayMove(state.status, 'requeue') || (state.status !== 'failed' && !state.stale)) {
			const what =
				action === 'retry'
					? 'Only a failed run has failed scenes to retry.'
					: `Resume is for a failed run, or one that stopped moving for ${STALE_MINUTES} minutes.`;
			const next =
				state.status === 'completed'
					? 'Start a new run to make it again.'
					: state.status === 'cancelled'
						? 'Start a new run with the same script.'
						: 'Wait for it to finish, or cancel it.';
			throw conflict(`This run is ${describe(state)}. ${what} ${next}`);
		}
		const answer = await callWebhook(deps.webhookBase, deps.webhookToken, RESUME_WEBHOOK, { runId });
		if (answer.status >= 400) throw conflict(String(answer.body.message ?? `The pipeline refused to ${action} this run. Reload the page.`));
		await audit(deps.db, c.get('user'), {
			action: `run.${action}`,
			subjectType: 'run',
			subjectId: runId,
			before: snapshot(state),
			after: snapshot(await runState(deps.db, runId)),
		});
		return answerRun(c, runId, { queuePosition: answer.body.queuePosition ?? null });
	};
	const requeued = (summary: string, description: string) =>
		describeRoute({
			tag: 'Runs',
			summary,
			description,
			responses: {
				202: {
					description: 'Back in the queue.',
					schema: runActionSchema,
					example: {
						run: { ...EXAMPLE_RUN, status: 'queued' },
						queuePosition: 1,
					},
				},
				404: RUN_NOT_FOUND,
				409: NOT_NOW('This run is completed. Only a failed run has failed scenes to retry. Start a new run to make it again.'),
			},
		});
	app.post(
		'/runs/:id/retry',
		requeued('Retry a failed run', 'Through the resume webhook: completed scenes are kept, failed ones made again.'),
		resume('retry'),
	);
	app.post(
		'/runs/:id/resume',
		requeued('Resume a failed or stalled run', `For a failed run, or one that has not moved for ${STALE_MINUTES} minutes (its n8n process died).`),
		resume('resume'),
	);

	app.post(
		'/runs/:id/cancel',
		describeRoute({
			tag: 'Runs',
			summary: 'Cancel a run',
			description: 'A queued run or one waiting for approval ends at once; a running one stops at its next step.',
			responses: {
				202: ACTION_DONE,
				404: RUN_NOT_FOUND,
				409: NOT_NOW('This run is already completed; there is nothing to cancel.'),
			},
		}),
		async (c) => {
			const user = c.get('user');
			const runId = c.req.param('id');
			await visibleRun(deps.db, user, runId);
			const who = user.name || user.email;
			const before = snapshot(await runState(deps.db, runId));
			const audited = async () =>
				audit(deps.db, user, { action: 'run.cancel', subjectType: 'run', subjectId: runId, before, after: snapshot(await runState(deps.db, runId)) });
			// Queued or waiting for approval: nothing is working on it, so it ends now.
			const idle = await cancelIdleRun(deps.db, runId, who);
			if (idle) {
				await recordEvent(deps.db, runId, `Cancelled by ${who}.`, { by: user.email, from: idle.from });
				await audited();
				if (idle.from === 'awaiting_approval' && idle.approvalUrl) {
					// End the waiting execution too; the run is cancelled whatever n8n answers.
					const answer = await postJson(internalResumeUrl(idle.approvalUrl, deps.n8nUrl), WaitDecisionSchema.parse({ runId, decision: 'cancel' })).catch((error: ApiError) => ({
						status: 0,
						body: { message: error.message },
					}));
					if (answer.status < 200 || answer.status >= 300) {
						return answerRun(c, runId, {
							warning: `The run is cancelled, but its waiting n8n execution did not answer (${answer.status || 'unreachable'}); it ends by itself after the wait limit.`,
						});
					}
				}
				return answerRun(c, runId);
			}
			// Starting or running: the pipeline stops at its next step.
			if (await requestCancel(deps.db, runId, who)) {
				await recordEvent(deps.db, runId, `Cancel requested by ${who}; the run stops at its next step.`, { by: user.email });
				await audited();
				return answerRun(c, runId, { message: 'The run stops at its next step.' });
			}
			const state = await runState(deps.db, runId);
			throw conflict(`This run is already ${describe(state)}; there is nothing to cancel.`);
		},
	);

	app.post(
		'/runs/:id/approval',
		describeRoute({
			tag: 'Runs',
			summary: 'Approve or reject the storyboard',
			description: 'For a run started with approval: true, waiting after planning. The decision is recorded, then the waiting n8n execution goes on.',
			responses: {
				202: ACTION_DONE,
				404: RUN_NOT_FOUND,
				409: NOT_NOW('This run was started without storyboard approval; there is nothing to approve.'),
				502: {
					description: 'n8n did not take the decision; nothing changed.',
					schema: errorSchema,
				},
			},
		}),
		jsonBody(storyboardDecision, {
			maxBytes: 64 * 1024,
			hint: 'Send the decision and a shorter note.',
		}),
		async (c) => {
			const user = c.get('user');
			const runId = c.req.param('id');
			await visibleRun(deps.db, user, runId);
			const body = c.req.valid('json');
			const note = body.note?.trim().slice(0, 2000) || null;
			const approval = body.decision === 'approve' ? 'approved' : 'rejected';
			if (body.take != null && approval !== 'approved')
				throw badRequest('take', 'A take is picked by approving it: send "decision": "approve" with "take", or leave "take" out.');
			await decide(deps, runId, user, approval, note, body.take ?? null);
			return answerRun(c, runId);
		},
	);

	return app;
}

/**
 * What n8n answers on /webhook-waiting/<id> for an execution that is not waiting: 404 (no such execution, or no Wait
 * node was reached), 409 (finished, or finished with an error: crashed) and 500 (a crashed execution saved without
 * its data).
 */
const LOST_EXECUTION = [404, 409, 500];

/**
 * Record the decision (only while the run waits), then resume the Wait node. The row is written first because
 * the resumed execution reads it at once; if n8n does not take the call, the decision is taken back so it can be
 * made again.
 */
async function decide(
	deps: Deps & { n8nUrl?: string },
	runId: string,
	user: SessionUser,
	approval: 'approved' | 'rejected',
	note: string | null,
	take: number | null,
) {
	const who = user.name || user.email;
	const before = snapshot(await runState(deps.db, runId));
	const decided = await decideStoryboard(deps.db, runId, { approval, note, by: who });
	let previousTake: number | null = null;
	let pricing: Pricing | null = null;
	const undo = async () => {
		if (previousTake !== null) await chooseTake(deps.db, runId, previousTake);
		await withdrawStoryboardDecision(deps.db, runId, approval);
	};
	if (!decided) {
		const state = await runState(deps.db, runId);
		if (state.approval === null) throw conflict('This run was started without storyboard approval; there is nothing to approve.');
		if (state.approval !== 'pending') {
			throw conflict(
				`The storyboard was already ${state.approval} by ${state.approval_by ?? 'someone'} at ${iso(state.approval_at)}. Reload the page.`,
			);
		}
		throw conflict(`This run is ${describe(state)}, not waiting for approval yet. Wait until planning finishes, then decide.`);
	}
	if (!decided.approvalUrl) {
		await undo();
		throw conflict('The run is waiting, but n8n has not reported where to send the decision yet. Try again in a few seconds.');
	}
	if (take !== null) {
		// The picked take becomes the plan the run goes on with; the resumed execution reads it with the decision.
		const picked = await chooseTake(deps.db, runId, take);
		if (!picked) {
			await undo();
			const takes = await listTakes(deps.db, runId);
			throw badRequest('take', `This run has no take ${take}; pick one of take ${takes.map((t) => t.take).join(', ') || '1'}.`);
		}
		previousTake = picked.previous;
		// The run was priced with the take planning chose; another take has other scenes, so it is priced again.
		pricing = await priceTake(deps.db, runId, picked.chosen.version, take);
		if (pricing.stop) {
			await undo();
			throw badRequest('take', pricing.stop);
		}
	}
	const answer = await postJson(
		internalResumeUrl(decided.approvalUrl, deps.n8nUrl),
		WaitDecisionSchema.parse({ runId, decision: approval === 'approved' ? 'approve' : 'reject' }),
	).catch((error: ApiError) => ({
		status: 0,
		body: { message: error.message },
	}));
	// n8n answered, but has no execution waiting there: n8n died after the run was marked waiting and before the Wait
	// node was saved (its execution crashed). The decision is kept and carried out without that execution.
	let lost = false;
	if (LOST_EXECUTION.includes(answer.status)) {
		const detail = `n8n no longer had the execution waiting for this decision (it answered ${answer.status}; n8n probably restarted while the run began to wait)`;
		if (approval === 'approved') {
			lost = (await requeueApprovedRun(deps.db, runId, decided.approvalUrl)) !== null;
			if (lost) await recordEvent(deps.db, runId, `${detail}. The run is back in the queue and goes on from the approved storyboard.`, { answered: answer.status });
		} else {
			const message = `Storyboard rejected by ${who}: ${note?.trim() || 'no reason given'}.`;
			lost = (await cancelRun(deps.db, runId, message)) !== null;
			if (lost) await recordEvent(deps.db, runId, `${detail}. The run is cancelled.`, { answered: answer.status });
		}
	}
	if (!lost && (answer.status < 200 || answer.status >= 300)) {
		await undo();
		throw new ApiError(
			502,
			`n8n did not take the decision (${answer.status ? `answered ${answer.status}` : answer.body.message}). Nothing changed; try again. ` +
				'If it keeps failing, the waiting execution may have ended (7-day limit): resume the run instead.',
		);
	}
	if (pricing) {
		await setCostEstimate(deps.db, runId, pricing.estimate.totalUsd);
		await recordEvent(deps.db, runId, `Take ${take} picked. ${pricing.message}`, { take, estimate: { ...pricing.estimate } });
	}
	const which = take !== null ? ` (take ${take})` : '';
	await recordEvent(deps.db, runId, `Storyboard ${approval}${which} by ${who}${note ? `: ${note}` : '.'}`, { by: user.email, approval, note, take });
	await audit(deps.db, user, {
		action: approval === 'approved' ? 'run.approve' : 'run.reject',
		subjectType: 'run',
		subjectId: runId,
		before,
		after: { ...snapshot(await runState(deps.db, runId)), note, take },
	});
}

/** Prices the plan of the picked take (its newest version) the way the pipeline's Estimate step priced the run. */
async function priceTake(db: Pool, runId: string, version: number, take: number): Promise<Pricing> {
	const [run, picked] = await Promise.all([getRun(db, runId), getPlanVersion(db, runId, version)]);
	if (!run) throw new ApiError(404, 'This run no longer exists.');
	return priceRun(db, run, picked.plan, { take });
}
