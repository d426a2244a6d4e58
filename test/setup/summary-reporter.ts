/**
 * Ends the run with one plain line, "N passed, N failed, N skipped", after vitest's own summary: CI reads that
 * line to know tests ran (vitest's summary table is not one it reads). Before it, the slowest test files with
 * their seconds, so a CI log shows where the run's time goes when it grows.
 */
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

const SLOWEST = 12;

export default class SummaryReporter implements Reporter {
	onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
		const counts = { passed: 0, failed: 0, skipped: 0 };
		for (const module of testModules) {
			for (const test of module.children.allTests()) {
				const state = test.result().state;
				if (state === 'passed') counts.passed++;
				else if (state === 'failed') counts.failed++;
				else counts.skipped++;
			}
		}
		const timed = testModules
			.map((module) => ({ file: path.relative(process.cwd(), module.moduleId), seconds: module.diagnostic().duration / 1000 }))
			.sort((a, b) => b.seconds - a.seconds);
		if (timed.length > 1) {
			const total = timed.reduce((sum, entry) => sum + entry.seconds, 0);
			console.log(`\nSlowest test files (of ${timed.length}, ${Math.round(total)} s in tests and hooks):`);
			for (const entry of timed.slice(0, SLOWEST)) console.log(`  ${entry.seconds.toFixed(0).padStart(5)} s  ${entry.file}`);
		}
		console.log(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
	}
}
