import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
} from 'n8n-workflow';
import { Pool } from 'pg';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { migrate } from '../../initialization/migrate';
import { closePools } from '../../nodes/Campaign/transport/db';
import { startPostgres, type TestPostgres } from '../helpers/postgres';
import { executionContext } from '../helpers/execution-context';
import { startS3, type TestS3 } from '../helpers/s3';

export const TOKEN = 'test-token-0123456789';

export interface Store {
	pg: TestPostgres;
	s3: TestS3;
	/** A pool of the test's own, for assertions (the node keeps its own pool per credential). */
	db: Pool;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	stop(): Promise<void>;
}

/** Real Postgres (migrated, seeded) + real s3rver, and the three credentials the Campaign node reads. */
export async function startStore(options: { s3?: boolean } = {}): Promise<Store> {
	const pg = await startPostgres();
	await migrate(pg.url, { seed: true });
	const s3 = options.s3 === false ? (null as unknown as TestS3) : await startS3();
	const url = new URL(pg.url);
	const db = new Pool({ connectionString: pg.url, max: 4 });
	return {
		pg,
		s3,
		db,
		credentials: {
			reelsmithPostgresApi: {
				host: url.hostname,
				port: Number(url.port),
				database: url.pathname.slice(1),
				user: decodeURIComponent(url.username),
				password: decodeURIComponent(url.password),
				ssl: 'disable',
			},
			reelsmithS3Api: s3
				? {
						endpoint: s3.endpoint,
						region: s3.region,
						accessKey: s3.accessKey,
						secretKey: s3.secretKey,
						bucket: s3.bucket,
						forcePathStyle: true,
					}
				: {},
			reelsmithWebhookApi: { headerName: 'x-reelsmith-token', token: TOKEN },
		},
		async stop() {
			await db.end();
			await closePools();
			if (s3) await s3.stop();
			await pg.stop();
		},
	};
}

/**
 * The store for a test file (or describe block): started before its tests, stopped after, and with `resetRuns`
 * emptied of runs before each test. Read it inside hooks and tests (it is filled in when the tests start).
 */
export function useStore(options: { s3?: boolean; resetRuns?: boolean } = {}): Store {
	const store = {} as Store;
	beforeAll(async () => {
		Object.assign(store, await startStore({ s3: options.s3 }));
	});
	afterAll(() => store.stop?.());
	if (options.resetRuns) beforeEach(() => resetRuns(store.db));
	return store;
}

/** Clears every run (and through cascades its scenes, events, …) between tests. */
export async function resetRuns(db: Pool): Promise<void> {
	await db.query('delete from runs');
}

export async function counts(db: Pool): Promise<Record<string, number>> {
	const { rows } = await db.query(
		`select (select count(*)::int from runs) as runs, (select count(*)::int from events) as events,
		        (select count(*)::int from campaigns) as campaigns, (select count(*)::int from scenes) as scenes`,
	);
	return rows[0];
}

export const NODE: INode = {
	id: 'campaign-test',
	name: 'Campaign',
	type: 'n8n-nodes-reelsmith.campaign',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

type Params = Record<string, unknown>;

/** The shared test context for the Campaign node: parameters per item (already resolved), the store's credentials. */
export function executeContext(options: {
	items: INodeExecutionData[] | IDataObject[];
	params: Params | ((itemIndex: number) => Params);
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** Credential types attached to the node (default: all given). */
	attached?: string[];
	continueOnFail?: boolean;
	executionId?: string;
}): IExecuteFunctions {
	return executionContext({
		items: options.items,
		parameters: typeof options.params === 'function' ? (itemIndex) => (options.params as (i: number) => Params)(itemIndex) : options.params,
		credentials: options.credentials,
		attached: options.attached,
		continueOnFail: options.continueOnFail,
		executionId: options.executionId,
		node: NODE,
	});
}

/** A small valid Fountain script with `scenes` scenes and two speaking characters. */
export function fountain(scenes = 3): string {
	const parts: string[] = ['Title: Test Reel', ''];
	for (let n = 1; n <= scenes; n++) {
		parts.push(`INT. ROOM ${n} - NIGHT`, '', `A lamp flickers in room ${n}.`, '', 'ALICE', `Line ${n} from Alice.`, '', 'BOB', `Bob answers ${n}.`, '');
	}
	return parts.join('\n');
}

/** Runs the Campaign node's execute() as n8n would for one execution, returning its outputs. */
export async function runCampaign(
	store: Store,
	params: Params | ((itemIndex: number) => Params),
	items: INodeExecutionData[] | IDataObject[] = [{}],
	options: { continueOnFail?: boolean; executionId?: string } = {},
): Promise<INodeExecutionData[][]> {
	// Imported here so a fixture user that only needs the database does not load the node.
	const { Campaign } = await import('../../nodes/Campaign/Campaign.node');
	const context = executeContext({ items, params, credentials: store.credentials, ...options });
	return new Campaign().execute.call(context);
}

/** Accept parameters for a webhook item carrying `body` and the right token. */
export function webhookItem(body: unknown, token: string | null = TOKEN): IDataObject {
	return { body: body as IDataObject, headers: token === null ? {} : { 'x-reelsmith-token': token } };
}

export const acceptParams = (itemIndex: number, items: IDataObject[], maxRunning = 2): Params => ({
	resource: 'run',
	operation: 'accept',
	body: items[itemIndex].body,
	headers: items[itemIndex].headers,
	maxRunning,
});
