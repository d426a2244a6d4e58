import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { IDataObject } from 'n8n-workflow';
import { counts, runCampaign, TOKEN, useStore } from './fixture';

const script = (n: number) => `INT. ROOM ${n} - DAY\n\nALICE\nHello from room ${n}.\n`;

describe('batch create (Campaign → Create Batch)', () => {
	const store = useStore({ s3: false, resetRuns: true });
	const create = (body: unknown, headers: IDataObject = { 'x-reelsmith-token': TOKEN }, campaign = '') =>
		runCampaign(store, { resource: 'batch', operation: 'create', body, headers, campaign, maxRunning: 1 }, [{}]);

	it('queues the good rows as one batch, in row order, with queue positions, and names the bad rows', async () => {
		const [accepted, rejected] = await create(
			`title,script,priority\nOne,"${script(1)}",\nBad,"${script(2)}",999\nThree,"${script(3)}",4\n`,
			{ 'x-reelsmith-token': TOKEN, 'content-type': 'text/csv' },
			'Batch campaign',
		);
		assert.equal(rejected.length, 0);
		const answer = accepted[0].json as { batchId: string; runs: Array<{ row: number; runId: string; queuePosition: number }>; rejected: Array<{ row: number; field: string; line: number }> };
		assert.deepEqual(answer.runs.map((r) => r.row), [1, 3]);
		// One slot, nothing running: row 3 (priority 4) starts first (0), row 1 waits behind it.
		assert.deepEqual(answer.runs.map((r) => r.queuePosition), [1, 0]);
		assert.deepEqual(answer.rejected.map((r) => [r.row, r.field, r.line]), [[2, 'priority', 7]]);
		const { rows } = await store.db.query(
			`select r.batch_row, r.request->>'title' as title, c.name, b.rows_total, b.rejected from runs r
			   join batches b on b.id = r.batch_id join campaigns c on c.id = r.campaign_id where b.id = $1 order by r.batch_row`,
			[answer.batchId],
		);
		assert.deepEqual(rows.map((r) => [r.batch_row, r.title, r.name]), [[1, 'One', 'Batch campaign'], [3, 'Three', 'Batch campaign']]);
		assert.equal(rows[0].rows_total, 3);
		assert.equal(rows[0].rejected[0].field, 'priority');
	});

	it("refuses a row that names another campaign's upload, naming its field; the campaign's own upload is queued", async () => {
		const own = (await store.db.query("insert into campaigns (name) values ('Uploads campaign') returning id")).rows[0].id;
		const other = (await store.db.query("insert into campaigns (name) values ('Other uploads') returning id")).rows[0].id;
		const still = (campaignId: string) => [{ scene: 1, still: { key: `campaigns/${campaignId}/media/still/0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e.png` } }];
		const [accepted] = await create({ rows: [{ script: script(1), sceneMedia: still(own) }, { script: script(2), sceneMedia: still(other) }] }, undefined, 'Uploads campaign');
		const answer = accepted[0].json as { runs: Array<{ row: number }>; rejected: Array<{ row: number; field: string; message: string }> };
		assert.deepEqual(answer.runs.map((r) => r.row), [1]);
		assert.deepEqual(answer.rejected.map((r) => [r.row, r.field]), [[2, 'sceneMedia[0].still.key']]);
		assert.match(answer.rejected[0].message, /a file of another campaign/);
	});

	it('a batch with no good row, a wrong token or an unknown column writes nothing', async () => {
		const before = await counts(store.db);
		const batches = Number((await store.db.query('select count(*) from batches')).rows[0].count);
		const [, none] = await create({ rows: [{ title: 'no script' }] });
		assert.equal((none[0].json as any).statusCode, 400);
		assert.deepEqual((none[0].json as any).body.rejected.map((r: any) => [r.row, r.field]), [[1, 'script']]);
		const [, token] = await create({ rows: [{ script: script(1) }] }, { 'x-reelsmith-token': 'wrong' });
		assert.equal((token[0].json as any).statusCode, 401);
		const [, column] = await create({ csv: `title,script,mood\nA,"${script(1)}",calm\n` });
		assert.equal((column[0].json as any).body.field, 'columns');
		assert.deepEqual(await counts(store.db), before);
		assert.equal(Number((await store.db.query('select count(*) from batches')).rows[0].count), batches);
	});

	it('a database failure midway leaves no batch and no run', async () => {
		// The third run of a batch fails to insert, as a dropped connection or a full disk would.
		await store.db.query(`create or replace function fail_third_batch_run() returns trigger language plpgsql as $$
			begin
				if (select count(*) from runs where batch_id = new.batch_id) >= 2 then raise exception 'disk full'; end if;
				return new;
			end $$`);
		await store.db.query('create trigger fail_third before insert on runs for each row when (new.batch_id is not null) execute function fail_third_batch_run()');
		try {
			const before = await counts(store.db);
			const batches = Number((await store.db.query('select count(*) from batches')).rows[0].count);
			await assert.rejects(create({ rows: [1, 2, 3, 4].map((n) => ({ script: script(n) })) }), /disk full/);
			assert.deepEqual(await counts(store.db), before);
			assert.equal(Number((await store.db.query('select count(*) from batches')).rows[0].count), batches);
		} finally {
			await store.db.query('drop trigger fail_third on runs');
		}
	});
});
