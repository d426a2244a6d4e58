/**
 * The System view and the health endpoint: is n8n working through the runs, and is anything stuck?
 *
 *   GET /api/system  (admins)   n8n's queue and workers (Redis), runs by state, the oldest queued run, runs whose
 *                               lease expired and what the watchdog did about them (its recovery events)
 *   GET /api/health  (no login) the same figures without ids or names, and the checks of Postgres, the bucket and
 *                               Redis: 200 when healthy, 503 when a dependency is down, no n8n worker is online in
 *                               queue mode, or a run's lease expired longer ago than the alert threshold
 *
 * Everything here spans all campaigns, so the System view is for admins: a manager sees only their own campaigns'
 * runs everywhere else in the dashboard.
 */
import { Hono } from 'hono';
import { RECOVERY_REASON } from '../../nodes/shared/store/lease';
import { RUN_STATUSES, type RunStatus } from '../../nodes/shared/store/runState';
import { requireAdmin } from './auth';
import * as z from 'zod/v4';
import type { AppEnv, Deps } from './context';
import { describeRoute } from './openapi';
import { N8N_QUEUE, redisDown, withTimeout, type QueueCounts, type QueueReading, type QueueWorker } from './n8nQueue';

/** REELSMITH_HEALTH_EXPIRED_LEASE_SECONDS when unset: five lease lengths (60 s) and watchdog rounds. */
export const DEFAULT_EXPIRED_LEASE_ALERT_SECONDS = 300;
/** No check waits longer: a monitoring probe gets its answer even when Postgres or the bucket hangs. */
const CHECK_TIMEOUT_MS = 3_000;
const LEASES_SHOWN = 50;
const RECOVERIES_SHOWN = 20;

/** REELSMITH_HEALTH_EXPIRED_LEASE_SECONDS: how long a lease may stay expired before /api/health answers 503. */
export function expiredLeaseAlertSetting(env: NodeJS.ProcessEnv = process.env): number {
	const raw = env.REELSMITH_HEALTH_EXPIRED_LEASE_SECONDS?.trim();
	if (!raw) return DEFAULT_EXPIRED_LEASE_ALERT_SECONDS;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < 0) {
		throw new Error(
			`REELSMITH_HEALTH_EXPIRED_LEASE_SECONDS must be a whole number of seconds (got "${raw}"), or unset for ${DEFAULT_EXPIRED_LEASE_ALERT_SECONDS}.`,
		);
	}
	return value;
}

// One round trip. Expired leases read the partial index of migration 005 (runs_lease_idx); recoveries start from the
// runs the watchdog recovered at least once (runs.recoveries) and read only their events, through events_run_idx.
// $1 = how long ago a lease must have expired to count as stuck (seconds), $2/$3 = how many leases / recoveries.
export const SYSTEM_SQL = `
	select
	  (select coalesce(json_object_agg(status, n), '{}') from (select status, count(*)::int as n from runs group by status) s) as by_status,
	  (select row_to_json(q) from (
	      select r.id, r.campaign_id, c.name as campaign_name, r.request->>'title' as title, r.queued_at,
	             extract(epoch from now() - r.queued_at)::float8 as age
	        from runs r left join campaigns c on c.id = r.campaign_id
	       where r.status = 'queued' order by r.queued_at, r.id limit 1) q) as oldest_queued,
	  (select count(*)::int from runs where status in ('starting', 'running') and lease_expires_at <= now()) as expired_total,
	  (select count(*)::int from runs where status in ('starting', 'running')
	      and lease_expires_at <= now() - make_interval(secs => $1)) as expired_stuck,
	  (select json_agg(l order by l.lease_expires_at) from (
	      select r.id, r.campaign_id, c.name as campaign_name, r.request->>'title' as title, r.status, r.lease_owner,
	             r.lease_expires_at, extract(epoch from now() - r.lease_expires_at)::float8 as expired_for, r.recoveries
	        from runs r left join campaigns c on c.id = r.campaign_id
	       where r.status in ('starting', 'running') and r.lease_expires_at <= now()
	       order by r.lease_expires_at limit $2) l) as expired,
	  (select coalesce(sum(recoveries), 0)::int from runs where recoveries > 0) as recoveries_total,
	  (select json_agg(x order by x.created_at desc, x.id desc) from (
	      select e.id, r.id as run_id, e.created_at, e.message, e.data, r.status, r.recoveries, r.campaign_id,
	             c.name as campaign_name, r.request->>'title' as title
	        from runs r
	        cross join lateral (
	          select id, created_at, message, data from events
	           where run_id = r.id and stage = 'run' and status = 'queued' and data->>'reason' = '${RECOVERY_REASON}'
	           order by created_at desc, id desc limit $3) e
	        left join campaigns c on c.id = r.campaign_id
	       where r.recoveries > 0
	       order by e.created_at desc, e.id desc limit $3) x) as recoveries`;

/** JSON timestamps come back as Postgres text; the API speaks ISO 8601. */
const jsonTime = (value: unknown) => (value ? new Date(String(value)).toISOString() : null);
const wholeSeconds = (value: unknown) => (value == null ? null : Math.max(0, Math.floor(Number(value))));

export interface RunsOverview {
	byStatus: Record<RunStatus, number>;
	/** Runs holding a slot (starting + running), against maxRunning. */
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
		/** Expired longer ago than the alert threshold. */
		stuck: number;
		alertAfterSeconds: number;
		runs: Array<{
			runId: string;
			campaignId: string;
			campaignName: string | null;
			title: string | null;
			status: string;
			leaseOwner: string | null;
			leaseExpiredAt: string;
			expiredSeconds: number;
			recoveries: number;
		}>;
	};
	recoveries: {
		/** Every recovery so far (the sum of runs.recoveries). */
		total: number;
		/** The latest recovery events, newest first, with the run's status now. */
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
			statusNow: string;
			recoveries: number;
		}>;
	};
}

export async function runsOverview(deps: Deps, alertAfterSeconds: number): Promise<RunsOverview> {
	const { rows } = await deps.db.query(SYSTEM_SQL, [alertAfterSeconds, LEASES_SHOWN, RECOVERIES_SHOWN]);
	const row = rows[0];
	const byStatus = Object.fromEntries(RUN_STATUSES.map((status) => [status, Number(row.by_status?.[status] ?? 0)])) as Record<RunStatus, number>;
	const oldest = row.oldest_queued;
	return {
		byStatus,
		running: byStatus.starting + byStatus.running,
		maxRunning: deps.maxRunning,
		oldestQueued: oldest
			? {
					runId: oldest.id,
					campaignId: oldest.campaign_id,
					campaignName: oldest.campaign_name,
					title: oldest.title,
					queuedAt: jsonTime(oldest.queued_at)!,
					ageSeconds: wholeSeconds(oldest.age)!,
				}
			: null,
		expiredLeases: {
			total: row.expired_total,
			stuck: row.expired_stuck,
			alertAfterSeconds,
			runs: (row.expired ?? []).map((l: Record<string, any>) => ({
				runId: l.id,
				campaignId: l.campaign_id,
				campaignName: l.campaign_name,
				title: l.title,
				status: l.status,
				leaseOwner: l.lease_owner,
				leaseExpiredAt: jsonTime(l.lease_expires_at)!,
				expiredSeconds: wholeSeconds(l.expired_for)!,
				recoveries: l.recoveries,
			})),
		},
		recoveries: {
			total: row.recoveries_total,
			recent: (row.recoveries ?? []).map((e: Record<string, any>) => ({
				eventId: Number(e.id),
				runId: e.run_id,
				campaignId: e.campaign_id,
				campaignName: e.campaign_name,
				title: e.title,
				at: jsonTime(e.created_at)!,
				message: e.message,
				previousStatus: e.data?.previousStatus ?? null,
				leaseOwner: e.data?.leaseOwner ?? null,
				leaseExpiredAt: jsonTime(e.data?.leaseExpiredAt),
				statusNow: e.status,
				recoveries: e.recoveries,
			})),
		},
	};
}

export interface N8nOverview {
	mode: 'queue' | 'regular';
	/** Where the dashboard reads n8n's queue (host:port/db, no password), its key prefix and queue name; null in regular mode. */
	redis: {
		address: string;
		prefix: string;
		queue: string;
		ok: boolean;
		error: string | null;
		ms: number;
	} | null;
	queue: QueueCounts | null;
	workers: { online: number; list: QueueWorker[] } | null;
	/** Why workers could not be counted although Redis answered (CLIENT LIST refused). */
	workersError: string | null;
}

function n8nOverview(deps: Deps, reading: QueueReading | null): N8nOverview {
	const settings = deps.queue.settings;
	if (!settings || !reading)
		return {
			mode: 'regular',
			redis: null,
			queue: null,
			workers: null,
			workersError: null,
		};
	const redis = {
		address: deps.queue.address!,
		prefix: settings.prefix,
		queue: N8N_QUEUE,
		ok: reading.ok,
		error: reading.ok ? null : reading.error,
		ms: reading.ms,
	};
	if (!reading.ok)
		return {
			mode: 'queue',
			redis,
			queue: null,
			workers: null,
			workersError: null,
		};
	return {
		mode: 'queue',
		redis,
		queue: reading.counts,
		workers: reading.workers ? { online: reading.workers.length, list: reading.workers } : null,
		workersError: reading.workersError,
	};
}

/** The queue's figures, or a failed reading once CHECK_TIMEOUT_MS has passed (connect and each command are bounded too). */
async function readQueue(deps: Deps): Promise<QueueReading | null> {
	const reading = deps.queue.read();
	if (!reading) return null;
	const started = Date.now();
	return withTimeout(reading, CHECK_TIMEOUT_MS, `no answer within ${CHECK_TIMEOUT_MS / 1000} s`).catch((error: Error) => ({
		ok: false as const,
		ms: Date.now() - started,
		error: redisDown(deps.queue.address!, error.message),
	}));
}

interface Check {
	ok: boolean;
	ms: number;
	error: string | null;
}

async function check(what: Promise<unknown>, timeoutMessage: string, describe: (error: Error) => string): Promise<Check> {
	const started = Date.now();
	try {
		await withTimeout(what, CHECK_TIMEOUT_MS, timeoutMessage);
		return { ok: true, ms: Date.now() - started, error: null };
	} catch (error) {
		return {
			ok: false,
			ms: Date.now() - started,
			error: describe(error as Error),
		};
	}
}

export interface SystemStatus {
	status: 'ok' | 'down';
	/** In words, one line each: what is wrong and what to do. Empty when healthy. */
	problems: string[];
	checkedAt: string;
	checks: {
		postgres: Check;
		storage: Check & { bucket: string };
		redis: (Check & { address: string }) | null;
	};
	n8n: N8nOverview;
	/** Null when Postgres did not answer. */
	runs: RunsOverview | null;
}

/** Every check at once, each bounded by CHECK_TIMEOUT_MS, and the verdict. */
export async function systemStatus(deps: Deps): Promise<SystemStatus> {
	const alertAfter = deps.expiredLeaseAlertSeconds;
	let runs: RunsOverview | null = null;
	const [postgres, storage, reading] = await Promise.all([
		check(
			runsOverview(deps, alertAfter).then((overview) => (runs = overview)),
			`no answer within ${CHECK_TIMEOUT_MS / 1000} s`,
			(error) => `Postgres does not answer (${error.message}). Check that the database runs and DATABASE_URL points at it.`,
		),
		check(
			deps.storage.client.bucketExists(deps.storage.bucket).then((exists) => {
				if (!exists) throw new Error(`the bucket "${deps.storage.bucket}" does not exist`);
			}),
			`no answer within ${CHECK_TIMEOUT_MS / 1000} s`,
			(error) => `Object storage is not reachable (${error.message}). Check that the S3 endpoint runs and S3_* name it and the bucket.`,
		),
		readQueue(deps),
	]);
	const n8n = n8nOverview(deps, reading);
	const redis = reading
		? {
				ok: reading.ok,
				ms: reading.ms,
				error: reading.ok ? null : reading.error,
				address: deps.queue.address!,
			}
		: null;

	const problems: string[] = [];
	if (!postgres.ok) problems.push(postgres.error!);
	if (!storage.ok) problems.push(storage.error!);
	if (redis && !redis.ok) problems.push(redis.error!);
	if (n8n.workers && n8n.workers.online === 0) {
		problems.push(
			`No n8n worker is online (queue "${N8N_QUEUE}", prefix "${n8n.redis!.prefix}"): queued executions wait until one starts. Start \`n8n worker\` with the same QUEUE_BULL_* settings.`,
		);
	}
	const overview = runs as RunsOverview | null;
	if (overview && overview.expiredLeases.stuck > 0) {
		const { stuck, alertAfterSeconds } = overview.expiredLeases;
		problems.push(
			`${stuck} run${stuck === 1 ? '' : 's'} still hold${stuck === 1 ? 's' : ''} a slot ${alertAfterSeconds} s or more after ${stuck === 1 ? 'its' : 'their'} lease expired: the watchdog workflow is not recovering them. Check that it is published and that n8n runs.`,
		);
	}
	return {
		status: problems.length ? 'down' : 'ok',
		problems,
		checkedAt: new Date().toISOString(),
		checks: {
			postgres,
			storage: { ...storage, bucket: deps.storage.bucket },
			redis,
		},
		n8n,
		runs: overview,
	};
}

/** GET /api/health: no login, nothing that names a run, a campaign, a host of a worker or a secret. */
const checkSchema = z.object({
	ok: z.boolean(),
	ms: z.number(),
	error: z.string().nullable(),
});
const healthSchema = z.object({
	status: z.enum(['ok', 'down']),
	problems: z.array(z.string()),
	checkedAt: z.string(),
	checks: z.object({
		postgres: checkSchema,
		storage: checkSchema.extend({ bucket: z.string() }),
		redis: checkSchema.extend({ address: z.string() }).nullable(),
	}),
	n8n: z.object({
		mode: z.enum(['queue', 'regular']),
		queue: z.record(z.string(), z.number()).nullable(),
		workersOnline: z.number().int().nullable(),
	}),
	runs: z
		.object({
			byStatus: z.record(z.string(), z.number().int()),
			running: z.number().int(),
			maxRunning: z.number().int(),
		})
		.loose()
		.nullable(),
});
const HEALTHY = {
	status: 'ok',
	problems: [],
	checkedAt: '2026-12-01T09:30:00.000Z',
	checks: {
		postgres: { ok: true, ms: 3, error: null },
		storage: { ok: true, ms: 5, error: null, bucket: 'reelsmith' },
		redis: null,
	},
	n8n: { mode: 'regular', queue: null, workersOnline: null },
	runs: {
		byStatus: { queued: 1, running: 1, completed: 9 },
		running: 1,
		maxRunning: 2,
		expiredLeases: 0,
	},
};

export function healthRoutes(deps: Deps) {
	const app = new Hono<AppEnv>();
	app.get(
		'/',
		describeRoute({
			tag: 'Health',
			access: 'public',
			summary: 'Health of the dashboard and its dependencies, for monitoring',
			description:
				'No ids, names or secrets. 503 when Postgres, the bucket or Redis is down, no n8n worker is online in queue mode, or a lease expired past the alert.',
			responses: {
				200: {
					description: 'Healthy.',
					schema: healthSchema,
					example: HEALTHY,
				},
				503: {
					description: 'Something is wrong: `problems` says what and what to do.',
					schema: healthSchema,
					example: {
						...HEALTHY,
						status: 'down',
						problems: ['Object storage is not reachable (connect ECONNREFUSED). Check that the S3 endpoint runs and S3_* name it and the bucket.'],
					},
				},
			},
		}),
		async (c) => {
			const system = await systemStatus(deps);
			const runs = system.runs;
			c.header('cache-control', 'no-store');
			return c.json(
				{
					status: system.status,
					problems: system.problems,
					checkedAt: system.checkedAt,
					checks: system.checks,
					n8n: {
						mode: system.n8n.mode,
						queue: system.n8n.queue,
						workersOnline: system.n8n.workers?.online ?? null,
					},
					runs: runs && {
						byStatus: runs.byStatus,
						running: runs.running,
						maxRunning: runs.maxRunning,
						oldestQueuedSeconds: runs.oldestQueued?.ageSeconds ?? null,
						expiredLeases: runs.expiredLeases.total,
						expiredLeasesStuck: runs.expiredLeases.stuck,
						oldestExpiredLeaseSeconds: runs.expiredLeases.runs[0]?.expiredSeconds ?? null,
						expiredLeaseAlertSeconds: runs.expiredLeases.alertAfterSeconds,
						recoveries: runs.recoveries.total,
						lastRecoveryAt: runs.recoveries.recent[0]?.at ?? null,
					},
				},
				system.status === 'ok' ? 200 : 503,
			);
		},
	);
	return app;
}

/** GET /api/system: the System view (admins). */
export function systemRoutes(deps: Deps) {
	const app = new Hono<AppEnv>();
	app.get(
		'/',
		describeRoute({
			tag: 'Health',
			access: 'admin',
			summary: "The System view: n8n's queue and workers, runs by state, expired leases, recoveries",
			responses: {
				200: {
					description: 'The figures, with ids and names.',
					schema: z
						.object({
							status: z.enum(['ok', 'down']),
							problems: z.array(z.string()),
						})
						.loose(),
				},
			},
		}),
		async (c) => {
			requireAdmin(c);
			return c.json(await systemStatus(deps));
		},
	);
	return app;
}
