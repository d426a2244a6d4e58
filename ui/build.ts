/**
 * Builds the dashboard app (ui/app, React + Vite) into ui/dist, which the dashboard server serves at `/`.
 * Type-checks first (tsc -p ui/tsconfig.json; Vite only strips types), so a type error stops the build with its
 * lines. Skipped when no input changed since the last build (a stamp of paths, sizes and mtimes in ui/dist/),
 * with the stamp and step helpers of initialization/build.ts. `npm start` and `npm test` call it.
 *
 * Run directly: `node --import tsx ui/build.ts [--force]`.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fingerprint, runBuildStep, stampMatches, walk } from '../initialization/build';
import { REPO_ROOT, type Log } from '../initialization/install-n8n';

export const UI_ROOT = join(REPO_ROOT, 'ui');
export const DASHBOARD_DIST = join(UI_ROOT, 'dist');
const STAMP = join(DASHBOARD_DIST, '.reelsmith-build-stamp');

async function inputFiles(): Promise<string[]> {
	const files = await walk(join(UI_ROOT, 'app'));
	// The language picker's list is the pipeline's own (nodes/shared/data/languages.json).
	files.push(join(UI_ROOT, 'package.json'), join(UI_ROOT, 'tsconfig.json'), join(UI_ROOT, 'build.ts'), join(REPO_ROOT, 'nodes', 'shared', 'data', 'languages.json'));
	return files;
}

/** A package's file, wherever npm put it (the ui workspace or hoisted to the root). */
function installed(path: string): string {
	for (const base of [join(UI_ROOT, 'node_modules'), join(REPO_ROOT, 'node_modules')]) {
		if (existsSync(join(base, path))) return join(base, path);
	}
	throw new Error(`${path} is not installed. Run \`npm install\` at the repository root (it installs the ui workspace too).`);
}

/** Builds ui/dist unless it is up to date. Returns whether a build ran. */
export async function buildDashboard(log: Log = console.log, options: { force?: boolean } = {}): Promise<boolean> {
	const stamp = await fingerprint(await inputFiles());
	if (!options.force && existsSync(join(DASHBOARD_DIST, 'index.html')) && (await stampMatches(STAMP, stamp))) return false;
	const started = Date.now();
	log('[build] building the dashboard (tsc check, vite → ui/dist) …');
	const step = { cwd: UI_ROOT, env: { ...process.env, NODE_ENV: 'production' } };
	await runBuildStep('Dashboard type check', [installed('typescript/bin/tsc'), '-p', 'tsconfig.json', '--pretty', 'false'], log, step);
	await runBuildStep(
		'Dashboard build (vite)',
		[installed('vite/bin/vite.js'), 'build', '--config', 'app/vite.config.ts', '--logLevel', 'warn'],
		log,
		step,
	);
	await writeFile(STAMP, stamp);
	log(`[build] dashboard done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
	return true;
}

if (process.argv[1] && /ui[\\/]build\.ts$/.test(process.argv[1])) {
	buildDashboard(console.log, { force: process.argv.includes('--force') }).then(
		(built) => built || console.log('[build] ui/dist is up to date.'),
		(error: Error) => {
			console.error(error.message);
			process.exit(1);
		},
	);
}
