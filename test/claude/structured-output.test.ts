import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import models from '../../nodes/shared/data/claudeModels.json';
import type { Plan } from '../../nodes/shared/plan';
import { looseObjects } from '../fakes/anthropic';
import { rejectsWith, runClaude, useFakeAnthropic } from './context';
import { critiqueInput, metadataInput, planInput } from './fixtures';

const fake = useFakeAnthropic();

const JSON_MODEL = models.models.find((model) => model.structuredOutput === 'jsonSchema')!.id;
const TOOL_MODEL = models.models.find((model) => model.structuredOutput === 'tool')!.id;

const planWith = (model: string) => (json: IDataObject) => ({
	operation: 'plan',
	source: 'script',
	script: json.script,
	targetDuration: 10,
	model,
});

test('models.json names the route of every model, and both routes exist', () => {
	assert.ok(models.models.every((model) => model.structuredOutput === 'tool' || model.structuredOutput === 'jsonSchema'));
	assert.ok(JSON_MODEL && TOOL_MODEL);
	assert.ok(models.models.every((model) => !('inputPerMTok' in model)), 'prices live in nodes/shared/data/prices.json');
});

test('JSON-schema route: output_config carries a strict schema, no tool is sent, and the JSON text becomes the plan', async () => {
	fake.script({ toolInput: planInput(), usage: { input_tokens: 2000, output_tokens: 1000 } });
	const [item] = await runClaude(fake, [{ script: 'INT. KITCHEN - MORNING' }], planWith(JSON_MODEL));
	const plan = item.json.plan as unknown as Plan;
	assert.deepEqual(plan.scenes.map((scene) => scene.number), [1, 2]);
	assert.equal(plan.characters[0].description, 'Woman in her thirties, short dark hair, green sweater.');

	assert.equal(fake.requests.length, 1);
	const sent = fake.requests[0].body;
	assert.equal(sent.model, JSON_MODEL);
	assert.equal(sent.tools, undefined);
	assert.equal(sent.tool_choice, undefined);
	assert.equal(sent.output_config?.format?.type, 'json_schema');
	const schema = sent.output_config!.format!.schema!;
	assert.deepEqual(looseObjects(schema), [], 'every object says additionalProperties: false');
	assert.doesNotMatch(JSON.stringify(schema), /"type":\[/, 'nullable fields are anyOf, not type lists');
	const scene = (schema.properties as Record<string, { items: { properties: Record<string, unknown> } }>).scenes.items.properties;
	assert.deepEqual(scene.timeOfDay, { anyOf: [{ type: 'string' }, { type: 'null' }] });
	assert.deepEqual(Object.keys(schema.properties as object), ['title', 'scenes', 'characters', 'settings']);
	assert.match(String(sent.system), /Answer only with the JSON object/);
	assert.equal((item.json.usage as IDataObject).model, JSON_MODEL);
});

test('tool route: the same request forces the tool and sends no output_config', async () => {
	fake.script({ toolInput: planInput() });
	await runClaude(fake, [{ script: 'x' }], planWith(TOOL_MODEL));
	const sent = fake.requests[0].body;
	assert.deepEqual(sent.tool_choice, { type: 'tool', name: 'submit_plan' });
	assert.equal(sent.output_config, undefined);
	assert.match(String(sent.system), /Answer only by calling the tool/);
});

test('JSON-schema route: text that is not JSON is sent back once, and the repaired answer is used', async () => {
	fake.script({ text: 'Here is your plan: {"title": ' }, { toolInput: planInput() });
	const [item] = await runClaude(fake, [{ script: 'x' }], planWith(JSON_MODEL));
	assert.equal((item.json.plan as unknown as Plan).scenes.length, 2);
	assert.equal(fake.requests.length, 2);
	const repair = fake.requests[1].body.messages;
	assert.equal(repair.length, 3);
	assert.deepEqual(repair[1], { role: 'assistant', content: [{ type: 'text', text: 'Here is your plan: {"title": ' }] });
	assert.equal(repair[2].role, 'user');
	assert.match(String(repair[2].content), /^Your answer was not valid: the answer is not valid JSON/);
	assert.ok(fake.requests[1].body.output_config, 'the repair asks for the same format');
	assert.equal((item.json.usage as IDataObject).inputTokens, 2000, 'both calls are counted');
});

test('JSON-schema route: an invalid plan is sent back once with its problems', async () => {
	const broken = planInput();
	broken.scenes[0].visualDescription = ' ';
	fake.script({ toolInput: broken }, { toolInput: planInput() });
	const [item] = await runClaude(fake, [{ script: 'x' }], planWith(JSON_MODEL));
	assert.ok(item.json.plan);
	assert.match(String(fake.requests[1].body.messages[2].content), /scenes\[0\]\.visualDescription is empty/);
});

test('JSON-schema route: still invalid after the repair → a clear error, after exactly two calls', async () => {
	fake.script({ toolInput: { score: 140, issues: [] } }, { text: 'I cannot score this.' });
	await assert.rejects(
		runClaude(fake, [{ plan: planInput() }], (json) => ({ operation: 'critique', plan: json.plan, model: JSON_MODEL })),
		rejectsWith(/^Claude did not return a valid critique: the answer is not valid JSON/),
	);
	assert.equal(fake.requests.length, 2);
	assert.match(String(fake.requests[1].body.messages[2].content), /score must be 100 or less/);

	fake.script({ toolInput: critiqueInput });
	const [item] = await runClaude(fake, [{ plan: planInput() }], (json) => ({ operation: 'critique', plan: json.plan, model: JSON_MODEL }));
	assert.equal((item.json.critique as IDataObject).score, 80);
});

test('JSON-schema route: an answer cut off at Max Tokens is not repaired (it would be cut again)', async () => {
	fake.script({ text: '{"title": "Coffee', stopReason: 'max_tokens' });
	await assert.rejects(
		runClaude(fake, [{ script: 'x' }], planWith(JSON_MODEL)),
		rejectsWith(/^Claude did not return a valid plan: the answer was cut off at Max Tokens/),
	);
	assert.equal(fake.requests.length, 1);
});

test('JSON-schema route works for metadata and frame checks too', async () => {
	fake.script({ toolInput: { score: 91, reasons: ['The fence and Bob are there.'] } });
	const png = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');
	const [frame] = await runClaude(
		fake,
		[{ json: { visualDescription: 'Bob waves over a fence.' }, binary: { data: { data: png, mimeType: 'image/png' } } }],
		(json) => ({ operation: 'checkFrame', binaryProperty: 'data', expected: json.visualDescription, minScore: 70, model: JSON_MODEL }),
	);
	assert.deepEqual(frame.json.frameCheck, { score: 91, reasons: ['The fence and Bob are there.'], passed: true });
	assert.equal(fake.requests[0].body.output_config?.format?.type, 'json_schema');
	fake.requests.length = 0;

	fake.script({ toolInput: metadataInput() });
	const [item] = await runClaude(fake, [{ plan: planInput() }], (json) => ({ operation: 'metadata', plan: json.plan, model: JSON_MODEL }));
	assert.equal((item.json.metadata as IDataObject).thumbnailText, 'Finally, quiet');
	assert.deepEqual(looseObjects(fake.requests[0].body.output_config?.format?.schema), []);
});

test('an empty API key stops the node before any request, with the message the planner looks for', async () => {
	for (const apiKey of ['', '   ']) {
		await assert.rejects(
			runClaude(fake, [{ script: 'x' }], planWith(TOOL_MODEL), { apiKey }),
			(error: Error & { description?: string }) => {
				assert.equal(error.name, 'NodeOperationError');
				assert.match(error.message, /^Claude has no API key/);
				assert.match(error.description ?? '', /planner = "rules"/);
				return true;
			},
		);
	}
	assert.equal(fake.requests.length, 0);
});
