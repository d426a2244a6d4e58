/**
 * What `npm start` prints once the stack is up: where the dashboard, n8n and the webhooks answer, and where the
 * data lives (Postgres and the object store, each with a command to look inside).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dashboard } from '../ui/server/index';
import { WEBHOOK_HEADER } from './credentials';
import { displayPath, type Stack } from './stack';
import { formatDuration, type StepTime } from './steps';

export const RUNS_PATH = 'reelsmith/runs';
export const RESUME_PATH = 'reelsmith/resume';

/** Quotes a value for a POSIX shell (single quotes; embedded ones closed, escaped and reopened). */
function shellQuote(value: string): string {
	return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function curl(url: string, token: string, body: { file: string } | { json: string }): string {
	const data = 'file' in body ? `--data-binary @${shellQuote(body.file)}` : `--data ${shellQuote(body.json)}`;
	return [
		`curl -sS -X POST ${shellQuote(url)}`,
		`  -H 'content-type: application/json'`,
		`  -H ${shellQuote(`${WEBHOOK_HEADER}: ${token}`)}`,
		`  ${data}`,
	].join(' \\\n');
}

/** A connection URL with its password hidden, unless it is the embedded Postgres's fixed local one. */
function showUrl(url: string, embedded: boolean): string {
	if (embedded) return url;
	try {
		const parsed = new URL(url);
		if (parsed.password) parsed.password = '***';
		return parsed.toString();
	} catch {
		return '(DATABASE_URL)';
	}
}

/**
 * Where runs and artifacts are, with a command that opens each. The embedded services listen on 127.0.0.1 only and
 * use fixed local passwords, so their commands are given whole; for your own Postgres and S3 the secrets stay in
 * the environment variables you set.
 */
export function dataLines(stack: Pick<Stack, 'databaseUrl' | 's3' | 'postgresDir'>): string[] {
	const embeddedDb = Boolean(stack.postgresDir);
	const query = 'select id, status, stage, created_at from runs order by created_at desc limit 5';
	const psql = embeddedDb ? `psql ${shellQuote(stack.databaseUrl)}` : 'psql "$DATABASE_URL"';
	const localS3 = stack.s3.accessKey === 'S3RVER';
	return [
		` Postgres:     ${showUrl(stack.databaseUrl, embeddedDb)}${embeddedDb ? '   (embedded)' : ''}`,
		`               ${psql} -c ${shellQuote(query)}`,
		` Object store: S3 endpoint ${stack.s3.endpoint}, bucket ${stack.s3.bucket}, region ${stack.s3.region}`,
		localS3
			? `               (local store: access key ${stack.s3.accessKey}, secret ${stack.s3.secretKey}, path-style addressing)`
			: '               (keys in S3_ACCESS_KEY / S3_SECRET_KEY)',
	];
}

/** n8n's own database, without its password (it is the store's, shown above for the embedded Postgres). */
function n8nDatabaseLine(stack: Pick<Stack, 'n8nDatabaseUrl'>): string {
	try {
		const url = new URL(stack.n8nDatabaseUrl);
		return `Postgres database ${decodeURIComponent(url.pathname.slice(1))} on ${url.host} (workflows, credentials, executions)`;
	} catch {
		return 'Postgres';
	}
}

/** How to log in, in one or two lines (the generated password is shown only on the start that created it). */
function dashboardLogin(dashboard: Dashboard, dataDir: string): string[] {
	const admin = dashboard.admin;
	const file = join(dataDir, 'dashboard-admin.txt');
	if (!admin) return [' Log in with your dashboard account (no admin was created: set REELSMITH_ADMIN_EMAIL and REELSMITH_ADMIN_PASSWORD).'];
	if (admin.generatedPassword) {
		return [` Log in:       ${admin.email} / ${admin.generatedPassword}`, `               (shown once; also saved in ${displayPath(file)}, mode 0600)`];
	}
	if (admin.created) return [` Log in:       ${admin.email} / the password in REELSMITH_ADMIN_PASSWORD`];
	return [` Log in:       ${admin.email}${existsSync(file) ? ` (password in ${displayPath(file)})` : ''}`];
}

/** " Steps:        Node 24 12 s, n8n packages 4 min 05 s, …": what this start spent its time on. */
export function stepsLine(steps: StepTime[]): string {
	return ` Steps:        ${steps.map((step) => `${step.step} ${formatDuration(step.ms)}`).join(', ')}`;
}

export function printBanner(stack: Stack, sampleFile: string, seconds: number, dashboard: Dashboard | undefined, steps: StepTime[] = []): void {
	const lines = [
		'',
		'════════════════════════════════════════════════════════════════════',
		` Reelsmith is running (ready in ${seconds.toFixed(1)} s)`,
		'════════════════════════════════════════════════════════════════════',
		...(steps.length ? [stepsLine(steps)] : []),
		...(dashboard ? [` Dashboard:    ${dashboard.url}`, ...dashboardLogin(dashboard, stack.dataDir)] : []),
		` n8n editor:   ${stack.n8nUrl}   (first visit: create the owner account)`,
		stack.mode === 'queue'
			? ` n8n mode:     queue: main + ${stack.workers.length} worker(s) on Redis db ${stack.queue?.redisDb} (prefix ${stack.queue?.prefix}); logs n8n-worker-<n>.log`
			: ' n8n mode:     regular (one process; REELSMITH_WORKERS=N with REDIS_URL for queue mode)',
		` Webhook:      POST ${stack.webhookBase}/${RUNS_PATH}`,
		` Resume:       POST ${stack.webhookBase}/${RESUME_PATH}`,
		...dataLines(stack),
		` n8n database: ${n8nDatabaseLine(stack)}`,
		` Files are in  ${stack.dataDir}   (n8n log: ${displayPath(stack.n8nLogFile)})`,
		'',
		' Render the bundled sample script:',
		'',
		curl(`${stack.webhookBase}/${RUNS_PATH}`, stack.webhookToken, { file: sampleFile }),
		'',
		' Resume a failed or interrupted run:',
		'',
		curl(`${stack.webhookBase}/${RESUME_PATH}`, stack.webhookToken, { json: '{"runId":"<run id>"}' }),
		'',
		' Press Ctrl-C to stop.',
		'════════════════════════════════════════════════════════════════════',
		'',
	];
	console.log(lines.join('\n'));
}

