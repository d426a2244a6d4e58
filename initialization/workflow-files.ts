/**
 * Reads the workflow files that get imported and published (workflows/*.json), with what the stack needs to know
 * about them: fixed id, name, webhook paths. Dependency-free, so the Docker init script can use it too.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..');

/** A path as the user reads it: relative inside the repository, absolute elsewhere. */
export function displayPath(path: string): string {
	const inside = relative(REPO_ROOT, path);
	return inside && !inside.startsWith('..') ? inside : path;
}

export interface WorkflowFile {
	id: string;
	name: string;
	file: string;
	/** `POST reelsmith/runs`-style entries for each enabled Webhook node. */
	webhooks: { method: string; path: string }[];
}

export async function readWorkflowFiles(folder: string): Promise<WorkflowFile[]> {
	const names = (await readdir(folder)).filter((name) => name.endsWith('.json')).sort();
	const workflows: WorkflowFile[] = [];
	for (const name of names) {
		const file = join(folder, name);
		let json: { id?: unknown; name?: unknown; nodes?: { type?: string; disabled?: boolean; parameters?: Record<string, unknown> }[] };
		try {
			json = JSON.parse(await readFile(file, 'utf8'));
		} catch (error) {
			throw new Error(`${displayPath(file)} is not valid JSON: ${(error as Error).message}`);
		}
		if (typeof json.id !== 'string' || !json.id) {
			throw new Error(`${displayPath(file)} has no "id": give every workflow file a fixed id so it can be published.`);
		}
		const webhooks = (json.nodes ?? [])
			.filter((node) => node.type === 'n8n-nodes-base.webhook' && !node.disabled)
			.map((node) => ({
				method: String(node.parameters?.httpMethod ?? 'GET'),
				path: String(node.parameters?.path ?? ''),
			}));
		workflows.push({ id: json.id, name: String(json.name ?? name), file, webhooks });
	}
	return workflows;
}

