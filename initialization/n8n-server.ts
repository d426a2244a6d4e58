/** Starting and supervising n8n's server: its process group, its log file, the wait until it is ready, and stop. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Log } from './install-n8n';
import { n8nEnvironment, type N8nSettings } from './n8n-process';
import { displayPath, type WorkflowFile } from './workflow-files';

/** What an n8n process is: its CLI command, the line it prints when ready, and whether it serves the webhooks. */
export interface N8nRole {
	/** e.g. "main", "worker 1": used in the log lines and errors. */
	name: string;
	args: string[];
	readyLine: string;
	probeWebhooks: boolean;
}

export const MAIN_ROLE: N8nRole = { name: 'n8n', args: ['start'], readyLine: 'Editor is now accessible via', probeWebhooks: true };

/** A queue-mode worker: `n8n worker`, ready when it says so (n8n 2.40 commands/worker.js). */
export function workerRole(index: number, concurrency: number): N8nRole {
	return { name: `n8n worker ${index}`, args: ['worker', `--concurrency=${concurrency}`], readyLine: 'n8n worker is now ready', probeWebhooks: false };
}

/** An n8n process (main or worker), its output in a log file, and readiness detection from that output. */
export class N8nServer {
	private child: ChildProcess | undefined;
	private exited: Promise<void> = Promise.resolve();
	private logStream: WriteStream | undefined;
	private lines: string[] = [];
	private listeners = new Set<(line: string) => void>();
	private readonly onParentExit = () => {
		if (this.child?.pid && this.child.exitCode === null) killGroup(this.child.pid, 'SIGKILL');
	};

	constructor(
		private readonly settings: N8nSettings,
		private readonly logFile: string,
		private readonly workflows: WorkflowFile[],
		private readonly readyTimeoutMs: number,
		private readonly log: Log,
		readonly role: N8nRole = MAIN_ROLE,
	) {}

	get pid(): number | undefined {
		return this.running ? this.child?.pid : undefined;
	}

	get logPath(): string {
		return this.logFile;
	}

	get running(): boolean {
		return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
	}

	async start(): Promise<void> {
		if (this.running) return;
		await mkdir(dirname(this.logFile), { recursive: true });
		this.logStream = createWriteStream(this.logFile, { flags: 'a' });
		this.logStream.write(`\n──── ${this.role.name} start ${new Date().toISOString()} (port ${this.settings.port}) ────\n`);
		this.lines = [];
		// Own process group, so a kill reaches n8n's task runner too and the terminal's Ctrl-C reaches only us
		// (start.ts then stops n8n first, then storage and Postgres).
		const child = spawn(this.settings.install.node24, [this.settings.install.n8nBin, ...this.role.args], {
			cwd: this.settings.userFolder,
			env: n8nEnvironment(this.settings),
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		this.child = child;
		process.on('exit', this.onParentExit);
		const logStream = this.logStream;
		this.exited = new Promise((resolvePromise) => {
			child.on('close', (code, signal) => {
				logStream.end(`──── ${this.role.name} exited (${signal ?? `code ${code}`}) ────\n`);
				if (child.pid) killGroup(child.pid, 'SIGKILL'); // leftover task runner, if any
				process.off('exit', this.onParentExit);
				resolvePromise();
			});
		});
		for (const stream of [child.stdout!, child.stderr!]) {
			let buffer = '';
			stream.setEncoding('utf8');
			stream.on('data', (chunk: string) => {
				logStream.write(chunk);
				buffer += chunk;
				const parts = buffer.split('\n');
				buffer = parts.pop() ?? '';
				for (const line of parts) {
					this.lines.push(line);
					if (this.lines.length > 2000) this.lines.shift();
					for (const listener of this.listeners) listener(line);
				}
			});
		}
		await this.waitUntilReady();
	}

	/**
	 * Ready = n8n printed "Editor is now accessible via" (HTTP server up) AND every Webhook node of the imported
	 * workflows answers as registered. n8n 2.40 activates published workflows in the background (its publication
	 * service), after that line, so the webhooks are probed: a request with a method the webhook does not serve gets
	 * 404 "…not registered for GET requests. Did you mean to make a POST request?" once the path is registered, and
	 * 404 "The requested webhook … is not registered" before. The probe never runs the workflow.
	 */
	private async waitUntilReady(): Promise<void> {
		const started = Date.now();
		const deadline = started + this.readyTimeoutMs;
		const failure = (what: string) =>
			new Error(`${what} Its last lines (full log: ${this.logFile}):\n${this.tail(30)}`);
		await new Promise<void>((resolvePromise, reject) => {
			let timer: NodeJS.Timeout;
			const finish = (error?: Error) => {
				clearTimeout(timer);
				this.listeners.delete(onLine);
				this.child?.off('close', onClose);
				if (error) reject(error);
				else resolvePromise();
			};
			const ready = this.role.readyLine;
			const onLine = (line: string) => {
				if (line.includes(ready)) finish();
			};
			const onClose = () => finish(failure(`${this.role.name} exited before it was ready.`));
			timer = setTimeout(() => finish(failure(`${this.role.name} was not ready after ${this.readyTimeoutMs / 1000} s.`)), this.readyTimeoutMs);
			if (this.lines.some((line) => line.includes(ready))) return finish();
			this.listeners.add(onLine);
			this.child?.once('close', onClose);
		});
		if (!this.role.probeWebhooks) {
			this.log(`[stack] ${this.role.name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
			return;
		}
		const base = `http://127.0.0.1:${this.settings.port}/webhook`;
		const pending = this.workflows.flatMap((workflow) => {
			const methods = new Set(workflow.webhooks.map((hook) => hook.method.toUpperCase()));
			const probe = ['GET', 'PATCH', 'DELETE'].find((method) => !methods.has(method));
			return probe ? workflow.webhooks.map((hook) => ({ workflow, path: hook.path, probe })) : [];
		});
		// n8n's own words when a published workflow cannot go live (these lines carry no workflow name or id).
		const activationProblem =
			/cannot load|cannot run on this instance|failed to activate|did fail with error|blocked by policy|Issue on initial workflow activation|Unrecognized node type/i;
		let problemSeenAt: number | undefined;
		while (pending.length) {
			for (let index = pending.length - 1; index >= 0; index--) {
				const { path, probe } = pending[index];
				const response = await fetch(`${base}/${path.replace(/^\//, '')}`, { method: probe }).catch(() => undefined);
				const body = response ? await response.text() : '';
				if (response && (response.status !== 404 || body.includes('Did you mean to make a'))) pending.splice(index, 1);
			}
			if (!pending.length) break;
			if (!this.running) throw failure('n8n exited while activating the workflows.');
			const problems = this.lines.filter((line) => activationProblem.test(line));
			if (problems.length) problemSeenAt ??= Date.now();
			// Give the other workflows a moment to settle, then report instead of waiting for the timeout.
			if (Date.now() > deadline || (problemSeenAt && Date.now() - problemSeenAt > 5000)) {
				const missing = [...new Set(pending.map(({ workflow }) => workflow))].map(
					(workflow) =>
						`- "${workflow.name}" (${workflow.id}, ${displayPath(workflow.file)}): webhook ${pending
							.filter((item) => item.workflow === workflow)
							.map((item) => `${item.path}`)
							.join(', ')} is not registered.`,
				);
				throw new Error(
					`n8n started but these workflows did not go live:\n${missing.join('\n')}\n` +
						(problems.length ? `n8n said:\n${problems.map((line) => `    ${line}`).join('\n')}\n` : '') +
						`Full log: ${this.logFile}`,
				);
			}
			await new Promise((wait) => setTimeout(wait, 500));
		}
		const problems = this.lines.filter((line) => activationProblem.test(line));
		if (problems.length) {
			this.log(`[stack] warning: n8n reported problems while publishing workflows (see ${this.logFile}):`);
			for (const line of problems) this.log(`    ${line}`);
		}
		this.log(`[stack] n8n ready in ${((Date.now() - started) / 1000).toFixed(1)} s on port ${this.settings.port}.`);
	}

	tail(count: number): string {
		return this.lines.slice(-count).join('\n');
	}

	async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
		const child = this.child;
		if (!child?.pid || !this.running) return this.exited;
		if (signal === 'SIGKILL') killGroup(child.pid, 'SIGKILL');
		else child.kill(signal);
		// n8n waits up to N8N_GRACEFUL_SHUTDOWN_TIMEOUT (15 s here) for running executions.
		const graceMs = (Number(n8nEnvironment(this.settings).N8N_GRACEFUL_SHUTDOWN_TIMEOUT) || 15) * 1000 + 10_000;
		const timer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), graceMs);
		await this.exited;
		clearTimeout(timer);
	}
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}
