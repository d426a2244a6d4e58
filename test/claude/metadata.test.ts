import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import limits from '../../nodes/Claude/data/metadata.json';
import { rejectsWith, runClaude, useFakeAnthropic } from './context';
import { metadataInput, planInput } from './fixtures';

const fake = useFakeAnthropic();

const metadata = (json: IDataObject) => ({
	operation: 'metadata',
	plan: json.plan,
	videoDuration: (json.video as IDataObject | undefined)?.duration ?? 0,
	preset: 'shorts',
});

test('metadata: the plan and the final cut become title, description, tags and thumbnail text', async () => {
	fake.script({ toolInput: metadataInput(), usage: { input_tokens: 3000, output_tokens: 400 } });
	const [item] = await runClaude(fake, [{ runId: 'run-1', plan: planInput(), video: { key: 'runs/run-1/final/shorts.mp4', duration: 9.4 } }], metadata);
	assert.deepEqual(item.json.metadata, {
		title: 'Coffee Break: Finally, Some Quiet',
		description: 'Alice finds ten quiet seconds before the day begins.\nThen Bob waves over the fence.\n\nA short about morning rituals.',
		// "#short film" loses its #, the second "Coffee" is a duplicate.
		tags: ['coffee', 'morning routine', 'short film', 'neighbours'],
		thumbnailText: 'Finally, quiet',
	});
	assert.equal(item.json.runId, 'run-1', 'the item passes through');
	// Sonnet 4.6 at $3 / $15 per million: 3000 × 3e-6 + 400 × 15e-6 = 0.015
	assert.deepEqual(item.json.usage, { model: 'claude-sonnet-4-6', inputTokens: 3000, outputTokens: 400, costUsd: 0.015 });
	assert.deepEqual(item.json.cost, { provider: 'anthropic', model: 'claude-sonnet-4-6', units: 3400, unit: 'token', amountUsd: 0.015 });

	const sent = fake.requests[0].body;
	assert.deepEqual(sent.tool_choice, { type: 'tool', name: 'submit_metadata' });
	const prompt = JSON.stringify(sent.messages);
	assert.match(prompt, /Shorts \/ Reels 9:16/, 'the preset is named');
	assert.match(prompt, /Length: 9 seconds/, 'the final duration, not the plan total');
	assert.match(prompt, /Alice in a green sweater/, 'the plan is in the prompt');
	assert.match(prompt, new RegExp(`title at most ${limits.titleMax} characters`));
});

test('metadata: without a final duration the plan total is used', async () => {
	fake.script({ toolInput: metadataInput() });
	await runClaude(fake, [{ plan: planInput() }], (json) => ({ ...metadata(json), preset: '' }));
	const prompt = JSON.stringify(fake.requests[0].body.messages);
	assert.match(prompt, /Format: not known\. Length: 10 seconds/);
});

test('metadata: a title over the limit and too few tags are sent back once, then the repaired answer is used', async () => {
	fake.script({ toolInput: metadataInput({ title: 'T'.repeat(140), tags: ['coffee'] }) }, { toolInput: metadataInput() });
	const [item] = await runClaude(fake, [{ plan: planInput() }], metadata);
	assert.equal((item.json.metadata as IDataObject).title, 'Coffee Break: Finally, Some Quiet');
	assert.equal(fake.requests.length, 2);
	const repair = JSON.stringify(fake.requests[1].body.messages.at(-1));
	assert.match(repair, /"is_error":true/);
	assert.match(repair, /title has 140 characters; at most 100/);
	assert.match(repair, /tags has 1 different tags; 3 to 15 wanted/);
	assert.equal((item.json.usage as IDataObject).inputTokens, 2000, 'both calls are counted');
});

test('metadata: still invalid after the repair → a clear error naming the field', async () => {
	const wordy = metadataInput({ thumbnailText: 'this thumbnail text has far too many words on it' });
	fake.script({ toolInput: wordy }, { toolInput: wordy });
	await assert.rejects(
		runClaude(fake, [{ plan: planInput() }], metadata),
		rejectsWith(/^Claude did not return a valid metadata: thumbnailText has 10 words and 48 characters; at most 6 words and 40 characters$/),
	);
	assert.equal(fake.requests.length, 2);
});

test('metadata: no plan on the item → no call, a message that says where the plan comes from', async () => {
	await assert.rejects(runClaude(fake, [{}], metadata), rejectsWith(/The "Plan" parameter is not a Reelsmith plan/));
	assert.equal(fake.requests.length, 0);
});
