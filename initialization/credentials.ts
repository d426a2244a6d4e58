/**
 * The n8n credentials every Reelsmith workflow references (three for the store, five for the paid providers), built from the stack's settings (environment or the
 * embedded services). Their ids are fixed so workflows/*.json can reference them by id and import as they are.
 *
 * `n8n import:credentials` encrypts a plain `data` object with the instance's encryption key before storing it
 * (n8n 2.40.7, dist/commands/import/credentials.js: `cipher.encryptV2(data)` when data is an object), so the file we
 * hand it holds secrets in clear text: it is written with mode 0600 and deleted right after the import.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PostgresCredentials } from '../nodes/shared/transport/postgres';

export const CREDENTIALS = {
	postgres: { id: 'rsPostgres000001', name: 'Reelsmith Postgres', type: 'reelsmithPostgresApi' },
	s3: { id: 'rsS3Storage00001', name: 'Reelsmith S3', type: 'reelsmithS3Api' },
	webhook: { id: 'rsWebhookToken01', name: 'Reelsmith Webhook Token', type: 'reelsmithWebhookApi' },
} as const;

export const WEBHOOK_HEADER = 'x-reelsmith-token';

/**
 * The paid providers' credentials. Every workflow node that may use a provider references these ids, so they always
 * exist: npm start creates them once with empty keys (= not configured; the run falls back to the offline
 * providers), or with the keys from the environment. Keys a user typed into the n8n UI are kept: a credential is
 * only written again when the environment gives new keys for it.
 */
export const PAID_CREDENTIALS = {
	anthropic: { id: 'rsAnthropic00001', name: 'Reelsmith Anthropic', type: 'reelsmithAnthropicApi' },
	kling: { id: 'rsKlingApi000001', name: 'Reelsmith Kling AI', type: 'reelsmithKlingApi' },
	runway: { id: 'rsRunwayApi00001', name: 'Reelsmith Runway', type: 'reelsmithRunwayApi' },
	elevenlabs: { id: 'rsElevenLabs0001', name: 'Reelsmith ElevenLabs', type: 'reelsmithElevenLabsApi' },
	google: { id: 'rsGoogleTts00001', name: 'Reelsmith Google Text-to-Speech', type: 'reelsmithGoogleTtsApi' },
} as const;

export type PaidProvider = keyof typeof PAID_CREDENTIALS;

/** Keys and base URLs per provider (base URL overrides point tests at loopback fakes). */
export interface ProviderKeys {
	anthropic?: { apiKey?: string; baseUrl?: string };
	kling?: { accessKey?: string; secretKey?: string; baseUrl?: string };
	runway?: { apiSecret?: string; baseUrl?: string };
	elevenlabs?: { apiKey?: string; baseUrl?: string; model?: string };
	google?: { apiKey?: string; baseUrl?: string };
}

/** The provider keys in the environment (README, "Paid providers"); providers without a key are left out. */
export function providerKeysFromEnv(env: NodeJS.ProcessEnv = process.env): ProviderKeys {
	const keys: ProviderKeys = {};
	const base = (name: string) => (env[name] ? { baseUrl: env[name] } : {});
	if (env.ANTHROPIC_API_KEY) keys.anthropic = { apiKey: env.ANTHROPIC_API_KEY, ...base('ANTHROPIC_BASE_URL') };
	if (env.KLING_ACCESS_KEY || env.KLING_SECRET_KEY) {
		if (!env.KLING_ACCESS_KEY || !env.KLING_SECRET_KEY) {
			throw new Error('Kling needs both KLING_ACCESS_KEY and KLING_SECRET_KEY (from the Kling AI developer console). Set both, or neither.');
		}
		keys.kling = { accessKey: env.KLING_ACCESS_KEY, secretKey: env.KLING_SECRET_KEY, ...base('KLING_BASE_URL') };
	}
	if (env.RUNWAY_API_KEY) keys.runway = { apiSecret: env.RUNWAY_API_KEY, ...base('RUNWAY_BASE_URL') };
	if (env.ELEVENLABS_API_KEY) keys.elevenlabs = { apiKey: env.ELEVENLABS_API_KEY, ...base('ELEVENLABS_BASE_URL') };
	if (env.GOOGLE_TTS_API_KEY) keys.google = { apiKey: env.GOOGLE_TTS_API_KEY, ...base('GOOGLE_TTS_BASE_URL') };
	return keys;
}

/** Empty keys and the providers' public base URLs: the credential exists, the provider counts as not configured. */
const EMPTY: Required<{ [P in PaidProvider]: Record<string, string> }> = {
	anthropic: { apiKey: '', baseUrl: 'https://api.anthropic.com' },
	kling: { accessKey: '', secretKey: '', baseUrl: 'https://api-singapore.klingai.com' },
	runway: { apiSecret: '', baseUrl: 'https://api.dev.runwayml.com' },
	elevenlabs: { apiKey: '', baseUrl: 'https://api.elevenlabs.io', model: 'eleven_multilingual_v2' },
	google: { apiKey: '', baseUrl: 'https://texttospeech.googleapis.com' },
};

export interface PaidCredentialRecord {
	provider: PaidProvider;
	/** True when the data holds keys from the environment (write it whenever it changed). */
	fromEnvironment: boolean;
	record: { id: string; name: string; type: string; data: Record<string, string> };
}

/** One import record per paid provider: the given keys, or empty keys. */
export function paidCredentialRecords(keys: ProviderKeys = {}): PaidCredentialRecord[] {
	return (Object.keys(PAID_CREDENTIALS) as PaidProvider[]).map((provider) => {
		const given = keys[provider] as Record<string, string | undefined> | undefined;
		const data: Record<string, string> = { ...EMPTY[provider] };
		for (const [field, value] of Object.entries(given ?? {})) if (value !== undefined && value !== '') data[field] = value;
		return { provider, fromEnvironment: !!given, record: { ...PAID_CREDENTIALS[provider], data } };
	});
}

/** Object storage settings; the same fields as the `reelsmithS3Api` credential. */
export interface S3Settings {
	endpoint: string;
	accessKey: string;
	secretKey: string;
	bucket: string;
	region: string;
	forcePathStyle?: boolean;
}

/** The fields of the `reelsmithPostgresApi` credential, as the nodes read them. */
export type PostgresCredentialData = PostgresCredentials;

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
	settings: CredentialSettings | { records: unknown[] },
	importFile: (file: string) => Promise<T>,
): Promise<T> {
	await mkdir(folder, { recursive: true, mode: 0o700 });
	const file = join(folder, `.reelsmith-credentials-${randomBytes(6).toString('hex')}.json`);
	const records = 'records' in settings ? settings.records : credentialRecords(settings);
	try {
		await writeFile(file, JSON.stringify(records), { mode: 0o600, flag: 'wx' });
		return await importFile(file);
	} finally {
		await rm(file, { force: true });
	}
}
