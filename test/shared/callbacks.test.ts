/**
 * Callbacks without a network: how a request is signed and checked, when a failed one is tried again, and which
 * addresses Reelsmith refuses to send to (as written, and after resolving the name).
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { afterEach, describe, test } from 'vitest';
import { validateRunRequest } from '../../nodes/Campaign/lib/request';
import { callbackSettings, DEFAULT_CALLBACK_SETTINGS, isRetryable, retryDelaySeconds } from '../../nodes/shared/callbacks/settings';
import { signature, signedHeaders, verifySignature } from '../../nodes/shared/callbacks/sign';
import { callbackUrlProblem, PublicHostError, publicUrlProblem, resolvePublicHost, type Lookup } from '../../nodes/shared/publicUrl';

const SECRET = 'whsec_test';
const script = 'INT. KITCHEN - NIGHT\n\nALICE\nHello.\n';

describe('signing', () => {
	test('the signature is HMAC-SHA256 of "<timestamp>.<body>" with the secret, as a receiver computes it', () => {
		const body = '{"type":"run.completed"}';
		const expected = createHmac('sha256', SECRET).update(`1700000000.${body}`).digest('hex');
		assert.equal(signature(SECRET, 1700000000, body), `v1=${expected}`);
		const headers = signedHeaders(SECRET, 'delivery-1', body, 1700000000);
		assert.deepEqual(headers, { 'x-reelsmith-signature': `v1=${expected}`, 'x-reelsmith-timestamp': '1700000000', 'x-reelsmith-delivery': 'delivery-1' });
	});

	test('a receiver accepts the request as sent, and refuses another body, another secret or an old timestamp', () => {
		const body = '{"run":{"id":"r1"}}';
		const now = Date.now();
		const headers = signedHeaders(SECRET, 'd', body, Math.floor(now / 1000));
		assert.equal(verifySignature(SECRET, headers, body, { now }), true);
		assert.equal(verifySignature(SECRET, headers, body.replace('r1', 'r2'), { now }), false, 'body changed');
		assert.equal(verifySignature('whsec_other', headers, body, { now }), false, 'rotated secret');
		assert.equal(verifySignature(SECRET, headers, body, { now: now + 301_000 }), false, 'replayed 5 minutes later');
		assert.equal(verifySignature(SECRET, { ...headers, 'x-reelsmith-signature': 'v1=00' }, body, { now }), false);
	});
});

describe('retries', () => {
	afterEach(() => {
		for (const name of Object.keys(process.env)) if (name.startsWith('REELSMITH_CALLBACK_')) delete process.env[name];
	});

	test('the schedule is followed, its last delay repeats, and at most 10 % is added at random', () => {
		const schedule = [10, 60, 600];
		assert.equal(retryDelaySeconds(1, schedule, () => 0), 10);
		assert.equal(retryDelaySeconds(2, schedule, () => 0), 60);
		assert.equal(retryDelaySeconds(3, schedule, () => 0), 600);
		assert.equal(retryDelaySeconds(9, schedule, () => 0), 600);
		assert.ok(Math.abs(retryDelaySeconds(1, schedule, () => 0.999) - 10.999) < 1e-9);
	});

	test('5xx, 408, 429, timeouts and connection errors are retried; other 4xx, redirects and refused addresses are final', () => {
		for (const statusCode of [500, 502, 503, 504, 408, 429, null]) assert.equal(isRetryable({ statusCode }), true, String(statusCode));
		for (const statusCode of [400, 401, 403, 404, 410, 422]) assert.equal(isRetryable({ statusCode }), false, String(statusCode));
		assert.equal(isRetryable({ statusCode: 302, refused: true }), false);
		assert.equal(isRetryable({ statusCode: null, refused: true }), false);
	});

	test('the settings come from the environment, so tests can retry in seconds; bad values name their variable', () => {
		assert.deepEqual(callbackSettings({}), DEFAULT_CALLBACK_SETTINGS);
		assert.ok(DEFAULT_CALLBACK_SETTINGS.retryForSeconds === 24 * 3600, 'a day of retries by default');
		const fast = callbackSettings({
			REELSMITH_CALLBACK_RETRY_SECONDS: '1, 2',
			REELSMITH_CALLBACK_RETRY_FOR_SECONDS: '30',
			REELSMITH_CALLBACK_ALLOW_LOOPBACK: 'true',
			REELSMITH_CALLBACK_LINK_SECONDS: '600',
		});
		assert.deepEqual(fast.retrySeconds, [1, 2]);
		assert.equal(fast.retryForSeconds, 30);
		assert.equal(fast.allowLoopback, true);
		assert.equal(fast.linkSeconds, 600);
		assert.throws(() => callbackSettings({ REELSMITH_CALLBACK_RETRY_SECONDS: '10,soon' }), /REELSMITH_CALLBACK_RETRY_SECONDS .*"10,soon"/);
		assert.throws(() => callbackSettings({ REELSMITH_CALLBACK_LINK_SECONDS: '999999' }), /REELSMITH_CALLBACK_LINK_SECONDS .*at most 604800/);
	});
});

describe('where callbacks may go', () => {
	afterEach(() => {
		delete process.env.REELSMITH_CALLBACK_ALLOW_LOOPBACK;
	});

	test('as written: https to a public host only', () => {
		assert.equal(callbackUrlProblem('https://hooks.example.com/reelsmith?x=1'), null);
		assert.equal(callbackUrlProblem('https://93.184.216.34/hook'), null);
		assert.match(String(callbackUrlProblem('https://203.0.113.9/hook')), /reserved/, 'documentation ranges too');
		const refused: Array<[string, RegExp]> = [
			['http://hooks.example.com/', /https/],
			['ftp://hooks.example.com/', /https/],
			['https://user:pw@hooks.example.com/', /user name or password/],
			['https://10.0.0.5/', /private/],
			['https://192.168.1.1/', /private/],
			['https://127.0.0.1/', /loopback/],
			['https://[::1]/', /loopback/],
			['https://169.254.169.254/latest/meta-data', /link-local/],
			['https://[::ffff:169.254.169.254]/', /link-local/],
			['https://[::ffff:127.0.0.1]/', /loopback/],
			['https://[fd00::1]/', /private/],
			['https://100.64.0.1/', /carrier-grade/],
			['https://0x7f.1/', /loopback/],
			['https://2130706433/', /loopback/],
			['https://localhost/', /inside a network/],
			['https://metadata.google.internal/', /inside a network/],
			['https://printer/', /inside a network/],
			['not a url', /not a valid URL/],
		];
		for (const [url, why] of refused) assert.match(String(callbackUrlProblem(url)), why, url);
	});

	test('loopback, http included, only when REELSMITH_CALLBACK_ALLOW_LOOPBACK allows it; private networks never', () => {
		const allow = { allowLoopback: true };
		assert.equal(callbackUrlProblem('http://127.0.0.1:8080/hook', allow), null);
		assert.equal(callbackUrlProblem('http://localhost:8080/hook', allow), null);
		assert.equal(callbackUrlProblem('http://[::1]:8080/hook', allow), null);
		assert.match(String(callbackUrlProblem('http://hooks.example.com/', allow)), /http is allowed only to this machine/);
		assert.match(String(callbackUrlProblem('https://10.0.0.5/', allow)), /private/);
		assert.match(String(callbackUrlProblem('https://169.254.169.254/', allow)), /link-local/);
		// Reference images are judged as before: loopback never.
		assert.match(String(publicUrlProblem('https://127.0.0.1/a.png')), /loopback/);
	});

	test('at send time every address the name resolves to must be public, IPv4-mapped IPv6 included', async () => {
		const dns = (answers: Record<string, string[]>): Lookup => async (host) => {
			const list = answers[host];
			if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
			return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
		};
		const lookup = dns({
			'hooks.example.com': ['93.184.216.34', '2606:2800:220:1::1'],
			'rebind.example.com': ['93.184.216.34', '10.1.2.3'],
			'mapped.example.com': ['::ffff:192.168.0.10'],
			'metadata.example.com': ['169.254.169.254'],
			'self.example.com': ['127.0.0.1'],
			localhost: ['127.0.0.1', '::1'],
		});
		assert.deepEqual(await resolvePublicHost('https://hooks.example.com/x', {}, lookup), { address: '93.184.216.34', family: 4 });
		for (const [url, why] of [
			['https://rebind.example.com/', /rebind\.example\.com resolves to .*10\.1\.2\.3, a private network address/],
			['https://mapped.example.com/', /::ffff:192\.168\.0\.10, a private network address/],
			['https://metadata.example.com/', /169\.254\.169\.254, a link-local address/],
			['https://self.example.com/', /loopback/],
		] as const) {
			await assert.rejects(resolvePublicHost(url, {}, lookup), (error: Error) => error instanceof PublicHostError && why.test(error.message), url);
		}
		// A name that resolves to loopback is fine only when loopback is allowed.
		assert.deepEqual(await resolvePublicHost('https://self.example.com/', { allowLoopback: true }, lookup), { address: '127.0.0.1', family: 4 });
		assert.deepEqual(await resolvePublicHost('http://localhost:9/', { allowLoopback: true }, lookup), { address: '127.0.0.1', family: 4 });
		// A name that does not resolve is not refused for good: DNS may answer on a later try.
		await assert.rejects(resolvePublicHost('https://gone.example.com/', {}, lookup), (error: Error) => !(error instanceof PublicHostError) && /ENOTFOUND/.test(error.message));
	});

	test('a run request with a bad callbackUrl is a 400 naming callbackUrl; events need a callbackUrl', () => {
		for (const callbackUrl of ['http://hooks.example.com/', 'https://10.0.0.1/', 'https://localhost/', 42, 'hooks.example.com']) {
			const result = validateRunRequest({ script, callbackUrl });
			assert.equal(result.ok, false, String(callbackUrl));
			if (result.ok) continue;
			assert.equal(result.field, 'callbackUrl');
			assert.match(result.message, /^"callbackUrl" .*\(got .*\)\. Send an https URL of your app/);
		}
		const loopback = validateRunRequest({ script, callbackUrl: 'http://127.0.0.1:9000/hook' });
		assert.equal(loopback.ok, false, 'loopback is refused by default');
		process.env.REELSMITH_CALLBACK_ALLOW_LOOPBACK = 'true';
		const allowed = validateRunRequest({ script, callbackUrl: 'http://127.0.0.1:9000/hook', events: ['stage'] });
		assert.ok(allowed.ok);
		assert.equal(allowed.request.callbackUrl, 'http://127.0.0.1:9000/hook');
		assert.deepEqual(allowed.request.events, ['stage']);

		const noUrl = validateRunRequest({ script, events: ['stage'] });
		assert.ok(!noUrl.ok && noUrl.field === 'events' && /no "callbackUrl"/.test(noUrl.message));
		const badEvent = validateRunRequest({ script, callbackUrl: 'https://hooks.example.com/', events: ['scene'] });
		assert.ok(!badEvent.ok && badEvent.field === 'events');
		const none = validateRunRequest({ script });
		assert.ok(none.ok && none.request.callbackUrl === null && none.request.events.length === 0);
	});
});
