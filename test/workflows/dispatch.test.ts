import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { edges, readWorkflows, type WorkflowNode } from '../helpers/workflow-layout';

/**
 * How the workflows hand queued runs to the pipeline, read from their JSON: one sub-workflow (dispatch.json) claims
 * runs and starts them, and every place where a queued run may start calls it. test/e2e/pipeline.test.ts runs it.
 */
const workflows = readWorkflows();
const DISPATCHER = 'rsDispatch000001';
const PIPELINE = 'rsPipeline000001';

const calledId = (node: WorkflowNode) => (node.parameters.workflowId as { value?: string } | undefined)?.value;
const waits = (node: WorkflowNode) => (node.parameters.options as { waitForSubWorkflow?: boolean } | undefined)?.waitForSubWorkflow !== false;
const isCall = (node: WorkflowNode) => node.type === 'n8n-nodes-base.executeWorkflow';
const where = (match: (node: WorkflowNode) => boolean) =>
	[...workflows].flatMap(([file, workflow]) => workflow.nodes.filter(match).map((node) => `${file}: ${node.name}`));

describe('dispatching queued runs', () => {
	test('only the dispatcher claims runs and starts the pipeline, without waiting for it', () => {
		assert.deepEqual(where((node) => node.type === 'n8n-nodes-reelsmith.campaign' && node.parameters.operation === 'dispatch'), [
			'dispatch: Claim queued runs',
		]);
		assert.deepEqual(where((node) => isCall(node) && calledId(node) === PIPELINE), ['dispatch: Start pipeline']);
		const start = workflows.get('dispatch')!.nodes.find((node) => node.name === 'Start pipeline')!;
		assert.equal(waits(start), false, 'each run is its own execution; the dispatcher does not wait for it');
	});

	test('every place where a queued run may start calls the dispatcher once, and waits for it (so a failed claim is seen there)', () => {
		const calls = where((node) => isCall(node) && calledId(node) === DISPATCHER);
		assert.deepEqual(calls, [
			'error-handler: Dispatch queued runs',
			'pipeline: Dispatch queued runs',
			'resume-run: Dispatch queued runs',
			'start-run: Dispatch queued runs',
		]);
		for (const [file, workflow] of workflows) {
			for (const node of workflow.nodes.filter((n) => isCall(n) && calledId(n) === DISPATCHER)) assert.ok(waits(node), `${file}: ${node.name}`);
		}
	});

	test('the webhooks answer before they dispatch', () => {
		for (const file of ['start-run', 'resume-run']) {
			const workflow = workflows.get(file)!;
			const type = new Map(workflow.nodes.map((node) => [node.name, node.type]));
			const before = edges(workflow)
				.filter(([, target]) => target === 'Dispatch queued runs')
				.map(([source]) => type.get(source));
			assert.deepEqual(before, ['n8n-nodes-base.respondToWebhook'], `${file}: only the 202 answer leads to the dispatcher`);
		}
	});

	test('every Execute Workflow node calls a workflow file by its id and name', () => {
		const byId = new Map([...workflows.values()].map((workflow) => [workflow.id, workflow.name]));
		for (const [file, workflow] of workflows) {
			for (const node of workflow.nodes.filter(isCall)) {
				const reference = node.parameters.workflowId as { value: string; cachedResultName: string };
				assert.equal(byId.get(reference.value), reference.cachedResultName, `${file}: ${node.name} calls ${reference.value}`);
			}
		}
	});
});
