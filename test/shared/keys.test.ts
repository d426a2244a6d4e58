import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, it } from 'vitest';
import * as keys from '../../nodes/shared/keys';

const ROOT = join(__dirname, '..', '..');

async function files(folder: string, extension: string, found: string[] = []): Promise<string[]> {
	for (const entry of await readdir(folder, { withFileTypes: true })) {
		const path = join(folder, entry.name);
		if (entry.isDirectory()) await files(path, extension, found);
		else if (entry.name.endsWith(extension)) found.push(path);
	}
	return found;
}

/**
 * An object key spelled out: a string that starts with "runs/" (also inside an n8n expression, ={{ 'runs/' + … }}),
 * or one that starts a folder of the run layout ('/scenes/', `${runId}/final/`). Prose that mentions the layout
 * ("under the run's folder") does not match; keys.ts is the one file allowed to spell it.
 */
const SPELLED_KEY = [/['"`]=?runs\//, /(['"`]|\})\/?(scenes|final|work|plan|lines)\//];

function spelledKeys(path: string, text: string): string[] {
	return text.split('\n').flatMap((line, index) =>
		SPELLED_KEY.some((pattern) => pattern.test(line)) ? [`${relative(ROOT, path)}:${index + 1}: ${line.trim()}`] : [],
	);
}

describe('object keys', () => {
	it('keys.ts is the only place a key is built: no node source or workflow spells one out', async () => {
		const sources = (await files(join(ROOT, 'nodes'), '.ts')).filter((path) => path !== join(ROOT, 'nodes', 'shared', 'keys.ts'));
		const workflows = await files(join(ROOT, 'workflows'), '.json');
		assert.ok(sources.length > 50 && workflows.length > 5, 'the scan sees the tree');
		const found: string[] = [];
		for (const path of [...sources, ...workflows]) found.push(...spelledKeys(path, await readFile(path, 'utf8')));
		assert.deepEqual(found, [], 'build these keys with a builder from nodes/shared/keys.ts (or leave the key parameter empty)');
	});

	it('the guard catches the ways keys used to be spelled', () => {
		const caught = [
			`default: "={{ 'runs/' + $json.runId + '/work/concat.mp4' }}",`,
			'"outputKey": "={{ \'runs/\' + $json.runId + \'/final/thumbnail.jpg\' }}"',
			'const metadataKey = (runId: string) => `runs/${runId}/final/metadata.json`;',
			"const key = `${folder}lines/${String(index + 1).padStart(2, '0')}.wav`;",
			"\"srtKey\": \"={{ $json.prefix + '/final/subtitles.srt' }}\"",
		];
		assert.deepEqual(caught.filter((line) => spelledKeys('x', line).length === 0), []);
		const prose = ["description: 'Object key of the clip, in the run\\'s folder'", '// Every artifact lives under the run prefix'];
		assert.deepEqual(prose.flatMap((line) => spelledKeys('x', line)), []);
	});

	it('lays a run out under one prefix, scenes three digits and lines two', () => {
		const run = 'f2a1';
		assert.equal(keys.clipKey(run, 7), 'runs/f2a1/scenes/007/clip.mp4');
		assert.equal(keys.lineKey(run, 7, 3), 'runs/f2a1/scenes/007/lines/03.wav');
		assert.equal(keys.lineKey(run, 7, 3), keys.lineKeyIn(keys.scenePrefix(run, 7), 3));
		assert.equal(keys.narrationKey(run, 7), keys.narrationKeyIn(keys.scenePrefix(run, 7)));
		assert.equal(keys.frameCheckKey(run, 12), 'runs/f2a1/scenes/012/frame-check.jpg');
		assert.equal(keys.joinedKey(run), 'runs/f2a1/work/joined.mp4');
		assert.equal(keys.finalKey(run, 'shorts'), 'runs/f2a1/final/shorts.mp4');
		assert.equal(keys.metadataKey(run), 'runs/f2a1/final/metadata.json');
		assert.equal(keys.speechKey(run, 2), 'runs/f2a1/work/speech-2.wav');
		assert.equal(keys.batchExportKey('b7'), 'batches/b7/export.zip');
		assert.equal(keys.batchManifestKey('b7'), 'batches/b7/manifest.json');
		// Every builder stays inside the run's prefix, so a run is listed or deleted as one folder.
		const built = [
			keys.planKey(run, 1), keys.clipKey(run, 1), keys.lineKey(run, 1, 1), keys.narrationKey(run, 1),
			keys.sceneVideoKey(run, 1), keys.frameCheckKey(run, 1), keys.finalKey(run, 'youtube'), keys.subtitlesKey(run),
			keys.thumbnailKey(run), keys.metadataKey(run), keys.workKey(run, 'x'), keys.joinedKey(run), keys.loudnessKey(run),
			keys.subtitledKey(run), keys.watermarkedKey(run), keys.speechKey(run, 0),
		];
		assert.deepEqual(built.filter((key) => !key.startsWith(keys.runPrefix(run))), []);
		assert.equal(new Set(built).size, built.length, 'no two artifacts share a key');
	});
});
