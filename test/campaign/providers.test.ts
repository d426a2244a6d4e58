import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'vitest';
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';
import { Campaign } from '../../nodes/Campaign/Campaign.node';
import { budgetStop, describeEstimate, estimateRun, planningEstimate, spokenCharacters } from '../../nodes/Campaign/lib/estimate';
import { chooseProviders } from '../../nodes/Campaign/lib/providers';
import { validateRunRequest } from '../../nodes/Campaign/lib/request';
import { speechCostUsd, typicalClaudeCallUsd, videoCostUsd } from '../../nodes/shared/prices';
import { parseScript } from '../../nodes/shared/screenplay/parse';
import { makeTone } from '../fixtures/media/make';
import { acceptParams, executeContext, fountain, resetRuns, runCampaign, useStore, webhookItem } from './fixture';

/** Request fields for providers, budget and approval; provider choice; the estimate and its budget stop. */
describe('request fields for providers, budgets and approval', () => {
	const ok = (body: Record<string, unknown>) => {
		const result = validateRunRequest({ script: fountain(2), ...body });
		assert.ok(result.ok, JSON.stringify(result));
		return result;
	};
	const rejected = (body: Record<string, unknown>) => {
		const result = validateRunRequest({ script: fountain(2), ...body });
		assert.equal(result.ok, false, `expected a rejection for ${JSON.stringify(body)}`);
		if (result.ok) throw new Error('unreachable');
		return result;
	};

	it('keeps the orders, the budgets and approval as given', () => {
		const result = ok({
			planner: 'claude',
			video: ['kling', 'runway', 'local'],
			speech: 'elevenlabs',
			budget: 2.5,
			campaignBudget: 40,
			approval: true,
		});
		assert.equal(result.options.planner, 'claude');
		assert.deepEqual(result.options.video, ['kling', 'runway', 'local']);
		assert.deepEqual(result.options.speech, ['elevenlabs'], 'a single name is a one-item order');
		assert.equal(result.options.approval, true);
		assert.equal(result.request.budget, 2.5);
		assert.equal(result.request.campaignBudget, 40);
	});

	for (const [field, value, says] of [
		['planner', 'gpt', /planner.*one of auto, claude, rules/],
		['video', ['kling', 'kling'], /distinct video providers/],
		['video', ['sora'], /video.*kling, runway, local/],
		['video', ['auto', 'kling'], /"auto"|\["auto"\]/],
		['video', [], /video/],
		['speech', ['espeak', 'polly'], /speech providers from elevenlabs, google, espeak/],
		['budget', -1, /budget.*US dollars from 0/],
		['budget', '5', /budget/],
		['campaignBudget', -0.01, /campaignBudget/],
		['approval', 'yes', /approval.*true/],
	] as const) {
		it(`rejects ${field} = ${JSON.stringify(value)} and says what it must be`, () => {
			const result = rejected({ [field]: value });
			assert.equal(result.field, field);
			assert.match(result.message, says);
		});
	}
});

describe('choosing providers', () => {
	const all = new Set(['reelsmithAnthropicApi', 'reelsmithKlingApi', 'reelsmithRunwayApi', 'reelsmithElevenLabsApi', 'reelsmithGoogleTtsApi']);
	const auto = { planner: 'auto', video: ['auto'], speech: ['auto'] } as const;

	it('auto with no key anywhere is the offline path of today', () => {
		const choice = chooseProviders({ ...auto, video: ['auto'], speech: ['auto'] }, () => false);
		assert.ok(choice.ok);
		assert.deepEqual(choice.providers, { planner: 'rules', video: ['local'], speech: ['espeak'] });
	});

	it('auto with every key: Claude plans, kling → runway → local, elevenlabs → google → espeak', () => {
		const choice = chooseProviders({ ...auto, video: ['auto'], speech: ['auto'] }, (c) => all.has(c));
		assert.ok(choice.ok);
		assert.deepEqual(choice.providers, {
			planner: 'claude',
			video: ['kling', 'runway', 'local'],
			speech: ['elevenlabs', 'google', 'espeak'],
		});
	});

	it('an explicit order skips a provider without a key and says so', () => {
		const choice = chooseProviders(
			{ planner: 'rules', video: ['runway', 'kling', 'local'], speech: ['google', 'espeak'] },
			(c) => c === 'reelsmithKlingApi',
		);
		assert.ok(choice.ok);
		assert.deepEqual(choice.providers.video, ['kling', 'local']);
		assert.deepEqual(choice.providers.speech, ['espeak']);
		assert.ok(
			choice.notes.some((note) => /Runway.*no key/.test(note)),
			choice.notes.join(' '),
		);
	});

	it('refuses an order where nothing can run, naming the field and the fix', () => {
		const choice = chooseProviders({ planner: 'auto', video: ['kling'], speech: ['auto'] }, () => false);
		assert.equal(choice.ok, false);
		if (choice.ok) return;
		assert.equal(choice.field, 'video');
		assert.match(choice.message, /Kling.*none has an API key.*"local"/);
		const claude = chooseProviders({ planner: 'claude', video: ['auto'], speech: ['auto'] }, () => false);
		assert.equal(claude.ok, false);
		if (!claude.ok) assert.match(claude.message, /"planner" is "claude".*no API key.*"rules"/);
	});
});

describe('the estimate', () => {
	const plan = parseScript(fountain(3), { format: 'auto' });

	it('prices scenes × billed seconds on the first video provider + characters on the first speech provider', () => {
		const estimate = estimateRun({ plan, providers: { planner: 'rules', video: ['kling', 'local'], speech: ['elevenlabs', 'espeak'] } });
		const video = plan.scenes.reduce((sum, scene) => sum + videoCostUsd('kling', undefined, scene.duration), 0);
		const characters = plan.scenes.reduce((sum, scene) => sum + spokenCharacters(scene), 0);
		assert.ok(characters > 0);
		assert.equal(estimate.billedSeconds, 15, 'Kling bills whole 5 s clips');
		assert.ok(Math.abs(estimate.videoUsd - video) < 1e-9);
		assert.ok(Math.abs(estimate.speechUsd - speechCostUsd('elevenlabs', undefined, characters)) < 1e-9);
		assert.equal(estimate.claudeUsd, 0);
		assert.ok(Math.abs(estimate.totalUsd - (estimate.videoUsd + estimate.speechUsd)) < 1e-6);
	});

	it('is free offline, counts spent money and skips completed scenes on a resume', () => {
		assert.equal(estimateRun({ plan, providers: { planner: 'rules', video: ['local'], speech: ['espeak'] } }).totalUsd, 0);
		const resumed = estimateRun({ plan, providers: { planner: 'claude', video: ['runway'], speech: ['espeak'] }, completed: [1, 2], spentUsd: 0.5 });
		assert.equal(resumed.scenes, 1);
		assert.ok(Math.abs(resumed.totalUsd - (0.5 + videoCostUsd('runway', undefined, plan.scenes[2].duration) + resumed.claudeUsd)) < 1e-6);
		assert.equal(resumed.claudeUsd, resumed.claudeCalls * typicalClaudeCallUsd());
	});

	it('leaves out the speech of a scene with your own voice-over, and the video of a scene with your own clip', () => {
		const providers = { planner: 'rules' as const, video: ['runway' as const], speech: ['elevenlabs' as const] };
		const all = estimateRun({ plan, providers });
		const own = estimateRun({ plan, providers, ownVoices: [2], ownClips: [3] });
		const scene2 = spokenCharacters(plan.scenes[1]);
		assert.ok(scene2 > 0);
		assert.equal(own.characters, all.characters - scene2);
		assert.ok(Math.abs(own.speechUsd - speechCostUsd('elevenlabs', undefined, all.characters - scene2)) < 1e-9);
		assert.ok(Math.abs(own.videoUsd - (all.videoUsd - videoCostUsd('runway', undefined, plan.scenes[2].duration))) < 1e-9);
		assert.equal(own.ownClips, 1);
		assert.ok(own.totalUsd < all.totalUsd);
	});

	it('prices Claude planning by the takes asked for: three takes cost three times one', () => {
		const claude = { planner: 'claude' as const, video: ['local' as const], speech: ['espeak' as const] };
		const one = planningEstimate(claude, { iterations: 2 });
		const three = planningEstimate(claude, { iterations: 2, variations: 3 });
		assert.equal(one.claudeCalls, 6, 'plan + critique, then refine + critique twice');
		assert.equal(three.claudeCalls, 18);
		assert.ok(Math.abs(three.claudeUsd - 3 * one.claudeUsd) < 1e-9 && one.claudeUsd > 0);
		assert.deepEqual(planningEstimate({ ...claude, planner: 'rules' }, { iterations: 2, variations: 3 }), { claudeCalls: 0, claudeUsd: 0, takes: 3 });
	});

	it('stops with a message naming the estimate and the cap', () => {
		const estimate = estimateRun({ plan, providers: { planner: 'rules', video: ['runway'], speech: ['espeak'] } });
		assert.ok(estimate.totalUsd > 0.5);
		const message = budgetStop(estimate, { runBudget: 0.5, campaignBudget: null, campaignSpent: 0, campaignName: 'X' });
		assert.equal(
			message,
			`Budget stop before generation: the estimate is $${estimate.totalUsd.toFixed(2)} and the run budget is $0.50. Raise "budget" or shorten the script, then resume.`,
		);
		assert.equal(budgetStop(estimate, { runBudget: 100, campaignBudget: null, campaignSpent: 0, campaignName: 'X' }), null);
		const campaign = budgetStop(estimate, { runBudget: null, campaignBudget: 3, campaignSpent: 2.5, campaignName: 'Launch' });
		assert.match(String(campaign), /campaign 'Launch' has \$0\.50 left of its \$3\.00 budget/);
		// A take picked on approval: the message names the take and what the manager can do there, not "resume".
		const take = budgetStop(estimate, { runBudget: null, campaignBudget: 3, campaignSpent: 2.5, campaignName: 'Launch' }, { take: 2 });
		assert.match(String(take), /^Take 2 does not fit the budget: its estimate is \$[\d.]+ and campaign 'Launch' has \$0\.50 left/);
		assert.match(String(take), /Pick a cheaper take, or raise the campaign's budget first\.$/);
	});
});

describe('Campaign steps for providers, estimate, approval and cancel', () => {
	const store = useStore();
	let runId: string;
	const plan = parseScript(fountain(3), { format: 'auto' });

	const accept = async (body: Record<string, unknown>) => {
		const items = [webhookItem({ script: fountain(3), ...body })];
		const [[accepted]] = await runCampaign(store, (i) => acceptParams(i, items), items);
		assert.ok(accepted, 'accepted');
		return accepted.json.runId as string;
	};
	const call = (params: IDataObject, items: INodeExecutionData[] | IDataObject[] = [{}]) => runCampaign(store, params, items);
	const row = async (id = runId) => (await store.db.query('select * from runs where id = $1', [id])).rows[0];

	beforeEach(async () => {
		await resetRuns(store.db);
		await store.db.query('update campaigns set budget_usd = null');
	});

	it('accept stores the run budget, the campaign budget and a pending approval', async () => {
		runId = await accept({ budget: 1.25, campaignBudget: 30, approval: true, campaign: 'Budgeted' });
		const run = await row();
		assert.equal(Number(run.budget_usd), 1.25);
		assert.equal(run.approval, 'pending');
		const campaign = (await store.db.query("select budget_usd from campaigns where name = 'Budgeted'")).rows[0];
		assert.equal(Number(campaign.budget_usd), 30);
		const plain = await accept({ campaign: 'Budgeted' });
		assert.equal((await row(plain)).approval, null);
		assert.equal(
			Number((await store.db.query("select budget_usd from campaigns where name = 'Budgeted'")).rows[0].budget_usd),
			30,
			'a request without campaignBudget keeps the cap',
		);
	});

	it('chooseProviders reads the attached paid credentials, stores explicit lists once and records them', async () => {
		runId = await accept({ video: ['kling', 'runway', 'local'] });
		const credentials: Record<string, ICredentialDataDecryptedObject> = {
			...store.credentials,
			reelsmithKlingApi: { accessKey: 'ak', secretKey: 'sk', baseUrl: 'http://127.0.0.1:1' },
			reelsmithRunwayApi: { apiSecret: '', baseUrl: 'http://127.0.0.1:1' },
		};
		const context = executeContext({
			items: [{ runId, options: {} }],
			params: { resource: 'run', operation: 'chooseProviders', runId },
			credentials,
		});
		const [[item]] = await new Campaign().execute.call(context);
		const providers = { planner: 'rules', video: ['kling', 'local'], speech: ['espeak'] };
		assert.deepEqual((item.json.options as IDataObject).providers, providers);
		assert.deepEqual((await row()).options.providers, providers);
		const event = (await store.db.query("select message from events where run_id = $1 and stage = 'providers'", [runId])).rows[0];
		assert.match(event.message, /video kling → local/);
		assert.match(event.message, /Runway.*no key/);
	});

	it('estimate leaves out the video of a scene that uses your own clip: $0.84 on Kling becomes $0.56 and fits a $0.60 budget', async () => {
		runId = await accept({ budget: 0.6, sceneMedia: [{ scene: 2, clip: { key: 'clips/own.mp4' } }] });
		await store.db.query(
			`update runs set status = 'running', options = options || '{"providers": {"planner": "rules", "video": ["kling", "local"], "speech": ["espeak"]}}' where id = $1`,
			[runId],
		);
		const [ok, stopped] = await call({ resource: 'run', operation: 'estimate', runId, plan }, [{ runId, plan }]);
		assert.equal(stopped.length, 0, 'no budget stop');
		assert.equal(ok.length, 1);
		const run = await row();
		assert.equal(run.status, 'running');
		assert.equal(Number(run.cost_estimate), 0.56, '2 Kling scenes × 5 billed s × $0.056; scene 2 is your own clip');
		const event = (await store.db.query("select message from events where run_id = $1 and message like 'Estimate%'", [runId])).rows[0];
		assert.match(event.message, /3 scene\(s\), 10 s on kling: \$0\.56 \(1 with your own clip: \$0\)/);
	});

	it("estimate sizes a Kling scene by its own voice-over's length, measured once: a 7 s voice-over bills 10 s, not 5", async () => {
		const dir = await mkdtemp(join(tmpdir(), 'reelsmith-voice-length-'));
		const voice = await makeTone(join(dir, 'long.wav'), { duration: 7 });
		await store.s3.storage.uploadFile(voice, 'voice/long-take.wav', 'audio/wav');
		await rm(dir, { recursive: true, force: true });
		runId = await accept({ sceneMedia: [{ scene: 2, voiceOver: { key: 'voice/long-take.wav' } }, { scene: 3, still: { key: 'stills/poster.png' } }] });
		await store.db.query(
			`update runs set status = 'running', options = options || '{"providers": {"planner": "rules", "video": ["kling", "local"], "speech": ["espeak"]}}' where id = $1`,
			[runId],
		);
		const [ok] = await call({ resource: 'run', operation: 'estimate', runId, plan }, [{ runId, plan }]);
		assert.equal(ok.length, 1);
		const run = await row();
		const event = (await store.db.query("select message from events where run_id = $1 and message like 'Estimate%'", [runId])).rows[0];
		assert.match(event.message, /20 s on kling: \$1\.12 \(1 from your own still, animated by kling\)/);
		// Scenes 1 and 3 bill 5 s each (a still with a paid provider still costs its clip); scene 2 lasts 7 s → Kling's 10 s.
		assert.equal(Number(run.cost_estimate), 1.12, '(5 + 10 + 5) billed s × $0.056');
		assert.ok(Math.abs(run.options.sceneMedia[0].voiceOver.seconds - 7) < 0.05, 'the length is kept with the run');
		// Priced again (approval's take pick reads the same options): no second download, the kept length is used.
		await store.s3.storage.client.removeObject(store.s3.bucket, 'voice/long-take.wav');
		await call({ resource: 'run', operation: 'estimate', runId, plan }, [{ runId, plan }]);
		assert.equal(Number((await row()).cost_estimate), 1.12);
	});

	it('a still costs nothing with the local renderer and the clip with a paid one', () => {
		const local = estimateRun({ plan, providers: { planner: 'rules', video: ['local'], speech: ['espeak'] }, ownStills: [3] });
		assert.deepEqual([local.videoUsd, local.ownStills], [0, 1]);
		assert.match(describeEstimate(local), /\(1 from your own still, a slow zoom: \$0\)/);
		const kling = estimateRun({ plan, providers: { planner: 'rules', video: ['kling'], speech: ['espeak'] } });
		const klingWithStill = estimateRun({ plan, providers: { planner: 'rules', video: ['kling'], speech: ['espeak'] }, ownStills: [3] });
		assert.ok(klingWithStill.videoUsd > 0);
		assert.equal(klingWithStill.videoUsd, kling.videoUsd, 'Kling animates the still: the scene is still paid');
		assert.match(describeEstimate(klingWithStill), /\(1 from your own still, animated by kling\)/);
	});

	it('estimate stores cost_estimate and fails an over-budget run before generation', async () => {
		runId = await accept({ budget: 0.2 });
		await store.db.query(
			`update runs set status = 'running', options = options || '{"providers": {"planner": "rules", "video": ["kling", "local"], "speech": ["espeak"]}}' where id = $1`,
			[runId],
		);
		const [within, over] = await call({ resource: 'run', operation: 'estimate', runId, plan }, [{ runId, plan }]);
		assert.equal(within.length, 0);
		assert.match(String(over[0].json.error), /^Budget stop before generation: the estimate is \$0\.84 and the run budget is \$0\.20\./);
		const run = await row();
		assert.equal(run.status, 'failed');
		assert.equal(Number(run.cost_estimate), 0.84, '3 scenes × 5 billed s × $0.056 (kling-v2-1 std)');
		assert.match(run.error, /Raise "budget"/);

		const cheap = await accept({ budget: 5 });
		await store.db.query(
			`update runs set status = 'running', options = options || '{"providers": {"planner": "rules", "video": ["local"], "speech": ["espeak"]}}' where id = $1`,
			[cheap],
		);
		const [ok] = await call({ resource: 'run', operation: 'estimate', runId: cheap, plan }, [{ runId: cheap, plan }]);
		assert.equal(ok.length, 1);
		assert.equal((await row(cheap)).status, 'running');
		assert.equal(Number((await row(cheap)).cost_estimate), 0);
	});

	it('awaitApproval waits with the resume URL; approvalResult goes on when approved, cancels when rejected', async () => {
		runId = await accept({ approval: true });
		await store.db.query("update runs set status = 'running' where id = $1", [runId]);
		const resumeUrl = 'http://127.0.0.1:5678/webhook-waiting/42?signature=abc';
		const [wait, skip] = await call({ resource: 'run', operation: 'awaitApproval', runId, resumeUrl }, [{ runId, plan }]);
		assert.equal(wait.length, 1);
		assert.equal(skip.length, 0);
		let run = await row();
		assert.equal(run.status, 'awaiting_approval');
		assert.equal(run.approval_url, resumeUrl);

		// Resumed without a decision: wait again.
		let [approved, stopped, again] = await call({ resource: 'run', operation: 'approvalResult', runId, runItem: { runId, plan } });
		assert.deepEqual([approved.length, stopped.length, again.length], [0, 0, 1]);

		await store.db.query("update runs set approval = 'approved', approval_by = 'ann@example.com' where id = $1", [runId]);
		[approved, stopped, again] = await call({ resource: 'run', operation: 'approvalResult', runId, runItem: { runId, plan } });
		assert.equal(approved.length, 1);
		assert.deepEqual(approved[0].json.plan, plan as unknown as IDataObject, 'goes on with the run item');
		run = await row();
		assert.equal(run.status, 'running');
		assert.equal(run.approval_url, null);
		// Approved already: a resumed run does not wait again.
		const [wait2, skip2] = await call({ resource: 'run', operation: 'awaitApproval', runId, resumeUrl }, [{ runId }]);
		assert.deepEqual([wait2.length, skip2.length], [0, 1]);

		const rejectedRun = await accept({ approval: true });
		await store.db.query(
			"update runs set status = 'awaiting_approval', approval = 'rejected', approval_note = 'Scene 2 is too dark', approval_by = 'bo@example.com' where id = $1",
			[rejectedRun],
		);
		[approved, stopped] = await call({ resource: 'run', operation: 'approvalResult', runId: rejectedRun, runItem: {} });
		assert.equal(approved.length, 0);
		assert.equal(stopped.length, 1);
		run = await row(rejectedRun);
		assert.equal(run.status, 'cancelled');
		assert.equal(run.error, 'Storyboard rejected by bo@example.com: Scene 2 is too dark.');
	});

	it('a cancel request ends the run as cancelled at the next step, and the error workflow leaves it so', async () => {
		runId = await accept({});
		await store.db.query(
			"update runs set status = 'running', stage = 'generation', cancel_requested_at = now(), cancel_requested_by = 'ann@example.com' where id = $1",
			[runId],
		);
		await assert.rejects(
			call({ resource: 'event', operation: 'record', runId, stage: 'validation', status: 'started', sceneNumber: 0, message: '', data: '' }),
			/Cancelled by ann@example\.com at validation\./,
		);
		let run = await row();
		assert.equal(run.status, 'cancelled');
		assert.equal(run.error, 'Cancelled by ann@example.com at validation.');
		await assert.rejects(call({ resource: 'scene', operation: 'prepare', runId, plan }), /Cancelled by ann@example\.com/);
		await call({ resource: 'run', operation: 'fail', runId, executionId: '', message: 'Step "Generation" failed: Cancelled' });
		run = await row();
		assert.equal(run.status, 'cancelled', 'fail leaves a cancelled run cancelled');
		assert.equal(run.error, 'Cancelled by ann@example.com at validation.');
	});

	it('scene update records provider, task id, cost (video + speech) and provider attempts; complete sums the costs', async () => {
		runId = await accept({});
		await store.db.query("update runs set status = 'running' where id = $1", [runId]);
		await store.db.query("insert into scenes (run_id, number, heading, duration) values ($1, 1, 'INT. ROOM', 4)", [runId]);
		const attempts = [
			{ provider: 'kling', outcome: 'down', message: 'Kling kept answering 500' },
			{ provider: 'runway', outcome: 'served' },
		];
		await call({
			resource: 'scene',
			operation: 'update',
			runId,
			sceneNumber: 1,
			status: 'unchanged',
			provider: 'runway',
			taskId: 'task-9',
			cost: [
				{ provider: 'elevenlabs', amountUsd: 0.0123 },
				{ provider: 'runway', amountUsd: 0.6 },
			],
			providerAttempts: attempts,
		});
		const scene = (await store.db.query('select provider, task_id, cost_usd, provider_attempts from scenes where run_id = $1', [runId])).rows[0];
		assert.equal(scene.provider, 'runway');
		assert.equal(scene.task_id, 'task-9');
		assert.equal(Number(scene.cost_usd), 0.6123);
		assert.deepEqual(scene.provider_attempts, attempts);
		await assert.rejects(call({ resource: 'scene', operation: 'update', runId, sceneNumber: 1, cost: 'a lot' }), /"Cost" must be a number/);
		// A free provider (espeak, local) leaves no cost: its empty place in the list counts as nothing.
		await call({
			resource: 'scene',
			operation: 'update',
			runId,
			sceneNumber: 1,
			status: 'unchanged',
			cost: [undefined, null, { provider: 'runway', amountUsd: 0.6 }],
		});
		assert.equal(Number((await store.db.query('select cost_usd from scenes where run_id = $1', [runId])).rows[0].cost_usd), 0.6);

		await store.db.query(
			"insert into costs (run_id, provider, units, unit, amount_usd) values ($1, 'runway', 5, 'second', 0.6), ($1, 'anthropic', 7000, 'token', 0.057)",
			[runId],
		);
		const failedAt = await call({ resource: 'run', operation: 'fail', runId, executionId: '', message: 'x' });
		assert.ok(failedAt);
		assert.equal(Number((await row()).cost_total), 0.657, 'the run total is the sum of its cost lines');
	});
});
