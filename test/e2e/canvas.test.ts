/**
 * Every workflow as the n8n editor draws it: a real n8n with the workflows imported, an owner signed in through the
 * sign-in page in Debian's Chromium, each workflow opened on the canvas. The canvas must draw every node of the
 * JSON, with no two nodes and no sticky note over a node; a screenshot of each lands in
 * test-artifacts/workflows/<name>.png (look at them: the layout test only computes what the eye sees).
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../initialization/install-n8n';
import { buildPackage, ensureInstalled, startStack, type Stack } from '../../initialization/stack';
import { chromiumOptions } from '../dashboard/browser-support';
import { freePort } from '../helpers/ports';
import { coveredNodes, intersects, isSticky, overlappingNodes, readWorkflows, type Box } from '../helpers/workflow-layout';

const SCREENSHOTS = join(REPO_ROOT, 'test-artifacts', 'workflows');
const OWNER = { email: 'owner@canvas.test', firstName: 'Canvas', lastName: 'Test', password: 'Canvas-test-1234' };
const workflows = readWorkflows();

/** n8n 2.x opens the editor only to a user: the first one set up becomes the instance owner. */
async function setUpOwner(stack: Stack): Promise<void> {
	const response = await fetch(`${stack.n8nUrl}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(OWNER),
	});
	assert.equal(response.status, 200, `owner setup answered ${response.status}: ${await response.text()}`);
}

async function signIn(page: Page, stack: Stack): Promise<void> {
	await page.goto(`${stack.n8nUrl}/signin`);
	await page.locator('input[name="emailOrLdapLoginId"]').fill(OWNER.email);
	await page.locator('input[name="password"]').fill(OWNER.password);
	await page.locator('input[name="password"]').press('Enter');
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
}

/** The canvas's nodes as drawn: id → box on the screen. */
async function drawnNodes(page: Page): Promise<Map<string, Box>> {
	const boxes = await page.locator('.vue-flow__node').evaluateAll((elements) =>
		elements.map((element) => {
			const rect = element.getBoundingClientRect();
			return { id: element.getAttribute('data-id') ?? '', left: rect.left, top: rect.top, right: rect.right, bottom: rect.bottom };
		}),
	);
	return new Map(boxes.map(({ id, ...box }) => [id, box]));
}

describe('the workflows on the n8n canvas', { timeout: 15 * 60_000 }, () => {
	const log: string[] = [];
	let stack: Stack;
	let dataDir: string;
	let context: BrowserContext;
	let profile: string;
	let page: Page;

	beforeAll(async () => {
		const record = (line: string) => void log.push(line);
		try {
			await start(record);
		} catch (error) {
			// The runner shows only "failed running before hook": say what failed and what the stack logged.
			(error as Error).message += `\n${log.slice(-30).join('\n')}`;
			console.error(error);
			throw error;
		}
	});

	async function start(record: (line: string) => void): Promise<void> {
		await ensureInstalled(record);
		await buildPackage(record);
		await rm(SCREENSHOTS, { recursive: true, force: true });
		await mkdir(SCREENSHOTS, { recursive: true });
		// Seen once in a full CI run (2026-12-01): n8n started, but the two webhook workflows had not gone live after
		// 180 s, while five other starts in the same run and every start of this file alone were fine. This test is
		// about the canvas, not activation (test/runtime/stack.test.ts and the e2e runs cover that), so it starts n8n
		// once more, keeping the first n8n log under test-artifacts/workflows/ to find the cause.
		for (let attempt = 1; !stack; attempt++) {
			dataDir = await mkdtemp(join(tmpdir(), 'reelsmith-canvas-'));
			try {
				stack = await startStack({ dataDir, n8nPort: await freePort(), log: record });
			} catch (error) {
				await copyFile(join(dataDir, 'n8n.log'), join(SCREENSHOTS, `n8n-start-${attempt}-failed.log`)).catch(() => {});
				await rm(dataDir, { recursive: true, force: true });
				if (attempt >= 2 || !/did not go live/.test((error as Error).message)) throw error;
				console.warn(`[canvas] n8n start ${attempt} failed, starting again: ${(error as Error).message.split('\n')[0]}`);
			}
		}
		await setUpOwner(stack);
		profile = await mkdtemp(join(tmpdir(), 'reelsmith-chromium-'));
		// A wide window: the pipeline is 20 steps long and must still be readable when the canvas fits it.
		context = await chromium.launchPersistentContext(profile, { ...chromiumOptions(), viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 2 });
		page = context.pages()[0] ?? (await context.newPage());
		await signIn(page, stack);
	}

	afterAll(async () => {
		await context?.close().catch(() => {});
		if (profile) await rm(profile, { recursive: true, force: true });
		await stack?.stop().catch(() => {});
		if (stack) await writeFile(join(SCREENSHOTS, 'stack.log'), log.join('\n')).catch(() => {});
		if (dataDir) await rm(dataDir, { recursive: true, force: true });
	});

	for (const [name, workflow] of workflows) {
		test(`${name}: every node is drawn, nothing on top of anything`, async () => {
			// From the JSON first: what the canvas will draw.
			assert.deepEqual(overlappingNodes(workflow), [], 'nodes overlap in the JSON positions');
			assert.deepEqual(coveredNodes(workflow), [], 'a sticky note covers a node in the JSON positions');

			await page.goto(`${stack.n8nUrl}/workflow/${workflow.id}`);
			await page.waitForFunction(
				(count) => document.querySelectorAll('.vue-flow__node').length === count,
				workflow.nodes.length,
				{ timeout: 60_000 },
			);
			// The editor fits the workflow into the window once its nodes are measured; let that settle.
			await page.waitForTimeout(1500);
			const drawn = await drawnNodes(page);
			assert.deepEqual(
				[...drawn.keys()].sort(),
				workflow.nodes.map((node) => node.id).sort(),
				'the canvas draws exactly the nodes of the JSON',
			);

			// And on the screen: squares of nodes apart, sticky notes beside them.
			const steps = workflow.nodes.filter((node) => !isSticky(node));
			for (const [i, a] of steps.entries()) {
				for (const b of steps.slice(i + 1)) {
					assert.ok(!intersects(drawn.get(a.id)!, drawn.get(b.id)!), `"${a.name}" and "${b.name}" overlap on the canvas`);
				}
			}
			for (const sticky of workflow.nodes.filter(isSticky)) {
				for (const step of steps) {
					assert.ok(!intersects(drawn.get(sticky.id)!, drawn.get(step.id)!), `sticky note "${sticky.name}" covers "${step.name}" on the canvas`);
				}
			}
			await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
		});
	}
});
