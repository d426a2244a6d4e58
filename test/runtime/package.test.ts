import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, test } from 'vitest';
import { promisify } from 'node:util';
import { buildPackage } from '../../initialization/build';
import { cleanNpmEnv, REPO_ROOT } from '../../initialization/install-n8n';

/**
 * What `npm publish` would ship (`npm pack --dry-run`): what an n8n user needs (the nodes and credentials n8n loads,
 * the main module, the SQL to create the store, the workflows to import, the licence) and no build leftovers or tests.
 */
describe('the npm package', () => {
	let shipped: string[];
	let manifest: { main: string; license: string; n8n: { nodes: string[]; credentials: string[] } };

	beforeAll(async () => {
		await buildPackage(() => {});
		manifest = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8'));
		const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
			cwd: REPO_ROOT,
			env: cleanNpmEnv(),
			maxBuffer: 16 * 1024 * 1024,
		});
		shipped = (JSON.parse(stdout) as { files: { path: string }[] }[])[0].files.map((file) => file.path);
	});

	test('holds every node and credential of the n8n section, and the main module', () => {
		for (const file of [...manifest.n8n.nodes, ...manifest.n8n.credentials, manifest.main]) {
			assert.ok(shipped.includes(file), `${file} is shipped`);
		}
	});

	test('holds the MIT licence package.json names', async () => {
		assert.equal(manifest.license, 'MIT');
		assert.ok(shipped.includes('LICENSE'));
		assert.match(await readFile(join(REPO_ROOT, 'LICENSE'), 'utf8'), /^MIT License\n/);
	});

	test('holds every migration, the seed and every workflow', async () => {
		const migrations = (await readdir(join(REPO_ROOT, 'initialization', 'migrations'))).filter((file) => file.endsWith('.sql'));
		const workflows = (await readdir(join(REPO_ROOT, 'workflows'))).filter((file) => file.endsWith('.json'));
		assert.ok(migrations.length > 0 && workflows.length > 0);
		for (const file of migrations) assert.ok(shipped.includes(`initialization/migrations/${file}`), `migration ${file} is shipped`);
		for (const file of workflows) assert.ok(shipped.includes(`workflows/${file}`), `workflow ${file} is shipped`);
		assert.ok(shipped.includes('initialization/seed.sql'));
		assert.ok(shipped.includes('dist/initialization/migrate.js'), 'the migrator that applies them');
	});

	test('holds no build leftovers, tests or sources', () => {
		const unwanted = shipped.filter(
			(file) =>
				/\.tsbuildinfo$|build-stamp/.test(file) ||
				/(^|\/)test\/|\.test\.[jt]s$/.test(file) ||
				(file.endsWith('.ts') && !file.endsWith('.d.ts')),
		);
		assert.deepEqual(unwanted, []);
	});
});
