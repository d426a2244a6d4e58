/**
 * First boot's n8n content step alone (issue 12): the credentials, the paid provider credentials and the workflows
 * imported and every workflow published, through n8n's CLI, into a fresh n8n database on a fresh embedded Postgres
 * (as `npm start` does on a new data folder). Each CLI call boots n8n, so the step's time is mostly how many calls
 * it makes and how they overlap; the first call also migrates n8n's empty database.
 *
 *   node --import tsx bench/n8n-import.ts [--repeats 1]
 *
 * Prints each part's seconds (the stack's own timings), the CLI calls made, the total and the load average.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureInstalled } from '../initialization/install-n8n';
import { ensureEncryptionKey, ensureN8nDatabase, n8nDatabaseEnvironment } from '../initialization/n8n-database';
import { syncN8nContent } from '../initialization/n8n-import';
import { startEmbeddedPostgres } from '../initialization/services/postgres';
import { freePort, freePortNear } from '../initialization/services/ports';
import { readWorkflowFiles } from '../initialization/workflow-files';
import { argument, machine } from './media';

const REPEATS = argument('repeats', 1);

async function once(): Promise<Record<string, number>> {
	const dataDir = await mkdtemp(join(tmpdir(), 'reelsmith-bench-import-'));
	const postgres = await startEmbeddedPostgres({
		directory: join(dataDir, 'postgres'),
		port: await freePortNear(55432),
	});
	try {
		const install = await ensureInstalled(() => {});
		const userFolder = join(dataDir, 'n8n');
		const database = await ensureN8nDatabase(postgres.url, userFolder);
		const encryptionKey = await ensureEncryptionKey(userFolder);
		const workflowsDir = join(__dirname, '..', 'workflows');
		const timings: Record<string, number> = {};
		const started = Date.now();
		await syncN8nContent(
			{
				install,
				userFolder,
				port: await freePort(),
				brokerPort: await freePort(),
				listenAddress: '127.0.0.1',
				extraEnv: {
					...n8nDatabaseEnvironment(database),
					N8N_ENCRYPTION_KEY: encryptionKey,
				},
			},
			{
				credentials: {
					databaseUrl: postgres.url,
					s3: {
						endpoint: 'http://127.0.0.1:9',
						accessKey: 'a',
						secretKey: 'b',
						bucket: 'reelsmith',
						region: 'us-east-1',
						forcePathStyle: true,
					},
					webhookToken: 'bench-token-0123456789',
				},
				providerKeys: {},
				workflowsDir,
				workflows: await readWorkflowFiles(workflowsDir),
				n8nDatabase: `embedded:${database.database}`,
				n8nDatabaseCreated: database.created,
			},
			false,
			() => {},
			timings,
		);
		timings.total = Date.now() - started;
		return timings;
	} finally {
		await postgres.stop();
		await rm(dataDir, { recursive: true, force: true });
	}
}

async function main(): Promise<void> {
	console.log(`Start: ${machine()}`);
	for (let repeat = 1; repeat <= REPEATS; repeat++) {
		const timings = await once();
		const parts = Object.entries(timings).map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`);
		console.log(`run ${repeat}: ${parts.join(', ')}`);
	}
	console.log(`End: ${machine()}`);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
