import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { spending } from '../../nodes/Campaign/store/runs';
import { Ledger, releaseUnansweredCreates } from '../../nodes/shared/ledger';
import { requeueExpiredRuns } from '../../nodes/shared/store/lease';
import { ChaosProxy } from '../fakes/chaos';
import { VideoGeneration } from '../../nodes/VideoGeneration/VideoGeneration.node';
import { useStore } from '../campaign/fixture';
import { executeContext } from '../video-generation/context';
import { makeScene } from '../video-generation/scenes';
import { useVideoFakes } from './support';

/**
 * The Video Generation node with paid providers (fakes), the Reelsmith store (real Postgres) and real S3: never
 * paying twice, fallback order, skipping unconfigured providers, budget stops, provider concurrency, cost lines.
 */

const ACCESS = 'ak-ledger';
const SECRET = 'sk-ledger';
const RUNWAY_SECRET = 'rw-ledger';

const store = useStore();
const fakes = useVideoFakes({ access: ACCESS, secret: SECRET, runwaySecret: RUNWAY_SECRET });



async function newRun(options: { budget?: number; estimate?: number } = {}): Promise<string> {
	const campaign = await store.db.query<{ id: string }>(`insert into campaigns (name) values ($1) returning id`, [
		`paid ${Math.random().toString(36).slice(2, 8)}`,
	]);
	const run = await store.db.query<{ id: string }>(
		`insert into runs (campaign_id, request, options, status, budget_usd, cost_estimate)
		values ($1, '{}', '{}', 'running', $2, $3) returning id`,
		[campaign.rows[0].id, options.budget ?? null, options.estimate ?? null],
	);
	return run.rows[0].id;
}

type Attached = 'kling' | 'runway' | 'postgres';

/** A node execution: scene items of `runId`, the given credentials attached (others are not on the node). */
function context(
	runId: string,
	options: {
		scenes?: number[];
		provider?: string;
		fallbackProviders?: string[];
		attached?: Attached[];
		klingCredential?: Record<string, unknown>;
		runwayCredential?: Record<string, unknown>;
		nodeOptions?: IDataObject;
		heading?: (scene: number) => string;
		continueOnFail?: boolean;
	} = {},
): IExecuteFunctions {
	const attached = options.attached ?? ['kling', 'runway', 'postgres'];
	const scenes = options.scenes ?? [1];
	const names: Record<Attached, string> = {
		kling: 'reelsmithKlingApi',
		runway: 'reelsmithRunwayApi',
		postgres: 'reelsmithPostgresApi',
	};
	return executeContext({
		items: scenes.map((number) => ({
			runId,
			sceneNumber: number,
			scene: makeScene({
				number,
				duration: 1,
				heading: options.heading?.(number) ?? `INT. KITCHEN ${runId.slice(0, 8)} SCENE ${number} - NIGHT`,
			}) as unknown as IDataObject,
		})),
		parameters: {
			operation: 'generate',
			provider: options.provider ?? 'kling',
			fallbackProviders: options.fallbackProviders ?? [],
			style: 'titleCard',
			preset: 'square',
			scene: (json: IDataObject) => json.scene,
			narration: undefined,
			duration: 0,
			outputKey: (json: IDataObject) => `runs/${json.runId}/scenes/00${json.sceneNumber}/clip.mp4`,
			options: { pollInterval: 50, timeout: 20, retryAttempts: 2, concurrency: 4, ...options.nodeOptions },
		},
		s3: store.s3,
		nodeName: 'Video Generation',
		credentials: {
			reelsmithKlingApi: { accessKey: ACCESS, secretKey: SECRET, baseUrl: fakes.kling.url, ...options.klingCredential } as IDataObject,
			reelsmithRunwayApi: { apiSecret: RUNWAY_SECRET, baseUrl: fakes.runway.url, ...options.runwayCredential } as IDataObject,
			reelsmithPostgresApi: store.credentials.reelsmithPostgresApi,
		},
		// Like n8n: a credential that is not on the node cannot be read.
		attached: attached.map((name) => names[name]),
		continueOnFail: options.continueOnFail,
	});
}

const run = (ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> => new VideoGeneration().execute.call(ctx);

async function costLines(runId: string) {
	const { rows } = await store.db.query(
		`select scene_number, provider, model, units::float, unit, amount_usd::float, purpose, task_id
		from costs where run_id = $1 order by scene_number, created_at`,
		[runId],
	);
	return rows;
}

async function tasks(runId: string) {
	const { rows } = await store.db.query(
		`select scene_number, provider, task_id, status, clip_key, seconds::float, cost_usd::float
		from provider_tasks where run_id = $1 order by submitted_at`,
		[runId],
	);
	return rows;
}

describe('never paying twice', () => {
	test('a scene whose execution stopped mid-task polls the same task when run again: one submission, one cost line', async () => {
		const runId = await newRun();
		fakes.kling.knobs.taskMs = 2500;
		// The first execution gives up while Kling is still rendering (as if n8n had been stopped).
		await assert.rejects(run(context(runId, { nodeOptions: { timeout: 1 } })), (error: Error) => {
			assert.match(error.message, /not ready after 1 s .*The task stays recorded/);
			return true;
		});
		assert.equal(fakes.kling.log.submissions.length, 1);
		const [open] = await tasks(runId);
		assert.equal(open.status, 'submitted', 'the task id was written before polling and is still open');

		// The retry (a new execution, a new provider instance) adopts the task instead of submitting.
		const [[item]] = await run(context(runId));
		assert.equal(fakes.kling.log.submissions.length, 1, 'Kling was paid once');
		assert.equal(item.json.taskId, open.task_id);
		assert.equal(item.json.provider, 'kling');
		assert.match(String((item.json.notes as string[]).join(' ')), /picked up Kling AI task .* instead of paying for a new one/);
		assert.equal((item.json.clip as IDataObject).key, `runs/${runId}/scenes/001/clip.mp4`);
		assert.equal((item.json.clip as IDataObject).width, 1080, 'normalised to the size stored with the task');

		assert.deepEqual(await tasks(runId), [
			{ ...open, status: 'fetched', clip_key: `runs/${runId}/scenes/001/clip.mp4`, seconds: 5, cost_usd: 0.28 },
		]);
		assert.deepEqual(await costLines(runId), [
			{ scene_number: 1, provider: 'kling', model: 'kling-v2-1', units: 5, unit: 'second', amount_usd: 0.28, purpose: 'clip', task_id: open.task_id },
		]);

		// A third run of the scene (validation asked for a new take) has no open task left: it submits anew.
		await run(context(runId));
		assert.equal(fakes.kling.log.submissions.length, 2);
	});
});

describe('cost lines match the bill', () => {
	for (const provider of ['kling', 'runway'] as const) {
		test(`${provider}: a finished task whose download breaks still has its cost line, once, and the budget counts it once`, async () => {
			const runId = await newRun();
			const fake = fakes[provider];
			// Every task renders (and is billed), but its result file is no video: the download fails after its retries.
			Object.assign(fake.knobs, { badResultShare: 1, random: () => 0 });
			const marker = runId.slice(0, 8);
			await assert.rejects(run(context(runId, { provider })), /clip could not be stored: .*is not a video/);
			assert.equal(fake.log.billed(marker), 1, 'the provider billed the task');
			const lines = await costLines(runId);
			assert.deepEqual(
				lines.map((line) => [line.provider, line.purpose]),
				[[provider, 'clip']],
			);
			const [task] = await tasks(runId);
			assert.equal(lines[0].task_id, task.task_id);
			assert.equal(task.status, 'submitted', 'the task stays open for the next execution to fetch');
			// The task's price is held against the budget until its line is written, and not after.
			assert.equal((await spending(store.db, runId)).runSpent, lines[0].amount_usd);

			// The scene run again polls the same task, sees it finished again, and writes no second line.
			await assert.rejects(run(context(runId, { provider })), /is not a video/);
			assert.equal(fake.log.submissions.length, 1, 'not submitted again');
			assert.equal((await costLines(runId)).length, fake.log.billed(marker), 'one cost line per billed task');
		});
	}

	test('a task that failed at the provider is not billed and has no cost line', async () => {
		const runId = await newRun();
		Object.assign(fakes.kling.knobs, { failShare: 1, random: () => 0 });
		await assert.rejects(run(context(runId)), /could not make the clip/);
		assert.equal(fakes.kling.log.billed(), 0);
		assert.deepEqual(await costLines(runId), []);
	});
});

describe('never paying twice when the answer to a submit is lost', () => {
	test('Kling accepted the task but its answer was lost: the same execution asks by our key and adopts it, paid once', async () => {
		const runId = await newRun();
		// Kling bills the task, then the connection drops before its answer.
		fakes.kling.onAccepted = async () => {
			fakes.kling.onAccepted = undefined;
			return 'drop';
		};
		const [[item]] = await run(context(runId));
		assert.equal(fakes.kling.log.submissions.length, 1, 'not submitted again');
		assert.equal(fakes.kling.bodies[0].external_task_id, `rs-${runId}-1-1`, 'our key went with the request');
		assert.match(String((item.json.notes as string[]).join(' ')), new RegExp(`Kling AI did not answer the submit, but has the task under our key rs-${runId}-1-1: adopted`));
		const rows = await tasks(runId);
		assert.deepEqual(rows.map((row) => [row.status, row.task_id]), [['fetched', `text2video:${fakes.kling.log.submissions[0].taskId}`]]);
		assert.equal((await costLines(runId)).length, 1, 'one cost line');

		// The next take of the scene gets a key of its own.
		await run(context(runId));
		assert.equal(fakes.kling.bodies.at(-1)?.external_task_id, `rs-${runId}-1-2`);
		assert.equal(fakes.kling.log.submissions.length, 2);
	});

	test('answer lost and Kling cannot be asked either: the intent stays, and the next execution finds the task by its key', async () => {
		const runId = await newRun();
		fakes.kling.onAccepted = async () => {
			fakes.kling.onAccepted = undefined;
			return 'drop';
		};
		fakes.kling.script.pollReplies.push({ status: 400, code: 1200, message: 'lookup refused (fake)' });
		await assert.rejects(run(context(runId)), /did not take the task/);
		assert.equal(fakes.kling.log.submissions.length, 1, 'Kling accepted (and billed) the task');
		const [intent] = await tasks(runId);
		assert.equal(intent.status, 'submitting', 'the intent is kept: the provider may have made the task');

		const [[item]] = await run(context(runId));
		assert.equal(fakes.kling.log.submissions.length, 1, 'not submitted again');
		assert.match(String((item.json.notes as string[]).join(' ')), new RegExp(`found Kling AI task .* by its key rs-${runId}-1-1: not paid again`));
		assert.deepEqual((await tasks(runId)).map((row) => row.status), ['fetched']);
		assert.equal((await costLines(runId)).length, 1, 'one cost line');
	});

	test('a submit that never reached Kling: looked up by our key, not there, sent again with the same key, one task', async () => {
		const runId = await newRun();
		fakes.kling.dropSubmits = 1;
		const [[item]] = await run(context(runId));
		assert.equal(item.json.provider, 'kling');
		assert.equal(fakes.kling.log.submissions.length, 1, 'one task made, one billed');
		assert.deepEqual(fakes.kling.bodies.map((body) => body.external_task_id), [`rs-${runId}-1-1`], 'the second send carried the same key');
		assert.deepEqual((await tasks(runId)).map((row) => row.status), ['fetched']);
	});

	test('a submit Kling refused leaves no intent behind, and the next try starts clean', async () => {
		const runId = await newRun();
		fakes.kling.script.submitReplies.push({ status: 400, code: 1201, message: 'invalid prompt' });
		await assert.rejects(run(context(runId)), /did not take the task/);
		assert.deepEqual(await tasks(runId), [], 'a refusal made no task');
	});
});

/** The run is made by execution `owner` (a live lease), as the pipeline of a started run holds it. */
const holdLease = (runId: string, owner: string) =>
	store.db.query(`update runs set status = 'running', lease_owner = $2, lease_expires_at = now() + interval '60 seconds' where id = $1`, [runId, owner]);

/** The execution died: its lease ran out, the watchdog requeued the run, and the dispatcher started it in execution 2. */
async function recover(runId: string): Promise<void> {
	await store.db.query(`update runs set lease_expires_at = now() - interval '1 second' where id = $1`, [runId]);
	assert.ok((await requeueExpiredRuns(store.db)).some((row) => row.id === runId), 'the watchdog requeued the run');
	await holdLease(runId, 'exec-2@recovered:2');
}

describe('an execution that died mid-submit, and the automatic recovery of its run', () => {
	test('Kling: the dead intent frees its slot at once, and the recovered scene adopts the task by its key instead of paying again', async () => {
		const runId = await newRun();
		await holdLease(runId, 'exec-1@died:1');
		// Kling accepted (and billed) scene 1, but the answer never reached the ledger: as if the worker died right then.
		fakes.kling.onAccepted = async () => {
			fakes.kling.onAccepted = undefined;
			return 'drop';
		};
		fakes.kling.script.pollReplies.push({ status: 400, code: 1200, message: 'lookup refused (fake)' });
		await assert.rejects(run(context(runId, { scenes: [1], nodeOptions: { providerConcurrency: 1 } })));
		assert.deepEqual((await tasks(runId)).map((row) => row.status), ['submitting']);
		await recover(runId);

		// With one Kling slot, scene 2 of the recovered run is sent at once (before: it waited out the 15-minute window).
		const started = Date.now();
		const [[other]] = await run(context(runId, { scenes: [2], nodeOptions: { providerConcurrency: 1, timeout: 5 } }));
		assert.equal(other.json.provider, 'kling');
		assert.ok(Date.now() - started < 5000, 'scene 2 did not wait for the dead intent\'s slot');

		const [[item]] = await run(context(runId, { scenes: [1], nodeOptions: { providerConcurrency: 1 } }));
		assert.match(String((item.json.notes as string[]).join(' ')), new RegExp(`found Kling AI task .* by its key rs-${runId}-1-1: not paid again`));
		assert.equal(fakes.kling.log.submissions.length, 2, 'one task per scene: scene 1 was adopted, not made again');
		assert.deepEqual((await tasks(runId)).map((row) => [row.scene_number, row.status]).sort(), [[1, 'fetched'], [2, 'fetched']]);
		assert.equal((await costLines(runId)).length, 2, 'one cost line per scene');
	});

	test('Runway: the dead intent frees its slot at once, and the scene is not sent to Runway again by itself (fallback, or a failure until a resume)', async () => {
		const runId = await newRun();
		await holdLease(runId, 'exec-1@died:1');
		// The dead execution had written scene 1's intent and sent the create; the answer was never recorded.
		await new Ledger(store.db).taskIntent(runId, 1, 'runway', 1);
		await recover(runId);

		const started = Date.now();
		const [[other]] = await run(context(runId, { provider: 'runway', scenes: [2], nodeOptions: { providerConcurrency: 1, timeout: 5 } }));
		assert.equal(other.json.provider, 'runway');
		assert.ok(Date.now() - started < 5000, 'scene 2 did not wait for the dead intent\'s slot');
		assert.equal(fakes.runway.log.submissions.length, 1);

		const lost = /^Scene 1: the execution that was sending this scene's clip to Runway stopped before Runway's answer was recorded, .*not sent to Runway again by itself\. .*resume the run to send the scene to Runway again \(that may pay for it twice\)\.$/;
		await assert.rejects(run(context(runId, { provider: 'runway', scenes: [1] })), (error: Error) => {
			assert.match(error.message, lost);
			return true;
		});
		assert.equal(fakes.runway.log.submissions.length, 1, 'scene 1 was not sent to Runway again');
		assert.deepEqual((await tasks(runId)).map((row) => [row.scene_number, row.status]).sort(), [[1, 'unanswered'], [2, 'fetched']]);

		// With a fallback the scene goes on to Kling; Runway is still not sent it again.
		const [[item]] = await run(context(runId, { provider: 'runway', fallbackProviders: ['kling'], scenes: [1] }));
		assert.equal(item.json.provider, 'kling');
		assert.equal(fakes.runway.log.submissions.length, 1);
	});

	test('a person resuming the run is the go-ahead: the dead Runway intent\'s scene is sent to Runway again', async () => {
		const runId = await newRun();
		await holdLease(runId, 'exec-1@died:1');
		await new Ledger(store.db).taskIntent(runId, 1, 'runway', 1);
		await store.db.query(`update runs set status = 'failed', lease_owner = null, lease_expires_at = null where id = $1`, [runId]);
		assert.equal(await releaseUnansweredCreates(store.db, runId), 1, 'the resume released the intent');
		await holdLease(runId, 'exec-2@resumed:2');
		const [[item]] = await run(context(runId, { provider: 'runway', scenes: [1] }));
		assert.equal(item.json.provider, 'runway');
		assert.match(String((item.json.notes as string[]).join(' ')), /an earlier execution stopped while submitting to Runway.*paid for too/);
		assert.equal(fakes.runway.log.submissions.length, 1);
	});
});

describe('a Runway create whose answer was lost (Runway cannot be asked for a task by our key)', () => {
	// Between the node and the Runway fake: deals one exact fault to the next request when a test scripts it.
	let proxy: ChaosProxy;
	beforeAll(async () => {
		proxy = await new ChaosProxy(fakes.runway.url, { errorRate: 0, seed: 1 }).start();
	});
	afterAll(async () => {
		await proxy?.stop();
	});
	const runwayContext = (runId: string, options: Parameters<typeof context>[1] = {}) =>
		context(runId, { provider: 'runway', ...options, runwayCredential: { baseUrl: proxy.url } });

	test('Runway made the task and the answer was cut off: not sent again, its slot is free at once, the scene fails naming it until a resume', async () => {
		const runId = await newRun();
		proxy.script('truncated');
		const lost = /Scene 1: Runway did not answer the create of this scene's clip: .*not sent to Runway again by itself\. .*resume the run to send the scene to Runway again \(that may pay for it twice\)\.$/;
		await assert.rejects(run(runwayContext(runId, { scenes: [1], nodeOptions: { providerConcurrency: 1 } })), (error: Error) => {
			assert.match(error.message, lost);
			return true;
		});
		assert.equal(fakes.runway.log.submissions.length, 1, 'Runway made (and may bill) one task');
		assert.deepEqual((await tasks(runId)).map((row) => row.status), ['unanswered'], 'on record as a create that may have been paid');

		// The next take of scene 1 (validation makes it again) is not sent to Runway: it could pay a second time.
		await assert.rejects(run(runwayContext(runId, { scenes: [1] })), lost);
		assert.equal(fakes.runway.log.submissions.length, 1, 'scene 1 was not sent again');

		// A person resumed the run: scene 1 may be sent again.
		assert.equal(await releaseUnansweredCreates(store.db, runId), 1);
		const [[again]] = await run(runwayContext(runId, { scenes: [1] }));
		assert.equal(again.json.provider, 'runway');
		assert.equal(fakes.runway.log.submissions.length, 2);
	});

	test('a create that got no answer holds no Runway slot: with 1 slot, the next scene is sent at once, not after 15 minutes', async () => {
		const runId = await newRun();
		// Runway stays silent and the connection drops after 0.5 s (in the suite a hang lasts the 120 s request timeout).
		proxy.set({ hangMs: 500 });
		proxy.script('timeout');
		await assert.rejects(run(runwayContext(runId, { scenes: [1], nodeOptions: { providerConcurrency: 1, timeout: 5 } })));
		const [[other]] = await run(runwayContext(runId, { scenes: [2], nodeOptions: { providerConcurrency: 1, timeout: 5 } }));
		assert.equal(other.json.provider, 'runway', 'scene 2 got the slot');
		assert.deepEqual((await tasks(runId)).map((row) => [row.scene_number, row.status]), [[1, 'unanswered'], [2, 'fetched']]);
	});

	test('with a fallback provider the scene goes on to it after the lost create, and Runway is paid at most once for it', async () => {
		const runId = await newRun();
		proxy.script('reset');
		const [[item]] = await run(runwayContext(runId, { fallbackProviders: ['kling'] }));
		assert.equal(item.json.provider, 'kling');
		assert.match(String((item.json.notes as string[]).join(' ')), /Scene 1: Runway did not answer the create .* Trying the next provider\./);
		assert.equal(fakes.kling.log.submissions.length, 1);
		assert.equal(fakes.runway.log.submissions.length, 0, 'the reset came before Runway saw the create');
		assert.deepEqual((await tasks(runId)).map((row) => [row.provider, row.status]), [['runway', 'unanswered'], ['kling', 'fetched']]);
	});

	test('a create that never left (connection refused) is plain down: no intent kept, the scene goes to the fallback', async () => {
		const runId = await newRun();
		const closed = await new ChaosProxy(fakes.runway.url, { errorRate: 0, seed: 2 }).start();
		const url = closed.url;
		await closed.stop();
		const [[item]] = await run(context(runId, { provider: 'runway', fallbackProviders: ['kling'], runwayCredential: { baseUrl: url } }));
		assert.equal(item.json.provider, 'kling');
		assert.deepEqual((await tasks(runId)).map((row) => [row.provider, row.status]), [['kling', 'fetched']]);
	});
});

describe('fallback order', () => {
	test('a scene that had moved to Runway resumes its Runway task even when Kling is back', async () => {
		const runId = await newRun();
		fakes.kling.knobs.down = true;
		fakes.runway.knobs.taskMs = 8000;
		await assert.rejects(run(context(runId, { fallbackProviders: ['runway'], nodeOptions: { timeout: 1 } })), /not ready after 1 s \(task rw-/);
		fakes.kling.knobs.down = false;
		const [[item]] = await run(context(runId, { fallbackProviders: ['runway'] }));
		assert.equal(item.json.provider, 'runway');
		assert.equal(fakes.kling.log.submissions.length, 0, 'Kling was not paid for the scene Runway already had');
		assert.equal(fakes.runway.log.submissions.length, 1);
		assert.equal(fakes.runway.cancelled.length, 0, 'the running task was kept, not cancelled');
	});


	test('Kling down (503 after its retries) hands the scene to Runway, which is recorded as the provider', async () => {
		const runId = await newRun();
		fakes.kling.knobs.down = true;
		const [[item]] = await run(context(runId, { fallbackProviders: ['runway'] }));
		assert.equal(item.json.provider, 'runway');
		assert.match(String(item.json.taskId), /^rw-/);
		const attempts = item.json.attempts as IDataObject[];
		assert.deepEqual(
			attempts.map((attempt) => attempt.provider + ':' + attempt.outcome),
			['kling:down', 'runway:served'],
		);
		assert.match(String(attempts[0].message), /Kling had a server error \(HTTP 503, code 5000.*gave up after 2 attempts/);
		assert.equal(fakes.kling.submits, 2, 'Kling was tried with its retries');
		assert.equal(fakes.kling.log.submissions.length, 0, 'and never accepted a task');
		assert.equal(fakes.runway.log.submissions.length, 1);
		assert.deepEqual(item.json.cost, { provider: 'runway', model: 'gen4.5', units: 5, unit: 'second', amountUsd: 0.6 });
		assert.deepEqual(await costLines(runId), [
			{ scene_number: 1, provider: 'runway', model: 'gen4.5', units: 5, unit: 'second', amount_usd: 0.6, purpose: 'clip', task_id: item.json.taskId },
		]);
	});

	test('down only for the scene carrying the marker: the other scene stays on Kling', async () => {
		const runId = await newRun();
		fakes.kling.knobs.down = 'STORM';
		const [items] = await run(
			context(runId, {
				scenes: [1, 2],
				fallbackProviders: ['runway'],
				heading: (scene) => (scene === 2 ? 'EXT. STORM - NIGHT' : 'INT. KITCHEN - NIGHT'),
			}),
		);
		assert.deepEqual(
			items.map((item) => item.json.provider),
			['kling', 'runway'],
		);
		assert.equal(fakes.kling.log.count('KITCHEN'), 1);
		assert.equal(fakes.runway.log.count('STORM'), 1);
	});

	test('Runway keeping the task THROTTLED past the timeout: cancelled there (nothing rendered), the scene goes to Kling', async () => {
		const runId = await newRun();
		fakes.runway.script.statuses = ['THROTTLED'];
		const [[item]] = await run(
			context(runId, { provider: 'runway', fallbackProviders: ['kling'], nodeOptions: { timeout: 1 } }),
		);
		assert.equal(item.json.provider, 'kling');
		const attempts = item.json.attempts as IDataObject[];
		assert.equal(attempts[0].outcome, 'down');
		assert.match(String(attempts[0].message), /Runway kept task rw-\d+ waiting in its queue for 1 s; it was cancelled/);
		assert.equal(fakes.runway.cancelled.length, 1);
		assert.deepEqual(
			(await tasks(runId)).map((task) => `${task.provider}:${task.status}`),
			['runway:cancelled', 'kling:fetched'],
		);
	});

	test('unconfigured providers are skipped with a note: no credential on the node, or an empty key', async () => {
		const runId = await newRun();
		const [[local]] = await run(context(runId, { provider: 'auto', attached: ['postgres'] }));
		assert.equal(local.json.provider, 'local');
		assert.deepEqual(
			(local.json.attempts as IDataObject[]).map((attempt) => `${attempt.provider}:${attempt.outcome}`),
			['kling:skipped', 'runway:skipped', 'local:served'],
		);
		assert.match(String((local.json.notes as string[])[0]), /Kling AI is not configured: attach a Kling AI credential/);
		assert.deepEqual(local.json.cost, { provider: 'local', model: 'local', units: 1, unit: 'second', amountUsd: 0 });

		const [[served]] = await run(
			context(runId, { provider: 'kling', fallbackProviders: ['runway'], klingCredential: { secretKey: ' ' } }),
		);
		assert.equal(served.json.provider, 'runway');
		assert.match(String((served.json.attempts as IDataObject[])[0].message), /the secretKey of its credential is empty/);
		assert.equal(fakes.kling.requests, 0, 'nothing was sent to an unconfigured provider');
	});

	test('a content-policy refusal fails the scene in plain words and does not fall back', async () => {
		const runId = await newRun();
		fakes.kling.knobs.refuse = 'KITCHEN';
		await assert.rejects(run(context(runId, { fallbackProviders: ['runway', 'local'] })), (error: Error) => {
			assert.ok(error instanceof NodeOperationError);
			assert.match(error.message, /^Scene 1: the Kling AI provider did not take the task: Kling refused the scene under its content policy .*Rewrite the scene/);
			assert.match(String(error.description), /kling: refused/);
			return true;
		});
		assert.equal(fakes.kling.submits, 1, 'not retried');
		assert.equal(fakes.runway.submits, 0, 'not handed to Runway');
		assert.deepEqual(await tasks(runId), []);
	});

	test('every provider down: the message lists what each one did', async () => {
		const runId = await newRun();
		fakes.kling.knobs.down = true;
		fakes.runway.knobs.down = true;
		await assert.rejects(run(context(runId, { fallbackProviders: ['runway'] })), (error: Error) => {
			assert.match(error.message, /Scene 1: no video provider could make the clip\. kling: down .*; runway: down/);
			return true;
		});
	});
});

describe('budget', () => {
	test('a run whose budget is too small stops before the first video call, naming the estimate and the cap', async () => {
		const runId = await newRun({ budget: 0.1, estimate: 1.4 });
		await assert.rejects(run(context(runId, { fallbackProviders: ['runway'] })), (error: Error) => {
			assert.ok(error instanceof NodeOperationError);
			assert.equal(
				error.message,
				"Budget stop: Scene 1 on Kling AI would cost about $0.28, and the run has spent $0.00 of its $0.10 budget (estimate $1.40). Raise the run's budget or lower scenes/duration, then resume the run.",
			);
			return true;
		});
		assert.equal(fakes.kling.submits + fakes.runway.submits, 0, 'no submission at all');
		assert.deepEqual(await costLines(runId), []);
	});
});

describe('provider concurrency', () => {
	test('limit 1 holds across two parallel executions: never 2 Kling tasks in flight', async () => {
		const runId = await newRun();
		fakes.kling.knobs.taskMs = 300;
		const options = { nodeOptions: { providerConcurrency: 1, timeout: 60 } };
		const results = await Promise.all([
			run(context(runId, { ...options, scenes: [1, 2] })),
			run(context(runId, { ...options, scenes: [3, 4] })),
		]);
		assert.deepEqual(
			results.flatMap(([items]) => items.map((item) => item.json.provider)),
			['kling', 'kling', 'kling', 'kling'],
		);
		assert.equal(fakes.kling.log.submissions.length, 4);
		assert.equal(fakes.kling.log.maxInFlight, 1);
	});

	test('the measure can see overlap: with limit 3 the same load runs tasks side by side', async () => {
		const runId = await newRun();
		fakes.kling.knobs.taskMs = 300;
		await Promise.all([
			run(context(runId, { nodeOptions: { providerConcurrency: 3, timeout: 60 }, scenes: [1, 2] })),
			run(context(runId, { nodeOptions: { providerConcurrency: 3, timeout: 60 }, scenes: [3, 4] })),
		]);
		assert.ok(fakes.kling.log.maxInFlight > 1, `max in flight ${fakes.kling.log.maxInFlight}`);
	});

	test('a submit Kling is slow to answer holds up no other scene: the others are sent while it waits', async () => {
		const runId = await newRun();
		fakes.kling.knobs.taskMs = 100;
		let sentWhileWaiting = -1;
		fakes.kling.onAccepted = async (_id, prompt) => {
			if (!/SCENE 1 /.test(prompt)) return;
			// Scene 1's answer is held back (a slow or hanging provider) until the other scenes were sent, or 5 s.
			for (let waited = 0; fakes.kling.log.submissions.length < 3 && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
			sentWhileWaiting = fakes.kling.log.submissions.length - 1;
		};
		const [items] = await run(context(runId, { scenes: [1, 2, 3], nodeOptions: { providerConcurrency: 3, timeout: 60 } }));
		assert.equal(sentWhileWaiting, 2, 'scenes 2 and 3 were submitted while scene 1 waited for its answer');
		assert.deepEqual(items.map((item) => item.json.provider), ['kling', 'kling', 'kling']);
		assert.equal(fakes.kling.log.submissions.length, 3);
		assert.deepEqual((await tasks(runId)).map((task) => task.status), ['fetched', 'fetched', 'fetched']);
	});

	test('a slot frees when the task finishes at the provider: scene 4 is submitted while scene 1 is still downloading', async () => {
		const runId = await newRun();
		fakes.kling.knobs.taskMs = 100;
		let acceptedWhileDownloading: number | undefined;
		fakes.kling.onDownload = async () => {
			// Every result download is held back until a fourth task was accepted (or 10 s): Concurrency 3 and limit 3
			// must not make scene 4 wait for the first three clips to be downloaded and fitted.
			for (let waited = 0; fakes.kling.log.submissions.length < 4 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
			// What the first download to go through saw: later ones start after scene 4 anyway.
			acceptedWhileDownloading ??= fakes.kling.log.submissions.length;
		};
		const [items] = await run(context(runId, { scenes: [1, 2, 3, 4], nodeOptions: { concurrency: 3, providerConcurrency: 3, timeout: 60 } }));
		assert.equal(acceptedWhileDownloading, 4, 'the fourth task was accepted while the first downloads were held');
		assert.equal(fakes.kling.log.maxInFlight, 3, 'never more than the limit rendering at Kling');
		assert.deepEqual(items.map((item) => item.json.provider), ['kling', 'kling', 'kling', 'kling']);
		assert.deepEqual((await tasks(runId)).map((task) => task.status), ['fetched', 'fetched', 'fetched', 'fetched']);
	});

	test('scenes waiting for the provider do not multiply downloads and fits: those stay within Concurrency', async () => {
		const runId = await newRun();
		fakes.kling.knobs.taskMs = 100;
		let holding = 0;
		let maxHeld = 0;
		fakes.kling.onDownload = async () => {
			holding += 1;
			maxHeld = Math.max(maxHeld, holding);
			// Held until all four tasks were rendered at Kling (or 10 s): another download asked for meanwhile is counted.
			for (let waited = 0; fakes.kling.log.charged.size < 4 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
			holding -= 1;
		};
		const [items] = await run(context(runId, { scenes: [1, 2, 3, 4], nodeOptions: { concurrency: 1, providerConcurrency: 3, timeout: 60 } }));
		assert.equal(fakes.kling.log.submissions.length, 4, 'scene 4 was submitted while scene 1 was held in its download');
		assert.equal(maxHeld, 1, 'one download and fit at a time (Concurrency 1)');
		assert.deepEqual(items.map((item) => item.json.provider), ['kling', 'kling', 'kling', 'kling']);
	});

	test('without the Postgres credential the limit holds inside this process', async () => {
		const runId = await newRun();
		fakes.kling.knobs.taskMs = 300;
		const options = { nodeOptions: { providerConcurrency: 1, timeout: 60 }, attached: ['kling'] as Attached[] };
		await Promise.all([run(context(runId, { ...options, scenes: [1, 2] })), run(context(runId, { ...options, scenes: [3, 4] }))]);
		assert.equal(fakes.kling.log.submissions.length, 4);
		assert.equal(fakes.kling.log.maxInFlight, 1);
		assert.deepEqual(await costLines(runId), [], 'no store, no cost lines');
	});
});

describe('a cancelled run', () => {
	const cancel = (runId: string) =>
		store.db.query("update runs set stage = 'generation', cancel_requested_at = now(), cancel_requested_by = 'ada@example.com' where id = $1", [runId]);
	const runRow = async (runId: string) => (await store.db.query('select status, error from runs where id = $1', [runId])).rows[0];

	test('Render clip sends nothing for a run whose cancel was asked for: the run ends cancelled at generation', async () => {
		const runId = await newRun();
		await cancel(runId);
		const [items, failed] = await run(context(runId, { scenes: [1, 2], continueOnFail: true }));
		assert.equal(fakes.kling.submits, 0, 'no create reached Kling');
		assert.deepEqual([...items, ...(failed ?? [])].map((item) => item.json.error), [
			'Scene 1: Cancelled by ada@example.com at generation. Its clip was not sent to Kling AI.',
			'Scene 2: Cancelled by ada@example.com at generation. Its clip was not sent to Kling AI.',
		]);
		assert.deepEqual(await runRow(runId), { status: 'cancelled', error: 'Cancelled by ada@example.com at generation.' });
		const events = await store.db.query("select message from events where run_id = $1 and data->>'cancelled' = 'true'", [runId]);
		assert.deepEqual(events.rows.map((row) => row.message), ['Cancelled by ada@example.com at generation.'], 'the timeline says so, once');
		assert.deepEqual(await tasks(runId), [], 'no task, no intent left holding a slot');
		assert.deepEqual(await costLines(runId), []);
	});

	test('a cancel pressed while scenes wait for a provider slot: they never submit, the task already accepted is kept', async () => {
		const runId = await newRun();
		fakes.kling.knobs.taskMs = 600;
		let cancelledAt = 0;
		fakes.kling.onAccepted = async () => {
			if (cancelledAt) return;
			await cancel(runId);
			cancelledAt = Date.now();
		};
		const [items, failed] = await run(
			context(runId, { scenes: [1, 2, 3], continueOnFail: true, nodeOptions: { providerConcurrency: 1, timeout: 60 } }),
		);
		assert.ok(cancelledAt > 0);
		assert.deepEqual(
			fakes.kling.log.submissions.filter((submission) => submission.at > cancelledAt),
			[],
			'no create after the cancel',
		);
		assert.equal(fakes.kling.log.submissions.length, 1);
		const all = [...items, ...(failed ?? [])];
		assert.equal(all.filter((item) => item.json.provider === 'kling').length, 1, 'the paid clip was fetched, not thrown away');
		assert.equal(all.filter((item) => /Cancelled by ada@example\.com at generation\. Its clip was not sent/.test(String(item.json.error))).length, 2);
		assert.deepEqual((await tasks(runId)).map((task) => task.status), ['fetched'], 'the scenes that waited left no intent');
		assert.equal((await runRow(runId)).status, 'cancelled');
	});
});
