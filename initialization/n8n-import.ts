/**
 * Credentials and workflows into n8n through its CLI: import the credentials (Reelsmith's and the paid providers', one
 * call), import the workflows (one call for the folder) and publish each one, each step only when its input changed
 * since the last successful start (a digest in reelsmith-state.json).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { credentialRecords, paidCredentialRecords, withCredentialsFile, type ProviderKeys } from './credentials';
import { readJson, type Log } from './install-n8n';
import { runN8nCommand, type N8nSettings } from './n8n-process';
import { displayPath, type WorkflowFile } from './workflow-files';

function since(started: number): number {
	return Date.now() - started;
}

function sha256(text: string | Buffer): string {
	return createHash('sha256').update(text).digest('hex');
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

interface SyncState {
	/** n8n's database the content went into ('embedded:<db>', 'postgres:host:port/db'; 'sqlite' before n8n moved to Postgres). */
	database?: string;
	credentials?: string;
	workflows?: string;
	/** Per paid provider: 'empty' (created without a key) or the digest of the keys last written from the environment. */
	paid?: Record<string, string>;
}

/**
 * Imports the credentials and the workflows, and publishes every workflow, when they changed since the last
 * successful start (or `force`). Each n8n CLI call boots n8n (~3 s), so skipping unchanged ones keeps warm starts fast.
 */
export async function syncN8nContent(
	settings: N8nSettings,
	content: {
		credentials: Parameters<typeof credentialRecords>[0];
		providerKeys: ProviderKeys;
		workflowsDir: string;
		workflows: WorkflowFile[];
		/** Which database n8n uses (see SyncState.database). */
		n8nDatabase: string;
		/** The database was just created (empty): import everything whatever the state file says. */
		n8nDatabaseCreated: boolean;
	},
	force: boolean,
	log: Log,
	timings: Record<string, number>,
): Promise<void> {
	const n8nFolder = join(settings.userFolder, '.n8n');
	const stateFile = join(n8nFolder, 'reelsmith-state.json');
	const saved = content.n8nDatabaseCreated ? undefined : await readJson<SyncState>(stateFile);
	// Another database (another server, or the SQLite file of earlier versions) starts empty: import everything.
	const sameDatabase = (saved?.database ?? 'sqlite') === content.n8nDatabase;
	if (saved && !sameDatabase && (saved.database ?? 'sqlite') === 'sqlite' && existsSync(join(n8nFolder, 'database.sqlite'))) {
		log(
			`[stack] n8n's database is now Postgres (${content.n8nDatabase.replace(/^(postgres|embedded):/, '')}); importing the credentials and workflows into it. ${displayPath(join(n8nFolder, 'database.sqlite'))} (the SQLite database of earlier versions: executions, editor changes, keys typed in the editor) is no longer used.`,
		);
	}
	const state: SyncState = (!force && sameDatabase && saved) || {};
	state.database = content.n8nDatabase;
	// Even a forced re-import must not blank the keys a user typed in: what was written stays known (in that database).
	if (saved?.paid && sameDatabase) state.paid = saved.paid;
	const saveState = async () => {
		await mkdir(n8nFolder, { recursive: true });
		await writeFile(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
	};

	// A digest (never the values) tells whether the credentials changed, e.g. a new embedded Postgres port.
	const credentialsDigest = sha256(JSON.stringify(credentialRecords(content.credentials)));
	const base = state.credentials !== credentialsDigest ? credentialRecords(content.credentials) : [];
	// Paid provider credentials: created once (empty keys unless the environment gives them), then written again
	// only when the environment gives different keys, so keys typed into the n8n UI survive the next start.
	const paid = paidCredentialRecords(content.providerKeys).filter(({ provider, fromEnvironment, record }) => {
		const written = state.paid?.[provider];
		if (written === undefined) return true;
		return fromEnvironment && written !== sha256(JSON.stringify(record.data));
	});
	if (base.length || paid.length) {
		const started = Date.now();
		const names = [
			...base.map((record) => record.name),
			...paid.map(({ record, fromEnvironment }) => `${record.name}${fromEnvironment ? ' (keys from the environment)' : ' (no key yet)'}`),
		];
		log(`[stack] writing the n8n credentials: ${names.join(', ')} …`);
		// One file, one CLI call: each call boots n8n.
		await withCredentialsFile(settings.userFolder, { records: [...base, ...paid.map(({ record }) => record)] }, (file) =>
			runN8nCommand(settings, ['import:credentials', `--input=${file}`]),
		);
		if (base.length) {
			state.credentials = credentialsDigest;
			timings.credentials = since(started);
		}
		if (paid.length) {
			state.paid = { ...state.paid };
			for (const { provider, fromEnvironment, record } of paid) {
				state.paid[provider] = fromEnvironment ? sha256(JSON.stringify(record.data)) : 'empty';
			}
			timings.paidCredentials = since(started);
		}
		await saveState();
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
		// publish:workflow takes one --id (n8n 2.40 refuses --all, and import's --activeState=fromJson needs queue
		// mode), so it is one boot per workflow. Three at a time: 2 or 3 took the same, 6 or 11 longer (2 cores, busy).
		await inBatches(content.workflows, 3, async (workflow) => {
			try {
				await runN8nCommand(settings, ['publish:workflow', `--id=${workflow.id}`]);
			} catch (error) {
				// One retry, alone, in case two processes raced on the same rows.
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
