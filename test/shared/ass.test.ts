import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { assColour, assDocument, assText, assTime } from '../../nodes/shared/ass';

describe('ASS scripts for shaped text', () => {
	test('script text cannot become tags, line breaks or hard spaces: braces are escaped, a backslash is kept from \\N', () => {
		assert.equal(assText('{\\an8}Hi\\Nthere\\h{\\b1}'), '\\{\\\u2060an8\\}Hi\\\u2060Nthere\\\u2060h\\{\\\u2060b1\\}');
		// A line break in the text is a space: rows are separate on purpose.
		assert.equal(assText('one\ntwo'), 'one two');
	});

	test('colours become &HAABBGGRR with transparency, not opacity; times are h:mm:ss.cc', () => {
		assert.equal(assColour('0xd9dcef'), '&H00EFDCD9');
		assert.equal(assColour('0x000000@0.6'), '&H66000000');
		assert.throws(() => assColour('red'), /not a colour/);
		assert.equal(assTime(3725.456), '1:02:05.46');
		assert.equal(assTime(-1), '0:00:00.00');
	});

	test('a document is sized to its canvas, does not wrap, and takes each line’s direction from its text', () => {
		const script = assDocument({
			width: 884,
			height: 142,
			styles: [
				{
					name: 'body',
					family: 'Lohit Devanagari',
					size: 36.75,
					colour: '0xffffff',
					alignment: 8,
				},
			],
			events: [
				{
					start: 0,
					end: 2,
					style: 'body',
					tags: '{\\pos(442,10)}',
					rows: ['हिन्दी', '{x}'],
				},
			],
		});
		assert.match(script, /^PlayResX: 884$/m);
		assert.match(script, /^PlayResY: 142$/m);
		assert.match(script, /^WrapStyle: 2$/m);
		assert.match(script, /^Style: body,Lohit Devanagari,36\.75,.*,8,0,0,0,-1$/m);
		assert.match(script, /^Dialogue: 0,0:00:00\.00,0:00:02\.00,body,,0,0,0,,\{\\pos\(442,10\)\}हिन्दी\\N\\\{x\\\}$/m);
	});
});
