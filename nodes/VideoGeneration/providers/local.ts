import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeStreams } from '../../shared/probe';
import type { MediaRef } from '../../shared/refs';
import type { Storage } from '../../shared/transport/storage';
import { diskFullInWords } from '../../shared/workdir';
import { renderClip, STYLE_NAMES } from '../../shared/render';
import type { ClipBilling, ClipRequest, ObjectDestination, ProviderContext, TaskStatus, VideoProvider, VideoProviderDefinition } from './types';

interface LocalTask {
	status: TaskStatus;
	directory: string;
	file?: string;
	request: ClipRequest;
	abort: AbortController;
	/** Settles when the render has stopped writing into `directory`. */
	done?: Promise<void>;
}

/**
 * Tasks live in this process (the render is an ffmpeg child of the n8n worker that submitted it), so submit and
 * poll must happen in the same execution: the node does exactly that.
 */
const tasks = new Map<string, LocalTask>();

class LocalVideoProvider implements VideoProvider {
	readonly name = 'local';

	constructor(private readonly storage: Storage) {}

	billing(request: ClipRequest): ClipBilling {
		return { model: 'local', seconds: request.duration };
	}

	async submit(request: ClipRequest): Promise<{ taskId: string }> {
		const taskId = `local-${randomUUID()}`;
		const directory = await mkdtemp(join(tmpdir(), 'reelsmith-'));
		const task: LocalTask = { status: { status: 'queued', progress: 0 }, directory, request, abort: new AbortController() };
		tasks.set(taskId, task);
		task.status = { status: 'running', progress: 0 };
		task.done = renderClip(request, directory, {
			signal: task.abort.signal,
			onProgress: (progress) => {
				if (task.status.status === 'running') task.status = { status: 'running', progress: progress.ratio ?? 0 };
			},
		}).then(
			(file) => {
				task.file = file;
				task.status = { status: 'succeeded', progress: 1 };
			},
			(error: Error) => {
				task.status = { status: 'failed', error: (diskFullInWords(error) as Error).message };
				// Nothing to fetch: free the folder now, keep the status for poll().
				return rm(directory, { recursive: true, force: true });
			},
		);
		return { taskId };
	}

	async poll(taskId: string): Promise<TaskStatus> {
		const task = tasks.get(taskId);
		if (!task) {
			return { status: 'failed', error: `The local render task ${taskId} is unknown to this n8n process (was n8n restarted?). Run the scene again.` };
		}
		if (task.status.status === 'failed') tasks.delete(taskId);
		return task.status;
	}

	async fetchResult(taskId: string, destination: ObjectDestination): Promise<MediaRef> {
		const task = tasks.get(taskId);
		if (!task || task.status.status !== 'succeeded' || !task.file) {
			throw new Error(`The local render task ${taskId} has no finished clip to fetch (status: ${task?.status.status ?? 'unknown'}).`);
		}
		try {
			const [facts, ref] = await Promise.all([probeStreams(task.file), upload(this.storage, task.file, destination)]);
			// The clip's stream facts travel with it (`media`), so mux and assembly need not probe it again.
			return {
				...ref,
				duration: facts.video?.duration ?? facts.duration ?? task.request.duration,
				width: facts.video?.width ?? task.request.width,
				height: facts.video?.height ?? task.request.height,
				media: facts,
			};
		} finally {
			tasks.delete(taskId);
			await rm(task.directory, { recursive: true, force: true });
		}
	}

	async cancel(taskId: string): Promise<void> {
		const task = tasks.get(taskId);
		if (!task) return;
		tasks.delete(taskId);
		task.abort.abort();
		// Wait for the render to stop (ffmpeg killed, text files written) before removing its folder.
		await task.done?.catch(() => undefined);
		await rm(task.directory, { recursive: true, force: true });
	}
}

async function upload(storage: Storage, file: string, destination: ObjectDestination) {
	if (!destination.bucket || destination.bucket === storage.bucket) {
		return storage.uploadFile(file, destination.key, 'video/mp4');
	}
	await storage.client.fPutObject(destination.bucket, destination.key, file, { 'Content-Type': 'video/mp4' });
	const info = await storage.client.statObject(destination.bucket, destination.key);
	return { bucket: destination.bucket, key: destination.key, contentType: 'video/mp4', bytes: info.size };
}

export const localProvider: VideoProviderDefinition = {
	name: 'local',
	displayName: 'Local (ffmpeg)',
	description: 'Renders the clip on this machine with ffmpeg: no account, no cost',
	maxDuration: 120,
	styles: STYLE_NAMES,
	create: (context: ProviderContext) => new LocalVideoProvider(context.storage),
};
