/** The built package inside n8n's user folder, where n8n loads community packages from. */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DIST } from './build';
import { cleanNpmEnv, N8N_FOLDER, readJson, REPO_ROOT, type Log } from './install-n8n';
import { runProcess } from './n8n-process';

export const PACKAGE_NAME = 'n8n-nodes-reelsmith';

/**
 * Installs the built package where n8n looks for community packages: <userFolder>/.n8n/nodes/node_modules/<name>.
 * Runtime dependencies (pg, minio) are installed beside it once (again only when they change); the package itself is
 * copied fresh on every start so code changes apply. `n8n-workflow` is linked to the copy n8n runs, so the package
 * never loads a second copy (e.g. the repository's dev dependency, found by walking up from a data dir in the repo).
 */
export async function installPackageIntoN8n(userFolder: string, log: Log): Promise<void> {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const modulesDir = join(nodesDir, 'node_modules');
	await mkdir(modulesDir, { recursive: true });
	const rootPackage = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
		dependencies?: Record<string, string>;
	};
	const dependencies = rootPackage.dependencies ?? {};
	const manifest = { name: 'installed-nodes', private: true, description: 'Runtime dependencies of n8n-nodes-reelsmith, installed by initialization/n8n-package.ts', dependencies };
	const manifestFile = join(nodesDir, 'package.json');
	const current = await readJson<typeof manifest>(manifestFile);
	const missing = Object.keys(dependencies).some((name) => !existsSync(join(modulesDir, name, 'package.json')));
	if (missing || JSON.stringify(current?.dependencies) !== JSON.stringify(dependencies)) {
		const started = Date.now();
		log(`[stack] installing the package's runtime dependencies (${Object.keys(dependencies).join(', ')}) for n8n …`);
		await writeFile(manifestFile, JSON.stringify(manifest, null, 2));
		const result = await runProcess(
			'npm',
			['install', '--omit=dev', '--omit=peer', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
			{ cwd: nodesDir, env: { ...cleanNpmEnv(), npm_config_yes: 'true' } },
		);
		if (result.code !== 0) throw new Error(`npm install in ${nodesDir} failed:\n${result.output.trim()}`);
		log(`[stack] runtime dependencies installed (${((Date.now() - started) / 1000).toFixed(1)} s).`);
	}
	// Copy package.json + dist into a hidden sibling, then swap it in (n8n only scans n8n-nodes-* names).
	const target = join(modulesDir, PACKAGE_NAME);
	const staging = join(modulesDir, `.${PACKAGE_NAME}-${randomBytes(4).toString('hex')}`);
	await mkdir(staging, { recursive: true });
	await cp(join(REPO_ROOT, 'package.json'), join(staging, 'package.json'));
	await cp(DIST, join(staging, 'dist'), {
		recursive: true,
		filter: (source) => !/\.tsbuildinfo$|\.reelsmith-build-stamp$/.test(source),
	});
	await rm(target, { recursive: true, force: true });
	await rename(staging, target);
	const workflowLink = join(modulesDir, 'n8n-workflow');
	await rm(workflowLink, { recursive: true, force: true });
	await symlink(join(N8N_FOLDER, 'node_modules', 'n8n-workflow'), workflowLink, 'dir');
}
