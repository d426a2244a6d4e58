import { RunwayApi } from '../../../credentials/RunwayApi.credentials';
import { presetByName } from '../../shared/presets';
import {
	plainText,
	bodyObject,
	credentialHeaders,
	ProviderError,
	requestJson,
	type HttpAnswer,
	type Refusal,
} from '../../shared/transport/http';
import type { Storage } from '../../shared/transport/storage';
import runway from '../../shared/data/runway.json';
import { STYLE_NAMES } from '../../shared/render';
import { RemoteVideoProvider, dataUriImage, fitPrompt, type RemoteOptions } from './remote';
import type {
	ClipBilling,
	ClipRequest,
	ProviderContext,
	TaskStatus,
	VideoProvider,
	VideoProviderDefinition,
} from './types';

export const RUNWAY_DEFAULT_BASE_URL = 'https://api.dev.runwayml.com';

/** Smallest allowed Runway duration (seconds, a number) that covers the scene. */
export function runwayDuration(seconds: number): number {
	const allowed = runway.durations.find((value) => value >= seconds - 1e-9);
	if (allowed === undefined) {
		throw new Error(
			`Runway makes clips of at most ${Math.max(...runway.durations)} s (asked for ${seconds} s). Split the scene.`,
		);
	}
	return allowed;
}

interface RunwayTask {
	id?: string;
	status?: string;
	progress?: number;
	output?: string[];
	failure?: string;
	failureCode?: string;
}

/** A non-success Runway answer in plain words; 429 and 5xx are left to the retry policy. */
function runwayRefusal(answer: HttpAnswer): Refusal {
	const body = bodyObject(answer);
	const message = plainText(body.error ?? body.message);
	const detail = `HTTP ${answer.status}${message ? `: ${message}` : ''}`;
	if (answer.status === 401) {
		return {
			message: `Runway did not accept the API secret (${detail}). Check the API secret in the Runway credential.`,
			retry: false,
		};
	}
	if (answer.status === 404) {
		return {
			message: `Runway does not know this task or address (${detail}). Check the Base URL of the Runway credential.`,
			retry: false,
		};
	}
	if (answer.status === 429) return { message: `Runway is rate limiting this account (${detail})` };
	if (answer.status >= 500) return { message: `Runway is unavailable (${detail})` };
	return { message: `Runway rejected the request (${detail}).`, retry: false };
}

/** A FAILED task in plain words; SAFETY.* codes are Runway's content moderation (never retried). */
export function runwayFailure(task: RunwayTask): string {
	if (task.failureCode?.startsWith('SAFETY')) {
		return `the scene was refused by Runway's safety check (${task.failureCode}). Rewrite the scene's action or dialogue; it is not retried.`;
	}
	const reason = task.failure || 'no reason given';
	return `Runway could not make the video: ${reason}${task.failureCode ? ` (${task.failureCode})` : ''}`;
}

class RunwayVideoProvider extends RemoteVideoProvider implements VideoProvider {
	readonly name = 'runway';

	constructor(storage: Storage, credentials: Record<string, unknown>, options: RemoteOptions, model: string) {
		super(storage, credentials, options, model, {
			displayName: 'Runway',
			defaultBaseUrl: RUNWAY_DEFAULT_BASE_URL,
			minPollIntervalMs: runway.minPollIntervalMs,
		});
	}

	private async call(method: string, path: string, body?: unknown, limits = this.limits): Promise<RunwayTask> {
		const answer = await requestJson(
			{
				provider: 'Runway',
				method,
				url: `${this.baseUrl}${path}`,
				// Authorization and X-Runway-Version, as the credential declares them.
				headers: credentialHeaders(new RunwayApi().authenticate, this.credentials),
				body,
				refuse: runwayRefusal,
			},
			limits,
		);
		return (answer ?? {}) as RunwayTask;
	}

	billing(request: ClipRequest): ClipBilling {
		const model = this.model || (request.referenceImage ? runway.defaultImageModel : runway.defaultTextModel);
		return { model, seconds: runwayDuration(request.duration) };
	}

	async submit(request: ClipRequest): Promise<{ taskId: string; notes?: string[] }> {
		const prompt = fitPrompt(request, (runway.styleHints as Record<string, string>)[request.style], runway.maxPromptChars, 'Runway');
		const ratio = (runway.ratios as Record<string, string>)[presetByName(request.preset).aspectRatio] ?? '1280:720';
		const image = Boolean(request.referenceImage);
		const body: Record<string, unknown> = {
			model: this.model || (image ? runway.defaultImageModel : runway.defaultTextModel),
			promptText: prompt.text,
			ratio,
			duration: runwayDuration(request.duration),
		};
		// Runway reads an https URL or a data URI.
		if (image) body.promptImage = dataUriImage(request.referenceImage as string);
		const task = await this.call('POST', image ? '/v1/image_to_video' : '/v1/text_to_video', body);
		if (!task.id) throw new ProviderError('Runway accepted the task but returned no task id.');
		this.requests.set(task.id, request);
		return { taskId: task.id, notes: prompt.note ? [prompt.note] : undefined };
	}

	async poll(taskId: string): Promise<TaskStatus> {
		// Runway asks for at most one status request per task every 5 s.
		await this.spacePoll(taskId);
		const task = await this.call('GET', `/v1/tasks/${encodeURIComponent(taskId)}`);
		switch (task.status) {
			case 'SUCCEEDED':
				if (task.output?.[0]) this.results.set(taskId, task.output[0]);
				return { status: 'succeeded', progress: 1 };
			case 'FAILED':
				return { status: 'failed', error: runwayFailure(task), policy: Boolean(task.failureCode?.startsWith('SAFETY')) };
			case 'CANCELLED':
				return {
					status: 'failed',
					error: 'the Runway task was cancelled (in the Runway dashboard or by another client).',
				};
			case 'RUNNING':
				return {
					status: 'running',
					progress: typeof task.progress === 'number' ? task.progress : undefined,
				};
			default:
				// PENDING, THROTTLED: waiting for a slot at Runway.
				return { status: 'queued' };
		}
	}

	protected async lookUpResult(taskId: string): Promise<{ url?: string; status: string }> {
		const task = await this.call('GET', `/v1/tasks/${encodeURIComponent(taskId)}`);
		const url = task.status === 'SUCCEEDED' ? task.output?.[0] : undefined;
		return { url, status: task.status ?? 'unknown' };
	}

	/** Node timeout or stop: ask Runway to cancel the task (it stops billing a queued or running task). Best effort. */
	async cancel(taskId: string): Promise<void> {
		this.forget(taskId);
		try {
			await this.call('DELETE', `/v1/tasks/${encodeURIComponent(taskId)}`, undefined, { ...this.limits, attempts: 1 });
		} catch {
			// The timeout message is what the user needs; a failed cancel leaves the task to finish on its own.
		}
	}
}

export const runwayProvider: VideoProviderDefinition = {
	name: 'runway',
	displayName: 'Runway',
	description: 'Generates the clip with Runway (paid account; clips of 5 or 10 s)',
	maxDuration: Math.max(...runway.durations),
	styles: STYLE_NAMES,
	credential: 'reelsmithRunwayApi',
	credentialKeys: ['apiSecret'],
	concurrency: runway.concurrency,
	create: (context: ProviderContext) =>
		new RunwayVideoProvider(context.storage, context.credentials ?? {}, context.options ?? {}, context.model ?? ''),
};
