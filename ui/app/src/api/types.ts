/** Shapes of the dashboard API (ui/server), as the app reads them. */

export type RunStatus = 'queued' | 'starting' | 'running' | 'awaiting_approval' | 'completed' | 'failed' | 'cancelled';
export type SceneStatus = 'pending' | 'generating' | 'completed' | 'failed';

export interface User {
	id?: string;
	email: string;
	name?: string | null;
	role?: 'admin' | 'manager';
}

export interface CampaignSummary {
	id: string;
	name: string;
	runs: number;
	completed: number;
	failed: number;
	running: number;
	successRate: number | null;
	spendUsd: number | null;
	budgetUsd: number | null;
	lastActivity: string | null;
}

export interface CampaignList {
	total: number;
	campaigns: CampaignSummary[];
}

export interface RunSummary {
	id: string;
	title: string | null;
	status: RunStatus;
	stage: string | null;
	scenesDone: number;
	scenesTotal: number;
	progress: number;
	queuePosition: number | null;
	startedAt: string | null;
	finishedAt: string | null;
	durationS: number | null;
	costUsd: number | null;
	estimateUsd: number | null;
	budgetUsd: number | null;
	error: string | null;
	createdAt: string;
	/** When the run last moved (latest event or update). Used for "the pipeline is slow". */
	lastEventAt?: string | null;
	updatedAt?: string | null;
	/** The campaign's brand kit version the run was queued with; null = none. */
	brandVersion?: number | null;
}

/** A campaign's brand kit (nodes/Campaign/lib/brandKit.ts checks it; the server's 400 names brand.<field>). */
export type BrandClip = { key: string } | { url: string };

export interface BrandKit {
	preset?: string;
	style?: string;
	terminalScheme?: string;
	loudnessTarget?: number;
	colors?: Partial<Record<'background' | 'backgroundBottom' | 'heading' | 'body' | 'accent' | 'subtitles', string>>;
	fonts?: { heading?: string; body?: string };
	logo?: { key: string; position: string; size: number; opacity: number } | null;
	/** Played before the first and after the last scene: an object key (outside runs/) or an https URL. */
	intro?: BrandClip | null;
	outro?: BrandClip | null;
}

export interface BrandVersion {
	version: number;
	kit: BrandKit;
	createdBy: string | null;
	createdAt: string;
}

export interface CampaignDetail {
	campaign: CampaignSummary & { createdAt?: string };
	total: number;
	runs: RunSummary[];
}

export interface PlanVersion {
	version: number;
	parentVersion: number | null;
	score: number | null;
	source: string | null;
	critique: {
		score?: number;
		critic?: string;
		issues?: Array<{ code?: string; scene?: number; message: string; penalty?: number }>;
	} | null;
	changes: string[] | null;
	/** Which take of the run's plan (1 when the run planned one). */
	take: number;
	/** The version the run goes on with. */
	chosen: boolean;
	createdAt: string;
}

/** One take of a run's plan (its newest version), for the approval screen. */
export interface PlanTake {
	take: number;
	version: number;
	score: number | null;
	chosen: boolean;
	plan: Plan;
}

/** POST /api/runs/:id/trailer: one moment of the trailer (a line of a scene, in story order). */
export interface TrailerMoment {
	scene: number;
	line: number | null;
	kind: 'dialogue' | 'narration' | 'visual';
	speaker: string | null;
	text: string;
	duration: number;
	reasons: string[];
}

/** POST /api/runs/:id/trailer: the stored trailer of one take, with its dashboard link. */
export interface Trailer {
	take: number;
	version: number;
	key: string;
	url: string;
	duration: number;
	width: number;
	height: number;
	chosenBy: 'rules' | 'claude';
	moments: TrailerMoment[];
	cost: number;
}

export interface SceneRow {
	number: number;
	heading: string | null;
	status: SceneStatus;
	provider: string | null;
	taskId: string | null;
	attempts: number;
	duration: number | null;
	costUsd: number | null;
	error: string | null;
	clipUrl: string | null;
	sceneUrl: string | null;
}

export interface RunEvent {
	id: number | string;
	stage: string;
	status: 'queued' | 'started' | 'finished' | 'failed' | 'info';
	sceneNumber: number | null;
	message: string | null;
	durationMs: number | null;
	createdAt: string;
}

export interface PlanScene {
	number: number;
	heading: string;
	visualDescription?: string;
	narration?: string;
	dialogue?: Array<{ speaker: string; text: string }>;
	duration: number;
}

export interface Plan {
	title?: string;
	totalDuration?: number;
	scenes?: PlanScene[];
}

export interface RunDetail {
	run: RunSummary & {
		campaignId?: string;
		campaignName?: string;
		approval: 'pending' | 'approved' | 'rejected' | null;
		approvalNote: string | null;
		approvalBy?: string | null;
		approvalAt?: string | null;
		cancelRequestedAt?: string | null;
		options: Record<string, unknown> | null;
		request: { title: string | null; format: string | null } | null;
	};
	planVersions: PlanVersion[];
	plan: Plan | null;
	takes: PlanTake[];
	scenes: SceneRow[];
	events: RunEvent[];
	costs: {
		totalUsd: number | null;
		estimateUsd: number | null;
		byProvider: Array<{ provider: string; model: string | null; amountUsd: number; units: number | null; unit: string | null }>;
	};
	artifacts: {
		video: string | null;
		subtitles: string | null;
		thumbnail: string | null;
		plan: string | null;
		/** The editor hand-off: OpenTimelineIO and CMX 3600 EDL. */
		timeline: string | null;
		edl: string | null;
	};
}

export interface Analytics {
	successByDay: Array<{ day: string; completed: number; failed: number; rate: number | null }>;
	stageDurations: Array<{ stage: string; avgSeconds: number; runs: number }>;
	costPerVideoByProvider: Array<{ provider: string; videos: number; avgUsd: number }>;
	failureReasons: Array<{ reason: string; count: number }>;
}

/** One Server-Sent Event from /api/events (the NOTIFY payload of migration 001). */
export interface LiveMessage {
	type: 'run' | 'scene' | 'event';
	runId: string;
	campaignId?: string;
	status?: string;
	stage?: string;
	sceneNumber?: number | null;
}

/** GET /api/system (admins): n8n's queue and workers, runs by state, expired leases and what the watchdog did. */
export interface SystemCheck {
	ok: boolean;
	ms: number;
	error: string | null;
}

export interface SystemStatus {
	status: 'ok' | 'down';
	problems: string[];
	checkedAt: string;
	checks: {
		postgres: SystemCheck;
		storage: SystemCheck & { bucket: string };
		redis: (SystemCheck & { address: string }) | null;
	};
	n8n: {
		mode: 'queue' | 'regular';
		redis: { address: string; prefix: string; queue: string; ok: boolean; error: string | null; ms: number } | null;
		queue: { waiting: number; active: number; delayed: number; failed: number; paused: boolean } | null;
		workers: { online: number; list: Array<{ address: string; connectedSeconds: number; idleSeconds: number }> } | null;
		workersError: string | null;
	};
	runs: {
		byStatus: Record<RunStatus, number>;
		running: number;
		maxRunning: number;
		oldestQueued: {
			runId: string;
			campaignId: string;
			campaignName: string | null;
			title: string | null;
			queuedAt: string;
			ageSeconds: number;
		} | null;
		expiredLeases: {
			total: number;
			stuck: number;
			alertAfterSeconds: number;
			runs: Array<{
				runId: string;
				campaignId: string;
				campaignName: string | null;
				title: string | null;
				status: RunStatus;
				leaseOwner: string | null;
				leaseExpiredAt: string;
				expiredSeconds: number;
				recoveries: number;
			}>;
		};
		recoveries: {
			total: number;
			recent: Array<{
				eventId: number;
				runId: string;
				campaignId: string;
				campaignName: string | null;
				title: string | null;
				at: string;
				message: string | null;
				previousStatus: string | null;
				leaseOwner: string | null;
				leaseExpiredAt: string | null;
				statusNow: RunStatus;
				recoveries: number;
			}>;
		};
	} | null;
}

/** One request to an AI provider (GET /api/runs/:id/calls). */
export interface AiCall {
	id: number;
	sceneNumber: number | null;
	provider: string;
	purpose: string;
	model: string | null;
	method: string;
	url: string;
	summary: string | null;
	units: number | null;
	unit: string | null;
	taskId: string | null;
	costUsd: number | null;
	latencyMs: number;
	/** HTTP status; 0 = no answer. */
	status: number;
	ok: boolean;
	error: string | null;
	createdAt: string;
}

/** One call with what was sent and what came back (GET /api/runs/:id/calls/:callId). */
export interface AiCallDetail extends AiCall {
	request: unknown;
	response: unknown;
}

/** One change in the audit trail (GET /api/audit). */
export interface AuditEntry {
	id: number;
	at: string;
	userId: string | null;
	actor: string;
	action: string;
	subjectType: 'run' | 'campaign' | 'user' | 'key';
	subjectId: string | null;
	before: unknown;
	after: unknown;
}

/** GET /api/runs/:id/callbacks: what Reelsmith POSTed to the run's callbackUrl, attempt by attempt. */
export interface CallbackDelivery {
	id: string;
	event: string;
	stage: string | null;
	url: string;
	status: 'pending' | 'delivered' | 'undeliverable';
	attempts: number;
	nextAttemptAt: string;
	lastError: string | null;
	deliveredAt: string | null;
	createdAt: string;
	attemptList: Array<{ attemptedAt: string; statusCode: number | null; latencyMs: number | null; error: string | null; madeBy: string }>;
}

/** A line of the users page (GET /api/users). */
export interface AdminUser {
	id: string;
	email: string;
	name: string | null;
	role: 'admin' | 'manager';
	campaignIds: string[];
	lastLoginAt: string | null;
	disabledAt: string | null;
}

/** A dashboard API key (GET /api/keys); the token itself is answered once, when it is made. */
export interface ApiKey {
	id: string;
	name: string;
	prefix: string;
	campaignIds: string[];
	createdBy: string | null;
	createdAt: string;
	lastUsedAt: string | null;
	revokedAt: string | null;
}

/** A row of a batch that was not queued, by its number (and CSV line) and field. */
export interface RowProblem {
	row: number;
	line?: number;
	field: string;
	message: string;
}

export interface BatchLine {
	id: string;
	campaignId: string;
	source: 'csv' | 'json';
	rows: number;
	runs: number;
	done: number;
	failed: number;
	queued: number;
	running: number;
	cancelled: number;
	rejected: RowProblem[];
	exportedAt: string | null;
	createdAt: string;
}

export interface BatchDetail {
	batch: BatchLine;
	runs: Array<RunSummary & { row: number | null }>;
	/** An export being written on the server, or why the last one failed. */
	export: { running: boolean; error: string | null };
}

export interface BatchUploadAnswer {
	batchId: string;
	queued: number;
	rows: number;
	runs: Array<{ row: number; runId: string; queuePosition: number }>;
	rejected: RowProblem[];
}

export type BatchExport = { running: true; message: string } | ({ running: false } & BatchExportDone);

export interface BatchExportDone {
	exportedAt: string;
	videos: number;
	left: Array<{ row: number; runId: string; status: string }>;
	zipBytes: number;
	zipUrl: string;
	manifestUrl: string;
	linksExpireAt: string;
}

/** A voice of GET /api/voices. */
export interface VoiceChoice {
	provider: string;
	id: string;
	name: string;
	languages: string[];
	gender?: string;
}

/** POST /api/voices/preview: the stored preview and a presigned link to play it. */
export interface VoicePreview {
	provider: string;
	voice: string;
	key: string;
	duration: number;
	characters: number;
	cached: boolean;
	cost: { amountUsd: number };
	url: string;
}

/** A campaign's cast (GET /api/campaigns/:id/cast): who and where recur across its runs. */
export interface CastVoice {
	provider: 'espeak' | 'elevenlabs' | 'google';
	voice: string;
	settings?: { stability?: number; similarity?: number; style?: number };
	language?: string;
}
export interface CastCharacter {
	name: string;
	aliases: string[];
	description: string;
	images: string[];
	voice: CastVoice | null;
}
export interface CastSetting {
	name: string;
	aliases: string[];
	description: string;
	image: string | null;
}
export interface Cast {
	characters: CastCharacter[];
	settings: CastSetting[];
}
export interface CastAnswer {
	campaignId: string;
	version: number;
	cast: Cast;
	createdBy: string | null;
	createdAt: string | null;
	/** Image key → a link to show it. */
	images: Record<string, string>;
}
export interface CastVersionLine {
	version: number;
	createdBy: string | null;
	createdAt: string;
	characters: number;
	settings: number;
}
export interface RunCast {
	campaignId: string;
	castVersion: number | null;
	latestVersion: number;
	characters: Array<{ name: string; cast: string }>;
	newCharacters: Array<{ name: string; description: string }>;
	newSettings: Array<{ name: string; description: string }>;
}

/** GET /api/runs/:id/storyboard: each take's scenes with their still (drawn by the local renderer), prompt and cast. */
export interface StoryboardScene {
	number: number;
	heading: string;
	duration: number;
	characters: string[];
	prompt: string | null;
	still: { status: 'drawn' | 'failed' | 'pending'; url: string | null; painter: string | null; error: string | null };
}

export interface Storyboard {
	promptFor: 'kling' | 'runway' | null;
	takes: Array<{ take: number; version: number; chosen: boolean; scenes: StoryboardScene[] }>;
}
