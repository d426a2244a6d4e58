import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { spreadText } from '../../nodes/TextToSpeech/actions/ownVoiceOver';

describe('subtitles over your own voice-over', () => {
	it('gives each sentence a share of the recording as long as its share of the characters, end to end', () => {
		const lines = spreadText('Short one. This sentence is three times longer!', 4);
		assert.deepEqual(
			lines.map((line) => line.text),
			['Short one.', 'This sentence is three times longer!'],
		);
		assert.equal(lines[0].start, 0);
		assert.equal(lines[0].end, lines[1].start, 'no gap and no overlap');
		assert.equal(lines[1].end, 4, 'the last cue ends with the recording');
		assert.ok(Math.abs(lines[0].end - (4 * 10) / 46) < 0.001, `10 of 46 characters: ${lines[0].end} s`);
	});

	it('has no cues without text', () => {
		assert.deepEqual(spreadText(undefined, 3), []);
		assert.deepEqual(spreadText('   ', 3), []);
	});
});
