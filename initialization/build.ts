/**
 * Builds the community package into dist/: TypeScript (tsc, tsconfig.json) plus the static files n8n needs beside
 * the compiled nodes (icons; codex .node.json and data JSON come through tsc because tsconfig includes them).
 *
 * This does what `n8n-node build` does, restricted to nodes/ and credentials/: that command globs every *.svg
 * below the repository except ./node_modules, so it would copy the thousands of icons inside initialization/n8n.
 * Skipped when no input changed since the last build (a stamp of paths, sizes and mtimes in dist/).
 *
 * Run directly: `node --import tsx initialization/build.ts [--force]`.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { REPO_ROOT, type Log } from './install-n8n';

export const DIST = join(REPO_ROOT, 'dist');
const STAMP = join(DIST, '.reelsmith-build-stamp');
const SOURCE_FOLDERS = ['nodes', 'credentials'];
/** Compiled beside the nodes: the package's main module and the schema migrator it exports (tsconfig.json). */
const SOURCE_FILES = ['index.ts', 'initialization/migrate.ts', 'package.json', 'tsconfig.json'];
const STATIC_FILE = /\.(svg|png)$|[\\/]__schema__[\\/].*\.json$/;

/** Every file below folder (none when it is missing), skipping node_modules and dot entries. */
export async function walk(folder: string, files: string[] = []): Promise<string[]> {
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

async function inputFiles(): Promise<string[]> {
	const files: string[] = [];
	for (const folder of SOURCE_FOLDERS) await walk(join(REPO_ROOT, folder), files);
	files.push(...SOURCE_FILES.map((file) => join(REPO_ROOT, file)));
	return files.sort();
}

/** A stamp of the files' paths, sizes and mtimes: it changes when any input changes, is added or goes. */
export async function fingerprint(files: string[]): Promise<string> {
	const hash = createHash('sha256');
	for (const file of [...files].sort()) {
		const info = await stat(file).catch(() => undefined);
		hash.update(`${relative(REPO_ROOT, file)}\0${info?.size ?? -1}\0${info?.mtimeMs ?? -1}\n`);
	}
	return hash.digest('hex');
}

/** Whether the stamp file a previous build wrote holds this stamp, so the build can be skipped. */
export async function stampMatches(stampFile: string, stamp: string): Promise<boolean> {
	return existsSync(stampFile) && (await readFile(stampFile, 'utf8')) === stamp;
}

/** Runs a Node script (tsc, vite …) quietly; on failure logs its first 40 lines and rejects naming the step. */
export function runBuildStep(
	label: string,
	args: string[],
	log: Log,
	options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<void> {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(process.execPath, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: options.env });
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

/** Compiles the package into dist/ unless it is up to date. Returns whether a build ran. */
export async function buildPackage(log: Log = console.log, options: { force?: boolean } = {}): Promise<boolean> {
	const files = await inputFiles();
	const stamp = await fingerprint(files);
	if (!options.force && (await stampMatches(STAMP, stamp))) return false;
	const started = Date.now();
	log('[build] compiling the Reelsmith package (tsc → dist/) …');
	// Start clean so files of deleted nodes do not linger in dist/ and get loaded by n8n.
	await rm(DIST, { recursive: true, force: true });
	const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
	await runBuildStep('TypeScript build', [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], log, { cwd: REPO_ROOT });
	let copied = 0;
	for (const file of files) {
		if (!STATIC_FILE.test(file)) continue;
		const target = join(DIST, relative(REPO_ROOT, file));
		await mkdir(dirname(target), { recursive: true });
		await copyFile(file, target);
		copied++;
	}
	await writeFile(STAMP, stamp);
	log(`[build] done in ${((Date.now() - started) / 1000).toFixed(1)} s (${copied} icons/static files copied).`);
	return true;
}

if (require.main === module) {
	buildPackage(console.log, { force: process.argv.includes('--force') }).then(
		(built) => built || console.log('[build] dist/ is up to date.'),
		(error: Error) => {
			console.error(error.message);
			process.exit(1);
		},
	);
}
