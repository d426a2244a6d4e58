import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../initialization/install-n8n';

/**
 * The dashboard server, the bench, the dashboard tests and start.ts run through tsx, which strips types without
 * checking them; the package build (tsconfig.json) and the app build (ui/tsconfig.json) do not cover them.
 */
test('the dashboard server, bench and start script type-check', () => {
	const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
	const result = spawnSync(process.execPath, [tsc, '--noEmit', '--pretty', 'false', '-p', join(REPO_ROOT, 'ui', 'server', 'tsconfig.json')], {
		cwd: REPO_ROOT,
		encoding: 'utf8',
	});
	assert.equal(result.status, 0, `tsc -p ui/server/tsconfig.json found errors:\n${result.stdout}${result.stderr}`);
});
