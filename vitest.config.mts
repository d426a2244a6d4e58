/**
 * `npm test` = `vitest run` over five projects, so `npm test -- <file filter>` and `npm test -- --project e2e` work:
 *
 *   unit       pure logic (parsing, critique, prices, request validation, subtitle text, layout), the type check
 *              of every TypeScript project, and repository guards
 *   node       one node (or its providers) at a time: real ffmpeg, espeak-ng, embedded Postgres, the local S3
 *              endpoint and the loopback provider fakes
 *   e2e        real n8n (Node 24) with the workflows imported: the pipeline, paid providers on their fakes, the stack
 *   dashboard  the dashboard API on real Postgres and S3
 *   browser    the dashboard in Debian's Chromium over the whole stack
 *
 * e2e, dashboard and browser share one global setup (test/setup/stack.ts): n8n + Node 24 installed, the package
 * and the dashboard app built. Files run one at a time: the media tests use both cores, and the stack tests start
 * n8n, Postgres and Chromium of their own.
 */
import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

const UNIT = [
	'test/screenplay/parse.test.ts',
	'test/screenplay/critique.test.ts',
	'test/screenplay/refine.test.ts',
	'test/screenplay/corpus.test.ts',
	'test/screenplay/traps.test.ts',
	'test/screenplay/trailer.test.ts',
	'test/campaign/request.test.ts',
	'test/campaign/batch.test.ts',
	'test/campaign/request-fuzz.test.ts',
	'test/campaign/auth.test.ts',
	'test/campaign/cast.test.ts',
	'test/ffmpeg/srt.test.ts',
	'test/video-generation/layout.test.ts',
	'test/video-providers/prices.test.ts',
	'test/text-to-speech/voices.test.ts',
	'test/text-to-speech/resample.test.ts',
	'test/runtime/compose.test.ts',
	'test/shared/*.test.ts',
	'test/workflows/*.test.ts',
	'test/nodes/*.test.ts',
	'test/runtime/typecheck.test.ts',
	'test/runtime/package.test.ts',
];
const E2E = ['test/e2e/**/*.test.ts', 'test/runtime/stack.test.ts', 'test/runtime/install.test.ts', 'test/runtime/npm-start.test.ts'];
const DASHBOARD = ['test/dashboard/api.test.ts', 'test/dashboard/openapi.test.ts'];
const BROWSER = ['test/dashboard/browser.test.ts'];
const STACK_SETUP = ['test/setup/stack.ts'];

const minutes = (n: number) => n * 60_000;

export default defineConfig({
	resolve: {
		// n8n loads community packages with require(), so the nodes under test get n8n-workflow's CommonJS build too
		// (its ES build would be transformed by Vite, with source-map warnings, and be a second copy of its classes).
		alias: { 'n8n-workflow': require.resolve('n8n-workflow') },
	},
	test: {
		// node:assert stays the assertion library (n8n's own tests use expect; ours read the same with assert).
		globals: false,
		fileParallelism: false,
		maxWorkers: 1,
		reporters: ['default', './test/setup/summary-reporter.ts'],
		projects: [
			{ extends: true, test: { name: 'unit', include: UNIT, testTimeout: minutes(3), hookTimeout: minutes(1) } },
			{
				extends: true,
				test: {
					name: 'node',
					include: ['test/**/*.test.ts'],
					exclude: [...UNIT, ...E2E, ...DASHBOARD, ...BROWSER],
					testTimeout: minutes(5),
					hookTimeout: minutes(5),
				},
			},
			{ extends: true, test: { name: 'e2e', include: E2E, globalSetup: STACK_SETUP, testTimeout: minutes(30), hookTimeout: minutes(15) } },
			{ extends: true, test: { name: 'dashboard', include: DASHBOARD, globalSetup: STACK_SETUP, testTimeout: minutes(5), hookTimeout: minutes(5) } },
			{ extends: true, test: { name: 'browser', include: BROWSER, globalSetup: STACK_SETUP, testTimeout: minutes(30), hookTimeout: minutes(15) } },
		],
	},
});
