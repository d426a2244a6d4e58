/**
 * The shared item loop (nodes/shared/router.ts): its own small pool, kept instead of p-limit (README, Dependencies),
 * so the promises the nodes rely on are checked here directly: at most `concurrency` items at once, output in item
 * order with pairedItem, no new item after a failure unless Continue On Fail, and the failing item's index.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { describe, test } from 'vitest';
import { runOperations, type OperationHandler } from '../../nodes/shared/router';
import { executionContext } from '../helpers/execution-context';

/** An operation that takes longer for early items (so they finish out of order) and counts how many run at once. */
function slowEcho(failAt?: number) {
	const seen = { started: [] as number[], running: 0, most: 0 };
	const echo: OperationHandler = async function (itemIndex) {
		seen.started.push(itemIndex);
		seen.running++;
		seen.most = Math.max(seen.most, seen.running);
		try {
			await sleep(5 + (6 - itemIndex) * 4);
			if (itemIndex === failAt) throw new Error(`scene ${itemIndex + 1} failed`);
			return [{ json: { scene: itemIndex + 1 } }];
		} finally {
			seen.running--;
		}
	};
	return { seen, operations: { echo } };
}

const run = (context: IExecuteFunctions, operations: Record<string, OperationHandler>, concurrency: number) =>
	runOperations.call(context, operations, 1, concurrency);

const items = Array.from({ length: 6 }, (_, index) => ({ index }));

describe('runOperations', () => {
	test('runs at most `concurrency` items at once and keeps item order and pairedItem', async () => {
		const { seen, operations } = slowEcho();
		const [out] = await run(executionContext({ items, parameters: { operation: 'echo' } }), operations, 3);
		assert.equal(seen.most, 3);
		assert.deepEqual(
			out.map((item) => [item.json.scene, item.pairedItem]),
			items.map((_, index) => [index + 1, { item: index }]),
		);
	});

	test('one at a time when concurrency is 1 (or not a whole number above 0)', async () => {
		for (const concurrency of [1, 0, Number.NaN]) {
			const { seen, operations } = slowEcho();
			await run(executionContext({ items, parameters: { operation: 'echo' } }), operations, concurrency);
			assert.equal(seen.most, 1, `concurrency ${concurrency}`);
			assert.deepEqual(seen.started, [0, 1, 2, 3, 4, 5]);
		}
	});

	test('without Continue On Fail: no new item starts after a failure, and the error names the item', async () => {
		const { seen, operations } = slowEcho(1);
		const context = executionContext({ items, parameters: { operation: 'echo' } });
		const error = await run(context, operations, 2).then(
			() => assert.fail('expected the node to fail'),
			(thrown: unknown) => thrown,
		);
		assert.ok(error instanceof NodeOperationError);
		assert.equal(error.message, 'scene 2 failed');
		assert.equal(error.context.itemIndex, 1);
		// Items 0 and 1 start together; item 1 fails first (shorter wait), so the free slot takes no further item.
		assert.deepEqual(seen.started, [0, 1]);
	});

	test('with Continue On Fail: every item runs, the failed one leaves its error in place', async () => {
		const { seen, operations } = slowEcho(2);
		const context = executionContext({ items, parameters: { operation: 'echo' }, continueOnFail: true });
		const [out] = await run(context, operations, 3);
		assert.equal(seen.started.length, 6);
		assert.deepEqual(
			out.map((item) => item.json.scene ?? item.json.error),
			[1, 2, 'scene 3 failed', 4, 5, 6],
		);
		assert.deepEqual(out[2].pairedItem, { item: 2 });
		assert.ok(out[2].error instanceof NodeOperationError);
	});

	test('an unknown operation is an error for that item', async () => {
		const context = executionContext({ items: [{}], parameters: { operation: 'nope' } });
		await assert.rejects(run(context, {}, 1), /The operation "nope" is not supported/);
	});

	test("a message of ours that mentions a system code keeps its words (n8n would swap it for its generic sentence)", async () => {
		const said = 'The object store (S3 at http://127.0.0.1:9000) answered ECONNREFUSED for 30 s. Once it is back, resume the run to finish it.';
		const operations: Record<string, OperationHandler> = {
			upload: async () => {
				throw new Error(said);
			},
		};
		const context = executionContext({ items: [{}], parameters: { operation: 'upload' } });
		await assert.rejects(run(context, operations, 1), (error: NodeOperationError) => error instanceof NodeOperationError && error.message === said);
	});

	test("a raw system error (it has a code) still reads as n8n's sentence rather than a bare code", async () => {
		const operations: Record<string, OperationHandler> = {
			upload: async () => {
				throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9000'), { code: 'ECONNREFUSED' });
			},
		};
		const context = executionContext({ items: [{}], parameters: { operation: 'upload' } });
		await assert.rejects(run(context, operations, 1), /refused the connection/);
	});
});
