import { presetByName } from '../../shared/presets';
import { ProviderError } from '../../shared/transport/http';
import { KLING_DEFAULT_BASE_URL, klingCall, type KlingTaskData, type TaskKind } from '../../shared/transport/kling';
import type { Storage } from '../../shared/transport/storage';
import kling from '../../shared/data/kling.json';

export { KLING_DEFAULT_BASE_URL, klingToken, testKlingCredential } from '../../shared/transport/kling';
import { STYLE_NAMES } from '../../shared/render';
import { RemoteVideoProvider, bareBase64Image, fitPrompt, type RemoteOptions } from './remote';
import type {
	ClipBilling,
	ClipRequest,
	ProviderContext,
	TaskStatus,
	VideoProvider,
	VideoProviderDefinition,
} from './types';

/** Smallest allowed Kling duration that covers the scene ("5" or "10"). */
export function klingDuration(seconds: number): string {
	const allowed = kling.durations.find((value) => value >= seconds - 1e-9);
	if (allowed === undefined) {
		throw new Error(
			`Kling makes clips of at most ${Math.max(...kling.durations)} s (asked for ${seconds} s). Split the scene.`,
		);
	}
	return String(allowed);
}

class KlingVideoProvider extends RemoteVideoProvider implements VideoProvider {
	readonly name = 'kling';

	constructor(storage: Storage, credentials: Record<string, unknown>, options: RemoteOptions, model: string) {
		super(storage, credentials, options, model, {
			displayName: 'Kling',
			defaultBaseUrl: KLING_DEFAULT_BASE_URL,
			minPollIntervalMs: kling.minPollIntervalMs,
		});
	}

	private call(method: string, path: string, body?: unknown): Promise<KlingTaskData> {
		return klingCall(this.credentials, this.limits, method, `${this.baseUrl}${path}`, body);
	}

	billing(request: ClipRequest): ClipBilling {
		return { model: this.model || kling.defaultModel, seconds: Number(klingDuration(request.duration)), mode: kling.mode };
	}

	async submit(request: ClipRequest, key?: string): Promise<{ taskId: string; notes?: string[] }> {
		const kind: TaskKind = request.referenceImage ? 'image2video' : 'text2video';
		const prompt = fitPrompt(request, (kling.styleHints as Record<string, string>)[request.style], kling.maxPromptChars, 'Kling');
		const aspect = (kling.aspectRatios as Record<string, string>)[presetByName(request.preset).aspectRatio] ?? '16:9';
		const body: Record<string, unknown> = {
			model_name: this.model || kling.defaultModel,
			prompt: prompt.text,
			negative_prompt: kling.negativePrompt,
			cfg_scale: kling.cfgScale,
			mode: kling.mode,
			duration: klingDuration(request.duration),
		};
		if (key) body.external_task_id = key;
		// Kling reads an https URL or bare base64, not a data URI.
		if (kind === 'image2video') body.image = bareBase64Image(request.referenceImage as string);
		else body.aspect_ratio = aspect;
		const data = await this.call('POST', `/v1/videos/${kind}`, body);
		if (!data.task_id) throw new ProviderError('Kling accepted the task but returned no task id.');
		const taskId = `${kind}:${data.task_id}`;
		this.requests.set(taskId, request);
		return { taskId, notes: prompt.note ? [prompt.note] : undefined };
	}

	/** Kling's query takes our external_task_id in place of its task_id; an unknown one is "task not found". */
	async findByKey(key: string, request: ClipRequest): Promise<string | null> {
		const kind: TaskKind = request.referenceImage ? 'image2video' : 'text2video';
		let data: KlingTaskData;
		try {
			data = await this.call('GET', `/v1/videos/${kind}/${encodeURIComponent(key)}`);
		} catch (error) {
			if (error instanceof ProviderError && error.status === 400 && /not found|not exist/i.test(error.message)) return null;
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- provider code: the clip task wraps it with the scene
			throw error;
		}
		if (!data.task_id) return null;
		const taskId = `${kind}:${data.task_id}`;
		this.requests.set(taskId, request);
		return taskId;
	}

	private path(taskId: string): string {
		const [kind, id] = taskId.includes(':') ? taskId.split(':', 2) : ['text2video', taskId];
		return `/v1/videos/${kind}/${encodeURIComponent(id)}`;
	}

	async poll(taskId: string): Promise<TaskStatus> {
		await this.spacePoll(taskId);
		const data = await this.call('GET', this.path(taskId));
		switch (data.task_status) {
			case 'succeed': {
				const url = data.task_result?.videos?.[0]?.url;
				if (url) this.results.set(taskId, url);
				return { status: 'succeeded', progress: 1 };
			}
			case 'failed':
				return {
					status: 'failed',
					error: `Kling could not make the video: ${data.task_status_msg || 'no reason given'}`,
				};
			case 'processing':
				return { status: 'running' };
			default:
				return { status: 'queued' };
		}
	}

	protected async lookUpResult(taskId: string): Promise<{ url?: string; status: string }> {
		const data = await this.call('GET', this.path(taskId));
		const url = data.task_status === 'succeed' ? data.task_result?.videos?.[0]?.url : undefined;
		return { url, status: data.task_status ?? 'unknown' };
	}
}

export const klingProvider: VideoProviderDefinition = {
	name: 'kling',
	displayName: 'Kling AI',
	description: 'Generates the clip with Kling AI (paid account; clips of 5 or 10 s)',
	maxDuration: Math.max(...kling.durations),
	styles: STYLE_NAMES,
	credential: 'reelsmithKlingApi',
	credentialKeys: ['accessKey', 'secretKey'],
	concurrency: kling.concurrency,
	create: (context: ProviderContext) =>
		new KlingVideoProvider(context.storage, context.credentials ?? {}, context.options ?? {}, context.model ?? ''),
};
