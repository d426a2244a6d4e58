import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import type { ClipRequest } from '../../nodes/shared/render/request';
import { fitPrompt, scenePrompt } from '../../nodes/shared/videoPrompt';

const request = (scene: Partial<ClipRequest['scene']>, extra: Partial<ClipRequest> = {}): ClipRequest =>
	({
		scene: { number: 1, heading: 'INT. KITCHEN - NIGHT', duration: 5, dialogue: [], ...scene },
		style: 'cinematic',
		preset: 'landscape-1080p',
		width: 1920,
		height: 1080,
		fps: 30,
		duration: 5,
		...extra,
	}) as ClipRequest;

describe('the prompt Kling and Runway are sent', () => {
	test('a description that ends its own sentence gets no second period', () => {
		const text = scenePrompt(request({ visualDescription: 'A dim room.', action: 'Mara waits!' }), 'film grain');
		assert.equal(text, 'INT. KITCHEN - NIGHT. A dim room. Mara waits! film grain');
		assert.doesNotMatch(text, /\.\./);
	});

	test('questions, ellipses, blank parts and runs of spaces read as written', () => {
		const text = scenePrompt(
			request({ visualDescription: 'Who  is   there?', action: '   ', dialogue: [{ speaker: 'MARA', text: 'Wait…' }] }),
			undefined,
		);
		assert.equal(text, 'INT. KITCHEN - NIGHT. Who is there? MARA: Wait…');
	});

	test("the last check's fix follows the scene text as one sentence, however the reason ends", () => {
		const fitted = fitPrompt(
			request({ visualDescription: 'A dim room.' }, { feedback: ['the face is blurred.', 'too dark;'] }),
			'film grain',
			500,
			'Kling',
		);
		assert.equal(fitted.text, 'INT. KITCHEN - NIGHT. A dim room. film grain. Fix from the last check: the face is blurred; too dark.');
		const rewritten = fitPrompt(request({}, { promptRewrite: 'A quiet kitchen at night.' }), 'film grain', 500, 'Runway');
		assert.equal(rewritten.text, 'A quiet kitchen at night. film grain');
	});

	test('a cut prompt plus its fix stays within the limit', () => {
		const fitted = fitPrompt(request({ action: 'x'.repeat(900) }, { feedback: ['too dark'] }), undefined, 200, 'Kling');
		assert.ok(fitted.text.length <= 200, `${fitted.text.length} characters`);
		assert.match(fitted.text, /… Fix from the last check: too dark\.$/);
		assert.match(fitted.note ?? '', /Kling takes at most/);
	});
});
