import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { checkToken, SIGNATURE_HEADER, signBody } from '../../nodes/Campaign/lib/auth';

/** Webhook calls: the shared token in its header, or a signature of the body made with it (which n8n may store). */
const CREDENTIALS = { headerName: 'x-reelsmith-token', token: 'a-webhook-token-of-32-characters!' };
const BODY = Buffer.from('{"script": "INT. KITCHEN - NIGHT\\n\\nAlice stirs the soup."}');
const NOW = Date.parse('2026-12-01T22:00:00Z');

describe('webhook authentication', () => {
	it('takes a signature of the exact body made with the token, without the token travelling', () => {
		const headers = { [SIGNATURE_HEADER]: signBody(CREDENTIALS.token, BODY, NOW) };
		assert.deepEqual(checkToken(headers, CREDENTIALS, BODY, NOW + 1000), { ok: true });
		assert.doesNotMatch(JSON.stringify(headers), new RegExp(CREDENTIALS.token));
	});

	it('refuses a changed body, another token, an old or future time and a malformed header, naming the header', () => {
		const signature = signBody(CREDENTIALS.token, BODY, NOW);
		const cases: Array<[string, ReturnType<typeof checkToken>, RegExp]> = [
			['a changed body', checkToken({ [SIGNATURE_HEADER]: signature }, CREDENTIALS, Buffer.from(`${BODY} `), NOW), /does not match the body/],
			['another token', checkToken({ [SIGNATURE_HEADER]: signBody('another-token', BODY, NOW) }, CREDENTIALS, BODY, NOW), /does not match the body/],
			['six minutes later', checkToken({ [SIGNATURE_HEADER]: signature }, CREDENTIALS, BODY, NOW + 360_000), /360 s away from this server's clock/],
			['six minutes early', checkToken({ [SIGNATURE_HEADER]: signature }, CREDENTIALS, BODY, NOW - 360_000), /360 s away/],
			['a malformed header', checkToken({ [SIGNATURE_HEADER]: 'sha256=abc' }, CREDENTIALS, BODY, NOW), /must be "t=<unix seconds>,v1=/],
		];
		for (const [what, result, message] of cases) {
			assert.equal(result.ok, false, what);
			if (result.ok) continue;
			assert.equal(result.status, 401, what);
			assert.equal(result.field, SIGNATURE_HEADER, what);
			assert.match(result.message, message, what);
		}
	});

	it('still takes the token header, and says how to authenticate when neither is sent', () => {
		assert.deepEqual(checkToken({ 'X-Reelsmith-Token': CREDENTIALS.token }, CREDENTIALS), { ok: true });
		const wrong = checkToken({ 'x-reelsmith-token': `${CREDENTIALS.token.slice(0, -1)}?` }, CREDENTIALS);
		assert.equal(wrong.ok, false);
		const missing = checkToken({}, CREDENTIALS);
		assert.ok(!missing.ok && /header is missing.*or sign the body \(header "x-reelsmith-signature"\)/.test(missing.message));
	});
});
