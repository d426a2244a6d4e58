/**
 * How every n8n process of the local stack is run: one environment (user folder, ports, Node 24 on PATH, quiet
 * defaults) shared by the CLI commands (import, publish) and the server, so they all see the same instance.
 */
import { spawn } from 'node:child_process';
import { delimiter, dirname } from 'node:path';
import type { N8nInstall } from './install-n8n';

export interface N8nSettings {
	install: N8nInstall;
	userFolder: string;
	port: number;
	brokerPort: number;
	listenAddress: string;
	extraEnv: Record<string, string>;
}

/** Environment shared by every n8n process of this stack (CLI commands and the server). */
export function n8nEnvironment(settings: N8nSettings): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { ...process.env };
	// Variables of the test runner / tsx must not leak into n8n's Node 24 process. Vitest sets NODE_ENV=test, with
	// which n8n exits at start; n8n runs as in its own image, in production mode.
	for (const key of Object.keys(env)) {
		if (key === 'NODE_OPTIONS' || key.startsWith('VITEST') || key.startsWith('npm_') || key.startsWith('TSX_')) delete env[key];
	}
	if (env.NODE_ENV === 'test') delete env.NODE_ENV;
	const base = `http://${settings.listenAddress === '0.0.0.0' || settings.listenAddress === '::' ? '127.0.0.1' : settings.listenAddress}:${settings.port}/`;
	const defaults: Record<string, string> = {
		// As in n8n's image. Without it n8n runs as in development: its error answers (a GET on a POST webhook) carry
		// a stack trace with server paths, and its login rate limits are off.
		NODE_ENV: 'production',
		N8N_LISTEN_ADDRESS: settings.listenAddress,
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: base,
		N8N_WEBHOOK_URL: base,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '15',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		// n8n's own Prometheus endpoint (GET /metrics on its port, no auth; it listens on loopback here).
		N8N_METRICS: 'true',
		// Without internet the MCP server registry module logs getaddrinfo errors for api.n8n.io on every start.
		N8N_DISABLED_MODULES: 'mcp-registry',
	};
	for (const [key, value] of Object.entries(defaults)) if (env[key] === undefined) env[key] = value;
	Object.assign(env, settings.extraEnv, {
		N8N_USER_FOLDER: settings.userFolder,
		N8N_PORT: String(settings.port),
		N8N_RUNNERS_BROKER_PORT: String(settings.brokerPort),
		PATH: [dirname(settings.install.node24), process.env.PATH ?? ''].join(delimiter),
	});
	return env;
}

/** Runs a command to its end and returns its exit code with stdout and stderr together. */
export function runProcess(
	command: string,
	args: string[],
	options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number | null; output: string }> {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (chunk) => (output += chunk));
		child.stderr.on('data', (chunk) => (output += chunk));
		child.on('error', reject);
		child.on('close', (code) => resolvePromise({ code, output }));
	});
}

/** Runs one n8n CLI command (`n8n import:workflow …`); fails with the last 25 lines of its output. */
export async function runN8nCommand(settings: N8nSettings, args: string[]): Promise<string> {
	const { code, output } = await runProcess(settings.install.node24, [settings.install.n8nBin, ...args], {
		cwd: settings.userFolder,
		env: n8nEnvironment(settings),
	});
	if (code !== 0) {
		const tail = output.trim().split('\n').slice(-25).join('\n');
		throw new Error(`n8n ${args[0]} failed (exit ${code}):\n${tail}`);
	}
	return output;
}
