import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { MAX_BATCH_BYTES, MAX_BATCH_ROWS, validateBatch, type BatchCheck } from '../../nodes/Campaign/lib/batch';

const script = (n: number) => `INT. ROOM ${n} - DAY\n\nALICE\nHello from room ${n}.\n`;
const ok = (check: BatchCheck) => {
	assert.ok(check.ok, check.ok ? '' : `${check.field}: ${check.message}`);
	return check;
};
const refused = (check: BatchCheck) => {
	assert.ok(!check.ok, 'the batch should be refused');
	return check;
};

describe('batch rows (each row is a run request)', () => {
	it('checks each row on its own: good rows pass, bad rows are named by number and field in the run request words', () => {
		const check = ok(
			validateBatch({
				campaign: 'Launch',
				defaults: { preset: 'shorts' },
				rows: [
					{ title: 'One', script: script(1) },
					{ title: 'Two', script: script(2), preset: 'cinema' },
					{ title: 'Three', body: script(3), priority: 5, style: 'terminal' },
					{ title: 'Four' },
				],
			}),
		);
		assert.equal(check.campaign, 'Launch');
		assert.deepEqual(check.good.map((g) => g.row), [1, 3]);
		assert.equal(check.good[0].options.preset, 'shorts', 'defaults apply to every row');
		assert.equal(check.good[1].request.priority, 5, 'a row overrides the defaults');
		assert.equal(check.good[1].options.style, 'terminal');
		assert.equal(check.good[1].request.campaign, 'Launch');
		assert.deepEqual(check.rejected.map((r) => [r.row, r.field]), [[2, 'preset'], [4, 'script']]);
		assert.match(check.rejected[0].message, /"preset" must be one of youtube, shorts, square \(got "cinema"\)/);
		assert.match(check.rejected[1].message, /"script" is required/);
	});

	it('refuses a row that names another campaign, and a row that gives the script twice', () => {
		const check = ok(
			validateBatch({ campaign: 'A', rows: [{ script: script(1), campaign: 'B' }, { script: script(2), body: 'again' }, { script: script(3), campaign: 'A' }] }),
		);
		assert.deepEqual(check.rejected.map((r) => [r.row, r.field]), [[1, 'campaign'], [2, 'script']]);
		assert.deepEqual(check.good.map((g) => g.row), [3]);
	});

	it('states its limits: rows per batch and bytes', () => {
		const many = refused(validateBatch({ rows: Array.from({ length: MAX_BATCH_ROWS + 1 }, (_, i) => ({ script: script(i) })) }));
		assert.equal(many.field, 'rows');
		assert.match(many.message, new RegExp(`${MAX_BATCH_ROWS + 1} rows; a batch takes at most ${MAX_BATCH_ROWS}`));
		const big = refused(validateBatch('title,script\n' + `x,"${'a'.repeat(MAX_BATCH_BYTES)}"\n`, 'text/csv'));
		assert.equal(big.status, 413);
		assert.match(big.message, /at most 2 MB/);
		assert.equal(refused(validateBatch({ rows: [] })).field, 'rows');
		assert.equal(refused(validateBatch({ rows: [], extra: 1 })).field, 'extra');
	});
});

describe('batch CSV', () => {
	it('reads quoted commas, quotes and newlines in cells, and a BOM', () => {
		const csv =
			'\uFEFFTitle,Body,priority,preset\r\n' +
			'"Hello, world","INT. ROOM - DAY\r\n\r\nALICE\r\nShe said ""hi"", then left.\r\n",3,square\r\n' +
			'Plain,"INT. HALL - NIGHT\n\nBOB\nOne line.",,\r\n';
		const check = ok(validateBatch(csv, 'text/csv', 'Uploads'));
		assert.equal(check.source, 'csv');
		assert.equal(check.campaign, 'Uploads');
		assert.deepEqual(check.rejected, []);
		assert.equal(check.good.length, 2);
		assert.equal(check.good[0].request.title, 'Hello, world');
		assert.match(check.good[0].request.script, /She said "hi", then left\./);
		assert.equal(check.good[0].request.priority, 3);
		assert.equal(check.good[0].options.preset, 'square');
		assert.equal(check.good[1].options.preset, 'youtube', 'an empty cell is the default');
		assert.equal(check.good[1].request.priority, 0);
	});

	it('names an unknown column in the header row, with the columns it takes', () => {
		const check = refused(validateBatch('title,script,colour\nA,"INT. X - DAY\n\nA\nHi.",red\n', 'text/csv'));
		assert.equal(check.field, 'columns');
		assert.match(check.message, /Unknown column "colour" \(column 3 of the header row\)/);
		assert.match(check.message, /title/);
		assert.equal(refused(validateBatch('title,preset\nA,shorts\n', 'text/csv')).field, 'columns', 'no script column');
	});

	it('reports bad rows by row number, line and field; typed cells keep the rule words', () => {
		const csv = [
			'title,script,priority,voiceMap,approval',
			`ok,"${script(1)}",1,,no`,
			`bad priority,"${script(2)}",high,,`,
			`bad voice,"${script(3)}",,"{""ALICE"": ""--help""}",`,
			'too many,cells,1,,,extra',
		].join('\n');
		const check = ok(validateBatch(csv, 'text/csv'));
		assert.deepEqual(check.good.map((g) => g.row), [1]);
		assert.equal(check.good[0].options.approval, false);
		assert.deepEqual(
			check.rejected.map((r) => [r.row, r.field]),
			[[2, 'priority'], [3, 'voiceMap.ALICE'], [4, 'columns']],
		);
		assert.match(check.rejected[0].message, /"priority" must be a whole number from -100 to 100 .*\(got "high"\)/);
		// Row 1's script spans lines 2–6 (five lines with its trailing newline), so row 2 starts on line 7.
		assert.equal(check.rejected[0].line, 7);
	});

	it('takes CSV inside a JSON batch (the dashboard upload) and refuses unreadable CSV with what to do', () => {
		const check = ok(validateBatch({ campaign: 'C', defaults: { style: 'terminal' }, csv: `title,script\nA,"${script(1)}"\n` }));
		assert.equal(check.good[0].options.style, 'terminal');
		const broken = refused(validateBatch('title,script\nA,"unclosed\n', 'text/csv'));
		assert.equal(broken.field, 'csv');
		assert.match(broken.message, /double quotes/);
	});
});
