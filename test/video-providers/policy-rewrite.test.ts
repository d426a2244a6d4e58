import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { VideoGeneration } from '../../nodes/VideoGeneration/VideoGeneration.node';
import { FAKE_API_KEY, startFakeAnthropic, textOf, type FakeAnthropic } from '../fakes/anthropic';
import { useStore } from '../campaign/fixture';
import { executeContext } from '../video-generation/context';
import { makeScene } from '../video-generation/scenes';
import { useVideoFakes } from './support';

/**
 * Content-policy refusals (Kling code 1301 on submit, Runway SAFETY.* on the task): with a Reelsmith Anthropic
 * credential on the node, Claude rewrites the prompt keeping the scene's meaning and the same provider gets one more
 * try; the rewrite, the reason and Claude's cost are kept. Without Claude the scene fails with the provider's reason
 * and what to change. Paid providers and Claude are loopback fakes; the store is real Postgres and S3.
 */

const ACCESS = 'ak-policy';
const SECRET = 'sk-policy';
const RUNWAY_SECRET = 'rw-policy';
/** The fakes refuse any prompt holding this. */
const FLAGGED = 'BLOODBATH';
const REWRITE = 'Two rivals face each other across a quiet kitchen at night, the fight left to a cut away.';

const store = useStore();
const fakes = useVideoFakes({ access: ACCESS, secret: SECRET, runwaySecret: RUNWAY_SECRET });
let claude: FakeAnthropic;
beforeAll(async () => {
	claude = await startFakeAnthropic();
});
afterAll(async () => {
	await claude?.close();
});
beforeEach(() => {
	claude.requests.length = 0;
	fakes.kling.knobs.refuse = FLAGGED;
	fakes.runway.knobs.refuse = FLAGGED;
});

async function newRun(): Promise<string> {
	const campaign = await store.db.query<{ id: string }>(`insert into campaigns (name) values ($1) returning id`, [
		`policy ${Math.random().toString(36).slice(2, 8)}`,
	]);
	const run = await store.db.query<{ id: string }>(
		`insert into runs (campaign_id, request, options, status) values ($1, '{}', '{}', 'running') returning id`,
		[campaign.rows[0].id],
	);
	return run.rows[0].id;
}

function context(runId: string, options: { provider?: string; claude?: boolean; nodeOptions?: IDataObject } = {}): IExecuteFunctions {
	const attached = ['reelsmithKlingApi', 'reelsmithRunwayApi', 'reelsmithPostgresApi'];
	if (options.claude !== false) attached.push('reelsmithAnthropicApi');
	return executeContext({
		items: [
			{
				runId,
				sceneNumber: 1,
				scene: makeScene({ number: 1, duration: 1, heading: `INT. KITCHEN - NIGHT`, action: `A ${FLAGGED} breaks out between the rivals.` }) as unknown as IDataObject,
			},
		],
		parameters: {
			operation: 'generate',
			provider: options.provider ?? 'kling',
			fallbackProviders: [],
			style: 'titleCard',
			preset: 'square',
			scene: (json: IDataObject) => json.scene,
			narration: undefined,
			duration: 0,
			outputKey: (json: IDataObject) => `runs/${json.runId}/scenes/001/clip.mp4`,
			options: { pollInterval: 50, timeout: 20, retryAttempts: 2, ...options.nodeOptions },
		},
		s3: store.s3,
		nodeName: 'Video Generation',
		credentials: {
			reelsmithKlingApi: { accessKey: ACCESS, secretKey: SECRET, baseUrl: fakes.kling.url },
			reelsmithRunwayApi: { apiSecret: RUNWAY_SECRET, baseUrl: fakes.runway.url },
			reelsmithPostgresApi: store.credentials.reelsmithPostgresApi,
			reelsmithAnthropicApi: { apiKey: FAKE_API_KEY, baseUrl: claude.baseUrl },
		},
		attached,
	});
}

const run = (ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> => new VideoGeneration().execute.call(ctx);

const rewriteStep = (prompt = REWRITE) => ({
	toolInput: { prompt, changed: 'The violence is implied by a cut away instead of shown.' },
	usage: { input_tokens: 400, output_tokens: 60 },
});

async function costLines(runId: string) {
	const { rows } = await store.db.query(
		`select provider, purpose, amount_usd::float from costs where run_id = $1 order by created_at`,
		[runId],
	);
	return rows as { provider: string; purpose: string; amount_usd: number }[];
}

describe('content-policy refusals', () => {
	test('Kling refuses the prompt: Claude rewrites it, Kling makes the clip from the rewrite, and both are kept', async () => {
		const runId = await newRun();
		claude.script(rewriteStep());
		const [[item]] = await run(context(runId));

		assert.equal(item.json.provider, 'kling');
		assert.deepEqual(fakes.kling.log.submissions.map((submission) => submission.prompt.includes(REWRITE)), [true], 'one paid task, from the rewrite');
		assert.ok(!fakes.kling.log.submissions[0].prompt.includes(FLAGGED));
		// Claude was told what was refused and why.
		assert.equal(claude.requests.length, 1);
		const asked = textOf(claude.requests[0].body);
		assert.match(asked, /Kling AI refused this scene's prompt: .*content policy.*1301/s);
		assert.ok(asked.includes(`A ${FLAGGED} breaks out between the rivals.`));

		const rewrite = item.json.promptRewrite as IDataObject;
		assert.equal(rewrite.rewritten, REWRITE);
		assert.match(String(rewrite.reason), /content policy/);
		assert.ok(String(rewrite.original).includes(FLAGGED));
		const attempts = item.json.attempts as IDataObject[];
		assert.deepEqual(attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`), ['kling:refused', 'kling:served']);
		assert.ok(String(attempts[1].message).includes(REWRITE), 'the scene record says which words made the clip');
		// Claude's call is paid by the run, beside the clip.
		const lines = await costLines(runId);
		assert.deepEqual(lines.map((line) => `${line.provider}:${line.purpose}`).sort(), ['anthropic:rewritePrompt', 'kling:clip']);
		assert.ok(lines.find((line) => line.provider === 'anthropic')!.amount_usd > 0);
	});

	test('Runway fails the task on its safety check: the rewrite is tried once more on Runway', async () => {
		const runId = await newRun();
		claude.script(rewriteStep());
		const [[item]] = await run(context(runId, { provider: 'runway' }));
		assert.equal(item.json.provider, 'runway');
		assert.equal(fakes.runway.log.submissions.length, 2, 'the refused task and the rewritten one');
		assert.ok(fakes.runway.log.submissions[1].prompt.includes(REWRITE));
		assert.match(String((item.json.promptRewrite as IDataObject).reason), /safety check \(SAFETY\.INPUT\.TEXT\)/);
	});

	test('refused again after the rewrite: the scene fails naming both, and Claude is asked only once', async () => {
		const runId = await newRun();
		claude.script(rewriteStep(`Still a ${FLAGGED}, told more politely.`));
		await assert.rejects(run(context(runId)), (error: Error) => {
			assert.match(error.message, /content policy/);
			assert.match(error.message, /refused again after Claude rewrote the prompt to: "Still a BLOODBATH, told more politely\."/);
			assert.match(error.message, /Change the scene's action or dialogue by hand/);
			return true;
		});
		assert.equal(claude.requests.length, 1);
		assert.equal(fakes.kling.log.submissions.length, 0, 'nothing was paid for');
	});

	test("without Claude on the node the scene fails with Kling's reason and how to get rewrites", async () => {
		const runId = await newRun();
		await assert.rejects(run(context(runId, { claude: false })), (error: Error) => {
			assert.match(error.message, /Kling refused the scene under its content policy .*Rewrite the scene's action or dialogue/);
			assert.match(error.message, /Attach a Reelsmith Anthropic credential with a key to this node/);
			return true;
		});
		assert.equal(claude.requests.length, 0);
	});

	test('Rewrite Refused Prompts off: no Claude call, the refusal is final', async () => {
		const runId = await newRun();
		await assert.rejects(run(context(runId, { nodeOptions: { rewriteRefusedPrompts: false } })), /content policy/);
		assert.equal(claude.requests.length, 0);
	});
});
