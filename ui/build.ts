/**
 * Builds the dashboard app (ui/app, React + Vite) into ui/dist, which the dashboard server serves at `/`.
 * Type-checks first (tsc -p ui/tsconfig.json; Vite only strips types), so a type error stops the build with its
 * lines. Skipped when no input changed since the last build (a stamp of paths, sizes and mtimes in ui/dist/),
 * like initialization/build.ts does for the package. `npm start` and `npm test` call it.
 *
 * Run directly: `node --import tsx ui/build.ts [--force]`.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { REPO_ROOT, type Log } from '../initialization/install-n8n';

export const UI_ROOT = join(REPO_ROOT, 'ui');
export const DASHBOARD_DIST = join(UI_ROOT, 'dist');
const STAMP = join(DASHBOARD_DIST, '.reelsmith-build-stamp');

async function walk(folder: string, files: string[] = []): Promise<string[]> {
	let entries;
	try {
		entries = await readdir(folder, { withFileTypes: true });
	} catch {
		return files;
	}
	for (const entry of entries) {
		if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
		const path = join(folder, entry.name);
		if (entry.isDirectory()) await walk(path, files);
		else if (entry.isFile()) files.push(path);
	}
	return files;
}

async function fingerprint(): Promise<string> {
	const files = await walk(join(UI_ROOT, 'app'));
	files.push(join(UI_ROOT, 'package.json'), join(UI_ROOT, 'tsconfig.json'), join(UI_ROOT, 'build.ts'));
	const hash = createHash('sha256');
	for (const file of files.sort()) {
		const info = await stat(file).catch(() => undefined);
		hash.update(`${relative(REPO_ROOT, file)}\0${info?.size ?? -1}\0${info?.mtimeMs ?? -1}\n`);
	}
	return hash.digest('hex');
}

/** A package's file, wherever npm put it (the ui workspace or hoisted to the root). */
function installed(path: string): string {
	for (const base of [join(UI_ROOT, 'node_modules'), join(REPO_ROOT, 'node_modules')]) {
		if (existsSync(join(base, path))) return join(base, path);
	}
	throw new Error(`${path} is not installed. Run \`npm install\` at the repository root (it installs the ui workspace too).`);
}

function run(label: string, args: string[], log: Log): Promise<void> {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(process.execPath, args, {
			cwd: UI_ROOT,
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...process.env, NODE_ENV: 'production' },
		});
		let output = '';
		child.stdout.on('data', (chunk) => (output += chunk));
		child.stderr.on('data', (chunk) => (output += chunk));
		child.on('error', reject);
		child.on('close', (code) => {
			if (code === 0) return resolvePromise();
			const lines = output.trim().split('\n');
			lines.slice(0, 40).forEach((line) => log(`    ${line}`));
			reject(new Error(`${label} failed (${lines.length} lines above). Fix them and start again.`));
		});
	});
}

/** Builds ui/dist unless it is up to date. Returns whether a build ran. */
export async function buildDashboard(log: Log = console.log, options: { force?: boolean } = {}): Promise<boolean> {
	const stamp = await fingerprint();
	if (!options.force && existsSync(join(DASHBOARD_DIST, 'index.html')) && existsSync(STAMP) && (await readFile(STAMP, 'utf8')) === stamp) {
		return false;
	}
	const started = Date.now();
	log('[build] building the dashboard (tsc check, vite → ui/dist) …');
	await run('Dashboard type check', [installed('typescript/bin/tsc'), '-p', 'tsconfig.json', '--pretty', 'false'], log);
	await run(
		'Dashboard build (vite)',
		[installed('vite/bin/vite.js'), 'build', '--config', 'app/vite.config.ts', '--logLevel', 'warn'],
		log,
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
