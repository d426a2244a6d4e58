/**
 * n8n's own database (its workflows, credentials, executions, users) and the key that encrypts its credentials.
 * In both modes it is a Postgres database "<store database>_n8n" on the Reelsmith store's server (the embedded
 * Postgres, or DATABASE_URL's): queue mode needs one database for every process, and on Postgres the local stack
 * never needs n8n's SQLite driver (sqlite3, a native module compiled from source for Node 24: minutes).
 *
 * It belongs to the data dir's n8n user folder, whose config file holds the encryption key: a fresh user folder
 * (no key yet) gets a fresh database, dropped and created again if one is left over; a restart keeps both.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { Log } from './install-n8n';

export interface N8nDatabase {
	host: string;
	port: number;
	database: string;
	user: string;
	password: string;
}

/** n8n's config file in a user folder: written by ensureEncryptionKey (or by n8n at its first start). */
function configFile(userFolder: string): string {
	return join(userFolder, '.n8n', 'config');
}

/** The name of n8n's database beside a store database: "<store>_n8n". */
export function n8nDatabaseName(databaseUrl: string): string {
	const store = decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || 'postgres';
	return `${store}_n8n`;
}

/** A connection URL for n8n's database (for tests and the banner: the same server and user as the store). */
export function n8nDatabaseUrl(databaseUrl: string): string {
	const url = new URL(databaseUrl);
	url.pathname = `/${encodeURIComponent(n8nDatabaseName(databaseUrl))}`;
	return url.toString();
}

/**
 * n8n's database for the user folder: created when missing; dropped and created again when the user folder is
 * fresh (no encryption key yet), since what a leftover database holds was encrypted with a key that is gone.
 * `created` says the database is empty now, so everything has to be imported into it.
 * Call before ensureEncryptionKey (which makes the folder not fresh any more).
 */
export async function ensureN8nDatabase(
	databaseUrl: string,
	userFolder: string,
	log: Log = () => {},
): Promise<N8nDatabase & { created: boolean }> {
	const url = new URL(databaseUrl);
	const database = n8nDatabaseName(databaseUrl);
	const quoted = `"${database.replace(/"/g, '""')}"`;
	const client = new pg.Client({ connectionString: databaseUrl });
	await client.connect();
	const freshFolder = !existsSync(configFile(userFolder));
	let created = false;
	try {
		const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
		if (rowCount && freshFolder) {
			log(`[stack] new n8n user folder ${userFolder}: dropping the n8n database "${database}" left from an earlier one.`);
			try {
				// Not WITH (FORCE): a database that an n8n still uses belongs to another installation; say so instead.
				await client.query(`drop database ${quoted}`);
			} catch (error) {
				throw new Error(
					`The n8n database "${database}" on ${url.host} is still in use (${(error as Error).message}), but this data folder's n8n (${userFolder}) is new and cannot read it. Stop the n8n that uses it, or point DATABASE_URL at another database.`,
				);
			}
		}
		if (!rowCount || freshFolder) {
			await client.query(`create database ${quoted}`);
			created = true;
		}
	} finally {
		await client.end();
	}
	return {
		host: url.hostname,
		port: Number(url.port || 5432),
		database,
		user: decodeURIComponent(url.username) || 'postgres',
		password: decodeURIComponent(url.password),
		created,
	};
}

/** What every n8n process needs to use that database (docker-compose.yml's x-n8n-env sets the same names). */
export function n8nDatabaseEnvironment(database: N8nDatabase): Record<string, string> {
	return {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: database.host,
		DB_POSTGRESDB_PORT: String(database.port),
		DB_POSTGRESDB_DATABASE: database.database,
		DB_POSTGRESDB_USER: database.user,
		DB_POSTGRESDB_PASSWORD: database.password,
	};
}

/**
 * n8n's encryption key of this installation: the one in main's user folder (<folder>/.n8n/config, written by n8n at
 * its first start), or a new one written there now, so main, workers and the CLI all decrypt the same credentials.
 */
export async function ensureEncryptionKey(userFolder: string): Promise<string> {
	const file = configFile(userFolder);
	if (existsSync(file)) {
		const key = (JSON.parse(await readFile(file, 'utf8')) as { encryptionKey?: string }).encryptionKey;
		if (key) return key;
		throw new Error(`${file} has no encryptionKey; n8n cannot decrypt its credentials without it. Restore the file or remove the data folder.`);
	}
	const key = randomBytes(24).toString('base64');
	await mkdir(join(userFolder, '.n8n'), { recursive: true });
	await writeFile(file, JSON.stringify({ encryptionKey: key }, null, '\t'), { mode: 0o600 });
	await chmod(file, 0o600);
	return key;
}
