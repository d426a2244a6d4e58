/**
 * The three n8n credentials every Reelsmith workflow references, built from the stack's settings (environment or the
 * embedded services). Their ids are fixed so workflows/*.json can reference them by id and import as they are.
 *
 * `n8n import:credentials` encrypts a plain `data` object with the instance's encryption key before storing it
 * (n8n 2.40.7, dist/commands/import/credentials.js: `cipher.encryptV2(data)` when data is an object), so the file we
 * hand it holds secrets in clear text: it is written with mode 0600 and deleted right after the import.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const CREDENTIALS = {
	postgres: { id: 'rsPostgres000001', name: 'Reelsmith Postgres', type: 'reelsmithPostgresApi' },
	s3: { id: 'rsS3Storage00001', name: 'Reelsmith S3', type: 'reelsmithS3Api' },
	webhook: { id: 'rsWebhookToken01', name: 'Reelsmith Webhook Token', type: 'reelsmithWebhookApi' },
} as const;

export const WEBHOOK_HEADER = 'x-reelsmith-token';

/** Object storage settings; the same fields as the `reelsmithS3Api` credential. */
export interface S3Settings {
	endpoint: string;
	accessKey: string;
	secretKey: string;
	bucket: string;
	region: string;
	forcePathStyle?: boolean;
}

export interface PostgresCredentialData {
	host: string;
	port: number;
	database: string;
	user: string;
	password: string;
	ssl: 'disable' | 'require';
}

/** Splits a postgres:// URL into the fields of the `reelsmithPostgresApi` credential. */
export function postgresCredentialData(databaseUrl: string): PostgresCredentialData {
	let url: URL;
	try {
		url = new URL(databaseUrl);
	} catch {
		throw new Error('DATABASE_URL is not a URL. Use postgres://user:password@host:5432/database.');
	}
	if (!/^postgres(ql)?:$/.test(url.protocol)) {
		throw new Error(`DATABASE_URL must start with postgres:// (got ${url.protocol}//).`);
	}
	const sslmode = url.searchParams.get('sslmode') ?? (url.searchParams.get('ssl') === 'true' ? 'require' : 'disable');
	return {
		host: decodeURIComponent(url.hostname) || '127.0.0.1',
		port: url.port ? Number(url.port) : 5432,
		database: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
		user: decodeURIComponent(url.username) || 'postgres',
		password: decodeURIComponent(url.password),
		ssl: ['require', 'verify-ca', 'verify-full'].includes(sslmode) ? 'require' : 'disable',
	};
}

export interface CredentialSettings {
	databaseUrl: string;
	s3: S3Settings;
	webhookToken: string;
}

/** The import file's content: n8n's credential export shape with plain `data` objects. */
export function credentialRecords(settings: CredentialSettings) {
	return [
		{ ...CREDENTIALS.postgres, data: postgresCredentialData(settings.databaseUrl) },
		{
			...CREDENTIALS.s3,
			data: {
				endpoint: settings.s3.endpoint,
				region: settings.s3.region,
				accessKey: settings.s3.accessKey,
				secretKey: settings.s3.secretKey,
				bucket: settings.s3.bucket,
				forcePathStyle: settings.s3.forcePathStyle ?? true,
			},
		},
		{ ...CREDENTIALS.webhook, data: { headerName: WEBHOOK_HEADER, token: settings.webhookToken } },
	];
}

/**
 * Writes the import file (0600) in `folder`, runs `importFile(path)`, and deletes the file whatever happens.
 * `folder` should be inside the data directory (never /tmp shared with other users).
 */
export async function withCredentialsFile<T>(
	folder: string,
	settings: CredentialSettings,
	importFile: (file: string) => Promise<T>,
): Promise<T> {
	await mkdir(folder, { recursive: true, mode: 0o700 });
	const file = join(folder, `.reelsmith-credentials-${randomBytes(6).toString('hex')}.json`);
	try {
		await writeFile(file, JSON.stringify(credentialRecords(settings)), { mode: 0o600, flag: 'wx' });
		return await importFile(file);
	} finally {
		await rm(file, { force: true });
	}
}
