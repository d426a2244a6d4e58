import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { Screenplay } from '../../nodes/Screenplay/Screenplay.node';
import type { Critique, Plan } from '../../nodes/shared/plan';
import { executionContext } from '../helpers/execution-context';
import { script } from './fixtures';

type Parameters = Record<string, unknown>;

/** Runs the node in the shared test context: parameters per item (expressions already resolved, as n8n does). */
async function run(
	items: IDataObject[],
	parameters: (json: IDataObject) => Parameters,
	continueOnFail = false,
): Promise<INodeExecutionData[]> {
	const context = executionContext({
		items,
		parameters: (_itemIndex, json) => parameters(json),
		continueOnFail,
		node: { id: 'screenplay-1', name: 'Screenplay', type: 'n8n-nodes-reelsmith.screenplay' },
	});
	const [output] = await new Screenplay().execute.call(context);
	return output;
}

test('the node describes itself as n8n expects', () => {
	const { description } = new Screenplay();
	assert.equal(description.name, 'screenplay');
	assert.equal(description.displayName, 'Screenplay');
	assert.equal(description.version, 1);
	assert.deepEqual(description.inputs, ['main']);
	assert.deepEqual(description.outputs, ['main']);
	const operation = description.properties.find((property) => property.name === 'operation');
	assert.deepEqual(
		operation?.options?.map((option) => ('value' in option ? option.value : null)),
		['critique', 'take', 'parse', 'refine'],
	);
	const shownFor = (name: string) =>
		description.properties
			.filter((property) => property.name === name)
			.flatMap((property) => property.displayOptions?.show?.operation ?? []);
	assert.deepEqual(shownFor('script'), ['parse']);
	assert.deepEqual(shownFor('plan'), ['critique', 'refine', 'take']);
	// Parse checks the scene limit against the clip limit before any work, so it takes the clip limit too; Make Take
	// merges scenes only as far as one clip holds them.
	assert.deepEqual(shownFor('clipLimit'), ['parse', 'critique', 'refine', 'take']);
	assert.deepEqual(shownFor('maxScenes'), ['parse', 'refine']);
	assert.equal(description.properties.find((property) => property.name === 'plan')?.default, '={{ $json.plan }}');
});

test('parse → critique → refine through the node, keeping the item and pairing it', async () => {
	const parsed = await run([{ runId: 'run-1', script: script('coffee-break.md') }], (json) => ({
		operation: 'parse',
		script: json.script,
		format: 'auto',
		title: json.title,
		targetDuration: 0,
		sceneCount: 0,
	}));
	assert.equal(parsed.length, 1);
	assert.equal(parsed[0].json.runId, 'run-1');
	assert.deepEqual(parsed[0].pairedItem, { item: 0 });
	const plan = parsed[0].json.plan as unknown as Plan;
	assert.equal(plan.scenes.length, 3);

	const critiqued = await run([parsed[0].json], (json) => ({
		operation: 'critique',
		plan: json.plan,
		targetDuration: 0,
		videoProvider: 'local',
		clipLimit: 0,
	}));
	const critique = critiqued[0].json.critique as unknown as Critique;
	assert.equal(critique.score, 85);
	assert.equal(critiqued[0].json.runId, 'run-1');

	// The plan may come as JSON text too, e.g. read back from storage.
	const refined = await run([critiqued[0].json], (json) => ({
		operation: 'refine',
		plan: JSON.stringify(json.plan),
		critique: json.critique,
		targetDuration: 0,
		videoProvider: 'local',
		clipLimit: 0,
	}));
	assert.equal((refined[0].json.changes as string[]).length, 2);
	const better = await run([refined[0].json], (json) => ({ operation: 'critique', plan: json.plan, videoProvider: 'local' }));
	assert.equal((better[0].json.critique as unknown as Critique).score, 100);
});

test('the clip limit comes from the video provider unless set', async () => {
	const plan = (await run([{}], () => ({ operation: 'parse', script: script('three-scenes.fountain') })))[0].json.plan;
	(plan as unknown as Plan).scenes[0].duration = 12;
	const scoreWith = async (parameters: Parameters) =>
		(await run([{ plan }], (json) => ({ operation: 'critique', plan: json.plan, ...parameters })))[0].json
			.critique as unknown as Critique;
	assert.deepEqual((await scoreWith({ videoProvider: 'local', clipLimit: 0 })).issues, []);
	assert.deepEqual(
		(await scoreWith({ videoProvider: 'kling', clipLimit: 0 })).issues.map((issue) => issue.code),
		['scene-over-clip-limit'],
	);
	assert.deepEqual((await scoreWith({ videoProvider: 'runway', clipLimit: 15 })).issues, []);
});

test('a script with no scene stops the node with the parse message', async () => {
	await assert.rejects(
		run([{ script: '   ' }], (json) => ({ operation: 'parse', script: json.script, format: 'auto' })),
		(error: Error) => {
			assert.equal(error.name, 'NodeOperationError');
			assert.match(error.message, /^The script is empty\. Start each scene with a heading such as `INT\. KITCHEN - NIGHT`/);
			return true;
		},
	);
});

test('a plan parameter that is not a plan names the parameter and says where to connect it', async () => {
	const critique = (plan: unknown) => run([{ plan } as IDataObject], () => ({ operation: 'critique', plan, videoProvider: 'local' }));
	await assert.rejects(critique({ title: 'x' }), {
		message: 'The "Plan" parameter is not a Reelsmith plan: scenes is missing. Connect it to the output of Screenplay → Parse.',
	});
	await assert.rejects(critique('{"scenes": ['), /The "Plan" parameter is not a Reelsmith plan: it is not valid JSON/);
	await assert.rejects(critique(undefined), /The "Plan" parameter is not a Reelsmith plan: it is empty\./);
	await assert.rejects(critique({ scenes: [] }), /scenes is empty/);
	await assert.rejects(critique({ scenes: [{ duration: 'long' }] }), /scene 1: duration must be a number of seconds \(got "long"\)/);
	await assert.rejects(
		run([{}], () => ({ operation: 'refine', plan: { scenes: [{ heading: 'INT. A - DAY' }] }, critique: 'nope' })),
		/The "Critique" parameter is not a critique: it is not valid JSON .*Connect it to the output of Screenplay → Critique\./,
	);
});

test('with Continue On Fail a bad item reports its error and the others go on', async () => {
	const output = await run(
		[{ script: script('three-scenes.fountain') }, { script: '' }],
		(json) => ({ operation: 'parse', script: json.script }),
		true,
	);
	assert.equal(output.length, 2);
	assert.equal((output[0].json.plan as unknown as Plan).scenes.length, 3);
	assert.match(String(output[1].json.error), /^The script is empty\./);
	assert.deepEqual(output[1].pairedItem, { item: 1 });
});

test('Parse refuses, before any work, a script that no refinement could fit into Max Scenes clips', async () => {
	const scene = (index: number) =>
		[`INT. ROOM ${index} - NIGHT`, '', ...Array.from({ length: 12 }, (_, line) => [line % 2 ? 'BOB' : 'ALICE', 'We have to leave this place before the lights go out again tonight.', '']).flat()].join('\n');
	// Five scenes of 12 lines of 5.7 s: three lines fill a 20 s clip, so 4 clips a scene, 20 in all; 10 s clips hold one line.
	const text = Array.from({ length: 5 }, (_, index) => scene(index + 1)).join('\n\n');
	const parse = (parameters: Parameters) => run([{ script: text }], (json) => ({ operation: 'parse', script: json.script, ...parameters }));
	await assert.rejects(parse({ maxScenes: 19 }), {
		name: 'NodeOperationError',
		message:
			'The script needs at least 20 scenes of at most 20 s for its dialogue alone; a run takes at most 19. Split it into several runs, cut dialogue, or use a video provider with longer clips.',
	});
	assert.equal(((await parse({ maxScenes: 20 }))[0].json.plan as unknown as Plan).scenes.length, 5);
	await assert.rejects(parse({ maxScenes: 50, videoProvider: 'kling' }), /needs at least 60 scenes of at most 10 s/);
});
