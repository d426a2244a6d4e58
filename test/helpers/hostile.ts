/**
 * Hostile input, shared by the property tests of the run request (test/campaign/request-fuzz.test.ts) and the
 * reliability suite's hostile-input scenario (bench/reliability/hostile.ts), which sends the same shapes to the
 * running webhooks and dashboard.
 */
import fc from 'fast-check';
import { FIELD_RULES } from '../../nodes/Campaign/lib/request';

const FIELDS = Object.keys(FIELD_RULES);

/** Values of every JSON shape, with the awkward ones weighted in. */
export const hostileValue = fc.oneof(
	fc.jsonValue({ depthSize: 'small' }),
	fc.constantFrom(
		'',
		' ',
		'\u0000',
		'--help',
		'-v',
		'../../etc/passwd',
		"'; drop table runs; --",
		"%{pts}[in];:\\'",
		'\u202Eevil\u202C',
		'\u200B',
		'😀',
		'NaN',
		-0,
		1e308,
		-1e308,
		Number.MAX_SAFE_INTEGER + 2,
		0.1,
		true,
		null,
		[],
		{},
		{ __proto__: { polluted: true } },
		JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}'),
	),
	fc.string({ unit: 'binary', maxLength: 40 }),
);

/** A valid request with one field replaced, removed or added: close enough to reach the field checks. */
export const mutatedRequest = fc.record({
	field: fc.oneof(fc.constantFrom(...FIELDS), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString'), fc.string({ maxLength: 12 })),
	value: hostileValue,
	extra: fc.dictionary(fc.string({ maxLength: 8 }), hostileValue, { maxKeys: 2 }),
});

