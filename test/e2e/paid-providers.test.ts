import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import pg from 'pg';
import { buildPackage, dashboardConnection, ensureInstalled, startStack, type Stack } from '../../initialization/stack';
import { startDashboard, type Dashboard } from '../../ui/server/index';
import { FAKE_API_KEY, startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic';
import { FakeElevenLabs } from '../fakes/elevenlabs';
import { FakeGoogleTts } from '../fakes/google-tts';
import { FakeKling } from '../fakes/kling';
import { FakeRunway } from '../fakes/runway';
import { makeClip } from '../fixtures/media/make';
import { freePort } from '../helpers/ports';
import { Browser } from '../dashboard/api-support';
import { postWebhook, RUN_TIMEOUT_MS, waitForRun as waitForRunIn } from './stack-support';

/**
 * Every paid provider through real n8n, each on its loopback fake (reached through the credentials' base URLs, as
 * npm start does with KLING_BASE_URL & co.): Claude plans and critiques, Kling makes clips with Runway as the
 * fallback, ElevenLabs speaks. Budgets, storyboard approval, cancel, and a crash mid-generation that must not pay
 * twice.
 */
const FIXTURES = join(__dirname, '..', 'fixtures', 'scripts');
/** Scene 2's picture mentions this; the Kling fake is "down" for prompts containing it. */
const ROOFTOP = 'ROOFTOP-MARKER';
/** Scene 3's picture; its first frame check scores low, so validation makes it again with the reasons. */
const TWO_CUPS = 'pours two cups';
const LOW_SCORE_REASONS = ['Only one cup is on the table', 'The kitchen light is cold blue, not warm'];

let stack: Stack;
let db: pg.Pool;
let dataDir: string;
let anthropic: FakeAnthropic;
let kling: FakeKling;
let runway: FakeRunway;
let elevenlabs: FakeElevenLabs;
let google: FakeGoogleTts;
let script: string;
/** The dashboard beside the stack, for /metrics and the run page's AI calls. */
let dashboard: Dashboard;
const METRICS_TOKEN = 'e2e-metrics-token';
const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };

/** One series of a /metrics scrape (0 when absent). */
async function metric(series: string): Promise<number> {
	const answer = await fetch(`${dashboard.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
	assert.equal(answer.status, 200);
	const line = (await answer.text()).split('\n').find((entry) => entry.startsWith(`${series} `));
	return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

const startRun = async (body: Record<string, unknown>) => {
	const answer = await postWebhook(stack, 'reelsmith/runs', { script, preset: 'square', iterations: 1, ...body });
	assert.equal(answer.status, 202, JSON.stringify(answer.json));
	return String(answer.json.runId);
};

const waitForRun = (runId: string, until: (run: Record<string, unknown>) => boolean) => waitForRunIn(db, runId, until, { everyMs: 300 });

const ended = (run: Record<string, unknown>) => ['completed', 'failed', 'cancelled'].includes(String(run.status));
const scenesOf = async (runId: string) => (await db.query('select * from scenes where run_id = $1 order by number', [runId])).rows;

/** A plan as Claude's submit_plan tool would give it: three 4-second scenes, everyone described. */
function claudePlan(scores = '') {
	const scene = (heading: string, location: string, picture: string, speaker: string, text: string) => ({
		heading,
		interior: heading.startsWith('INT') ? 'INT' : 'EXT',
		location,
		timeOfDay: heading.endsWith('NIGHT') ? 'NIGHT' : 'DAY',
		action: picture,
		visualDescription: `${picture} ${scores}`.trim(),
		dialogue: [{ speaker, text }],
		narration: '',
		characters: [speaker],
		duration: 4,
	});
	return {
		title: 'The Last Kettle',
		scenes: [
			scene('INT. KITCHEN - NIGHT', 'Kitchen', 'Alice stirs soup under a flickering bulb, close on her tired face.', 'ALICE', 'Is the kettle on?'),
			scene('EXT. GARDEN - DAY', 'Garden', `Bob waves a rusty key by the roses, wide shot from the ${ROOFTOP}.`, 'BOB', 'Found it by the roses.'),
			scene('INT. KITCHEN - NIGHT', 'Kitchen', 'The kettle whistles; Alice pours two cups, warm light.', 'ALICE', 'To finally finding things.'),
		],
		characters: [
			{ name: 'ALICE', description: 'A woman in her thirties, short dark hair, grey cardigan.' },
			{ name: 'BOB', description: 'A man in his forties, muddy boots, green raincoat.' },
		],
		settings: [
			{ name: 'Kitchen', interior: 'INT', timeOfDay: 'NIGHT', description: 'A small kitchen with a flickering bulb and a red kettle.' },
			{ name: 'Garden', interior: 'EXT', timeOfDay: 'DAY', description: 'A walled garden with roses and a wooden fence.' },
		],
	};
}

const usage = { input_tokens: 3000, output_tokens: 2000 };

describe('paid providers through real n8n, each on its fake', { timeout: 40 * 60_000 }, () => {
	beforeAll(async () => {
		await ensureInstalled(() => {});
		await buildPackage(() => {});
		dataDir = await mkdtemp(join(tmpdir(), 'reelsmith-paid-'));
		const clip = await makeClip(join(dataDir, 'provider-clip.mp4'), { width: 640, height: 360, duration: 5 });
		anthropic = await startFakeAnthropic();
		kling = await new FakeKling('kling-access', 'kling-secret-0123456789', clip).start();
		runway = await new FakeRunway('runway-secret', clip).start();
		elevenlabs = await new FakeElevenLabs().start();
		google = await new FakeGoogleTts().start();
		script = await readFile(join(FIXTURES, 'three-scenes.fountain'), 'utf8');
		stack = await startStack({
			dataDir,
			n8nPort: await freePort(),
			// A short lease: the crash test's run is recovered by the watchdog within seconds.
			n8nEnv: { REELSMITH_LEASE_SECONDS: '10' },
			providerKeys: {
				anthropic: { apiKey: FAKE_API_KEY, baseUrl: anthropic.baseUrl },
				kling: { accessKey: kling.accessKey, secretKey: kling.secretKey, baseUrl: kling.url },
				runway: { apiSecret: runway.apiSecret, baseUrl: runway.url },
				elevenlabs: { apiKey: elevenlabs.apiKey, baseUrl: elevenlabs.url },
				google: { apiKey: google.apiKey, baseUrl: google.url },
			},
		});
		db = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
		dashboard = await startDashboard({
			...dashboardConnection(stack),
			port: 0,
			admin: ADMIN,
			migrate: false,
			metricsToken: METRICS_TOKEN,
			queue: null,
			log: () => {},
		});
	});

	afterAll(async () => {
		await dashboard?.stop();
		await db?.end();
		await stack?.stop();
		await Promise.allSettled([anthropic?.close(), kling?.stop(), runway?.stop(), elevenlabs?.stop(), google?.stop()]);
		if (dataDir) await rm(dataDir, { recursive: true, force: true });
	});

	test('Claude plans, Kling films with Runway as fallback, ElevenLabs speaks: the run completes with every cost recorded', async () => {
		kling.reset();
		runway.reset();
		kling.knobs.down = ROOFTOP; // scene 2 only: Kling answers 503 until the node calls it down
		// Frame checks: scene 3 scores 41 the first time (below the threshold of 80), every other check 92.
		const frameChecks: string[] = [];
		anthropic.frameChecks = (text) => {
			frameChecks.push(text);
			const low = text.includes(TWO_CUPS) && frameChecks.filter((seen) => seen.includes(TWO_CUPS)).length === 1;
			return { toolInput: low ? { score: 41, reasons: LOW_SCORE_REASONS } : { score: 92, reasons: ['Matches the scene'] }, usage };
		};
		anthropic.script(
			{ toolInput: claudePlan(), usage },
			{ toolInput: { score: 64, issues: [{ code: 'duration-off-target', message: 'Scene 2 is rushed.', penalty: 36, scene: 2 }] }, usage },
			{ toolInput: { plan: claudePlan(), changes: ['Scene 2: slower wide shot'] }, usage },
			{ toolInput: { score: 91, issues: [] }, usage },
			{
				toolInput: {
					title: 'The Last Kettle',
					description: 'Alice and Bob find the key and the kettle.',
					tags: ['short film', 'kettle', 'kitchen'],
					thumbnailText: 'Found it!',
				},
				usage,
			},
		);
		const klingCallsBefore = await metric('reelsmith_provider_calls_total{provider="kling",purpose="submit",outcome="ok"}');
		const completedBefore = await metric('reelsmith_runs{status="completed"}');
		const runId = await startRun({
			planner: 'claude',
			video: ['kling', 'runway', 'local'],
			speech: ['elevenlabs', 'google', 'espeak'],
			iterations: 2,
			budget: 20,
			campaign: 'Paid providers',
			// Image-to-video: the user's still for scene 1, a storyboard still drawn locally for the others.
			referenceFrames: 'storyboard',
			references: { 1: 'https://example.com/alice-still.png' },
		});
		const run = await waitForRun(runId, ended);
		assert.equal(run.status, 'completed', `run failed: ${run.error}`);
		assert.deepEqual(run.options.providers, {
			planner: 'claude',
			video: ['kling', 'runway', 'local'],
			speech: ['elevenlabs', 'google', 'espeak'],
		});

		const versions = (await db.query('select version, score, source from plan_versions where run_id = $1 order by version', [runId])).rows;
		assert.deepEqual(
			versions.map((v) => [v.version, v.score, v.source]),
			[
				[1, 64, 'claude'],
				[2, 91, 'claude'],
			],
			'plan versions carry the Claude critique scores',
		);

		const scenes = await scenesOf(runId);
		assert.deepEqual(
			scenes.map((s) => [s.number, s.status, s.provider]),
			[
				[1, 'completed', 'kling'],
				[2, 'completed', 'runway'],
				[3, 'completed', 'kling'],
			],
			'scene 2 fell back from Kling (down) to Runway',
		);
		assert.deepEqual(
			scenes.map((s) => s.attempts),
			[1, 1, 2],
			'scene 3 was made again after its frame check',
		);
		for (const scene of scenes) {
			assert.ok(scene.task_id, `scene ${scene.number} has its task id`);
			assert.ok(Number(scene.cost_usd) > 0, `scene ${scene.number} has its cost`);
			assert.ok(scene.attempts >= 1);
			assert.ok(Array.isArray(scene.provider_attempts) && scene.provider_attempts.length >= 1, `scene ${scene.number} attempts`);
		}
		assert.deepEqual(
			scenes[1].provider_attempts.map((a: { provider: string; outcome: string }) => [a.provider, a.outcome]),
			[
				['kling', 'down'],
				['runway', 'served'],
			],
		);
		assert.equal(kling.log.count(ROOFTOP), 0, 'Kling never accepted scene 2');
		assert.equal(runway.log.count(ROOFTOP), 1, 'Runway made scene 2 once');
		assert.equal(kling.log.submissions.length, 3, 'scenes 1 and 3, and scene 3 again after its frame check');
		const tasks = (await db.query('select provider, task_id, status from provider_tasks where run_id = $1', [runId])).rows;
		assert.equal(tasks.length, 4, 'one ledger task per clip paid for');
		for (const scene of scenes)
			assert.ok(
				tasks.some((t) => t.task_id === scene.task_id),
				`scene ${scene.number}'s task id is a ledger task id`,
			);

		// Frame checks: every scene once, scene 3 twice; the low score's reasons reached the second Kling prompt.
		assert.equal(frameChecks.length, 4, 'a frame check per clip made');
		const cups = kling.log.submissions.filter((submission) => submission.prompt.includes(TWO_CUPS));
		assert.equal(cups.length, 2, 'scene 3 was submitted to Kling twice');
		assert.doesNotMatch(cups[0].prompt, /Fix from the last check/);
		assert.match(cups[1].prompt, /Fix from the last check: Only one cup is on the table; The kitchen light is cold blue, not warm\.$/);
		const checks = (
			await db.query("select scene_number, data from events where run_id = $1 and stage = 'validation' and data->>'check' = 'frame' order by id", [
				runId,
			])
		).rows;
		assert.deepEqual(
			checks.map((e) => [e.scene_number, e.data.score, e.data.passed]).sort(),
			[
				[1, 92, true],
				[2, 92, true],
				[3, 41, false],
				[3, 92, true],
			],
			'each frame check is an event with its score',
		);
		assert.deepEqual(checks.find((e) => e.data.score === 41).data.reasons, LOW_SCORE_REASONS);

		// Character consistency: Kling animated the user's still for scene 1 and a storyboard PNG for scene 3;
		// Runway got scene 2's storyboard still as a data URI.
		const images = kling.bodies.filter((body) => body.image).map((body) => String(body.image));
		assert.equal(images[0], 'https://example.com/alice-still.png', "the user's reference wins for scene 1");
		assert.ok(
			images.length >= 3 && images.slice(1).every((image) => Buffer.from(image, 'base64').subarray(1, 4).toString() === 'PNG'),
			'storyboard stills as bare base64 PNG',
		);
		const runwayScene2 = runway.bodies.find((entry) => String(entry.body.promptText).includes(ROOFTOP));
		assert.equal(runwayScene2?.path, '/v1/image_to_video');
		assert.match(String(runwayScene2?.body.promptImage), /^data:image\/png;base64,/);

		const costs = (await db.query('select provider, purpose, amount_usd from costs where run_id = $1', [runId])).rows;
		const providers = new Set(costs.map((c) => c.provider));
		for (const provider of ['anthropic', 'kling', 'runway', 'elevenlabs'])
			assert.ok(providers.has(provider), `${provider} cost recorded (${[...providers]})`);
		assert.deepEqual(
			costs
				.filter((c) => c.provider === 'anthropic')
				.map((c) => c.purpose)
				.sort(),
			['checkFrame', 'checkFrame', 'checkFrame', 'checkFrame', 'critique', 'critique', 'metadata', 'plan', 'refine'],
			'every Claude call is costed, frame checks included',
		);
		const finished = (await db.query("select data from events where run_id = $1 and stage = 'run' and status = 'finished'", [runId])).rows[0];
		assert.equal(finished.data?.title, 'The Last Kettle', 'Claude wrote the export metadata');
		assert.equal(finished.data?.metadataKey, `runs/${runId}/final/metadata.json`);
		const total = costs.reduce((sum, c) => sum + Number(c.amount_usd), 0);
		assert.ok(Math.abs(Number(run.cost_total) - total) < 1e-6, `cost_total ${run.cost_total} = sum of costs ${total}`);
		assert.ok(Number(run.cost_estimate) > 0, 'the estimate is stored beside the total');
		assert.ok(elevenlabs.speechRequests().length >= 3, 'ElevenLabs spoke the lines');
		assert.ok(run.final_key, 'a final video');

		// The AI-call record: one row per request each fake answered, and the rows' costs add up to the run's total.
		const calls = (await db.query('select * from ai_calls where run_id = $1 order by id', [runId])).rows;
		const count = (provider: string) => calls.filter((call) => call.provider === provider).length;
		assert.equal(count('anthropic'), anthropic.requests.length, 'a row per Claude request');
		assert.equal(count('kling'), kling.requests, 'a row per Kling request (submits, polls, downloads, the down answers)');
		assert.equal(count('runway'), runway.requests, 'a row per Runway request');
		assert.equal(count('elevenlabs'), elevenlabs.requests.length, 'a row per ElevenLabs request');
		const callTotal = calls.reduce((sum, call) => sum + Number(call.cost_usd ?? 0), 0);
		assert.ok(Math.abs(callTotal - Number(run.cost_total)) < 1e-6, `AI-call costs ${callTotal} = cost_total ${run.cost_total}`);
		assert.deepEqual(
			calls
				.filter((call) => call.provider === 'anthropic')
				.map((call) => call.purpose)
				.sort(),
			['checkFrame', 'checkFrame', 'checkFrame', 'checkFrame', 'critique', 'critique', 'metadata', 'plan', 'refine'],
			'each Claude request carries the operation it was for',
		);
		const plan = calls.find((call) => call.purpose === 'plan');
		assert.equal(plan.request.tool_choice.name, 'submit_plan', 'the prompt as sent');
		assert.match(JSON.stringify(plan.request.messages), /Is the kettle on\?/, "the script's lines are in the prompt");
		assert.equal(plan.response.content[0].input.title, 'The Last Kettle', "Claude's answer");
		assert.equal(Number(plan.units), usage.input_tokens + usage.output_tokens);
		const down = calls.filter((call) => call.provider === 'kling' && call.status === 503);
		assert.ok(down.length >= 1 && down.every((call) => !call.ok && Number(call.cost_usd ?? 0) === 0), "Kling's 503s are rows, unpaid");
		const submits = calls.filter((call) => ['kling', 'runway'].includes(call.provider) && call.purpose === 'submit' && call.ok);
		assert.equal(submits.length, 4, 'four clips submitted');
		assert.ok(
			submits.every((call) => Number(call.cost_usd) > 0 && call.task_id),
			'each paid submit carries its clip cost and task',
		);
		assert.ok(
			calls.some((call) => call.purpose === 'download' && call.ok),
			'result downloads are rows',
		);
		const recordedImages = calls.filter((call) => call.provider === 'kling' && call.request?.image).map((call) => String(call.request.image));
		assert.ok(
			recordedImages.length >= 3 && recordedImages.slice(1).every((image) => /^\[\d+ characters of base64 left out\]$/.test(image)),
			'no image bytes in the record',
		);
		const stored = JSON.stringify(calls);
		for (const secret of [FAKE_API_KEY, kling.accessKey, kling.secretKey, runway.apiSecret, elevenlabs.apiKey, google.apiKey]) {
			assert.ok(!stored.includes(secret), `no ${secret} in any row`);
		}
		assert.doesNotMatch(stored, /Bearer|eyJ[\w-]+\.[\w-]+/, 'no bearer token or JWT in any row');
		assert.doesNotMatch(stored, /audio_base64":"[A-Za-z0-9+/]{100}/, 'no audio bytes in any row');

		// The run page lists the calls, and one call's prompt and answer can be opened.
		const admin = new Browser(dashboard.url);
		assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
		const listed = await admin.get(`/api/runs/${runId}/calls`);
		assert.equal(listed.body.calls.length, calls.length);
		const opened = await admin.get(`/api/runs/${runId}/calls/${plan.id}`);
		assert.equal(opened.body.call.response.content[0].input.title, 'The Last Kettle');

		// /metrics moved with the run.
		assert.equal(await metric('reelsmith_provider_calls_total{provider="kling",purpose="submit",outcome="ok"}'), klingCallsBefore + 3);
		assert.equal(await metric('reelsmith_runs{status="completed"}'), completedBefore + 1);
		assert.ok((await metric('reelsmith_provider_errors_total{provider="kling",status="503"}')) >= down.length);
		assert.ok((await metric('reelsmith_cost_usd_total{provider="anthropic"}')) > 0);
	});

	test('Kling refuses a scene under its content policy: Claude rewrites the prompt and Kling makes the clip from it', async () => {
		kling.reset();
		const flagged = 'FORBIDDEN-MARKER';
		kling.knobs.refuse = flagged;
		anthropic.requests.length = 0;
		anthropic.script({
			toolInput: { prompt: 'Dr. Vale studies a glowing beaker in a dim lab, calm and careful.', changed: 'The flagged words were replaced.' },
			usage,
		});
		const runId = await startRun({
			script: `INT. LAB - NIGHT\n\nDr. Vale mixes a ${flagged} in a beaker.\n\nVALE\nIt finally works.\n`,
			planner: 'rules',
			video: ['kling'],
			speech: ['espeak'],
			campaign: 'Refused prompts',
		});
		const run = await waitForRun(runId, ended);
		kling.knobs.refuse = undefined;
		assert.equal(run.status, 'completed', `run failed: ${run.error}`);
		const [scene] = await scenesOf(runId);
		assert.equal(scene.provider, 'kling');
		assert.deepEqual(
			scene.provider_attempts.map((a: { provider: string; outcome: string }) => `${a.provider}:${a.outcome}`),
			['kling:refused', 'kling:served'],
		);
		assert.match(scene.provider_attempts[0].message, /content policy/);
		assert.match(scene.provider_attempts[1].message, /Claude rewrote the refused prompt to: Dr\. Vale studies a glowing beaker/);
		assert.equal(kling.log.submissions.length, 1, 'one paid task, made from the rewrite');
		assert.ok(!kling.log.submissions[0].prompt.includes(flagged));
		const rewrites = anthropic.requests.filter(
			(request) =>
				request.body.tools?.some((tool) => tool.name === 'submit_rewritten_prompt') || JSON.stringify(request.body).includes('refused this scene'),
		);
		assert.equal(rewrites.length, 1, 'Claude was asked once');
		const costs = (await db.query('select provider, purpose from costs where run_id = $1 order by provider', [runId])).rows;
		assert.deepEqual(
			costs.map((c) => `${c.provider}:${c.purpose}`),
			['anthropic:rewritePrompt', 'kling:clip'],
		);
		// The AI-call record says what the Claude call was for, and carries its cost.
		const claudeCalls = (await db.query("select purpose, cost_usd from ai_calls where run_id = $1 and provider = 'anthropic'", [runId])).rows;
		assert.deepEqual(
			claudeCalls.map((call) => call.purpose),
			['rewritePrompt'],
		);
		assert.ok(Number(claudeCalls[0].cost_usd) > 0, 'the rewrite call carries its cost');
	});

	test('a run whose budget is too small stops before the first video call, naming the estimate and the cap', async () => {
		kling.reset();
		const runId = await startRun({ planner: 'rules', video: ['kling'], speech: ['espeak'], budget: 0.1, campaign: 'Tight budget' });
		const run = await waitForRun(runId, ended);
		assert.equal(run.status, 'failed');
		assert.match(
			String(run.error),
			/^Budget stop before generation: the estimate is \$\d+\.\d\d and the run budget is \$0\.10\. Raise "budget" or shorten the script, then resume\.$/,
		);
		assert.ok(Number(run.cost_estimate) > 0.1);
		assert.equal(kling.submits, 0, 'the Kling fake saw no submission at all');
		assert.equal((await scenesOf(runId)).length, 0, 'no scene was started');
	});

	test('killing n8n mid-generation: after the restart the run completes by itself, with zero duplicate submissions', async () => {
		kling.reset();
		kling.knobs.taskMs = 5000; // each clip takes 5 s at Kling: time to kill n8n while tasks are open
		const runId = await startRun({ planner: 'rules', video: ['kling'], speech: ['espeak'], concurrency: 1 });
		const deadline = Date.now() + RUN_TIMEOUT_MS;
		for (;;) {
			const open = (await db.query("select count(*)::int as n from provider_tasks where run_id = $1 and status = 'submitted'", [runId])).rows[0].n;
			if (open > 0) break;
			assert.ok(Date.now() < deadline, 'a Kling task was opened');
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		await stack.killN8n('SIGKILL');
		const submittedBefore = kling.log.submissions.length;
		assert.ok(submittedBefore >= 1);

		const frameChecksBefore = anthropic.requests.filter((r) => r.body.tool_choice?.name === 'submit_frame_check').length;
		// Nobody calls resume: the watchdog requeues the run once its lease expires and the dispatcher starts it.
		await stack.startN8n();
		const run = await waitForRun(runId, ended);
		assert.equal(run.status, 'completed', `run failed: ${run.error}`);
		assert.equal(run.recoveries, 1, 'recovered once, by the watchdog');

		const scenes = await scenesOf(runId);
		assert.equal(scenes.length, 3);
		assert.equal(kling.log.submissions.length, 3, `one paid Kling task per scene, none twice (got ${kling.log.submissions.length})`);
		assert.equal(new Set(kling.log.submissions.map((s) => s.taskId)).size, 3);
		assert.equal(
			anthropic.requests.filter((r) => r.body.tool_choice?.name === 'submit_frame_check').length,
			frameChecksBefore,
			'with the rules planner validation makes no frame checks',
		);
		assert.deepEqual(
			// The ledger keeps Kling's task kind with the id (text2video:task-3), since status URLs need it.
			scenes.map((s) => String(s.task_id).split(':').pop()).sort(),
			kling.log.submissions.map((s) => s.taskId).sort(),
			'the task open at the crash was polled to the end, not submitted again',
		);
	});

	test('a run with approval waits for the storyboard decision: approve → completes, reject → cancelled', async () => {
		const approveId = await startRun({ approval: true, planner: 'rules', video: ['local'], speech: ['espeak'], campaign: 'Approvals' });
		const rejectId = await startRun({ approval: true, planner: 'rules', video: ['local'], speech: ['espeak'], campaign: 'Approvals' });
		for (const runId of [approveId, rejectId]) {
			const waiting = await waitForRun(runId, (run) => run.status === 'awaiting_approval' || ended(run));
			assert.equal(waiting.status, 'awaiting_approval', `run ${runId}: ${waiting.error}`);
			assert.match(String(waiting.approval_url), /^http:\/\/127\.0\.0\.1:\d+\/webhook-waiting\/\d+/);
			assert.equal(waiting.approval, 'pending');
			assert.ok(waiting.cost_estimate !== null, 'the estimate is there to approve against');
			assert.equal((await scenesOf(runId)).length, 0, 'nothing generated before the decision');
		}
		// What the dashboard API does (ui/server/actions.ts): record the decision, then POST the resume URL.
		const decide = async (runId: string, decision: 'approve' | 'reject', note: string) => {
			const { rows } = await db.query(
				`update runs set approval = $2, approval_note = $3, approval_by = 'e2e@example.com', approval_at = now()
				  where id = $1 and approval = 'pending' and status = 'awaiting_approval' returning approval_url`,
				[runId, decision === 'approve' ? 'approved' : 'rejected', note],
			);
			const response = await fetch(rows[0].approval_url, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ runId, decision }),
			});
			assert.equal(response.status, 200, await response.text());
		};
		await decide(approveId, 'approve', 'Looks good');
		await decide(rejectId, 'reject', 'Scene 2 needs a dog');

		const approved = await waitForRun(approveId, ended);
		assert.equal(approved.status, 'completed', `run failed: ${approved.error}`);
		const rejected = await waitForRun(rejectId, ended);
		assert.equal(rejected.status, 'cancelled');
		assert.equal(rejected.error, 'Storyboard rejected by e2e@example.com: Scene 2 needs a dog.');
		assert.equal((await scenesOf(rejectId)).length, 0, 'a rejected storyboard makes nothing');
	});

	test('Claude plans two takes, each told what makes it different and its look; the manager edits and picks the lower-scored one and Kling films it', async () => {
		const planRequests: string[] = [];
		const critiqued: string[] = [];
		anthropic.frameChecks = () => ({ toolInput: { score: 92, reasons: ['Matches the scene'] }, usage });
		anthropic.answers = (tool, text) => {
			if (tool === 'submit_plan') {
				planRequests.push(text);
				return { toolInput: claudePlan(planRequests.length === 1 ? 'first take' : 'second take'), usage };
			}
			if (tool === 'submit_critique') {
				critiqued.push(text);
				return { toolInput: { score: text.includes('second take') ? 88 : 82, issues: [] }, usage };
			}
			if (tool === 'submit_metadata') {
				return { toolInput: { title: 'The Last Kettle', description: 'A kettle.', tags: ['short film', 'kettle', 'kitchen'], thumbnailText: 'Found it!' }, usage };
			}
			return undefined;
		};
		try {
			kling.reset();
			const runId = await startRun({
				planner: 'claude',
				video: ['kling'],
				speech: ['espeak'],
				budget: 20,
				variations: 2,
				threshold: 80,
				approval: true,
				campaign: 'Claude takes',
			});
			const waiting = await waitForRun(runId, (run) => run.status === 'awaiting_approval' || ended(run));
			assert.equal(waiting.status, 'awaiting_approval', `run ${runId}: ${waiting.error}`);
			// Claude planned each take; the second was told how it differs from the script as written, and its look.
			assert.equal(planRequests.length, 2, 'one Claude plan per take');
			assert.match(planRequests[0], /Take 1: the script as written, scene by scene\./);
			assert.doesNotMatch(planRequests[0], /Look:/);
			assert.match(planRequests[1], /This is one of several takes of the same material/);
			assert.match(planRequests[1], /Take 2: .*Look: close and warm \(handheld close-ups, warm low-key light, quick pace\)\./);
			const takes = (await db.query('select version, take, score, chosen, source from plan_versions where run_id = $1 order by version', [runId]))
				.rows;
			assert.deepEqual(
				takes.map((t) => [t.take, t.score, t.chosen, t.source]),
				[
					[1, 82, false, 'claude'],
					[2, 88, true, 'claude'],
				],
				'both takes are kept with their scores; the best one is the one the run would make',
			);
			// The manager picks take 1 on the approval screen (the dashboard API), and the run makes take 1.
			const manager = new Browser(dashboard.url);
			assert.equal((await manager.login(ADMIN.email, ADMIN.password)).status, 200);
			// Before approving, the manager rewrites what scene 2 of take 1 shows; Kling is asked for the rewritten picture.
			const rewritten = 'A red balloon drifts over the garden wall at dusk';
			const edit = await manager.patch(`/api/runs/${runId}/storyboard/scenes/2`, { visualDescription: rewritten, take: 1 });
			assert.equal(edit.status, 200, JSON.stringify(edit.body));
			assert.deepEqual([edit.body.take, edit.body.chosen], [1, false], 'take 2 is still the one the run would make');
			const decided = await manager.post(`/api/runs/${runId}/approval`, { decision: 'approve', take: 1 });
			assert.equal(decided.status, 202, JSON.stringify(decided.body));
			const run = await waitForRun(runId, ended);
			assert.equal(run.status, 'completed', `run failed: ${run.error}`);
			const chosen = (await db.query('select take from plan_versions where run_id = $1 and chosen', [runId])).rows;
			assert.deepEqual(chosen, [{ take: 1 }]);
			const made = await scenesOf(runId);
			assert.equal(made.length, 3);
			const planOfRun = (await db.query('select version, source, plan from plan_versions where run_id = $1 and chosen', [runId])).rows[0];
			assert.deepEqual([planOfRun.version, planOfRun.source], [edit.body.version, 'manual'], 'the run made the edited take 1');
			assert.match(JSON.stringify(planOfRun.plan), /first take/);
			assert.doesNotMatch(JSON.stringify(planOfRun.plan), /second take/);
			const prompts = kling.log.submissions.map((submission) => submission.prompt);
			assert.equal(prompts.length, 3, prompts.join('\n'));
			assert.equal(prompts.filter((prompt) => prompt.includes(rewritten)).length, 1, 'scene 2 was filmed as rewritten');
			// The scene's action still says what happens; the visual description Claude wrote is the one replaced.
			const before = (await db.query('select plan from plan_versions where run_id = $1 and take = 1 order by version limit 1', [runId])).rows[0].plan;
			const oldPicture = String(before.scenes[1].visualDescription);
			assert.match(oldPicture, /first take$/);
			assert.ok(!prompts.some((prompt) => prompt.includes(oldPicture)), 'the picture before the edit was not asked for');
			const events = (await db.query('select message from events where run_id = $1 order by id', [runId])).rows.map((e) => String(e.message));
			assert.ok(
				events.some((m) => /^Take 2 of 2 \(plan v2\) scored 88; the takes scored 1: 82, 2: 88/.test(m)),
				events.join('\n'),
			);
			assert.ok(
				events.some((m) => m.startsWith('Take 1 picked. Estimate $')),
				events.join('\n'),
			);
		} finally {
			anthropic.answers = undefined;
			anthropic.frameChecks = undefined;
		}
	});

	test('cancelling a running run ends it as cancelled at its next step', async () => {
		kling.reset();
		kling.knobs.taskMs = 4000;
		const runId = await startRun({ planner: 'rules', video: ['kling'], speech: ['espeak'], concurrency: 1 });
		// Cancel while the first clip is at Kling (4 s), so the scenes after it are still to make.
		const deadline = Date.now() + RUN_TIMEOUT_MS;
		while ((await db.query("select count(*)::int as n from provider_tasks where run_id = $1 and status = 'submitted'", [runId])).rows[0].n === 0) {
			assert.ok(Date.now() < deadline && !ended(await waitForRun(runId, () => true)), 'a Kling task was opened');
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		await db.query("update runs set cancel_requested_at = now(), cancel_requested_by = 'e2e@example.com' where id = $1", [runId]);
		const run = await waitForRun(runId, ended);
		assert.equal(run.status, 'cancelled', `run ended ${run.status}: ${run.error}`);
		assert.match(String(run.error), /^Cancelled by e2e@example\.com at generation\.$/);
		const scenes = await scenesOf(runId);
		assert.ok(
			scenes.some((s) => s.status !== 'completed'),
			'it stopped before making every scene',
		);
		const events = (await db.query("select message from events where run_id = $1 and message like 'Cancelled%'", [runId])).rows;
		assert.ok(events.length >= 1, 'the timeline says so');
	});
});
