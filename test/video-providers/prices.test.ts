import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { claudeCostUsd, speechCostUsd, typicalClaudeCallUsd, videoCostUsd } from '../../nodes/shared/prices';

describe('prices (nodes/shared/data/prices.json)', () => {
	test('Kling bills whole 5 s or 10 s clips at the mode price; Runway credits per second; local is free', () => {
		assert.equal(videoCostUsd('kling', 'kling-v2-1', 2), 0.28); // 5 s × $0.056
		assert.equal(videoCostUsd('kling', 'kling-v2-1', 6, 'pro'), 0.98); // 10 s × $0.098
		assert.equal(videoCostUsd('kling', undefined, 5), 0.28, 'no model = the default model');
		assert.equal(videoCostUsd('runway', 'gen4.5', 5), 0.6); // 5 s × 12 credits × $0.01
		assert.equal(videoCostUsd('runway', 'gen4_turbo', 10), 0.5);
		assert.equal(videoCostUsd('local', undefined, 30), 0);
	});

	test('an unknown model is priced like the most expensive one, so a budget never under-estimates', () => {
		assert.equal(videoCostUsd('runway', 'gen9', 5), 0.75); // veo3.1_fast: 15 credits
		assert.equal(videoCostUsd('kling', 'kling-v9', 5), 1.4); // 5 s × $0.28
	});

	test('an unknown provider is an error naming the price file', () => {
		assert.throws(() => videoCostUsd('sora', undefined, 5), /No prices for provider "sora"\. Add it to nodes\/shared\/data\/prices\.json/);
	});

	test('speech: ElevenLabs per thousand characters by model; Google by the voice type in the voice name', () => {
		assert.equal(speechCostUsd('elevenlabs', 'eleven_multilingual_v2', 1000), 0.18);
		assert.equal(speechCostUsd('elevenlabs', 'eleven_flash_v2_5', 2000), 0.18);
		assert.equal(speechCostUsd('google', 'en-US-Neural2-F', 1_000_000), 16);
		assert.equal(speechCostUsd('google', 'en-US-Wavenet-D', 1_000_000), 4);
		assert.equal(speechCostUsd('google', 'en-US-Chirp3-HD-Charon', 1_000_000), 30);
		assert.equal(speechCostUsd('google', 'en-US-Studio-O', 1000), 0.16);
		assert.equal(speechCostUsd('espeak', 'en', 5000), 0);
	});

	test('Claude: input, output and cache reads per million tokens; dated model ids match their family', () => {
		assert.equal(claudeCostUsd('claude-sonnet-4-6', { input_tokens: 1_000_000, output_tokens: 1_000_000 }), 18);
		assert.equal(
			claudeCostUsd('claude-sonnet-4-5-20250929', { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 1_000_000 }),
			0.3,
		);
		assert.equal(claudeCostUsd('claude-haiku-4-5', { input_tokens: 4000, output_tokens: 3000 }), 0.019);
		assert.equal(typicalClaudeCallUsd(), 0.057); // 4000 in + 3000 out on Sonnet
	});
});
