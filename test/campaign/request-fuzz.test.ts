import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { FIELD_RULES, validateRunRequest } from '../../nodes/Campaign/lib/request';
import { mutatedRequest } from '../helpers/hostile';

/**
 * Property-based checks of the run request (the webhook's door), with fast-check: whatever arrives — wrong types,
 * out-of-range numbers, unknown and prototype keys, deep nesting, invalid UTF-8, NUL and other control characters —
 * the answer is either a valid request or a 400 that names a field the caller sent (or "body") and says what to do.
 * Never an exception: in n8n that would be a 500 "Error in workflow".
 */
const SEED = Number(process.env.REELSMITH_FUZZ_SEED ?? 20261201);
const RUNS = Number(process.env.REELSMITH_FUZZ_RUNS ?? 400);
const SCRIPT = 'INT. KITCHEN - NIGHT\n\nAlice stirs the soup.\n\nALICE\nIs the kettle on?\n';
const FIELDS = Object.keys(FIELD_RULES);

function expectAnswer(body: unknown, sentKeys: string[]): void {
	let result: ReturnType<typeof validateRunRequest>;
	try {
		result = validateRunRequest(body);
	} catch (error) {
		assert.fail(`validateRunRequest threw for ${JSON.stringify(body)?.slice(0, 200)}: ${(error as Error).stack}`);
	}
	if (result.ok) {
		// What is accepted is stored as it is: Postgres text and jsonb cannot hold U+0000, and a plan has 1 to 50 scenes.
		const stored = JSON.stringify([result.request, result.options]);
		assert.ok(!stored.includes('\\u0000'), `accepted a NUL character: ${stored.slice(0, 200)}`);
		// JSON.stringify writes a lone surrogate as an escape; jsonb refuses it.
		assert.doesNotMatch(stored, /\\ud[89a-f][0-9a-f]{2}/i, `accepted a lone surrogate: ${stored.slice(0, 200)}`);
		assert.ok(result.plan.scenes.length >= 1 && result.plan.scenes.length <= 50, `${result.plan.scenes.length} scenes`);
		return;
	}
	assert.equal(result.status, 400);
	// A field inside an object or a list is named by its path (voiceMap.ALICE, sceneMedia[0].clip).
	const top = FIELDS.includes(result.field) || sentKeys.includes(result.field) ? result.field : result.field.split(/[.[]/)[0];
	assert.ok(top === 'body' || sentKeys.includes(top) || FIELDS.includes(top), `field "${result.field}" was sent or is a request field`);
	assert.ok(result.message.length >= 20 && result.message.length <= 600, `a readable message: ${result.message}`);
	assert.doesNotMatch(result.message, /\bundefined\b|\[object Object\]|got null\)/, result.message);
}

describe('the run request under hostile input (fast-check)', () => {
	it('answers any one-field mutation of a valid request with a valid request or a 400 naming the field', () => {
		fc.assert(
			fc.property(mutatedRequest, ({ field, value, extra }) => {
				const body: Record<string, unknown> = { script: SCRIPT, ...extra };
				Object.defineProperty(body, field, { value, enumerable: true, configurable: true, writable: true });
				expectAnswer(body, Object.keys(body));
				// The same body as raw JSON text, as the webhook receives it.
				const text = JSON.stringify(body);
				if (text !== undefined) expectAnswer(Buffer.from(text), Object.keys(JSON.parse(text)));
			}),
			{ seed: SEED, numRuns: RUNS },
		);
	});

	it('stores no text it cannot keep: control characters and lone surrogates in the text fields', () => {
		const awkward = fc
			.tuple(fc.string({ maxLength: 10 }), fc.constantFrom('\u0000', '\u0001', '\u001B', '\uFFFF', '\uD800', '\uDFFF', '\u2028'), fc.string({ maxLength: 10 }))
			.map(([a, b, c]) => `${a}${b}${c}`);
		fc.assert(
			fc.property(fc.constantFrom('script', 'title', 'campaign', 'voiceMap'), awkward, (field, text) => {
				const value = field === 'script' ? `${SCRIPT}${text}` : field === 'voiceMap' ? { [text]: 'en' } : text;
				const body = { script: SCRIPT, [field]: value };
				expectAnswer(body, Object.keys(body));
				expectAnswer(Buffer.from(JSON.stringify(body)), Object.keys(body));
			}),
			{ seed: SEED, numRuns: RUNS },
		);
	});

	it('answers any bytes with a 400 naming the body, never an exception', () => {
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => expectAnswer(Buffer.from(bytes), [])),
			{ seed: SEED, numRuns: RUNS },
		);
	});

	it('answers deeply nested and oversized bodies with a 400', () => {
		const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
		expectAnswer(Buffer.from(`{"script": ${JSON.stringify(SCRIPT)}, "voiceMap": ${deep}}`), ['script', 'voiceMap']);
		const tooDeep = validateRunRequest(Buffer.from(`{"script": ${JSON.stringify(SCRIPT)}, "voiceMap": ${deep}}`));
		assert.equal(tooDeep.ok ? 'accepted' : tooDeep.message.split('.')[0], 'The request body is nested too deeply to read');
		const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
		expectAnswer({ script: SCRIPT, voiceMap: wide }, ['script', 'voiceMap']);
		const result = validateRunRequest({ script: `${SCRIPT}${'x'.repeat(200 * 1024)}` });
		assert.equal(result.ok ? 'accepted' : result.field, 'script', 'a script over 200 KB is refused by name');
		// Prototype keys are data, never a way into Object.prototype.
		validateRunRequest(Buffer.from('{"script": "INT. A - DAY\\n\\nx", "__proto__": {"polluted": 1}}'));
		assert.equal(({} as Record<string, unknown>).polluted, undefined);
	});
});
