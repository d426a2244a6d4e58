/**
 * The `init` service of docker-compose.yml: runs once before n8n main and worker start.
 *   1. creates the Reelsmith database when missing, applies the migrations and the seed (initialization/migrate.ts);
 *   2. creates the three n8n credentials from the environment (same ids as npm start: initialization/credentials.ts),
 *      and the paid provider credentials: written from the environment when it has their keys, else created once with
 *      empty keys (= offline providers) so keys typed into the n8n UI survive the next deploy;
 *   3. imports every workflows/*.json and publishes it (skip with REELSMITH_IMPORT_WORKFLOWS=false, e.g. when the
 *      workflows are edited in the n8n editor and must not be overwritten on the next deploy).
 * Compiled to JavaScript in the image (see Dockerfile) and run with the image's Node and `n8n` command.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { readFile, rm } from 'node:fs/promises';
import { paidCredentialRecords, providerKeysFromEnv, withCredentialsFile, type S3Settings } from '../credentials';
import { migrate } from '../migrate';
import { readWorkflowFiles } from '../workflow-files';

const WORKFLOWS_DIR = process.env.REELSMITH_WORKFLOWS_DIR || join(__dirname, '..', '..', 'workflows');

function required(name: string): string {
	const value = process.env[name];
	if (!value || value === 'CHANGE_ME') {
		throw new Error(`${name} is not set (or still CHANGE_ME). Set it in .env; see initialization/docker/.env.example.`);
	}
	return value;
}

function n8n(args: string[]): Promise<void> {
	return new Promise((resolvePromise, reject) => {
		const child = spawn('n8n', args, { stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
		child.on('error', reject);
		child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`n8n ${args[0]} failed (exit ${code}).`))));
	});
}

/** Ids of the credentials n8n already has (`export:credentials` exits 1 with no file when there are none). */
async function existingCredentialIds(): Promise<Set<string>> {
	const file = join(tmpdir(), `reelsmith-existing-${process.pid}.json`);
	try {
		await n8n(['export:credentials', '--all', `--output=${file}`]);
		const records = JSON.parse(await readFile(file, 'utf8')) as { id?: string }[];
		return new Set(records.map((record) => String(record.id)));
	} catch {
		return new Set();
	} finally {
		await rm(file, { force: true });
	}
}

/** Postgres may still be starting even when its health check passed once; retry for a minute. */
async function connectWithRetry(url: string): Promise<Client> {
	const deadline = Date.now() + 60_000;
	for (;;) {
		const client = new Client({ connectionString: url });
		try {
			await client.connect();
			return client;
		} catch (error) {
			await client.end().catch(() => {});
			if (Date.now() > deadline) throw error;
			await new Promise((resolve) => setTimeout(resolve, 2000));
		}
	}
}

async function ensureDatabase(databaseUrl: string): Promise<void> {
	const url = new URL(databaseUrl);
	const name = decodeURIComponent(url.pathname.slice(1));
	url.pathname = '/postgres';
	const client = await connectWithRetry(url.toString());
	try {
		const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
		if (!exists.rowCount) {
			// Identifiers cannot be bound as parameters; quote it the way Postgres does.
			await client.query(`create database "${name.replace(/"/g, '""')}"`);
			console.log(`[init] created database ${name}`);
		}
	} finally {
		await client.end();
	}
}

async function main(): Promise<void> {
	// docker-compose.yml leaves unset secrets empty; refuse to set anything up with them (n8n waits for init).
	const secrets = (process.env.REELSMITH_REQUIRED_SECRETS ?? '').split(',').filter(Boolean);
	const missing = secrets.filter((name) => !process.env[name] || process.env[name] === 'CHANGE_ME');
	if (missing.length) {
		throw new Error(`Missing secrets: ${missing.join(', ')}. Set them in .env (see initialization/docker/.env.example).`);
	}
	const databaseUrl = required('DATABASE_URL');
	if (process.env.REELSMITH_CREATE_DATABASE !== 'false') await ensureDatabase(databaseUrl);
	const applied = await migrate(databaseUrl, { seed: true });
	console.log(`[init] migrations: ${applied.length ? applied.join(', ') : 'up to date'}`);

	const s3: S3Settings = {
		endpoint: required('S3_ENDPOINT'),
		accessKey: required('S3_ACCESS_KEY'),
		secretKey: required('S3_SECRET_KEY'),
		bucket: process.env.S3_BUCKET || 'reelsmith',
		region: process.env.S3_REGION || 'us-east-1',
		forcePathStyle: process.env.S3_FORCE_PATH_STYLE !== 'false',
	};
	const webhookToken = required('REELSMITH_WEBHOOK_TOKEN');
	// The container's own temp folder; the file is 0600 and removed right after the import.
	await withCredentialsFile(join(tmpdir(), 'reelsmith-init'), { databaseUrl, s3, webhookToken }, (file) =>
		n8n(['import:credentials', `--input=${file}`]),
	);
	console.log('[init] credentials: Reelsmith Postgres, Reelsmith S3, Reelsmith Webhook Token');

	const existing = await existingCredentialIds();
	const paid = paidCredentialRecords(providerKeysFromEnv()).filter(
		({ fromEnvironment, record }) => fromEnvironment || !existing.has(record.id),
	);
	if (paid.length) {
		await withCredentialsFile(join(tmpdir(), 'reelsmith-init'), { records: paid.map(({ record }) => record) }, (file) =>
			n8n(['import:credentials', `--input=${file}`]),
		);
		console.log(
			`[init] paid provider credentials: ${paid.map(({ record, fromEnvironment }) => `${record.name}${fromEnvironment ? ' (keys from the environment)' : ' (no key yet)'}`).join(', ')}`,
		);
	}

	if (process.env.REELSMITH_IMPORT_WORKFLOWS === 'false') {
		console.log('[init] REELSMITH_IMPORT_WORKFLOWS=false: workflows left as they are.');
		return;
	}
	const workflows = await readWorkflowFiles(WORKFLOWS_DIR);
	await n8n(['import:workflow', '--separate', `--input=${WORKFLOWS_DIR}`]);
	for (const workflow of workflows) await n8n(['publish:workflow', `--id=${workflow.id}`]);
	console.log(`[init] ${workflows.length} workflows imported and published; n8n main and worker can start.`);
}

main().catch((error: Error) => {
	console.error(`[init] ${error.message}`);
	process.exit(1);
});
