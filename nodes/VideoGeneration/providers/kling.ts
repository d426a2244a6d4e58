import { createHmac } from 'node:crypto';
import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';
import { presetByName } from '../../shared/presets';
import {
	baseUrl,
	bodyObject,
	ProviderError,
	requestJson,
	retryPolicy,
	type HttpAnswer,
	type Refusal,
	type RetryPolicy,
} from '../../shared/transport/http';
import type { Storage } from '../../shared/transport/storage';
import kling from '../data/kling.json';
import { STYLE_NAMES } from '../render';
import { RemoteVideoProvider, bareBase64Image, fitPrompt, type RemoteOptions } from './remote';
import type {
	ClipBilling,
	ClipRequest,
	ProviderContext,
	TaskStatus,
	VideoProvider,
	VideoProviderDefinition,
} from './types';

export const KLING_DEFAULT_BASE_URL = 'https://api-singapore.klingai.com';

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * The Kling API token: a JWT signed HS256 with the secret key, iss = access key, valid from 5 s ago for 30 min.
 * Made with node:crypto's HMAC (a dozen lines) rather than a JWT library: one fixed algorithm, nothing to parse,
 * and no new runtime dependency for n8n to install.
 */
export function klingToken(accessKey: string, secretKey: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
	const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
	const payload = base64url(
		JSON.stringify({
			iss: accessKey,
			exp: nowSeconds + kling.tokenLifetimeSeconds,
			nbf: nowSeconds - kling.tokenNotBeforeSkewSeconds,
		}),
	);
	const signature = createHmac('sha256', secretKey).update(`${header}.${payload}`).digest('base64url');
	return `${header}.${payload}.${signature}`;
}

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

type TaskKind = 'text2video' | 'image2video';

interface KlingTaskData {
	task_id?: string;
	task_status?: string;
	task_status_msg?: string;
	task_result?: { videos?: Array<{ url?: string; duration?: string }> };
}

/** A Kling answer is a success when its HTTP status is 2xx and its body's code is 0. */
const klingAccepts = (answer: HttpAnswer) => answer.status < 300 && Number(bodyObject(answer).code ?? 0) === 0;

/** Turns a non-success Kling answer into plain words and says whether it may be retried (unset: the policy's statuses). */
function klingRefusal(answer: HttpAnswer): Refusal {
	const body = bodyObject(answer);
	const code = Number(body.code);
	const message = String(body.message ?? '').trim();
	const detail = `HTTP ${answer.status}${Number.isFinite(code) ? `, code ${code}` : ''}${message ? `: ${message}` : ''}`;
	if (answer.status === 401 || (code >= 1000 && code <= 1004)) {
		return {
			message: `Kling did not accept the credential (${detail}). Check the access key and secret key in the Kling credential${code === 1004 ? ' and the clock of this machine' : ''}.`,
			retry: false,
		};
	}
	if (code === 1300 || code === 1301) {
		return {
			message: `Kling refused the scene under its content policy (${detail}). Rewrite the scene's action or dialogue and run it again.`,
			retry: false,
		};
	}
	if (code >= 1100 && code <= 1102) {
		return {
			message: `Kling refused the task because of the account (${detail}). Check the balance or resource pack of the Kling account.`,
			retry: false,
		};
	}
	if (answer.status === 429 || code === 1302 || code === 1303) {
		return { message: `Kling is rate limiting this account (${detail})`, retry: true };
	}
	if (answer.status >= 500) return { message: `Kling had a server error (${detail})` };
	return { message: `Kling rejected the request (${detail}).`, retry: false };
}

/** One Kling API call with a freshly signed token, under the retry policy; the answer's `data`. */
async function klingCall(
	credentials: Record<string, unknown>,
	limits: RetryPolicy,
	method: string,
	url: string,
	body?: unknown,
): Promise<KlingTaskData> {
	const token = klingToken(String(credentials.accessKey ?? ''), String(credentials.secretKey ?? ''));
	const answer = (await requestJson(
		{
			provider: 'Kling',
			method,
			url,
			headers: { authorization: `Bearer ${token}` },
			body,
			accept: klingAccepts,
			refuse: klingRefusal,
		},
		limits,
	)) as { data?: KlingTaskData } | undefined;
	return answer?.data ?? {};
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

	async submit(request: ClipRequest): Promise<{ taskId: string; notes?: string[] }> {
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
		// Kling reads an https URL or bare base64, not a data URI.
		if (kind === 'image2video') body.image = bareBase64Image(request.referenceImage as string);
		else body.aspect_ratio = aspect;
		const data = await this.call('POST', `/v1/videos/${kind}`, body);
		if (!data.task_id) throw new ProviderError('Kling accepted the task but returned no task id.');
		const taskId = `${kind}:${data.task_id}`;
		this.requests.set(taskId, request);
		return { taskId, notes: prompt.note ? [prompt.note] : undefined };
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

/** Credential test: lists one text-to-video task with a freshly signed token (costs nothing, one try). */
export async function testKlingCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = (credential.data ?? {}) as Record<string, unknown>;
	try {
		const url = `${baseUrl(data, KLING_DEFAULT_BASE_URL)}/v1/videos/text2video?pageNum=1&pageSize=1`;
		await klingCall(data, retryPolicy({ attempts: 1 }), 'GET', url);
		return { status: 'OK', message: 'Connection successful' };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
}
