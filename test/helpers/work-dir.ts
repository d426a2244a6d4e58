import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export interface WorkDir {
	/** The folder's path (set when the tests start). */
	readonly path: string;
	/** A path inside the folder. */
	file(name: string): string;
}

/** A temp folder for a test file's scratch files (downloads, renders): made before its tests, removed after. */
export function useWorkDir(prefix: string): WorkDir {
	let path: string | undefined;
	const current = () => {
		if (!path) throw new Error('The work folder is made in beforeAll(): use it inside a test or a hook.');
		return path;
	};
	beforeAll(async () => {
		path = await mkdtemp(join(tmpdir(), prefix));
	});
	afterAll(async () => {
		if (path) await rm(path, { recursive: true, force: true });
	});
	return {
		get path() {
			return current();
		},
		file: (name) => join(current(), name),
	};
}
