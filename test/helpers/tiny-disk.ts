import { execFile } from 'node:child_process';
import { mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A small tmpfs to fill up, so a test meets a real ENOSPC; mounting needs root (CI and the dev machines are). */
export interface TinyDisk {
	path: string;
	/** Fills it until `leaveBytes` are free. */
	fill(leaveBytes: number): Promise<void>;
	/** Frees what fill() took. */
	free(): Promise<void>;
	unmount(): Promise<void>;
}

/** Mounts a tmpfs of `size` (e.g. "1m"); null when this process may not mount (not root). */
export async function mountTinyDisk(size: string): Promise<TinyDisk | null> {
	if (process.getuid?.() !== 0) return null;
	const path = await mkdtemp(join(tmpdir(), 'reelsmith-tiny-disk-'));
	try {
		await run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path]);
	} catch {
		await rm(path, { recursive: true, force: true });
		return null;
	}
	const filler = join(path, 'filler');
	return {
		path,
		async fill(leaveBytes) {
			const { bavail, bsize } = await statfs(path);
			await writeFile(filler, Buffer.alloc(Math.max(0, bavail * bsize - leaveBytes)));
		},
		free: () => rm(filler, { force: true }),
		async unmount() {
			await run('umount', [path]).catch(() => run('umount', ['-l', path]));
			await rm(path, { recursive: true, force: true });
		},
	};
}
