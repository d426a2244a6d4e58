import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { PIPELINE_WEBHOOK_PATH } from '../../nodes/Campaign/actions/run/startPipeline.operation';
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
	test('only the dispatcher claims runs, and it hands each to the pipeline through its webhook, not as a sub-workflow', () => {
		const campaign = (operation: string) => (node: WorkflowNode) =>
			node.type === 'n8n-nodes-reelsmith.campaign' && node.parameters.operation === operation;
		assert.deepEqual(where(campaign('dispatch')), ['dispatch: Claim queued runs']);
		assert.deepEqual(where(campaign('startPipeline')), ['dispatch: Start pipeline']);
		// An Execute Workflow call would run the pipeline in the dispatcher's process, never on n8n's queue.
		assert.deepEqual(where((node) => isCall(node) && calledId(node) === PIPELINE), []);
		const dispatch = workflows.get('dispatch')!;
		assert.deepEqual(edges(dispatch), [
			['A run may start', 'Claim queued runs'],
			['Claim queued runs', 'Start pipeline'],
		]);
		const start = dispatch.nodes.find((node) => node.name === 'Start pipeline')!;
		assert.ok(start.credentials?.reelsmithWebhookApi, 'Start Pipeline sends the webhook token');
	});

	test("the pipeline starts from its own webhook, answers at once, and checks the token before it touches the run", () => {
		const pipeline = workflows.get('pipeline')!;
		const trigger = pipeline.nodes.find((node) => node.type === 'n8n-nodes-base.webhook')!;
		assert.equal(trigger.parameters.path, PIPELINE_WEBHOOK_PATH, 'the path Start Pipeline calls');
		assert.equal(trigger.parameters.httpMethod, 'POST');
		assert.equal(trigger.parameters.responseMode, 'onReceived', 'the dispatcher does not wait for the run');
		assert.deepEqual(
			edges(pipeline).filter(([source]) => source === trigger.name),
			[[trigger.name, 'Start run']],
		);
		const start = pipeline.nodes.find((node) => node.name === 'Start run')!;
		assert.equal(start.parameters.checkToken ?? true, true);
		assert.ok(start.credentials?.reelsmithWebhookApi);
		assert.equal(pipeline.nodes.filter((node) => node.type.endsWith('Trigger')).length, 0, 'the webhook is its only entry');
	});

	test('every place where a queued run may start calls the dispatcher once, and waits for it (so a failed claim is seen there)', () => {
		const calls = where((node) => isCall(node) && calledId(node) === DISPATCHER);
		assert.deepEqual(calls, [
			'error-handler: Dispatch queued runs',
			'pipeline: Dispatch queued runs',
			'resume-run: Dispatch queued runs',
			'start-run: Dispatch queued runs',
			'watchdog: Dispatch queued runs',
		]);
		for (const [file, workflow] of workflows) {
			for (const node of workflow.nodes.filter((n) => isCall(n) && calledId(n) === DISPATCHER)) assert.ok(waits(node), `${file}: ${node.name}`);
		}
	});

	test('the watchdog recovers stalled runs on a schedule, then dispatches, sends due callbacks, and keeps no record of idle rounds', () => {
		const watchdog = workflows.get('watchdog')!;
		const trigger = watchdog.nodes.find((node) => node.type === 'n8n-nodes-base.scheduleTrigger')!;
		const interval = (trigger.parameters.rule as { interval: { field: string; secondsInterval: number }[] }).interval[0];
		assert.equal(interval.field, 'seconds');
		assert.ok(interval.secondsInterval <= 30, 'a dead run is found within its lease + this interval');
		assert.deepEqual(edges(watchdog), [
			[trigger.name, 'Recover stalled runs'],
			[trigger.name, 'Send callbacks'],
			['Recover stalled runs', 'Dispatch queued runs'],
		]);
		assert.equal(watchdog.settings?.saveDataSuccessExecution, 'none');
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
