/**
 * The whole Reelsmith stack on one machine: Postgres, object storage, and n8n 2.x (Node 24) with this package loaded
 * as a community package, the credentials created from the settings and the workflows imported and published.
 * Used by `npm start` (initialization/start.ts) and by the end-to-end test.
 *
 *   const stack = await startStack({ dataDir });   // everything up, production webhooks registered
 *   await fetch(`${stack.webhookBase}/reelsmith/runs`, …);
 *   await stack.killN8n('SIGKILL'); await stack.startN8n();   // crash and restart n8n only
 *   await stack.stop();
 *
 * This file wires the steps together; each job has its own file: the package inside n8n's user folder
 * (n8n-package.ts), the credential records (credentials.ts), importing credentials and workflows and publishing the
 * workflows (n8n-import.ts), the environment and CLI of every n8n process (n8n-process.ts), and the n8n server with
 * its log and readiness wait (n8n-server.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join, resolve } from 'node:path';
import { CREDENTIALS, providerKeysFromEnv, type ProviderKeys, type S3Settings } from './credentials';
import { DIST } from './build';
import { ensureInstalled, readJson, REPO_ROOT, type Log } from './install-n8n';
import { migrate } from './migrate';
import { syncN8nContent } from './n8n-import';
import { installPackageIntoN8n } from './n8n-package';
import type { N8nSettings } from './n8n-process';
import { N8nServer, workerRole } from './n8n-server';
import { ensureEncryptionKey, ensureN8nDatabase, n8nDatabaseEnvironment, n8nDatabaseUrl } from './n8n-database';
import {
	DEFAULT_WORKER_CONCURRENCY,
	prepareWorkerFolder,
	queueModeEnvironment,
	queueOptionsFromEnv,
	queuePrefix,
	workerEnvironment,
	type QueueOptions,
} from './n8n-queue';
import { readWorkflowFiles, type WorkflowFile } from './workflow-files';
import { postgresDataDirectory, startEmbeddedPostgres, type LocalPostgres } from './services/postgres';
import { freePort, freePortNear } from './services/ports';
import { startLocalS3, type LocalS3 } from './services/s3';
import { Storage } from '../nodes/shared/transport/storage';

export type { Log } from './install-n8n';
export type { ProviderKeys, S3Settings } from './credentials';
export { ensureInstalled } from './install-n8n';
export { buildPackage } from './build';
export { displayPath, readWorkflowFiles, type WorkflowFile } from './workflow-files';

export const DEFAULT_WORKFLOWS_DIR = join(REPO_ROOT, 'workflows');
export const DEFAULT_BUCKET = 'reelsmith';

export interface StackOptions {
	/** Everything the stack keeps lives here: postgres/, s3/, n8n/ (n8n's user folder), secrets.json, n8n.log. */
	dataDir: string;
	/** n8n's HTTP port; default 5678, or the next free port above it. */
	n8nPort?: number;
	/** Use this Postgres instead of the embedded one (which lives in dataDir/postgres). */
	databaseUrl?: string;
	/** Port of the embedded Postgres; default 54329, or the next free port above it. */
	postgresPort?: number;
	/** Port of the local S3 endpoint (s3rver); default 9000, or the next free port above it. */
	s3Port?: number;
	/** Use this S3 endpoint instead of the local s3rver (which lives in dataDir/s3). The bucket is created if missing. */
	s3?: S3Settings;
	/** Webhook token; default: generated once and kept in dataDir/secrets.json. */
	webhookToken?: string;
	/** Folder of workflow JSON files to import and publish; default <repo>/workflows. */
	workflowsDir?: string;
	/** Progress lines; default console.log. n8n's own output goes to `n8nLog`, not here. */
	log?: Log;
	/** File that receives n8n's output (appended); default dataDir/n8n.log. */
	n8nLog?: string;
	/** Apply seed.sql after the migrations; default true. */
	seed?: boolean;
	/** Import credentials and workflows even when nothing changed since the last start. */
	reimport?: boolean;
	/** Address n8n listens on; default 127.0.0.1. */
	listenAddress?: string;
	/** Extra environment for every n8n process (overrides the defaults below, not the folder/ports). */
	n8nEnv?: Record<string, string>;
	/** Seconds to wait for n8n to be ready; default 180. */
	readyTimeout?: number;
	/**
	 * Keys (and base URLs) of the paid providers. A provider given here gets its n8n credential written with these
	 * values; the others keep what their credential holds (created once with empty keys = not configured).
	 */
	providerKeys?: ProviderKeys;
	/** n8n's queue mode: main plus `workers` n8n worker processes on Redis (default: regular mode, one process). */
	queue?: QueueOptions;
}

export interface Stack {
	/** n8n editor, e.g. http://127.0.0.1:5678 */
	n8nUrl: string;
	/** Production webhook base, e.g. http://127.0.0.1:5678/webhook */
	webhookBase: string;
	databaseUrl: string;
	/** n8n's own database (workflows, credentials, executions): "<store>_n8n" on the same server (n8n-database.ts). */
	n8nDatabaseUrl: string;
	s3: S3Settings;
	webhookToken: string;
	dataDir: string;
	/** Where the embedded Postgres keeps its files (undefined with databaseUrl). Normally dataDir/postgres. */
	postgresDir: string | undefined;
	n8nLogFile: string;
	workflows: WorkflowFile[];
	/** Milliseconds per startup step (only the steps that ran). */
	timings: Record<string, number>;
	/** 'regular' (one n8n process runs everything) or 'queue' (main + workers on Redis). */
	mode: 'regular' | 'queue';
	/** The main n8n process (regular mode: the only one). */
	main: N8nServer;
	/** The n8n worker processes (queue mode); each can be killed and started again. */
	workers: N8nServer[];
	/** Queue mode: the Redis and Bull prefix the installation's queue uses. */
	queue?: { prefix: string; redisDb: number; redis: QueueOptions['redis'] };
	/** An outage of the embedded Postgres: stopped, `downMs` later started again on its port with its data. */
	restartPostgres(downMs?: number): Promise<void>;
	/** An outage of the local object store: stopped, `downMs` later started again on its port with its files. */
	restartObjectStore(downMs?: number): Promise<void>;
	/** Starts n8n (if not running) and waits until the production webhooks are registered. */
	startN8n(): Promise<void>;
	/** Stops n8n: SIGTERM waits for a graceful shutdown; SIGKILL kills n8n and its task runner at once (a crash). */
	killN8n(signal?: NodeJS.Signals): Promise<void>;
	/** Stops n8n, then the object storage and Postgres it started. Safe to call twice. */
	stop(): Promise<void>;
}

/** What a dashboard beside this stack needs to reach it: its database, storage, n8n and webhooks. */
export function dashboardConnection(stack: Stack) {
	return {
		databaseUrl: stack.databaseUrl,
		s3: stack.s3,
		n8nUrl: stack.n8nUrl,
		webhookBase: stack.webhookBase,
		webhookToken: stack.webhookToken,
	};
}

/** Stack settings from the environment (README lists them). Unset variables mean "use the embedded service". */
export function stackOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Omit<StackOptions, 'dataDir'> {
	const options: Omit<StackOptions, 'dataDir'> = {};
	if (env.DATABASE_URL) options.databaseUrl = env.DATABASE_URL;
	if (env.S3_ENDPOINT) {
		if (!env.S3_ACCESS_KEY || !env.S3_SECRET_KEY) {
			throw new Error('S3_ENDPOINT is set but S3_ACCESS_KEY or S3_SECRET_KEY is missing. Set all three, or none for the local store.');
		}
		options.s3 = {
			endpoint: env.S3_ENDPOINT,
			accessKey: env.S3_ACCESS_KEY,
			secretKey: env.S3_SECRET_KEY,
			bucket: env.S3_BUCKET || DEFAULT_BUCKET,
			region: env.S3_REGION || 'us-east-1',
			forcePathStyle: env.S3_FORCE_PATH_STYLE ? env.S3_FORCE_PATH_STYLE !== 'false' : true,
		};
	}
	if (env.REELSMITH_WEBHOOK_TOKEN) options.webhookToken = env.REELSMITH_WEBHOOK_TOKEN;
	if (env.N8N_PORT) options.n8nPort = Number(env.N8N_PORT);
	if (env.N8N_LISTEN_ADDRESS) options.listenAddress = env.N8N_LISTEN_ADDRESS;
	if (env.REELSMITH_REIMPORT === '1' || env.REELSMITH_REIMPORT === 'true') options.reimport = true;
	options.queue = queueOptionsFromEnv(env);
	options.providerKeys = providerKeysFromEnv(env);
	return options;
}

// ───────────────────────────── helpers ─────────────────────────────

function since(started: number): number {
	return Date.now() - started;
}

/** The webhook token: given, else generated once and kept (0600) in dataDir/secrets.json. */
async function resolveWebhookToken(dataDir: string, given?: string): Promise<string> {
	if (given) return given;
	const file = join(dataDir, 'secrets.json');
	const secrets = (await readJson<{ webhookToken?: string }>(file)) ?? {};
	if (secrets.webhookToken) return secrets.webhookToken;
	secrets.webhookToken = randomBytes(24).toString('base64url');
	await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
	await chmod(file, 0o600);
	return secrets.webhookToken;
}

// ───────────────────────────── the stack ─────────────────────────────

/**
 * Brings the stack up: services, migrations + seed, the package inside n8n, credentials, workflows, n8n.
 * Expects n8n installed and the package built (see ensureInstalled / buildPackage, which start.ts runs first).
 * On failure, everything already started is stopped again before the error is thrown.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
	const log = options.log ?? console.log;
	const dataDir = options.dataDir;
	const timings: Record<string, number> = {};
	const cleanups: (() => Promise<void>)[] = [];
	const stopAll = async () => {
		for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error) => log(`[stack] while stopping: ${error.message}`));
	};
	try {
		const install = await ensureInstalled(log);
		if (!existsSync(join(DIST, 'package.json')) && !existsSync(join(DIST, 'nodes'))) {
			throw new Error('The package is not built (dist/ is missing). Run buildPackage() first.');
		}
		await mkdir(dataDir, { recursive: true });
		const workflowsDir = options.workflowsDir ?? DEFAULT_WORKFLOWS_DIR;
		const workflows = await readWorkflowFiles(workflowsDir);

		// Postgres
		let started = Date.now();
		let databaseUrl = options.databaseUrl;
		let postgresDir: string | undefined;
		let postgres: LocalPostgres | undefined;
		if (!databaseUrl) {
			postgresDir = await postgresDataDirectory(dataDir);
			if (!postgresDir.startsWith(resolve(dataDir))) {
				await mkdir(dirname(dirname(postgresDir)), { recursive: true, mode: 0o755 });
				log(`[stack] the postgres user cannot reach ${dataDir}; Postgres data lives in ${postgresDir} instead.`);
			}
			postgres = await startEmbeddedPostgres({ directory: postgresDir, port: options.postgresPort });
			cleanups.push(() => postgres!.stop());
			databaseUrl = postgres.url;
		}
		timings.postgres = since(started);
		started = Date.now();
		const applied = await migrate(databaseUrl, { seed: options.seed ?? true });
		if (applied.length) log(`[stack] migrations applied: ${applied.join(', ')}`);
		timings.migrate = since(started);

		// Object storage
		started = Date.now();
		let s3 = options.s3;
		let local: LocalS3 | undefined;
		if (!s3) {
			local = await startLocalS3({ directory: join(dataDir, 's3'), port: options.s3Port ?? (await freePortNear(9000)) });
			cleanups.push(() => local!.stop());
			s3 = { endpoint: local.endpoint, accessKey: local.accessKey, secretKey: local.secretKey, bucket: DEFAULT_BUCKET, region: 'us-east-1', forcePathStyle: true };
		}
		await new Storage({ ...s3, forcePathStyle: s3.forcePathStyle ?? true }).ensureBucket();
		timings.objectStorage = since(started);

		// n8n
		const webhookToken = await resolveWebhookToken(dataDir, options.webhookToken);
		const userFolder = join(dataDir, 'n8n');
		await mkdir(userFolder, { recursive: true });
		const port = options.n8nPort ?? (await freePortNear(5678));
		let brokerPort = await freePort();
		while (brokerPort === port) brokerPort = await freePort();
		// n8n's own database on Postgres in both modes (n8n-database.ts); queue mode adds the shared queue settings.
		const n8nDatabase = await ensureN8nDatabase(databaseUrl, userFolder, log);
		const encryptionKey = await ensureEncryptionKey(userFolder);
		const queue = options.queue;
		let prefix: string | undefined;
		let n8nEnv: Record<string, string> = { ...n8nDatabaseEnvironment(n8nDatabase), N8N_ENCRYPTION_KEY: encryptionKey };
		if (queue) {
			prefix = queuePrefix(queue, resolve(dataDir));
			n8nEnv = queueModeEnvironment({ redis: queue.redis, prefix }, n8nDatabase, encryptionKey);
		}
		const settings: N8nSettings = {
			install,
			userFolder,
			port,
			brokerPort,
			listenAddress: options.listenAddress ?? '127.0.0.1',
			extraEnv: { ...n8nEnv, ...options.n8nEnv },
		};
		started = Date.now();
		await installPackageIntoN8n(userFolder, log);
		timings.installPackage = since(started);
		await syncN8nContent(
			settings,
			{
				credentials: { databaseUrl, s3, webhookToken },
				providerKeys: options.providerKeys ?? {},
				workflowsDir,
				workflows,
				// The embedded Postgres is this data dir's own, whatever port it got this time.
				n8nDatabase: postgresDir ? `embedded:${n8nDatabase.database}` : `postgres:${n8nDatabase.host}:${n8nDatabase.port}/${n8nDatabase.database}`,
				n8nDatabaseCreated: n8nDatabase.created,
			},
			options.reimport ?? false,
			log,
			timings,
		);

		const n8nLogFile = options.n8nLog ?? join(dataDir, 'n8n.log');
		const server = new N8nServer(settings, n8nLogFile, workflows, (options.readyTimeout ?? 180) * 1000, log);
		cleanups.push(() => server.stop('SIGTERM'));
		started = Date.now();
		log(`[stack] starting n8n (output in ${n8nLogFile}) …`);
		await server.start();
		timings.n8n = since(started);

		const workers: N8nServer[] = [];
		if (queue) {
			started = Date.now();
			for (let index = 1; index <= queue.workers; index++) {
				const workerFolder = join(dataDir, 'n8n-workers', String(index));
				await prepareWorkerFolder(userFolder, workerFolder);
				const taken = new Set([port, brokerPort]);
				const ports: number[] = [];
				while (ports.length < 2) {
					const candidate = await freePort();
					if (!taken.has(candidate)) ports.push(candidate), taken.add(candidate);
				}
				const workerSettings: N8nSettings = {
					...settings,
					userFolder: workerFolder,
					brokerPort: ports[0],
					extraEnv: { ...settings.extraEnv, ...workerEnvironment(ports[1]) },
				};
				const logFile = join(dataDir, `n8n-worker-${index}.log`);
				const role = workerRole(index, queue.concurrency ?? DEFAULT_WORKER_CONCURRENCY);
				workers.push(new N8nServer(workerSettings, logFile, workflows, (options.readyTimeout ?? 180) * 1000, log, role));
			}
			cleanups.push(() => Promise.all(workers.map((worker) => worker.stop('SIGTERM'))).then(() => undefined));
			log(`[stack] starting ${workers.length} n8n worker(s) (queue prefix ${prefix}, Redis db ${queue.redis.db}) …`);
			await Promise.all(workers.map((worker) => worker.start()));
			timings.workers = since(started);
		}

		const host = settings.listenAddress === '0.0.0.0' || settings.listenAddress === '::' ? '127.0.0.1' : settings.listenAddress;
		const n8nUrl = `http://${host}:${port}`;
		return {
			n8nUrl,
			webhookBase: `${n8nUrl}/webhook`,
			databaseUrl,
			n8nDatabaseUrl: n8nDatabaseUrl(databaseUrl),
			s3,
			webhookToken,
			dataDir,
			postgresDir,
			n8nLogFile,
			workflows,
			timings,
			mode: queue ? 'queue' : 'regular',
			main: server,
			workers,
			queue: queue && prefix ? { prefix, redisDb: queue.redis.db, redis: queue.redis } : undefined,
			async restartPostgres(downMs = 0) {
				if (!postgres || !postgresDir) throw new Error('restartPostgres: this stack uses an outside Postgres (databaseUrl).');
				const port = Number(new URL(postgres.url).port);
				await postgres.stop();
				await sleep(downMs);
				postgres = await startEmbeddedPostgres({ directory: postgresDir, port });
			},
			async restartObjectStore(downMs = 0) {
				if (!local) throw new Error('restartObjectStore: this stack uses an outside S3 endpoint (s3).');
				const port = Number(new URL(local.endpoint).port);
				await local.stop();
				await sleep(downMs);
				local = await startLocalS3({ directory: join(dataDir, 's3'), port });
			},
			startN8n: () => server.start(),
			killN8n: (signal?: NodeJS.Signals) => server.stop(signal ?? 'SIGTERM'),
			stop: stopAll,
		};
	} catch (error) {
		await stopAll();
		throw error;
	}
}

export { CREDENTIALS };
