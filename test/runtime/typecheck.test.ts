import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'vitest';
import { REPO_ROOT } from '../../initialization/install-n8n';

/**
 * Vitest and tsx strip types without checking them, so every TypeScript project of the repository is type-checked
 * here, as part of `npm test` (and by `npm run typecheck`):
 */
const PROJECTS: [string, string][] = [
	['tsconfig.json', 'the package: nodes and credentials'],
	['test/tsconfig.json', 'the tests, their fakes and initialization/'],
	['ui/server/tsconfig.json', 'the dashboard server, the bench and the start script'],
	['ui/tsconfig.json', 'the dashboard app'],
];

describe('type check', () => {
	for (const [project, what] of PROJECTS) {
		test(`${what} (${project}) type-check`, () => {
			const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
			const result = spawnSync(process.execPath, [tsc, '--noEmit', '--pretty', 'false', '-p', join(REPO_ROOT, project)], {
				cwd: REPO_ROOT,
				encoding: 'utf8',
			});
			assert.equal(result.status, 0, `tsc -p ${project} found errors:\n${result.stdout}${result.stderr}`);
		});
	}
});
