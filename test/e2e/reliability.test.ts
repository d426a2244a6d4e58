import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { runSuite } from '../../bench/reliability';
import { formatTable, missed } from '../../bench/reliability/table';

/**
 * The reliability suite's short profile (bench/reliability.ts): a few trials of crashes (regular mode, and a worker in
 * queue mode), provider faults, a Postgres restart, a full work folder, a Redis restart in queue mode, a burst of runs, hostile input and access checks against the real stack. The full profile runs on demand; its result is in the README.
 */
describe('reliability suite, short profile', () => {
	test('every scenario holds its target: crashes recover (n8n, or a queue-mode worker), faults end in plain words, Postgres and Redis restarts and a full disk lose no run, a burst queues in order, hostile input gets 4xx, access holds', async () => {
		const lines: string[] = [];
		const rows = await runSuite({ profile: 'short', seed: 20261201, log: (line) => lines.push(line) });
		const table = formatTable(rows, 'Reliability suite · short profile');
		console.log(table);
		assert.deepEqual(rows.map((row) => row.scenario.split(' (')[0]), [
			'R3 hostile input',
			'R1 crashes',
			'R2 provider faults',
			'R6 infrastructure faults',
			'R6D work folder disk nearly full',
			'R5 load',
			'R1Q crashes',
			'R6Q Redis restarted',
			'R4 access',
		]);
		// R6D mounts a tmpfs: without root it is skipped, and says so in its scenario cell.
		for (const row of rows) assert.ok(row.trials > 0 || /needs root/.test(row.scenario), `${row.scenario} ran`);
		assert.deepEqual(rows.filter((row) => missed(row)).map((row) => `${row.scenario}: ${missed(row)}`), [], `${table}\n${lines.join('\n')}`);
	});
});
