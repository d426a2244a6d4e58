import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { DEFAULT_MAX_RUNNING, maxRunningSetting } from '../../nodes/shared/store/runState';

describe('the Max Running setting (REELSMITH_MAX_RUNNING)', () => {
	test('is 2 when unset or empty, and the number given otherwise', () => {
		assert.equal(DEFAULT_MAX_RUNNING, 2);
		assert.equal(maxRunningSetting({}), 2);
		assert.equal(maxRunningSetting({ REELSMITH_MAX_RUNNING: '  ' }), 2);
		assert.equal(maxRunningSetting({ REELSMITH_MAX_RUNNING: '5' }), 5);
	});

	test('refuses a value that is not a whole number of at least 1, naming the variable and the value', () => {
		for (const raw of ['0', '-1', '1.5', 'two']) {
			assert.throws(
				() => maxRunningSetting({ REELSMITH_MAX_RUNNING: raw }),
				new RegExp(`^Error: REELSMITH_MAX_RUNNING must be a whole number of at least 1 \\(got "${raw.replace('.', '\\.')}"\\)`),
			);
		}
	});
});
