/* eslint-disable @n8n/community-nodes/require-node-api-error -- ClipError carries "down or not" to the Generate operation, which decides on the fallback and wraps it in NodeOperationError with the scene */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Ledger } from '../../shared/ledger';
import { videoCostUsd } from '../../shared/prices';
import type { MediaRef } from '../../shared/refs';
import { isProviderDown, ProviderError } from '../../shared/transport/http';
import { takeSlot } from '../providers/slots';
import type {
	ClipBilling,
	ClipRequest,
	ObjectDestination,
	TaskStatus,
	VideoProvider,
	VideoProviderDefinition,
} from '../providers/types';

/**
 * Why one provider did not make the clip; `down` lets the scene move on to the next provider of the order, `policy`
 * says the provider's content policy refused it (the prompt may be rewritten and tried once more).
 */
export class ClipError extends Error {
	constructor(
		message: string,
		readonly down = false,
		readonly policy = false,
		/** The run was cancelled: nothing was sent, and no other provider should be tried either. */
		readonly cancelled = false,
	) {
		super(message);
		this.name = 'ClipError';
	}
}

export interface ClipCost {
	provider: string;
	model: string;
	units: number;
	unit: 'second';
	amountUsd: number;
}

export interface ClipJob {
	definition: VideoProviderDefinition;
	provider: VideoProvider;
	request: ClipRequest;
	destination: ObjectDestination;
	/** "Scene 3: " (or empty) in front of messages. */
	label: string;
	pollInterval: number;
	timeoutMs: number;
	/** Tasks the provider may have running at once; 0 = no limit. */
	concurrency: number;
	/** With a run and scene: budget check, task ledger and cost line. */
	ledger?: Ledger;
	runId?: string;
	sceneNumber?: number;
	/**
	 * Null while the run still wants the clip, else why not (it was cancelled). Asked right before every paid create,
	 * also after a wait for a slot, so a cancelled run submits nothing more.
	 */
	cancelled?: () => Promise<string | null>;
	/** Runs the download and fit (CPU work) within the node's Concurrency; items waiting at the provider hold none. */
	fetchGate?: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface ClipOutcome {
	clip: MediaRef;
	taskId: string;
	notes: string[];
	cost: ClipCost;
}

const messageOf = (error: unknown) => (error as Error).message;

/** Sends of one submit that got no answer, when the provider can say whether it has the task under our key. */
const SENDS = 3;

/** The request as stored with the task: a big base64 reference image is left out (its size and duration are what count). */
function storableRequest(request: ClipRequest): ClipRequest {
	if ((request.referenceImage?.length ?? 0) <= 2048) return request;
	return { ...request, referenceImage: undefined };
}

/** The scene's error when its run was cancelled (null while the run goes on). */
async function cancelledError(job: ClipJob): Promise<ClipError | null> {
	const reason = job.cancelled ? await job.cancelled() : null;
	return reason ? new ClipError(`${job.label}${reason} Its clip was not sent to ${job.definition.displayName}.`, false, false, true) : null;
}

/**
 * One clip from one provider: adopt the scene's open task from an earlier execution or submit a new one (after
 * the budget check, within the provider's concurrency limit, recorded before the first poll), poll it, store the
 * clip and record what it cost. Never pays twice for a scene: a run that stopped mid-task polls the same task when
 * resumed.
 */
export async function makeClip(job: ClipJob): Promise<ClipOutcome> {
	const { definition, provider, label } = job;
	const name = definition.displayName;
	const paid = Boolean(definition.credential);
	const sceneNumber = job.sceneNumber;
	const tracked =
		paid && job.ledger && job.runId && sceneNumber !== undefined
			? { ledger: job.ledger, runId: job.runId, sceneNumber }
			: undefined;
	const notes: string[] = [];
	let request = job.request;
	let billing: ClipBilling = provider.billing?.(request) ?? { model: definition.name, seconds: request.duration };
	let taskId: string;
	let release = () => {};

	const open = tracked
		? await tracked.ledger.openTask(tracked.runId, tracked.sceneNumber, definition.name)
		: null;
	if (open && provider.resume) {
		// Already accepted (and paid) before this execution: no budget check, no slot, no new task.
		request = { ...request, ...((open.request ?? {}) as Partial<ClipRequest>) };
		provider.resume(open.taskId, request);
		billing = { ...(provider.billing?.(request) ?? billing), model: open.model ?? billing.model };
		taskId = open.taskId;
		notes.push(`${label}picked up ${name} task ${taskId}, submitted by an earlier execution, instead of paying for a new one.`);
	} else {
		if (tracked && !provider.findByKey) {
			// The scene's last create here went unanswered and may have been paid: not sent again until a person resumes.
			const unanswered = await tracked.ledger.unansweredCreate(tracked.runId, tracked.sceneNumber, definition.name);
			if (unanswered) throw new ClipError(unanswered, true);
		}
		const costUsd = videoCostUsd(definition.name, billing.model, billing.seconds, billing.mode);
		if (tracked && costUsd > 0) {
			await tracked.ledger.checkBudget(tracked.runId, costUsd, `Scene ${tracked.sceneNumber} on ${name}`);
		}
		const submit = async (intent?: { key: string; earlier: boolean; released?: boolean }) => {
			let submitted: { taskId: string; notes?: string[] } | undefined;
			// With our key on the request, a submit that got no answer is safe to send again once the provider says it
			// has no task under that key (and it refuses the same key twice): look it up, adopt it or send it again.
			// undefined = the lookup itself failed: nobody knows, so nothing is sent blind and the intent stays.
			const lookUp = intent && provider.findByKey ? () => provider.findByKey!(intent.key, request).catch(() => undefined) : undefined;
			if (intent?.earlier) {
				const found = lookUp ? await lookUp() : null;
				if (found) {
					submitted = { taskId: found, notes: [`${label}found ${name} task ${found}, accepted before the last execution stopped, by its key ${intent.key}: not paid again.`] };
				} else if (found === undefined) {
					throw new ClipError(`${label}${name} could not be asked whether an earlier submit of this scene arrived (key ${intent.key}); the scene is tried again later, without paying twice.`);
				} else if (!provider.findByKey && intent.released) {
					notes.push(`${label}an earlier execution stopped while submitting to ${name}, which cannot look a task up by our key: if that submit was accepted, it was paid for too.`);
				} else if (!provider.findByKey && tracked) {
					// The execution died mid-submit (a recovery, not a person, brought the run back): that create may have
					// been accepted and paid, and nobody can find it, so it is handled like a create that got no answer.
					const reason =
						`${label}the execution that was sending this scene's clip to ${name} stopped before ${name}'s answer was recorded, so ` +
						`${name} may have made the task (and charged for it). ${name} cannot be asked for a task by anything but the id that ` +
						`answer carried, so the scene is not sent to ${name} again by itself. Look for the task in the ${name} dashboard, or ` +
						`resume the run to send the scene to ${name} again (that may pay for it twice).`;
					await tracked.ledger.intentUnanswered(definition.name, intent.key, reason);
					throw new ClipError(reason, true);
				}
			}
			for (let send = 1; !submitted; send++) {
				try {
					submitted = await provider.submit(request, provider.findByKey ? intent?.key : undefined);
				} catch (error) {
					// No answer to a request that may have gone out; a connection never made is a plain "down".
					const unanswered = error instanceof ProviderError && error.unreachable && !error.unsent;
					// A refusal after an earlier send may be "that key exists": then the task is there.
					const mayExist = Boolean(lookUp) && (unanswered || send > 1 || Boolean(intent?.earlier));
					const found = lookUp && mayExist ? await lookUp() : undefined;
					if (found) {
						submitted = { taskId: found, notes: [`${label}${name} did not answer the submit, but has the task under our key ${intent!.key}: adopted, not paid again.`] };
						break;
					}
					if (unanswered && found === null && send < SENDS) continue;
					if (intent && unanswered && !lookUp) {
						// Nobody can find that task again, so the create is not sent again by itself (that could pay twice);
						// its slot is free at once, and the scene moves on to the next provider of the order, or fails.
						const reason =
							`${label}${name} did not answer the create of this scene's clip: ${messageOf(error)} ${name} cannot be asked for a ` +
							`task by anything but the id that answer carried, so a task it may have made (and charged for) cannot be found, and ` +
							`the scene is not sent to ${name} again by itself. Look for the task in the ${name} dashboard, or resume the run to ` +
							`send the scene to ${name} again (that may pay for it twice).`;
						await tracked?.ledger.intentUnanswered(definition.name, intent.key, reason);
						throw new ClipError(reason, true);
					}
					// A refusal made no task (when none can exist, or the lookup found none): the intent goes. Without an
					// answer the provider may have made one, so the intent stays for the next try to look up.
					if (intent && !unanswered && (!mayExist || found === null)) await tracked?.ledger.dropIntent(definition.name, intent.key);
					throw new ClipError(
						`${label}the ${name} provider did not take the task: ${messageOf(error)}`,
						isProviderDown(error),
						error instanceof ProviderError && error.policy,
					);
				}
			}
			// Written before the first poll: from here on the task is paid for, whatever happens to this execution.
			await tracked?.ledger.taskSubmitted({
				key: intent?.key,
				runId: tracked.runId,
				sceneNumber: tracked.sceneNumber,
				provider: definition.name,
				model: billing.model,
				taskId: submitted.taskId,
				request: storableRequest(request),
				costUsd,
			});
			return submitted;
		};
		let submitted;
		try {
			if (tracked) {
				const before = await cancelledError(job);
				if (before) throw before;
				// The intent first, with our key: if this process dies before the ledger hears of the accepted task, the
				// next execution finds the intent and asks the provider for the task by its key instead of paying again.
				// Written once a slot is free; the submit then runs without holding the provider's lock.
				const intent = await tracked.ledger.taskIntent(tracked.runId, tracked.sceneNumber, definition.name, job.concurrency, {
					timeoutMs: job.timeoutMs,
				});
				// The slot may have taken minutes to come free: asked again right before paying. A new intent goes (it
				// sent nothing); an earlier one stays, its submit may have arrived and a resume looks it up by its key.
				const cancelled = await cancelledError(job);
				if (cancelled) {
					if (!intent.earlier) await tracked.ledger.dropIntent(definition.name, intent.key);
					throw cancelled;
				}
				submitted = await submit(intent);
			} else {
				if (paid && job.concurrency) release = await takeSlot(definition.name, job.concurrency, job.timeoutMs);
				submitted = await submit();
			}
		} catch (error) {
			release();
			if (error instanceof ClipError) throw error;
			throw new ClipError(`${label}${messageOf(error)}`);
		}
		taskId = submitted.taskId;
		notes.push(...(submitted.notes ?? []));
	}

	const cost: ClipCost = {
		provider: definition.name,
		model: billing.model,
		units: billing.seconds,
		unit: 'second',
		amountUsd: videoCostUsd(definition.name, billing.model, billing.seconds, billing.mode),
	};
	// Keyed by the task (paid providers): a resumed scene that sees the same task finished again writes no second line.
	const recordCost = async () => {
		if (!job.ledger || !job.runId) return;
		await job.ledger.recordCost({
			runId: job.runId,
			sceneNumber: sceneNumber ?? null,
			provider: cost.provider,
			model: cost.model,
			units: cost.units,
			unit: 'second',
			amountUsd: cost.amountUsd,
			purpose: 'clip',
			taskId: paid ? taskId : null,
		});
	};

	// A cancel does not stop a task that was accepted: it is paid either way, so its clip is fetched and kept (and the
	// task stops holding a provider slot as soon as it is rendered).
	const deadline = Date.now() + job.timeoutMs;
	let settled = false;
	try {
		for (;;) {
			let status: TaskStatus;
			try {
				status = await provider.poll(taskId);
			} catch (error) {
				throw new ClipError(`${label}asking ${name} about task ${taskId} failed: ${messageOf(error)}`);
			}
			if (status.status === 'succeeded') {
				// The provider has billed the render: its cost line now, before the download, so a download that breaks
				// (link expired, no video, cut off) still leaves it recorded. Then the task stops holding its price against
				// the budget (rendered); a crash between the two counts it twice for a moment, never not at all.
				if (paid) await recordCost();
				await tracked?.ledger.taskRendered(definition.name, taskId);
				break;
			}
			if (status.status === 'failed') {
				const reason = status.error ?? 'no reason given';
				await tracked?.ledger.taskFinished(definition.name, taskId, { status: 'failed', error: reason });
				settled = true;
				throw new ClipError(`${label}the ${name} provider could not make the clip: ${reason}`, false, Boolean(status.policy));
			}
			if (Date.now() >= deadline) {
				if (status.status === 'queued' && provider.cancel) {
					// Still waiting for a slot at the provider (Runway THROTTLED): nothing was rendered, so cancelling
					// costs nothing and the scene can go to the next provider.
					await provider.cancel(taskId);
					const reason = `${name} kept task ${taskId} waiting in its queue for ${job.timeoutMs / 1000} s; it was cancelled.`;
					await tracked?.ledger.taskFinished(definition.name, taskId, { status: 'cancelled', error: reason });
					settled = true;
					throw new ClipError(`${label}${reason}`, true);
				}
				throw new ClipError(
					`${label}the clip was not ready after ${job.timeoutMs / 1000} s (task ${taskId}, ${Math.round((status.progress ?? 0) * 100)}% done). Raise Options → Timeout or lower Concurrency.` +
						(tracked ? ' The task stays recorded: running the scene again polls it instead of paying for a new one.' : ''),
				);
			}
			await sleep(Math.min(job.pollInterval, Math.max(0, deadline - Date.now())));
		}
		let clip: MediaRef;
		try {
			const fetch = () => provider.fetchResult(taskId, job.destination);
			clip = await (job.fetchGate ? job.fetchGate(fetch) : fetch());
		} catch (error) {
			throw new ClipError(`${label}the ${name} clip could not be stored: ${messageOf(error)}`);
		}
		// A free provider's line (no task to key it by) once its clip is there.
		if (!paid) await recordCost();
		await tracked?.ledger.taskFinished(definition.name, taskId, {
			status: 'fetched',
			clipKey: clip.key,
			seconds: cost.units,
			costUsd: cost.amountUsd,
		});
		settled = true;
		return { clip, taskId, notes, cost };
	} finally {
		release();
		// Without a ledger nobody could pick the task up again, so free it at the provider. With one it stays open
		// (submitted) for the next execution of the scene to poll.
		if (!settled && !tracked) await provider.cancel?.(taskId);
	}
}
