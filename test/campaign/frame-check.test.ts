import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import type { IDataObject } from 'n8n-workflow';
import { acceptParams, fountain, resetRuns, runCampaign, startStore, webhookItem, type Store } from './fixture';

/** Scene → Record Frame Check: the step of the validation loop between Claude → Check Frame and "Frame good?". */
describe('scene record frame check', () => {
	let store: Store;
	let runId: string;

	beforeAll(async () => {
		store = await startStore({ s3: false });
	});
	afterAll(async () => {
		await store?.stop();
	});
	beforeEach(async () => {
		await resetRuns(store.db);
		const items = [webhookItem({ script: fountain(2) })];
		const [[accepted]] = await runCampaign(store, (i) => acceptParams(i, items), items);
		runId = accepted.json.runId as string;
	});

	/** The item as Claude → Check Frame leaves it for scene 2 (second attempt), with `extra` on top. */
	const checkedItem = (extra: IDataObject): IDataObject => ({
		runId,
		sceneNumber: 2,
		attempts: 2,
		options: { threshold: 80 },
		sceneVideo: { bucket: 'b', key: 'scene.mp4' },
		check: { ok: true, problems: [], duration: 4 },
		thumbnail: { bucket: 'b', key: 'frame-check.jpg' },
		artifact: { key: 'frame-check.jpg' },
		usage: { inputTokens: 900 },
		cost: { provider: 'anthropic', amountUsd: 0.004 },
		...extra,
	});
	const record = (item: IDataObject) =>
		runCampaign(store, { resource: 'scene', operation: 'recordFrameCheck', runId, sceneNumber: item.sceneNumber, minScore: 80 }, [item]).then(
			(outputs) => outputs[0][0].json,
		);
	const events = async () =>
		(await store.db.query("select scene_number, status, message, data from events where run_id = $1 and stage = 'validation' order by id", [runId])).rows;

	it('a frame that does not match fails the check, with the reasons for the next try and without the check step fields', async () => {
		const reasons = ['Only one cup is on the table', 'The light is cold blue, not warm'];
		const out = await record(checkedItem({ frameCheck: { score: 41, reasons, passed: false } }));

		assert.deepEqual(out.check, {
			ok: false,
			duration: 4,
			problems: ['the picture does not match the scene (frame check 41/100, needs 80): Only one cup is on the table; The light is cold blue, not warm'],
		});
		assert.deepEqual(out.validationFeedback, reasons);
		assert.deepEqual(Object.keys(out).sort(), ['attempts', 'check', 'options', 'runId', 'sceneNumber', 'sceneVideo', 'validationFeedback']);
		assert.deepEqual(await events(), [
			{
				scene_number: 2,
				status: 'info',
				message: 'Scene 2 frame check: 41/100 (needs 80). Only one cup is on the table; The light is cold blue, not warm',
				data: { check: 'frame', score: 41, reasons, passed: false, threshold: 80, attempt: 2, frameKey: 'frame-check.jpg', costUsd: 0.004 },
			},
		]);
	});

	it('a frame that matches leaves the item (and its ffmpeg check) as it is', async () => {
		const input = checkedItem({ frameCheck: { score: 92, reasons: ['Two cups, warm light'], passed: true } });
		const out = await record(input);
		const { event, ...rest } = out;
		assert.deepEqual(rest, input);
		assert.equal((event as IDataObject).status, 'info');
		const [row] = await events();
		assert.equal(row.message, 'Scene 2 frame check: 92/100 (needs 80). Two cups, warm light');
		assert.equal(row.data.passed, true);
	});

	it('a check that could not run keeps the clip as ffmpeg checked it and says why', async () => {
		const out = await record(checkedItem({ error: 'Claude is overloaded (529). Try again later.' }));
		assert.equal((out.check as IDataObject).ok, true);
		assert.equal(out.validationFeedback, undefined);
		assert.deepEqual(await events(), [
			{
				scene_number: 2,
				status: 'info',
				message: 'Scene 2: the frame check could not run, so the clip is kept as checked by ffmpeg. Claude is overloaded (529). Try again later.',
				data: { check: 'frame', error: 'Claude is overloaded (529). Try again later.' },
			},
		]);
	});

	it('names what is wrong with the item or the scene number', async () => {
		await assert.rejects(record(checkedItem({ frameCheck: { score: 'high' } })), /"frameCheck" is not a frame check/);
		await assert.rejects(record(checkedItem({ sceneNumber: 0, frameCheck: { score: 90, reasons: ['ok'], passed: true } })), /"Scene Number" must be a whole number from 1 \(got 0\)/);
		assert.deepEqual(await events(), [], 'nothing is recorded for a wrong item');
	});
});
