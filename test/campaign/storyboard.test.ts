import assert from 'node:assert/strict';
import { beforeAll, describe, it } from 'vitest';
import { storyboardStillKey } from '../../nodes/shared/keys';
import { Storage } from '../../nodes/shared/transport/storage';
import { acceptParams, fountain, resetRuns, runCampaign, useStore, webhookItem } from './fixture';

/** The PNG's width and height from its IHDR chunk, or null when the bytes are not a PNG. */
function pngSize(bytes: Buffer): { width: number; height: number } | null {
	if (bytes.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') return null;
	return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Campaign → Draw Storyboard: one still per scene of each take, in storage, before the approval wait. */
describe('Draw Storyboard', { timeout: 120_000 }, () => {
	const store = useStore();
	beforeAll(() => resetRuns(store.db));

	const scene = (number: number, visualDescription: string) => ({
		number,
		heading: `INT. ROOM ${number} - NIGHT`,
		action: `A lamp flickers in room ${number}.`,
		visualDescription,
		duration: 3,
		characters: ['ALICE'],
		dialogue: [{ speaker: 'ALICE', text: `Line ${number}.` }],
	});

	/** A run waiting to be approved, with two takes (take 1: 2 scenes, take 2: 1 scene) and the given options. */
	const awaiting = async (options: Record<string, unknown> = {}) => {
		const items = [webhookItem({ script: fountain(2), approval: true, preset: 'square' })];
		const [[accepted]] = await runCampaign(store, (i) => acceptParams(i, items), items);
		const runId = accepted.json.runId as string;
		await store.db.query('update runs set options = options || $2::jsonb where id = $1', [runId, JSON.stringify(options)]);
		await store.db.query('delete from plan_versions where run_id = $1', [runId]);
		const plans: Array<[number, number, unknown[]]> = [
			[1, 1, [scene(1, 'A lamp on a desk'), scene(2, 'A window at night')]],
			[2, 2, [scene(1, 'A door opening')]],
		];
		for (const [version, take, scenes] of plans) {
			await store.db.query(`insert into plan_versions (run_id, version, take, chosen, plan, source) values ($1, $2, $3, $4, $5, 'parse')`, [
				runId,
				version,
				take,
				take === 1,
				JSON.stringify({ title: 'Stills', characters: [], settings: [], scenes }),
			]);
		}
		return runId;
	};
	const draw = (runId: string) => runCampaign(store, { resource: 'run', operation: 'drawStoryboard', runId }, [{ runId, plan: {} }]);

	it('stores a PNG still of the frame size for every scene of every take, and records each', async () => {
		const runId = await awaiting({ providers: { planner: 'rules', video: ['kling', 'local'], speech: ['espeak'] } });
		const [[out]] = await draw(runId);
		assert.deepEqual(out.json.storyboard, { drawn: 3, failed: 0, kept: 0 });
		assert.equal(out.json.runId, runId, 'the item goes on to the approval wait');
		const rows = (
			await store.db.query('select version, scene_number, status, still_key, prompt from storyboard_stills where run_id = $1 order by 1, 2', [runId])
		).rows;
		assert.deepEqual(
			rows.map((row) => [row.version, row.scene_number, row.status, row.still_key]),
			[
				[1, 1, 'drawn', storyboardStillKey(runId, 1, 1)],
				[1, 2, 'drawn', storyboardStillKey(runId, 1, 2)],
				[2, 1, 'drawn', storyboardStillKey(runId, 2, 1)],
			],
		);
		assert.match(
			rows[0].prompt,
			/^INT\. ROOM 1 - NIGHT\. A lamp on a desk\. .*clean cinematic establishing shot/,
			"Kling's prompt, with its style hint",
		);
		const storage = new Storage(store.credentials.reelsmithS3Api as never);
		const bytes = await Promise.all(rows.map((row) => storage.downloadBuffer({ bucket: storage.bucket, key: row.still_key })));
		for (const png of bytes) assert.deepEqual(pngSize(png), { width: 1080, height: 1080 }, 'a PNG of the square frame');
		assert.notDeepEqual(bytes[0], bytes[1], 'each scene its own picture');

		const [[again]] = await draw(runId);
		assert.deepEqual(again.json.storyboard, { drawn: 0, failed: 0, kept: 3 }, 'a resumed run keeps the stills it has');
	});

	it('a still that cannot be drawn is recorded with why, and the run goes on', async () => {
		const runId = await awaiting({ style: 'watercolour' });
		const [[out]] = await draw(runId);
		assert.deepEqual(out.json.storyboard, { drawn: 0, failed: 3, kept: 0 });
		const rows = (await store.db.query('select status, still_key, error from storyboard_stills where run_id = $1', [runId])).rows;
		assert.ok(
			rows.length === 3 && rows.every((row) => row.status === 'failed' && row.still_key === null && /watercolour/.test(row.error)),
			JSON.stringify(rows),
		);
		const events = (
			await store.db.query("select scene_number, message from events where run_id = $1 and stage = 'storyboard' and status = 'info' order by id", [
				runId,
			])
		).rows;
		assert.equal(events.length, 3);
		assert.match(events[0].message, /^Scene 1 of take 1 \(plan v1\) has no storyboard still: .*watercolour.* the run goes on\.$/);
		assert.equal((await store.db.query('select status from runs where id = $1', [runId])).rows[0].status, 'queued', 'the run is not failed');
	});

	it('a run that needs no approval gets no stills', async () => {
		const runId = await awaiting();
		await store.db.query('update runs set approval = null where id = $1', [runId]);
		const [[out]] = await draw(runId);
		assert.equal(out.json.storyboard, undefined);
		assert.equal((await store.db.query('select count(*)::int as n from storyboard_stills where run_id = $1', [runId])).rows[0].n, 0);
	});
});
