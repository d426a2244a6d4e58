import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, test } from 'vitest';
import { FfmpegError } from '../../nodes/shared/transport/ffmpeg';
import { withWorkDir, WorkFolderFullError } from '../../nodes/shared/workdir';

describe('a full disk under the work folder is said in words', () => {
	test("Node's ENOSPC from a write becomes 'the work folder … is full: free space and resume the run'", async () => {
		let folder = '';
		const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
		await assert.rejects(
			withWorkDir(async (dir) => {
				folder = dir;
				throw full;
			}),
			(error: Error) => {
				assert.ok(error instanceof WorkFolderFullError);
				assert.equal(error.message, `The work folder ${tmpdir()} is full: free space and resume the run.`);
				return true;
			},
		);
		assert.equal(existsSync(folder), false, 'the scratch folder is removed all the same');
	});

	test('ffmpeg, which says it only in its stderr, gets the same message', async () => {
		const ffmpegFull = new FfmpegError(
			'ffmpeg failed (exit code 1): Error initializing output stream',
			['-i', 'x'],
			'Could not write header for output file #0: No space left on device\n',
			1,
		);
		await assert.rejects(
			withWorkDir(async () => {
				throw ffmpegFull;
			}),
			/^WorkFolderFullError: The work folder .* is full: free space and resume the run\.$/,
		);
	});

	test('any other failure passes through as it was', async () => {
		const other = new Error('The file Kling returned is not a video (41 bytes).');
		await assert.rejects(
			withWorkDir(async () => {
				throw other;
			}),
			(error) => error === other,
		);
	});
});
