/**
 * For the dashboard browser test: the whole stack as `npm start` runs it (Postgres, object storage, n8n with the
 * workflows, the dashboard server with the built app), and Debian's Chromium driven headless by playwright-core.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildPackage, dashboardConnection, ensureInstalled, startStack, type Stack } from '../../initialization/stack';
import { REPO_ROOT } from '../../initialization/install-n8n';
import { callbackSettings } from '../../nodes/shared/callbacks/settings';
import { startDashboard, type Dashboard } from '../../ui/server';
import { buildDashboard } from '../../ui/build';
import { freePort } from '../helpers/ports';

export const CHROMIUM = process.env.REELSMITH_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(REPO_ROOT, 'test-artifacts', 'dashboard');

export const ADMIN = { email: 'admin@browser.test', password: 'correct horse battery staple' };

export interface DashboardStack {
	stack: Stack;
	dashboard: Dashboard;
	dataDir: string;
	/** Lines the stack and the dashboard server logged (printed when a test fails). */
	log: string[];
	stop(): Promise<void>;
}

export async function startDashboardStack(): Promise<DashboardStack> {
	const log: string[] = [];
	const record = (line: string) => void log.push(line);
	await ensureInstalled(record);
	await buildPackage(record);
	await buildDashboard(record);
	const dataDir = await mkdtemp(join(tmpdir(), 'reelsmith-browser-'));
	let stack: Stack | undefined;
	try {
		// Ports of its own, so the test runs beside a developer's `npm start` and other tests.
		stack = await startStack({ dataDir, n8nPort: await freePort(), log: record });
		const dashboard = await startDashboard({
			...dashboardConnection(stack),
			port: await freePort(),
			admin: ADMIN,
			// "Send again" reaches the test's callback receiver on loopback.
			callbacks: { ...callbackSettings(), allowLoopback: true },
			log: record,
		});
		const started = stack;
		return {
			stack: started,
			dashboard,
			dataDir,
			log,
			stop: async () => {
				await dashboard.stop().catch(() => {});
				await started.stop().catch(() => {});
				await rm(dataDir, { recursive: true, force: true });
			},
		};
	} catch (error) {
		await stack?.stop().catch(() => {});
		// Keep n8n's output: the data dir goes away.
		await mkdir(SCREENSHOTS, { recursive: true });
		await copyFile(join(dataDir, 'n8n.log'), join(SCREENSHOTS, 'n8n.log')).catch(() => {});
		await rm(dataDir, { recursive: true, force: true });
		(error as Error).message += `\n${log.slice(-30).join('\n')}`;
		throw error;
	}
}

/**
 * Launch options for Debian's Chromium, headless, with nothing phoning home: this machine's network is closed, and
 * background requests would be refused many at a time. `extraArgs` adds flags.
 */
export function chromiumOptions(extraArgs: string[] = []) {
	return {
		executablePath: CHROMIUM,
		headless: true,
		viewport: { width: 1360, height: 900 },
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			...extraArgs,
		],
	};
}

export interface BrowserSession {
	context: BrowserContext;
	page: Page;
	/** Uncaught errors and console errors of the page, so a test can say the app did not crash. */
	pageErrors: string[];
	consoleErrors: string[];
	close(): Promise<void>;
}

/** Debian's Chromium, headless, with a fresh profile and nothing phoning home. */
export async function launchChromium(): Promise<BrowserSession> {
	if (!existsSync(CHROMIUM)) {
		throw new Error(`${CHROMIUM} is missing. Install Debian's Chromium (apt-get install chromium) or set REELSMITH_CHROMIUM.`);
	}
	const profile = await mkdtemp(join(tmpdir(), 'reelsmith-chromium-'));
	const context = await chromium.launchPersistentContext(profile, chromiumOptions([
		// The test plays the final video without a click.
		'--autoplay-policy=no-user-gesture-required',
	]));
	const page = context.pages()[0] ?? (await context.newPage());
	const pageErrors: string[] = [];
	const consoleErrors: string[] = [];
	page.on('pageerror', (error) => pageErrors.push(error.message));
	page.on('console', (message) => {
		if (message.type() === 'error') consoleErrors.push(message.text());
	});
	return {
		context,
		page,
		pageErrors,
		consoleErrors,
		close: async () => {
			await context.close().catch(() => {});
			await rm(profile, { recursive: true, force: true });
		},
	};
}

/** Empties test-artifacts/dashboard/, so what is there after a run is that run's. */
export async function resetScreenshots(): Promise<void> {
	await rm(SCREENSHOTS, { recursive: true, force: true });
	await mkdir(SCREENSHOTS, { recursive: true });
}

/** A full-page screenshot under test-artifacts/dashboard/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
	await mkdir(SCREENSHOTS, { recursive: true });
	const path = join(SCREENSHOTS, `${name}.png`);
	await page.screenshot({ path, fullPage: true });
	return path;
}

/** Polls `read` until `until` holds (or throws with the last value seen). */
export async function waitFor<T>(
	what: string,
	read: () => Promise<T>,
	until: (value: T) => boolean,
	timeoutMs: number,
	everyMs = 250,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let last: T | undefined;
	for (;;) {
		last = await read();
		if (until(last)) return last;
		if (Date.now() > deadline)
			throw new Error(`${what}: not reached in ${Math.round(timeoutMs / 1000)} s; last value ${JSON.stringify(last)}`);
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
}
