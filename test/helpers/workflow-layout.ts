/**
 * How a workflow reads on the n8n canvas, computed from its JSON: where each node and sticky note sits, which
 * nodes overlap, which sticky notes cover a node, and whether each loop stays in its own part of the picture.
 * Sizes are the n8n 2.x canvas's: a node is a 100 × 100 square at its position (top left) with its name below
 * it, up to about 200 px wide and three lines tall.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../initialization/install-n8n';

export const WORKFLOWS_DIR = join(REPO_ROOT, 'workflows');
export const STICKY = 'n8n-nodes-base.stickyNote';
/** n8n's canvas grid. */
export const GRID = 20;

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}

export interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, Record<string, ({ node: string }[] | null)[]>>;
	settings?: Record<string, unknown>;
}

export interface Box {
	left: number;
	top: number;
	right: number;
	bottom: number;
}

/** Every workflow file: file name without .json → its JSON. */
export function readWorkflows(dir = WORKFLOWS_DIR): Map<string, Workflow> {
	const files = readdirSync(dir).filter((file) => file.endsWith('.json')).sort();
	return new Map(files.map((file) => [file.replace(/\.json$/, ''), JSON.parse(readFileSync(join(dir, file), 'utf8')) as Workflow]));
}

export const isSticky = (node: WorkflowNode) => node.type === STICKY;

/** The square of a node. */
export function nodeBox(node: WorkflowNode): Box {
	const [x, y] = node.position;
	return { left: x, top: y, right: x + 100, bottom: y + 100 };
}

/** A node with its name underneath: what must stay clear of other nodes and of sticky notes. */
export function nodeFootprint(node: WorkflowNode): Box {
	const [x, y] = node.position;
	return { left: x - 50, top: y, right: x + 150, bottom: y + 160 };
}

export function stickyBox(node: WorkflowNode): Box {
	const [x, y] = node.position;
	const width = Number(node.parameters.width ?? 240);
	const height = Number(node.parameters.height ?? 160);
	return { left: x, top: y, right: x + width, bottom: y + height };
}

export const intersects = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/** Pairs of nodes (not sticky notes) whose squares or names run into each other. */
export function overlappingNodes(workflow: Workflow): [string, string][] {
	const nodes = workflow.nodes.filter((node) => !isSticky(node));
	const pairs: [string, string][] = [];
	for (let i = 0; i < nodes.length; i++) {
		for (let j = i + 1; j < nodes.length; j++) {
			if (intersects(nodeFootprint(nodes[i]), nodeFootprint(nodes[j]))) pairs.push([nodes[i].name, nodes[j].name]);
		}
	}
	return pairs;
}

/** [sticky note, node] for every node (or its name) a sticky note covers or touches (closer than one grid step). */
export function coveredNodes(workflow: Workflow): [string, string][] {
	const nodes = workflow.nodes.filter((node) => !isSticky(node));
	const around = (box: Box): Box => ({ left: box.left - GRID, top: box.top - GRID, right: box.right + GRID, bottom: box.bottom + GRID });
	return workflow.nodes
		.filter(isSticky)
		.flatMap((sticky) =>
			nodes.filter((node) => intersects(around(stickyBox(sticky)), nodeFootprint(node))).map((node): [string, string] => [sticky.name, node.name]),
		);
}

/** Nodes not on n8n's 20 px grid. */
export function offGrid(workflow: Workflow): string[] {
	return workflow.nodes.filter((node) => node.position.some((value) => value % GRID !== 0)).map((node) => node.name);
}

/** source → targets, over every output. */
export function edges(workflow: Workflow): [string, string][] {
	return Object.entries(workflow.connections).flatMap(([source, byType]) =>
		Object.values(byType).flatMap((outputs) => outputs.flatMap((targets) => (targets ?? []).map((target): [string, string] => [source, target.node]))),
	);
}

export interface Loop {
	/** The connection that goes back: from the loop's last node to where it started. */
	back: [string, string];
	/** The nodes of the loop: on a path from its start to its last node. */
	members: string[];
	/** Nodes that are not part of the loop but sit inside the rectangle the loop spans. */
	intruders: string[];
}

/**
 * Every loop, found from its connection that points left (or straight up or down): a loop is drawn as a loop when no
 * other node sits inside the part of the canvas its nodes span. A connection that points left but closes no loop is
 * in `backwards`.
 */
export function loops(workflow: Workflow): Loop[] {
	return backwardConnections(workflow).filter((loop) => loop.members.length > 0);
}

/** Connections that point left (or straight up or down) although they close no loop: the flow reads right to left. */
export function backwards(workflow: Workflow): [string, string][] {
	return backwardConnections(workflow)
		.filter((loop) => loop.members.length === 0)
		.map((loop) => loop.back);
}

function backwardConnections(workflow: Workflow): Loop[] {
	const byName = new Map(workflow.nodes.map((node) => [node.name, node]));
	const all = edges(workflow);
	const next = (name: string) => all.filter(([source]) => source === name).map(([, target]) => target);
	const previous = (name: string) => all.filter(([, target]) => target === name).map(([source]) => source);
	const reach = (from: string, step: (name: string) => string[]) => {
		const seen = new Set([from]);
		const queue = [from];
		while (queue.length) for (const name of step(queue.shift()!)) if (!seen.has(name)) seen.add(name), queue.push(name);
		return seen;
	};
	return all
		.filter(([source, target]) => byName.get(target)!.position[0] <= byName.get(source)!.position[0])
		.map(([source, target]): Loop => {
			const fromStart = reach(target, next);
			const toEnd = reach(source, previous);
			const members = [...fromStart].filter((name) => toEnd.has(name));
			if (!members.length) return { back: [source, target], members, intruders: [] };
			const boxes = members.map((name) => nodeBox(byName.get(name)!));
			const span: Box = {
				left: Math.min(...boxes.map((box) => box.left)),
				top: Math.min(...boxes.map((box) => box.top)),
				right: Math.max(...boxes.map((box) => box.right)),
				bottom: Math.max(...boxes.map((box) => box.bottom)),
			};
			const intruders = workflow.nodes
				.filter((node) => !isSticky(node) && !members.includes(node.name) && intersects(nodeBox(node), span))
				.map((node) => node.name);
			return { back: [source, target], members, intruders };
		});
}
