import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The disk under the work folder has no room left. Said in words with what to do: nothing of the run is lost (its
 * clips and narrations are in object storage, its paid tasks in the ledger), so a resume finishes it once there is room.
 */
export class WorkFolderFullError extends Error {
	constructor(readonly folder: string) {
		super(`The work folder ${folder} is full: free space and resume the run.`);
		this.name = 'WorkFolderFullError';
	}
}

/**
 * Did this fail because the disk is full? Node says so with a code; ffmpeg, writing its output, only in its stderr
 * ("No space left on device"), which the ffmpeg transport keeps on its error.
 */
export function isDiskFull(error: unknown): boolean {
	const failure = error as { code?: unknown; stderr?: unknown; message?: unknown } | undefined;
	if (failure?.code === 'ENOSPC' || failure?.code === 'EDQUOT') return true;
	const text = `${typeof failure?.stderr === 'string' ? failure.stderr : ''}\n${typeof failure?.message === 'string' ? failure.message : ''}`;
	return /No space left on device|Disk quota exceeded/i.test(text);
}

/** The error as the person reading the run should see it: a full disk in words, anything else as it was. */
export function diskFullInWords(error: unknown): unknown {
	return error instanceof WorkFolderFullError || !isDiskFull(error) ? error : new WorkFolderFullError(tmpdir());
}

/** Below this much free space a failure in the work folder is taken for the full disk it most likely is. */
export const NEARLY_FULL_BYTES = 1024 * 1024;

/**
 * Not every program says so when the disk fills: espeak-ng exits 0 leaving a cut-off WAV, which reads as "not a WAV
 * file". A failure while the work folder's disk has almost no room left is said as the full disk.
 */
async function failureInWords(error: unknown): Promise<unknown> {
	const said = diskFullInWords(error);
	if (said !== error) return said;
	const free = await statfs(tmpdir()).then(
		({ bavail, bsize }) => bavail * bsize,
		() => Infinity,
	);
	return free < NEARLY_FULL_BYTES ? new WorkFolderFullError(tmpdir()) : error;
}

/**
 * Runs `fn` in a fresh temp folder (under TMPDIR) that is always removed afterwards, whatever happens. Every file the
 * nodes write on their own disk is written in such a folder, so this is where a full disk is said in words.
 */
export async function withWorkDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
	let dir: string;
	try {
		dir = await mkdtemp(join(tmpdir(), 'reelsmith-'));
	} catch (error) {
		throw diskFullInWords(error);
	}
	try {
		return await fn(dir);
	} catch (error) {
		throw await failureInWords(error);
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}
