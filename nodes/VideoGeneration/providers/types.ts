import type { RemoteOptions } from './remote';
import type { MediaRef } from '../../shared/refs';
import type { Storage } from '../../shared/transport/storage';
import type { ClipRequest } from '../../shared/render/request';

export type { BrandLook, ClipRequest, SpokenLineTiming } from '../../shared/render/request';

export type TaskState = 'queued' | 'running' | 'succeeded' | 'failed';

export interface TaskStatus {
	status: TaskState;
	/** 0..1 when the provider reports it. */
	progress?: number;
	/** Plain words, when status is failed. */
	error?: string;
	/** The task failed the provider's content moderation (Runway SAFETY.*). */
	policy?: boolean;
}

export interface ObjectDestination {
	bucket: string;
	key: string;
}

/**
 * A video provider: start a render, ask how it goes, bring the finished clip into object storage.
 * Remote providers (Kling, Runway) map these onto their HTTP task APIs; the local one runs ffmpeg in this process.
 */
export interface VideoProvider {
	readonly name: string;
	/**
	 * `key`: our idempotency key for this task (Kling's external_task_id), when the provider takes one. `notes`:
	 * things the user should know about the request (a prompt cut to the provider's limit).
	 */
	submit(request: ClipRequest, key?: string): Promise<{ taskId: string; notes?: string[] }>;
	/**
	 * The task this provider accepted under our `key`, or null when it has none: how a submit whose answer was lost
	 * (the process died) is found again instead of paid twice. Only providers that take a key have it.
	 */
	findByKey?(key: string, request: ClipRequest): Promise<string | null>;
	poll(taskId: string): Promise<TaskStatus>;
	/** Stores the finished clip at `destination` and describes it. Only valid once poll() said succeeded. */
	fetchResult(taskId: string, destination: ObjectDestination): Promise<MediaRef>;
	/** Gives up on a task (timeout, node stopped) and frees what it holds. */
	cancel?(taskId: string): Promise<void>;
	/**
	 * Takes over a task submitted earlier (by a run that stopped): poll and fetchResult then work as if this
	 * instance had submitted it. `request` is what was asked for then (the clip size to normalise to).
	 */
	resume?(taskId: string, request: ClipRequest): void;
	/** What the provider bills for this request: the model it will use and the seconds it will be asked for. */
	billing?(request: ClipRequest): ClipBilling;
}

export interface ClipBilling {
	model: string;
	/** Seconds the provider is asked for (Kling and Runway round the scene up to 5 or 10 s). */
	seconds: number;
	/** Kling's std | pro. */
	mode?: string;
}

/** What a provider gets from the node: object storage now; HTTP helpers and credentials for remote providers later. */
export interface ProviderContext {
	storage: Storage;
	/** The provider's own credential data, when it has one. */
	credentials?: Record<string, unknown>;
	/** Retry and poll knobs of HTTP providers (defaults from their data files). */
	options?: RemoteOptions;
	/** Model id; empty = the provider's default from its data file. */
	model?: string;
}

export interface VideoProviderDefinition {
	/** Value of the node's Provider parameter. */
	name: string;
	displayName: string;
	description: string;
	/** Longest clip the provider makes in one task, seconds. */
	maxDuration: number;
	/** Looks the provider can make (Style parameter values). */
	styles: string[];
	/** Name of the n8n credential the provider needs, if any (a provider with one is a paid one). */
	credential?: string;
	/** Credential fields that must be filled for the provider to count as configured. */
	credentialKeys?: string[];
	/** Tasks the account may have running at once (the data file's default for Provider Concurrency); none = no limit. */
	concurrency?: number;
	create(context: ProviderContext): VideoProvider;
}
