/**
 * The dashboard as its own process, configured from the environment: the `dashboard` service of docker-compose.yml
 * (compiled to JavaScript in the image) or `node --import tsx ui/server/main.ts` beside any n8n.
 *
 *   DATABASE_URL, S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET, S3_REGION, S3_FORCE_PATH_STYLE, S3_PUBLIC_ENDPOINT
 *   N8N_URL (n8n's address from here), REELSMITH_WEBHOOK_TOKEN, REELSMITH_DASHBOARD_PORT (5680), REELSMITH_DASHBOARD_HOST
 *   REELSMITH_ADMIN_EMAIL / REELSMITH_ADMIN_PASSWORD (first admin), REELSMITH_MAX_RUNNING (2), REELSMITH_SECURE_COOKIE,
 *   REELSMITH_TRUST_PROXY, REELSMITH_DASHBOARD_DIST
 *   n8n's queue in queue mode, for the System view and /api/health: REDIS_URL or QUEUE_BULL_REDIS_HOST / _PORT / _DB
 *   (/ _USERNAME / _PASSWORD / _TLS), QUEUE_BULL_PREFIX; REELSMITH_HEALTH_EXPIRED_LEASE_SECONDS (300)
 */
import { DEFAULT_DASHBOARD_PORT, startDashboard } from './index';

function required(name: string): string {
	const value = process.env[name];
	if (!value || value === 'CHANGE_ME') throw new Error(`${name} is not set. Set it in the environment (docker compose: .env), then start again.`);
	return value;
}

const flag = (name: string) => ['1', 'true', 'yes'].includes((process.env[name] ?? '').toLowerCase());

async function main(): Promise<void> {
	if (process.env.REELSMITH_ADMIN_PASSWORD === 'CHANGE_ME') {
		throw new Error('REELSMITH_ADMIN_PASSWORD is still CHANGE_ME. Set a real password (at least 8 characters) in .env, then start again.');
	}
	const n8nUrl = (process.env.N8N_URL || 'http://127.0.0.1:5678').replace(/\/+$/, '');
	const dashboard = await startDashboard({
		databaseUrl: required('DATABASE_URL'),
		s3: {
			endpoint: required('S3_ENDPOINT'),
			accessKey: required('S3_ACCESS_KEY'),
			secretKey: required('S3_SECRET_KEY'),
			bucket: process.env.S3_BUCKET || 'reelsmith',
			region: process.env.S3_REGION || 'us-east-1',
			forcePathStyle: process.env.S3_FORCE_PATH_STYLE !== 'false',
		},
		s3PublicEndpoint: process.env.S3_PUBLIC_ENDPOINT || undefined,
		n8nUrl,
		webhookBase: process.env.N8N_WEBHOOK_BASE || `${n8nUrl}/webhook`,
		webhookToken: required('REELSMITH_WEBHOOK_TOKEN'),
		port: Number(process.env.REELSMITH_DASHBOARD_PORT) || DEFAULT_DASHBOARD_PORT,
		host: process.env.REELSMITH_DASHBOARD_HOST || '127.0.0.1',
		distDir: process.env.REELSMITH_DASHBOARD_DIST || undefined,
		secureCookie: flag('REELSMITH_SECURE_COOKIE'),
		trustProxy: flag('REELSMITH_TRUST_PROXY'),
	});
	console.log(`[dashboard] serving on ${dashboard.url}${dashboard.admin ? ` (admin: ${dashboard.admin.email})` : ''}`);
	const stop = () => {
		console.log('[dashboard] stopping …');
		dashboard.stop().then(() => process.exit(0), () => process.exit(1));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error: Error) => {
	console.error(`[dashboard] ${error.message}`);
	process.exit(1);
});
