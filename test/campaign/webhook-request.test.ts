import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { signBody } from '../../nodes/Campaign/lib/auth';
import { runCampaign, TOKEN, useStore, webhookItem } from './fixture';

const store = useStore();

/** Webhook Request → Check as the voice webhooks use it: the token (or signature) checked, the JSON body handed on. */
describe('Campaign: Webhook Request → Check', () => {
	const check = (item: ReturnType<typeof webhookItem>) =>
		runCampaign(store, { resource: 'webhookRequest', operation: 'check', headers: item.headers, rawBodyField: 'data' }, [item]);

	it('hands the body on (output Accepted) when the token header matches', async () => {
		const [accepted, rejected] = await check(webhookItem({ provider: 'espeak', text: 'Hi' }));
		assert.deepEqual(
			accepted.map((item) => item.json),
			[{ body: { provider: 'espeak', text: 'Hi' } }],
		);
		assert.deepEqual(rejected, []);
	});

	it('accepts a body signed with the token, as the dashboard sends it', async () => {
		const body = { provider: 'espeak', voice: 'en-us', text: 'Signed' };
		const [accepted] = await check({ body, headers: { 'x-reelsmith-signature': signBody(TOKEN, JSON.stringify(body)) } });
		assert.equal(accepted.length, 1);
	});

	it('answers 401 (output Rejected) for a wrong or missing token, and 400 for a body that is no object', async () => {
		const [, wrong] = await check(webhookItem({ text: 'Hi' }, 'not-the-token'));
		assert.equal(wrong[0].json.statusCode, 401);
		assert.equal((wrong[0].json.body as { field: string }).field, 'x-reelsmith-token');
		const [, missing] = await check(webhookItem({ text: 'Hi' }, null));
		assert.equal(missing[0].json.statusCode, 401);
		const [accepted, list] = await check(webhookItem(['not', 'an', 'object']));
		assert.deepEqual(accepted, []);
		assert.deepEqual(list[0].json, {
			statusCode: 400,
			body: { error: 'invalid_request', field: 'body', message: 'The request body must be a JSON object.' },
		});
	});
});
