import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { Claude } from '../../nodes/Claude/Claude.node';
import { PLAN_SCHEMA_VERSION, type Critique, type Plan } from '../../nodes/shared/plan';
import { errors, FAKE_API_KEY } from '../fakes/anthropic';
import { rejectsWith, runClaude, useFakeAnthropic, type Parameters, type RunOptions } from './context';
import { critiqueInput, planInput } from './fixtures';
import models from '../../nodes/shared/data/claudeModels.json';

const fake = useFakeAnthropic();

function run(
	items: (IDataObject | INodeExecutionData)[],
	parameters: (json: IDataObject) => Parameters,
	options: RunOptions = {},
): Promise<INodeExecutionData[]> {
	return runClaude(fake, items, parameters, options);
}

const planFromScript = (json: IDataObject): Parameters => ({
	operation: 'plan',
	source: 'script',
	script: json.script,
	style: 'warm 35mm film',
	targetDuration: 10,
	sceneCount: 2,
	maxRetries: 2,
});

test('the node describes itself and its credential', () => {
	const { description } = new Claude();
	assert.equal(description.name, 'claude');
	assert.deepEqual(
		description.credentials?.map(({ name, required }) => ({ name, required })),
		[
			{ name: 'reelsmithAnthropicApi', required: true },
			{ name: 'reelsmithPostgresApi', required: false },
		],
	);
	const operation = description.properties.find((property) => property.name === 'operation');
	assert.deepEqual(
		operation?.options?.map((option) => ('value' in option ? option.value : null)),
		['checkFrame', 'critique', 'metadata', 'plan', 'refine', 'videoPrompts'],
	);
	assert.equal(description.properties.find((property) => property.name === 'model')?.default, models.default);
	assert.equal(models.default, 'claude-sonnet-4-6');
});

test('plan: a script becomes a plan in the shared schema, with usage and cost from the price table', async () => {
	fake.script({ toolInput: planInput(), usage: { input_tokens: 2000, output_tokens: 1000 } });
	const [item] = await run([{ runId: 'run-1', script: 'INT. KITCHEN - MORNING\n\nAlice pours coffee.' }], planFromScript);
	assert.equal(item.json.runId, 'run-1');
	assert.deepEqual(item.pairedItem, { item: 0 });
	const plan = item.json.plan as unknown as Plan;
	assert.equal(plan.schemaVersion, PLAN_SCHEMA_VERSION);
	assert.equal(plan.format, 'screenplay');
	assert.equal(plan.targetDuration, 10);
	assert.deepEqual(plan.scenes.map((scene) => scene.number), [1, 2]);
	assert.equal(plan.scenes[0].duration, 4);
	assert.equal(plan.totalDuration, 10);
	assert.deepEqual(
		plan.characters.map(({ name, lines, scenes }) => ({ name, lines, scenes })),
		[
			{ name: 'ALICE', lines: 2, scenes: [1, 2] },
			{ name: 'BOB', lines: 1, scenes: [2] },
		],
	);
	assert.deepEqual(plan.settings[1], {
		name: 'GARDEN',
		interior: 'EXT',
		timeOfDay: 'MORNING',
		description: 'Green garden behind a wooden fence.',
		scenes: [2],
	});
	assert.ok(plan.scenes.every((scene) => scene.visualDescription.length > 0));
	// Sonnet 4.5: $3 / $15 per million tokens → 2000 × 3e-6 + 1000 × 15e-6 = 0.021
	assert.deepEqual(item.json.usage, { model: 'claude-sonnet-4-6', inputTokens: 2000, outputTokens: 1000, costUsd: 0.021 });

	assert.equal(fake.requests.length, 1);
	const sent = fake.requests[0];
	assert.equal(sent.headers['x-api-key'] ?? sent.headers.authorization, `Bearer ${FAKE_API_KEY}`);
	assert.match(String(sent.headers['anthropic-version']), /^\d{4}-\d{2}-\d{2}$/);
	assert.deepEqual(sent.body.tool_choice, { type: 'tool', name: 'submit_plan' });
	assert.match(JSON.stringify(sent.body.messages), /Alice pours coffee/);
	assert.match(JSON.stringify(sent.body.messages), /warm 35mm film/);
});

test('plan: a post and a brief are sources too, priced for the chosen model', async () => {
	fake.script({ toolInput: planInput({ title: undefined }), usage: { input_tokens: 1_000_000, output_tokens: 0 } });
	const [fromPost] = await run([{ title: 'Why we brew', body: 'Coffee is a ritual.' }], (json) => ({
		operation: 'plan',
		source: 'post',
		postTitle: json.title,
		postBody: json.body,
		model: 'claude-haiku-4-5',
	}));
	const plan = fromPost.json.plan as unknown as Plan;
	assert.equal(plan.format, 'post');
	assert.equal(plan.title, 'Why we brew');
	assert.equal(plan.targetDuration, null);
	assert.deepEqual(fromPost.json.usage, { model: 'claude-haiku-4-5', inputTokens: 1_000_000, outputTokens: 0, costUsd: 1 });
	assert.equal(fake.requests[0].body.model, 'claude-haiku-4-5');

	fake.script({ toolInput: planInput() });
	const [fromBrief] = await run([{ brief: 'A calm morning with coffee' }], (json) => ({ operation: 'plan', source: 'brief', brief: json.brief }));
	assert.equal((fromBrief.json.plan as unknown as Plan).scenes.length, 2);
	assert.match(JSON.stringify(fake.requests[1].body.messages), /A calm morning with coffee/);

	await assert.rejects(
		run([{}], () => ({ operation: 'plan', source: 'brief', brief: '' })),
		rejectsWith(/"Brief" is empty/),
	);
	assert.equal(fake.requests.length, 2, 'no request is sent without material');
});

test('critique: the answer becomes a Critique by the claude critic', async () => {
	const plan = (await (async () => {
		fake.script({ toolInput: planInput() });
		return (await run([{ script: 'x' }], planFromScript))[0].json.plan;
	})()) as unknown as Plan;
	fake.script({ toolInput: critiqueInput, usage: { input_tokens: 500, output_tokens: 100 } });
	const [item] = await run([{ plan }], (json) => ({ operation: 'critique', plan: json.plan, clipLimit: 10 }));
	const critique = item.json.critique as unknown as Critique;
	assert.deepEqual(critique, { ...critiqueInput, critic: 'claude' });
	assert.deepEqual(item.json.usage, { model: 'claude-sonnet-4-6', inputTokens: 500, outputTokens: 100, costUsd: 0.003 });
	assert.deepEqual(fake.requests[1].body.tool_choice, { type: 'tool', name: 'submit_critique' });
	assert.match(JSON.stringify(fake.requests[1].body.messages), /Alice in a green sweater/);
});

test('refine: plan + critique give a new plan and the list of changes', async () => {
	fake.script({ toolInput: planInput() });
	const plan = (await run([{ script: 'x' }], planFromScript))[0].json.plan as unknown as Plan;
	const revised = planInput();
	revised.scenes[1].duration = 5;
	fake.script({ toolInput: { plan: revised, changes: ['Shortened scene 2 to 5 s.'] } });
	const [item] = await run([{ plan, critique: { ...critiqueInput, critic: 'claude' } }], (json) => ({
		operation: 'refine',
		plan: JSON.stringify(json.plan),
		critique: json.critique,
	}));
	const refined = item.json.plan as unknown as Plan;
	assert.deepEqual(item.json.changes, ['Shortened scene 2 to 5 s.']);
	assert.equal(refined.totalDuration, 9);
	assert.equal(refined.format, 'screenplay');
	assert.equal(refined.targetDuration, 10, 'the target of the plan is kept');
	assert.match(JSON.stringify(fake.requests[1].body.messages), /split it to fit 10 s clips/);
});

test('a 429 with retry-after is retried and then succeeds', async () => {
	fake.script(errors.rateLimited('0.01'), { toolInput: planInput() });
	const [item] = await run([{ script: 'x' }], planFromScript);
	assert.equal((item.json.plan as unknown as Plan).scenes.length, 2);
	assert.equal(fake.requests.length, 2);
});

test('529 overloaded and 500 are retried and then succeed', async () => {
	fake.script(errors.overloaded(), errors.serverError(), { toolInput: planInput() });
	const [item] = await run([{ script: 'x' }], planFromScript);
	assert.ok(item.json.plan);
	assert.equal(fake.requests.length, 3);
});

test('retries stop at Max Retries with a message naming the status', async () => {
	fake.script(errors.serverError(), errors.serverError());
	await assert.rejects(
		run([{ script: 'x' }], (json) => ({ ...planFromScript(json), maxRetries: 1 })),
		rejectsWith(/Anthropic had an error \(500\) and 1 retries did not get through/),
	);
	assert.equal(fake.requests.length, 2);
});

test('a refused key (401) is not retried and says which credential to check', async () => {
	await assert.rejects(
		run([{ script: 'x' }], planFromScript, { apiKey: 'sk-ant-wrong' }),
		rejectsWith(/^The Anthropic API key was refused \(401\)\. Check the Reelsmith Anthropic credential\.$/),
	);
	assert.equal(fake.requests.length, 1);
});

test('a bad request (400) is not retried and passes on what Anthropic said', async () => {
	fake.script(errors.badRequest('model: claude-nope not found'));
	await assert.rejects(
		run([{ script: 'x' }], planFromScript),
		rejectsWith(/Anthropic refused the request \(400\): model: claude-nope not found/),
	);
	assert.equal(fake.requests.length, 1);
});

test('a 429 for the spend limit is not retried and says so plainly', async () => {
	fake.script(errors.spendLimit(), { toolInput: planInput() });
	await assert.rejects(run([{ script: 'x' }], planFromScript), (error: Error & { description?: string }) => {
		assert.match(error.message, /^The Anthropic spend limit is reached \(429\)/);
		assert.match(error.description ?? '', /Retrying will not help/);
		return true;
	});
	assert.equal(fake.requests.length, 1);
	// The success queued behind the 429 was never asked for; the next run gets it.
	await run([{ script: 'x' }], planFromScript);
	assert.equal(fake.requests.length, 2);
});

test('an invalid answer is sent back once with its problems, and the repaired answer is used', async () => {
	const broken = planInput();
	broken.scenes[1].visualDescription = '';
	fake.script({ toolInput: broken, usage: { input_tokens: 1000, output_tokens: 1000 } }, { toolInput: planInput(), usage: { input_tokens: 1000, output_tokens: 1000 } });
	const [item] = await run([{ script: 'x' }], planFromScript);
	assert.equal((item.json.plan as unknown as Plan).scenes[1].visualDescription.length > 0, true);
	assert.equal(fake.requests.length, 2);
	const repair = fake.requests[1].body.messages;
	assert.equal(repair.length, 3);
	assert.equal(repair[1].role, 'assistant');
	assert.match(JSON.stringify(repair[2].content), /"type":"tool_result".*"is_error":true.*scenes\[1\]\.visualDescription is empty/);
	// Both calls are paid for.
	assert.deepEqual(item.json.usage, { model: 'claude-sonnet-4-6', inputTokens: 2000, outputTokens: 2000, costUsd: 0.036 });
});

test('an answer still invalid after the repair stops the node, naming what is wrong', async () => {
	const noDescription = planInput();
	noDescription.characters = [{ name: 'ALICE', description: 'Woman in her thirties.' }];
	fake.script({ toolInput: noDescription }, { toolInput: noDescription });
	await assert.rejects(
		run([{ script: 'x' }], planFromScript),
		rejectsWith(/^Claude did not return a valid plan: characters has no entry \(with a description\) for "BOB"/),
	);
	assert.equal(fake.requests.length, 2);

	fake.script({ toolInput: { score: 140, issues: [] } }, { toolInput: { score: 'high' } });
	await assert.rejects(
		run([{ plan: planInput() }], (json) => ({ operation: 'critique', plan: json.plan })),
		rejectsWith(/Claude did not return a valid critique: score/),
	);
});

test('Continue On Fail keeps the item with the error and goes on with the next one', async () => {
	fake.script(errors.badRequest('prompt is too long'), { toolInput: planInput() });
	const output = await run([{ runId: 'a', script: 'x' }, { runId: 'b', script: 'y' }], planFromScript, { continueOnFail: true });
	assert.equal(output.length, 2);
	assert.equal(output[0].json.runId, 'a');
	assert.match(String(output[0].json.error), /Anthropic refused the request \(400\): prompt is too long/);
	assert.equal(output[1].json.runId, 'b');
	assert.ok(output[1].json.plan);
});

test('videoPrompts: one prompt per scene with the style, setting and the characters present, within the limit', async () => {
	fake.script({ toolInput: planInput() });
	const plan = (await run([{ script: 'x' }], planFromScript))[0].json.plan as unknown as Plan;
	const [kling] = await run([{ plan }], (json) => ({ operation: 'videoPrompts', plan: json.plan, style: 'warm 35mm film', promptLimit: 2500 }));
	const prompts = kling.json.videoPrompts as { scene: number; prompt: string; truncated: boolean }[];
	assert.deepEqual(prompts.map((prompt) => prompt.scene), [1, 2]);
	assert.equal(
		prompts[0].prompt,
		'A sunlit kitchen; Alice in a green sweater pours coffee into a white mug, close-up. Style: warm 35mm film. ' +
			'Setting, KITCHEN: Small bright kitchen, white tiles. ALICE: Woman in her thirties, short dark hair, green sweater.',
	);
	assert.match(prompts[1].prompt, /BOB: Neighbour in his sixties/);
	assert.doesNotMatch(prompts[0].prompt, /BOB/, 'only the characters present are described');
	assert.equal(fake.requests.length, 1, 'no model call');

	const [runway] = await run([{ plan }], (json) => ({ operation: 'videoPrompts', plan: json.plan, style: 'warm 35mm film', promptLimit: 100 }));
	const short = runway.json.videoPrompts as { prompt: string; truncated: boolean }[];
	assert.ok(short.every((prompt) => prompt.prompt.length <= 100 && prompt.truncated && prompt.prompt.endsWith('…')));
});

test('checkFrame: the frame goes to Claude as a base64 image and comes back scored', async () => {
	const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
	const frame = (mimeType: string) => ({
		json: { scene: 2, visualDescription: 'Bob waves over a wooden fence.' },
		binary: { frame: { data: png.toString('base64'), mimeType, fileName: 'scene-2.png' } },
	});
	const parameters = (json: IDataObject) => ({
		operation: 'checkFrame',
		binaryProperty: 'frame',
		expected: json.visualDescription,
		minScore: 70,
	});
	fake.script({ toolInput: { score: 55, reasons: ['No fence is visible.'] }, usage: { input_tokens: 1500, output_tokens: 50 } });
	const [item] = await run([frame('image/png')], parameters);
	assert.deepEqual(item.json.frameCheck, { score: 55, reasons: ['No fence is visible.'], passed: false });
	assert.equal(item.json.scene, 2);
	assert.ok(item.binary?.frame, 'the frame stays on the item');
	const [content] = fake.requests[0].body.messages[0].content as { type: string; source?: unknown; text?: string }[];
	assert.deepEqual(content, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png.toString('base64') } });
	assert.match(JSON.stringify(fake.requests[0].body.messages), /Bob waves over a wooden fence/);

	await assert.rejects(run([frame('video/mp4')], parameters), rejectsWith(/is video\/mp4; Claude reads JPEG, PNG, GIF or WebP/));
	await assert.rejects(
		run([frame('image/png')], (json) => ({ ...parameters(json), binaryProperty: 'data' })),
		rejectsWith(/no binary field "data"/),
	);
	assert.equal(fake.requests.length, 1, 'nothing is sent for a missing or unreadable frame');
});

test('critique: the rules critic holds Claude to the same standard (its issues are added, the lower score counts)', async () => {
	fake.script({ toolInput: planInput() });
	const plan = (await run([{ script: 'x' }], planFromScript))[0].json.plan as unknown as Plan;
	plan.scenes[0].visualDescription = 'Note: maybe cut this scene. A sunlit kitchen; Alice pours coffee, close-up.';
	fake.script({ toolInput: { score: 95, issues: [] } });
	const [item] = await run([{ plan }], (json) => ({ operation: 'critique', plan: json.plan, clipLimit: 10 }));
	const critique = item.json.critique as unknown as Critique;
	assert.deepEqual(
		critique.issues.map((issue) => [issue.code, issue.scene]),
		[['note-in-visual', 1]],
	);
	assert.equal(critique.score, 90);
	assert.equal(critique.critic, 'claude');
});

test('plan: an answer over 50 scenes, or with a line placed after action that is not there, is sent back for repair', async () => {
	const many = planInput();
	many.scenes = Array.from({ length: 51 }, () => ({ ...planInput().scenes[0] }));
	const misplaced = planInput();
	(misplaced.scenes[0].dialogue[0] as Record<string, unknown>).actionBefore = 3;
	fake.script({ toolInput: many }, { toolInput: misplaced });
	await assert.rejects(
		run([{ script: 'x' }], planFromScript),
		rejectsWith(/^Claude did not return a valid plan: scenes\[0\]\.dialogue\[0\]\.actionBefore is 3, but the scene has 1 action paragraphs/),
	);
	assert.match(JSON.stringify(fake.requests[1].body.messages), /scenes has 51 scenes; a run takes at most 50/);
});
