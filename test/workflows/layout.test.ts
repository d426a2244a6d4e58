import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { backwards, coveredNodes, loops, offGrid, overlappingNodes, readWorkflows } from '../helpers/workflow-layout';

/**
 * The workflows read as diagrams on the n8n canvas (computed from their JSON; test/e2e/canvas.test.ts looks at
 * them in the editor): left to right on n8n's grid, nothing on top of anything, and each loop in its own part of
 * the picture, so its connection back goes to where it started and not across other steps.
 */
const workflows = readWorkflows();

test('all fifteen workflows are read', () => {
	assert.deepEqual([...workflows.keys()], [
		'assembly',
		'dispatch',
		'error-handler',
		'generate-scene',
		'generation',
		'pipeline',
		'planning',
		'resume-run',
		'start-batch',
		'start-run',
		'trailer',
		'validation',
		'voice-list',
		'voice-preview',
		'watchdog',
	]);
});

for (const [name, workflow] of workflows) {
	describe(`${name}.json on the canvas`, () => {
		test('every node is on the 20 px grid', () => {
			assert.deepEqual(offGrid(workflow), []);
		});

		test('no two nodes (with their names) overlap', () => {
			assert.deepEqual(overlappingNodes(workflow), []);
		});

		test('no sticky note covers a node', () => {
			assert.deepEqual(coveredNodes(workflow), []);
		});

		test('connections point right, except the one that closes each loop', () => {
			assert.deepEqual(backwards(workflow), []);
		});

		test('no other step sits inside a loop', () => {
			for (const loop of loops(workflow)) {
				assert.deepEqual(loop.intruders, [], `loop ${loop.back.join(' → ')} (${loop.members.join(', ')})`);
			}
		});
	});
}

test('the loops the pipeline is known by are drawn as loops', () => {
	const backs = (name: string) => loops(workflows.get(name)!).map((loop) => loop.back.join(' → '));
	assert.deepEqual(backs('planning').sort(), ['Claude: refine → Claude: critique', 'Next take → Make take', 'Refine plan → Critique plan']);
	assert.deepEqual(backs('generation'), ['Generate the batch → Scenes in batches']);
	assert.deepEqual(backs('validation').sort(), ['Frame good? → Attempts left?', 'Reload scenes → Check clip']);
	// Dispatch needs no loop: Start Pipeline calls the pipeline's webhook once per claimed run.
	assert.deepEqual(backs('dispatch'), []);
});
