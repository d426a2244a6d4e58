import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, test } from 'vitest';
import ts from 'typescript';
import { REPO_ROOT } from '../../initialization/install-n8n';

/**
 * Nodes import each other only through nodes/shared/: a node folder may use its own files and shared ones, and
 * shared code uses no node folder. Otherwise moving or renaming one node breaks another one nobody was looking at.
 */
const NODES = join(REPO_ROOT, 'nodes');
function sourceFiles(folder: string, found: string[] = []): string[] {
	for (const entry of readdirSync(folder, { withFileTypes: true })) {
		const path = join(folder, entry.name);
		if (entry.isDirectory()) sourceFiles(path, found);
		else if (entry.name.endsWith('.ts')) found.push(path);
	}
	return found;
}

/** The top folder under nodes/ a path lies in ("Campaign", "shared"), or null outside nodes/. */
function folderOf(path: string): string | null {
	const inside = relative(NODES, path);
	return inside.startsWith('..') || inside === '' ? null : inside.split(sep)[0];
}

/** Relative imports of `file` that reach into another node's folder ("nodes/Claude/x.ts imports ../../Screenplay/y"). */
function crossNodeImports(file: string, source: string): string[] {
	const own = folderOf(file);
	return ts
		.preProcessFile(source, true, true)
		.importedFiles.map((imported) => imported.fileName)
		.filter((specifier) => specifier.startsWith('.'))
		.filter((specifier) => {
			const target = folderOf(resolve(dirname(file), specifier));
			return target !== null && target !== own && target !== 'shared';
		});
}

describe('node boundaries', () => {
	test('the check sees imports in every form a file may write them', () => {
		const file = join(NODES, 'Claude', 'actions', 'x.ts');
		const source = [
			"import { readPlan } from '../../Screenplay/lib/validate';",
			"import type {\n\tPlan,\n} from '../../shared/plan';",
			"export { parseScript } from '../../Campaign/lib/request';",
			"import data from '../data/models.json';",
			"const later = () => import('../../FFmpeg/transport');",
		].join('\n');
		assert.deepEqual(crossNodeImports(file, source), ['../../Screenplay/lib/validate', '../../Campaign/lib/request', '../../FFmpeg/transport']);
		assert.deepEqual(crossNodeImports(join(NODES, 'shared', 'plan.ts'), "import { x } from '../Campaign/lib/request';"), [
			'../Campaign/lib/request',
		]);
	});

	test('no file under nodes/<Node>/ imports from another node, and nodes/shared/ imports from none', () => {
		const files = sourceFiles(NODES);
		assert.ok(files.length > 50, `expected the node sources under ${NODES}, found ${files.length} files`);
		const crossings = files.flatMap((file) => {
			const name = relative(REPO_ROOT, file).split(sep).join('/');
			return crossNodeImports(file, readFileSync(file, 'utf8')).map((specifier) => `${name} imports ${specifier}`);
		});
		assert.deepEqual(crossings, [], 'move what both nodes need into nodes/shared/ and import it from there');
	});
});
