import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Client } from 'pg';

/**
 * Applies initialization/migrations/NNN_name.sql in order, each in its own transaction, and records it in
 * schema_migrations. Forward-only plain SQL, so a ~50-line runner over `pg` is all it takes (see the report
 * for why not node-pg-migrate). An advisory lock makes concurrent starts (n8n main + worker + init) safe.
 */
// This file runs from initialization/ (tsx) or, in the npm package, from dist/initialization/ beside the shipped SQL.
const SQL_DIR = basename(dirname(__dirname)) === 'dist' ? join(__dirname, '..', '..', 'initialization') : __dirname;
export const MIGRATIONS_DIR = join(SQL_DIR, 'migrations');
const SEED_FILE = join(SQL_DIR, 'seed.sql');
/**
 * Migrations that were renumbered (to close a gap in the numbers), new name → the name databases recorded before.
 * A database that applied the old name has applied the new one: the new name is recorded beside the old one, which
 * stays so that a process still running the previous release (a worker not yet updated) does not apply it again.
 */
export const RENAMED_MIGRATIONS: Record<string, string> = {
	'003_runs': '004_runs',
	'004_dashboard': '005_dashboard',
};
// Any constant shared by every Reelsmith process; 'reel' in ASCII.
const LOCK_ID = 0x7265656c;

export async function migrate(databaseUrl: string, opts: { seed?: boolean } = {}): Promise<string[]> {
	const client = new Client({ connectionString: databaseUrl });
	await client.connect();
	const applied: string[] = [];
	try {
		await client.query('select pg_advisory_lock($1)', [LOCK_ID]);
		await client.query(
			'create table if not exists schema_migrations (version text primary key, applied_at timestamptz not null default now())',
		);
		const done = new Set(
			(await client.query<{ version: string }>('select version from schema_migrations')).rows.map((r) => r.version),
		);
		for (const [version, before] of Object.entries(RENAMED_MIGRATIONS)) {
			if (done.has(version) || !done.has(before)) continue;
			await client.query(
				'insert into schema_migrations (version, applied_at) select $1, applied_at from schema_migrations where version = $2',
				[version, before],
			);
			done.add(version);
		}
		const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
		for (const file of files) {
			const version = file.replace(/\.sql$/, '');
			if (done.has(version)) continue;
			await runInTransaction(client, await readFile(join(MIGRATIONS_DIR, file), 'utf8'), version);
			applied.push(version);
		}
		if (opts.seed) await runInTransaction(client, await readFile(SEED_FILE, 'utf8'));
	} finally {
		await client.query('select pg_advisory_unlock($1)', [LOCK_ID]).catch(() => {});
		await client.end();
	}
	return applied;
}

async function runInTransaction(client: Client, sql: string, version?: string): Promise<void> {
	await client.query('begin');
	try {
		await client.query(sql);
		if (version) await client.query('insert into schema_migrations (version) values ($1)', [version]);
		await client.query('commit');
	} catch (error) {
		await client.query('rollback');
		throw new Error(`Migration ${version ?? 'seed.sql'} failed: ${(error as Error).message}`);
	}
}

// CLI: DATABASE_URL=postgres://… node --import tsx initialization/migrate.ts [--no-seed]
if (require.main === module) {
	const url = process.env.DATABASE_URL;
	if (!url) {
		console.error('Set DATABASE_URL (e.g. postgres://postgres:postgres@127.0.0.1:5432/reelsmith) and run again.');
		process.exit(1);
	}
	migrate(url, { seed: !process.argv.includes('--no-seed') }).then(
		(applied) => console.log(applied.length ? `Applied ${applied.join(', ')}` : 'Database schema is up to date'),
		(error) => {
			console.error((error as Error).message);
			process.exit(1);
		},
	);
}
