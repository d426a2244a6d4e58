/// <reference lib="dom" />
/**
 * Event-to-screen delay for bench/dashboard.ts (issue 4: "the delay from a step event to the browser"): Debian's
 * Chromium, headless via playwright-core, logged in and showing a run page; each step event is inserted into Postgres
 * and timed until its message is in the page's timeline. The whole path is measured: NOTIFY → the API's SSE stream →
 * the app's EventSource → its refetch of the run (after the 150 ms fold of ui/app/src/api/live.ts) → React's render.
 *
 * Timing: a MutationObserver in the page notes the wall-clock time (performance.timeOrigin + performance.now(), sub-ms)
 * at which a timeline row carrying the message is in the DOM, and again at the next animation frame (the frame that
 * paints it). Node takes the same clock just before the INSERT; browser and Node share the machine's clock, and a
 * round-trip check before each series reports how far apart the two processes read it. The in-page observer records
 * the moment itself, so the waiting side (page.waitForFunction) adds no polling error.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { subscribeEvents } from '../test/dashboard/api-support';
import { chromiumOptions } from '../test/dashboard/browser-support';

/**
 * Wall-clock milliseconds with sub-millisecond resolution, as the page computes it too. The global `performance`, not
 * node:perf_hooks' import: tsx would rename an imported one inside the functions that run in the page.
 */
const wallNow = () => performance.timeOrigin + performance.now();

/**
 * The in-page recorder: every timeline row whose message starts with "screen-bench " is noted once, with the time its
 * text entered the DOM and the time of the animation frame after it. A string, not a function: tsx (esbuild) would
 * wrap a function's inner functions in a helper (`__name`) that does not exist in the page.
 */
const RECORDER = `(() => {
	window.__seen = {};
	const now = () => performance.timeOrigin + performance.now();
	new MutationObserver(() => {
		const t = now();
		document.querySelectorAll('[data-testid="timeline-event"] .message').forEach((node) => {
			const text = node.textContent || '';
			if (!text.startsWith('screen-bench ') || window.__seen[text]) return;
			const entry = { dom: t };
			window.__seen[text] = entry;
			requestAnimationFrame(() => { entry.frame = now(); });
		});
	}).observe(document.body, { childList: true, subtree: true, characterData: true });
})()`;

export interface RunPageBrowser {
	page: Page;
	/** Page errors and console errors, printed if a series loses events. */
	problems: string[];
	close(): Promise<void>;
}

/** Starts Chromium with a fresh profile, logs in through the login form and opens `/runs/<runId>` with live updates on. */
export async function openRunPage(base: string, credentials: { email: string; password: string }, runId: string): Promise<RunPageBrowser> {
	const profile = await mkdtemp(join(tmpdir(), 'reelsmith-bench-chromium-'));
	let context: BrowserContext | undefined;
	try {
		context = await chromium.launchPersistentContext(profile, chromiumOptions());
		// The bench has no object store: the run page's thumbnails and clips are answered here, before the API tries
		// to sign links to a store that is not there (its 502s would only add noise to the server's log).
		await context.route('**/api/artifacts/**', (route) => route.fulfill({ status: 404, body: '' }));
		const page = context.pages()[0] ?? (await context.newPage());
		const problems: string[] = [];
		page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
		page.on('console', (message) => {
			if (message.type() === 'error') problems.push(`console: ${message.text()}`);
		});
		await page.goto(base);
		await page.waitForURL(/\/login/);
		await page.getByTestId('login-email').fill(credentials.email);
		await page.getByTestId('login-password').fill(credentials.password);
		await page.getByTestId('login-submit').click();
		await page.getByTestId('campaigns-page').waitFor();
		await page.goto(`${base}/runs/${runId}`);
		await page.getByTestId('timeline').waitFor();
		await page.locator('[data-testid="live-state"].live-live').waitFor();
		await page.evaluate(RECORDER);
		const opened = context;
		return {
			page,
			problems,
			close: async () => {
				await opened.close().catch(() => {});
				await rm(profile, { recursive: true, force: true });
			},
		};
	} catch (error) {
		await context?.close().catch(() => {});
		await rm(profile, { recursive: true, force: true });
		throw error;
	}
}

export interface ScreenSeries {
	/** Insert → the message's row in the page's DOM (MutationObserver), ms; NaN = not seen within 5 s. */
	dom: number[];
	/** Insert → the animation frame after that (the frame that paints it), ms. */
	screen: number[];
	/** Insert → the SSE message at a Node client subscribed at the same time, for the same events, ms. */
	sse: number[];
	/** Node's wall clock minus the page's, from round trips (should be ~0: one machine, one clock), and its ± bound. */
	clockOffset: number;
	clockError: number;
}

/** Page clock vs Node clock: the page's reading against the midpoint of the round trip, the tightest of five. */
async function clockCheck(page: Page): Promise<{ offset: number; error: number }> {
	let best = { offset: 0, error: Number.POSITIVE_INFINITY };
	for (let i = 0; i < 5; i++) {
		const before = wallNow();
		const inPage = await page.evaluate(() => performance.timeOrigin + performance.now());
		const after = wallNow();
		if ((after - before) / 2 < best.error) best = { offset: (before + after) / 2 - inPage, error: (after - before) / 2 };
	}
	return best;
}

/**
 * Inserts `count` step events one by one into `runId` (the run the page shows) and times each until its message is in
 * the page's timeline; a Node SSE client times the same events (transport only) for comparison.
 */
export async function screenDelays(
	browser: RunPageBrowser,
	base: string,
	cookie: string,
	db: Client,
	runId: string,
	count: number,
	label: string,
): Promise<ScreenSeries> {
	const { page } = browser;
	const sseArrivals = new Map<number, number>();
	const events = await subscribeEvents(base, cookie, (message) => {
		const at = wallNow();
		if (message.type === 'event') sseArrivals.set(Number(message.id), at);
	});
	if (events.status !== 200) throw new Error(`/api/events answered ${events.status}`);
	const clock = await clockCheck(page);
	const series: ScreenSeries = { dom: [], screen: [], sse: [], clockOffset: clock.offset, clockError: clock.error };
	try {
		for (let i = 0; i < count; i++) {
			const message = `screen-bench ${label} ${i} ${Math.random().toString(36).slice(2, 8)}`;
			const finished = i % 2 === 1;
			const sent = wallNow();
			const { rows } = await db.query(
				`insert into events (run_id, stage, status, scene_number, message, duration_ms) values ($1, 'generation', $2, $3, $4, $5) returning id`,
				[runId, finished ? 'finished' : 'started', 1 + (i % 5), message, finished ? 30000 : null],
			);
			const id = Number(rows[0].id);
			const seen = await page
				.waitForFunction(
					(text) => (window as unknown as { __seen: Record<string, { dom: number; frame?: number }> }).__seen[text]?.frame !== undefined,
					message,
					{ timeout: 5000 },
				)
				.then(() =>
					page.evaluate((text) => (window as unknown as { __seen: Record<string, { dom: number; frame: number }> }).__seen[text], message),
				)
				.catch(() => undefined);
			// One machine, one clock: page times are taken as they are (the check above only reports the offset; an estimate
			// within its own ± bound would add noise rather than remove it).
			series.dom.push(seen ? seen.dom - sent : Number.NaN);
			series.screen.push(seen ? seen.frame - sent : Number.NaN);
			series.sse.push(sseArrivals.has(id) ? sseArrivals.get(id)! - sent : Number.NaN);
			// Apart, so each event is its own refetch (the app folds events arriving within 150 ms into one).
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	} finally {
		events.close();
	}
	return series;
}
