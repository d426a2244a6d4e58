import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLIP_FORMAT } from '../../shared/presets';
import type { MediaRef } from '../../shared/refs';
import { probeStreams } from '../../shared/probe';
import { ffmpeg, ffprobe } from '../../shared/transport/ffmpeg';
import { baseUrl, download, ProviderError, retryPolicy, withRetry, type RetryPolicy } from '../../shared/transport/http';
import type { Storage } from '../../shared/transport/storage';
import { withWorkDir } from '../../shared/workdir';
import { clipOutputArgs, frameCount, silentAudio } from '../../shared/render/filters';
import type { ClipRequest, ObjectDestination } from './types';
import { cutPrompt, fitPrompt, scenePrompt } from '../../shared/videoPrompt';

export { cutPrompt, fitPrompt, scenePrompt };

/** Knobs of the HTTP providers: retries follow the one policy (nodes/shared/data/retry.json); tests lower the waits. */
export interface RemoteOptions {
	/** Changes to the retry policy (the node's Retry Attempts; faster waits in tests). */
	retry?: Partial<RetryPolicy>;
	/** Polls of one task are at least this far apart, in ms (default from the provider's data file). */
	minPollIntervalMs?: number;
}

/**
 * Re-encodes a provider clip into the run's one clip format (CLIP_FORMAT, the local renderer's output options):
 * scaled and padded to the preset size, 30 fps, exactly round(duration * fps) frames (the last frame is held when
 * the provider clip is shorter), with a silent stereo AAC track — so assembly can still concatenate by stream copy.
 */
export async function normaliseClip(input: string, output: string, request: Pick<ClipRequest, 'width' | 'height' | 'duration'>) {
	const { width, height, duration } = request;
	const frames = frameCount(duration);
	const video =
		`[0:v]scale=${width}:${height}:force_original_aspect_ratio=decrease,` +
		`pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,fps=${CLIP_FORMAT.fps},` +
		`tpad=stop_mode=clone:stop_duration=${Math.ceil(duration) + 1},trim=end_frame=${frames},setpts=PTS-STARTPTS[v]`;
	await ffmpeg(['-i', input, '-filter_complex', `${video};${silentAudio(frames)}`, ...clipOutputArgs(output)], {
		duration,
	});
}

/** Download → normalise → upload to `destination`; returns the stored clip as the local provider does. */
/** A provider's result that ffprobe cannot read as a video is the provider's fault, said in words, not ffmpeg's. */
async function readableVideo(provider: string, file: string): Promise<void> {
	const probe = await ffprobe(file).catch(() => null);
	if (probe?.streams.some((stream) => stream.codec_type === 'video')) return;
	const head = (await readFile(file))
		.subarray(0, 24)
		.toString('latin1')
		.replace(/[^\x20-\x7e]+/g, ' ')
		.trim();
	const { size } = await stat(file);
	throw new ProviderError(`The file ${provider} returned is not a video (${size} bytes${head ? `, starting "${head}"` : ''}).`, { retryable: true });
}

export async function copyClip(
	provider: string,
	storage: Storage,
	url: string,
	request: Pick<ClipRequest, 'width' | 'height' | 'duration'>,
	destination: ObjectDestination,
	limits?: RetryPolicy,
): Promise<MediaRef> {
	return withWorkDir(async (dir) => {
		const raw = join(dir, 'provider.mp4');
		const clip = join(dir, 'clip.mp4');
		await download(provider, url, raw, limits);
		await readableVideo(provider, raw);
		await normaliseClip(raw, clip, request);
		const facts = await probeStreams(clip);
		let ref;
		if (!destination.bucket || destination.bucket === storage.bucket) {
			ref = await storage.uploadFile(clip, destination.key, 'video/mp4');
		} else {
			await storage.client.fPutObject(destination.bucket, destination.key, clip, { 'Content-Type': 'video/mp4' });
			const info = await storage.client.statObject(destination.bucket, destination.key);
			ref = {
				bucket: destination.bucket,
				key: destination.key,
				contentType: 'video/mp4',
				bytes: info.size,
			};
		}
		// The clip's stream facts travel with it (`media`), so mux and assembly need not probe it again.
		return {
			...ref,
			duration: facts.video?.duration ?? facts.duration ?? request.duration,
			width: facts.video?.width ?? request.width,
			height: facts.video?.height ?? request.height,
			media: facts,
		};
	});
}

/** An image for Kling: an https URL or bare base64 (a data URI loses its prefix). */
export function bareBase64Image(image: string): string {
	return /^https?:\/\//.test(image) ? image : image.replace(/^data:[^;,]+;base64,/, '');
}

/** An image for Runway: an https URL or a data URI (bare base64 is taken for PNG). */
export function dataUriImage(image: string): string {
	return /^(https?:\/\/|data:)/.test(image) ? image : `data:image/png;base64,${image}`;
}

/** Answers of a result download that say its link has expired or gone (presigned URLs answer 403 when expired). */
const LINK_GONE = [401, 403, 404, 410];

/** What a provider's data file says about talking to it. */
export interface RemoteSettings {
	/** "Kling", "Runway": used in messages. */
	displayName: string;
	defaultBaseUrl: string;
	minPollIntervalMs: number;
}

/**
 * What every HTTP video provider shares: base URL from the credential, the retry policy with the node's changes, poll spacing,
 * the request of each submitted task (its clip size), the result URL seen by the poll that reported success, and
 * copying that result into storage in the run's clip format. Subclasses speak their provider's API.
 */
export abstract class RemoteVideoProvider {
	protected readonly baseUrl: string;
	protected readonly limits: RetryPolicy;
	private readonly minPollIntervalMs: number;
	private readonly lastPoll = new Map<string, number>();
	protected readonly requests = new Map<string, ClipRequest>();
	/** Result URL seen by the poll that reported success, so fetching does not cost another status request. */
	protected readonly results = new Map<string, string>();

	constructor(
		protected readonly storage: Storage,
		protected readonly credentials: Record<string, unknown>,
		options: RemoteOptions,
		protected readonly model: string,
		private readonly settings: RemoteSettings,
	) {
		this.baseUrl = baseUrl(credentials, settings.defaultBaseUrl);
		this.limits = retryPolicy(options.retry);
		this.minPollIntervalMs = options.minPollIntervalMs ?? settings.minPollIntervalMs;
	}

	/** Waits until this task may be polled again (providers limit status requests per task). */
	protected async spacePoll(taskId: string): Promise<void> {
		const wait = (this.lastPoll.get(taskId) ?? 0) + this.minPollIntervalMs - Date.now();
		if (wait > 0) await sleep(wait);
		this.lastPoll.set(taskId, Date.now());
	}

	/** Asks the provider for the finished video's URL, when no poll has seen it yet. */
	protected abstract lookUpResult(taskId: string): Promise<{ url?: string; status: string }>;

	async fetchResult(taskId: string, destination: ObjectDestination): Promise<MediaRef> {
		const name = this.settings.displayName;
		const request = this.requests.get(taskId);
		if (!request) {
			throw new Error(`The ${name} task ${taskId} was not submitted by this node run, so its clip size is unknown.`);
		}
		let url = this.results.get(taskId);
		if (!url) {
			const result = await this.lookUpResult(taskId);
			if (!result.url) {
				throw new ProviderError(`The ${name} task ${taskId} has no finished video to fetch (status: ${result.status}).`);
			}
			url = result.url;
		}
		const copy = (source: string) => withRetry(this.limits, () => copyClip(name, this.storage, source, request, destination, this.limits));
		let clip: MediaRef;
		try {
			clip = await copy(url);
		} catch (error) {
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- provider code: the clip task wraps it with the scene
			if (!(error instanceof ProviderError && LINK_GONE.includes(error.status))) throw error;
			// Result links are presigned and expire: a status request (free, never a new task) hands out a fresh one.
			const fresh = await this.lookUpResult(taskId);
			if (!fresh.url || fresh.url === url) {
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- provider code: the clip task wraps it with the scene
				throw new ProviderError(
					`The link to the finished ${name} clip of task ${taskId} no longer works (HTTP ${error.status}) and ${name} gave no new one (status: ${fresh.status}). Run the scene again.`,
					{ status: error.status },
				);
			}
			clip = await copy(fresh.url);
		}
		this.forget(taskId);
		return clip;
	}

	/** Takes over a task this node submitted in an earlier execution (a resumed run): poll it, don't pay again. */
	resume(taskId: string, request: ClipRequest): void {
		this.requests.set(taskId, request);
	}

	protected forget(taskId: string): void {
		this.requests.delete(taskId);
		this.results.delete(taskId);
		this.lastPoll.delete(taskId);
	}
}
