import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'vitest';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { Campaign } from '../../nodes/Campaign/Campaign.node';
import { lineKey, metadataKey, planKey } from '../../nodes/shared/keys';
import type { Plan } from '../../nodes/shared/plan';
import { parseScript } from '../../nodes/shared/screenplay/parse';
import { recordEvent } from '../../nodes/Campaign/store/events';
import { Ledger } from '../../nodes/shared/ledger';
import { acceptParams, fountain, resetRuns, runCampaign, useStore, webhookItem } from './fixture';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a run from start to finish', () => {
	const store = useStore();
	let runId: string;
	let plan: Plan;

	beforeEach(async () => {
		await resetRuns(store.db);
		const items = [webhookItem({ script: fountain(3), style: 'terminal' })];
		const [[accepted]] = await runCampaign(store, (i) => acceptParams(i, items), items);
		runId = accepted.json.runId as string;
		plan = parseScript(fountain(3), { format: 'auto' });
	});

	const run = (params: IDataObject, items: INodeExecutionData[] | IDataObject[] = [{}]) =>
		runCampaign(store, params, items).then((outputs) => outputs[0]);

	it('start marks the run running and says it is fresh', async () => {
		const [item] = await run({ resource: 'run', operation: 'start', checkToken: false, runId, executionId: '101' });
		assert.equal(item.json.runId, runId);
		assert.equal(item.json.resumed, false);
		assert.equal(item.json.plan, null);
		assert.deepEqual(item.json.completedScenes, []);
		assert.equal((item.json.options as IDataObject).style, 'terminal');
		assert.equal((item.json.request as IDataObject).script, fountain(3));
		const { rows } = await store.db.query('select status, stage, execution_id, started_at from runs where id = $1', [runId]);
		assert.equal(rows[0].status, 'running');
		assert.equal(rows[0].stage, 'planning');
		assert.equal(rows[0].execution_id, '101');
		assert.ok(rows[0].started_at);
	});

	it('start refuses a completed run and names an unknown one', async () => {
		await assert.rejects(
			run({ resource: 'run', operation: 'start', checkToken: false, runId: '11111111-1111-4111-8111-111111111111', executionId: '1' }),
			/Run 11111111-1111-4111-8111-111111111111 does not exist\. Check the runId field \(it comes from the webhook answer\)\./,
		);
		await store.db.query("update runs set status = 'completed' where id = $1", [runId]);
		await assert.rejects(run({ resource: 'run', operation: 'start', checkToken: false, runId, executionId: '1' }), /is completed/);
	});

	it('planVersion record stores the plan JSON in S3 at the plan key, with the critic score, numbered per run', async () => {
		const critique = { score: 72.4, issues: [], critic: 'rules' };
		const [v1] = await run(
			{ resource: 'planVersion', operation: 'record', runId, plan, critique, parentVersion: 0, changes: '', source: 'parse' },
			[{ runId, plan: plan as unknown as IDataObject }],
		);
		assert.equal(v1.json.planVersion, 1);
		assert.equal(v1.json.planKey, planKey(runId, 1));
		assert.equal(v1.json.planScore, 72);
		assert.ok(v1.json.plan, 'the item passes through');

		const [v2] = await run({
			resource: 'planVersion',
			operation: 'record',
			runId,
			plan: JSON.stringify(plan),
			critique: { score: 91, issues: [], critic: 'rules' },
			parentVersion: 1,
			changes: ['Filled the visual description of ALICE'],
			source: 'refine',
		});
		assert.equal(v2.json.planVersion, 2);

		const stored = JSON.parse((await store.s3.storage.downloadBuffer({ bucket: store.s3.bucket, key: planKey(runId, 2) })).toString());
		assert.equal(stored.score, 91);
		assert.equal(stored.parentVersion, 1);
		assert.deepEqual(stored.changes, ['Filled the visual description of ALICE']);
		assert.equal(stored.plan.scenes.length, 3);
		const { rows } = await store.db.query('select version, score, parent_version, source from plan_versions where run_id = $1 order by version', [runId]);
		assert.deepEqual(rows, [
			{ version: 1, score: 72, parent_version: null, source: 'parse' },
			{ version: 2, score: 91, parent_version: 1, source: 'refine' },
		]);
		const assets = await store.db.query("select key, bytes from assets where run_id = $1 and kind = 'plan' order by key", [runId]);
		assert.deepEqual(assets.rows.map((a) => a.key), [planKey(runId, 1), planKey(runId, 2)]);
		assert.ok(Number(assets.rows[0].bytes) > 100);
	});

	it('scene prepare emits one scene item per scene still to make, and skips completed ones on resume', async () => {
		const first = await run({ resource: 'scene', operation: 'prepare', runId, plan }, [{ runId }]);
		assert.deepEqual(first.map((i) => i.json.sceneNumber), [1, 2, 3]);
		const item = first[1].json;
		assert.deepEqual(Object.keys(item).sort(), ['attempt', 'campaignId', 'characters', 'options', 'runId', 'sceneNumber', 'scene'].sort());
		assert.equal((item.scene as IDataObject).heading, 'INT. ROOM 2 - NIGHT');
		assert.deepEqual((item.characters as IDataObject[]).map((c) => c.name), ['ALICE', 'BOB']);
		assert.equal((item.options as IDataObject).style, 'terminal');
		assert.equal(item.attempt, 1);
		assert.deepEqual(first.map((i) => i.pairedItem), [{ item: 0 }, { item: 0 }, { item: 0 }]);

		await run({ resource: 'scene', operation: 'update', runId, sceneNumber: 2, status: 'completed', sceneKey: 'k2', duration: 4 });
		for (let i = 0; i < 2; i++) {
			await run({ resource: 'scene', operation: 'update', runId, sceneNumber: 3, status: 'generating', countAttempt: true });
		}
		const second = await run({ resource: 'scene', operation: 'prepare', runId, plan });
		assert.deepEqual(second.map((i) => i.json.sceneNumber), [1, 3]);
		assert.deepEqual(second.map((i) => i.json.attempt), [1, 3], 'attempts go on counting across executions');
		const { rows } = await store.db.query('select number, status, scene_key, attempts from scenes where run_id = $1 order by number', [runId]);
		assert.deepEqual(rows, [
			{ number: 1, status: 'pending', scene_key: null, attempts: 0 },
			{ number: 2, status: 'completed', scene_key: 'k2', attempts: 0 },
			{ number: 3, status: 'pending', scene_key: null, attempts: 2 },
		]);
	});

	it('scene update explains an unknown scene and a bad status', async () => {
		await assert.rejects(
			run({ resource: 'scene', operation: 'update', runId, sceneNumber: 9, status: 'completed' }),
			/Scene 9 of run .* does not exist\. Run scene "Prepare"/,
		);
		await assert.rejects(
			run({ resource: 'scene', operation: 'update', runId, sceneNumber: 1, status: 'done' }),
			/"Status" must be one of pending, generating, completed, failed or unchanged/,
		);
	});

	it('scene list gives assembly clips in order and subtitle cues on the final timeline', async () => {
		await run({ resource: 'scene', operation: 'prepare', runId, plan });
		const narration = (scene: number, speaker: string, lines: [number, number][]) =>
			lines.map(([start, end], i) => ({ speaker, text: `${speaker} ${i}`, start, end, key: lineKey(runId, scene, i + 1), voice: 'en' }));
		const scenes: [number, number, IDataObject[]][] = [
			[1, 4, narration(1, 'ALICE', [[0.2, 1.5], [1.8, 3.1]])],
			// ElevenLabs word times ride along to the cues, moved onto the final timeline.
			[2, 3.5, narration(2, 'BOB', [[0, 2]]).map((line) => ({ ...line, words: [{ text: 'BOB', start: 0, end: 0.6 }, { text: '0', start: 0.75, end: 2 }] }))],
			[3, 5, narration(3, 'ALICE', [[0.5, 1.25]])],
		];
		for (const [sceneNumber, duration, lines] of scenes) {
			await run({
				resource: 'scene',
				operation: 'update',
				runId,
				sceneNumber,
				status: 'completed',
				sceneKey: `runs/${runId}/scenes/00${sceneNumber}/scene.mp4`,
				duration,
				// Scene 2 gets the whole Text to Speech result, the others just its lines: both are taken.
				narration: sceneNumber === 2 ? { bucket: store.s3.bucket, key: `runs/${runId}/scenes/002/narration.wav`, duration: 2, lines } : lines,
			});
		}
		const [assembly] = await run({ resource: 'scene', operation: 'list', runId, mode: 'assembly' });
		assert.equal(assembly.json.totalDuration, 12.5);
		assert.equal(assembly.json.thumbnailTime, 3.8, 'the thumbnail comes from the end of scene 1, its text complete');
		assert.equal(assembly.json.sceneCount, 3);
		assert.deepEqual((assembly.json.clips as IDataObject[]).map((c) => [c.key, c.duration, c.bucket]), [
			[`runs/${runId}/scenes/001/scene.mp4`, 4, store.s3.bucket],
			[`runs/${runId}/scenes/002/scene.mp4`, 3.5, store.s3.bucket],
			[`runs/${runId}/scenes/003/scene.mp4`, 5, store.s3.bucket],
		]);
		assert.deepEqual(assembly.json.cues, [
			{ start: 0.2, end: 1.5, text: 'ALICE 0', speaker: 'ALICE' },
			{ start: 1.8, end: 3.1, text: 'ALICE 1', speaker: 'ALICE' },
			{ start: 4, end: 6, text: 'BOB 0', speaker: 'BOB', words: [{ text: 'BOB', start: 4, end: 4.6 }, { text: '0', start: 4.75, end: 6 }] },
			{ start: 8, end: 8.75, text: 'ALICE 0', speaker: 'ALICE' },
		]);
		assert.equal((assembly.json.options as IDataObject).preset, 'youtube');
		assert.deepEqual(assembly.json.failedScenes, []);
		assert.equal(assembly.json.failureMessage, '', 'nothing to fail the run with');

		const assets = await store.db.query(
			"select kind, count(*)::int as n from assets where run_id = $1 and kind in ('scene', 'line', 'narration') group by kind order by kind",
			[runId],
		);
		assert.deepEqual(assets.rows, [
			{ kind: 'line', n: 4 },
			{ kind: 'narration', n: 1 },
			{ kind: 'scene', n: 3 },
		]);
	});

	it('scene list gives one full scene item per scene, for validation and regeneration', async () => {
		await run({ resource: 'planVersion', operation: 'record', runId, plan, critique: { score: 90 }, parentVersion: 0, changes: '', source: 'rules' });
		await run({ resource: 'scene', operation: 'prepare', runId, plan });
		await run({ resource: 'scene', operation: 'update', runId, sceneNumber: 1, status: 'generating', countAttempt: true });
		await run({ resource: 'scene', operation: 'update', runId, sceneNumber: 1, status: 'completed', sceneKey: `runs/${runId}/s1.mp4`, duration: 4.2 });
		await run({ resource: 'scene', operation: 'update', runId, sceneNumber: 3, status: 'failed', error: 'clip is silent' });

		const each = await run({ resource: 'scene', operation: 'list', runId, mode: 'each', sceneNumbers: '' });
		assert.deepEqual(each.map((i) => [i.json.sceneNumber, i.json.status, i.json.attempts, i.json.attempt]), [
			[1, 'completed', 1, 2],
			[2, 'pending', 0, 1],
			[3, 'failed', 0, 1],
		]);
		const [one, two] = each.map((i) => i.json as IDataObject & { scene: IDataObject; sceneVideo: IDataObject; options: IDataObject });
		assert.equal(one.scene.heading, 'INT. ROOM 1 - NIGHT');
		assert.deepEqual((one.characters as IDataObject[]).map((c) => c.name), ['ALICE', 'BOB']);
		assert.equal(one.options.style, 'terminal');
		assert.deepEqual(one.sceneVideo, { bucket: store.s3.bucket, key: `runs/${runId}/s1.mp4`, duration: 4.2 });
		assert.equal(two.sceneVideo.key, `runs/${runId}/scenes/002/scene.mp4`, 'where the video would be, so a check reports it missing');
		assert.equal(each[2].json.error, 'clip is silent');

		const some = await run({ resource: 'scene', operation: 'list', runId, mode: 'each', sceneNumbers: [3, 2] });
		assert.deepEqual(some.map((i) => i.json.sceneNumber), [2, 3]);

		const [assembly] = await run({ resource: 'scene', operation: 'list', runId, mode: 'assembly' });
		assert.equal(assembly.json.sceneCount, 3);
		assert.equal((assembly.json.clips as IDataObject[]).length, 1);
		assert.deepEqual(assembly.json.failedScenes, [
			{ number: 2, status: 'pending', error: null },
			{ number: 3, status: 'failed', error: 'clip is silent' },
		]);
		assert.equal(assembly.json.failureMessage, 'Scene 2: not made; Scene 3: clip is silent');
	});

	it('scene list (assembly) of a plan without scenes says so, for Fail run', async () => {
		const [assembly] = await run({ resource: 'scene', operation: 'list', runId, mode: 'assembly' });
		assert.equal(assembly.json.sceneCount, 0);
		assert.equal(assembly.json.failureMessage, 'The plan has no scenes to make.');
	});

	it('event record measures a step from its started event, per stage and scene', async () => {
		const record = (status: string, sceneNumber = 0, stage = 'generation') =>
			run({ resource: 'event', operation: 'record', runId, stage, status, sceneNumber, message: '', data: '' }).then(
				([item]) => item.json.event as IDataObject,
			);
		await record('started', 1);
		await sleep(60);
		await record('started', 2);
		await sleep(40);
		const one = await record('finished', 1);
		const two = await record('failed', 2);
		assert.ok((one.durationMs as number) >= 100, `scene 1 took ${one.durationMs} ms`);
		assert.ok((two.durationMs as number) >= 40 && (two.durationMs as number) < (one.durationMs as number));
		assert.equal((await record('finished', 0, 'assembly')).durationMs, null, 'no started event, no duration');
		assert.equal((await record('started')).durationMs, null);
		const stage = async () => (await store.db.query('select stage from runs where id = $1', [runId])).rows[0].stage;
		assert.equal(await stage(), 'generation', 'a whole-run stage that starts becomes the run\'s stage');
		await record('started', 3, 'validation');
		assert.equal(await stage(), 'generation', 'a scene event does not move the run');
	});

	it('complete records the final artifacts, the metadata at its standard key and a finished event with the run time', async () => {
		await run({ resource: 'run', operation: 'start', checkToken: false, runId, executionId: '7' });
		await sleep(30);
		const finalKey = `runs/${runId}/final/youtube.mp4`;
		await store.s3.storage.uploadBuffer(Buffer.alloc(2048), finalKey, 'video/mp4');
		const [item] = await run(
			{
				resource: 'run',
				operation: 'complete',
				runId,
				finalKey,
				thumbnailKey: `runs/${runId}/final/thumbnail.jpg`,
				subtitlesKey: '',
				metadata: { title: 'Night shift', tags: ['rain'] },
				duration: 12.5,
			},
			[{ runId, video: { key: finalKey } }],
		);
		assert.equal((item.json.run as IDataObject).status, 'completed');
		assert.ok(item.json.video, 'the item passes through');
		const { rows } = await store.db.query('select status, final_key, duration, finished_at from runs where id = $1', [runId]);
		assert.equal(rows[0].status, 'completed');
		assert.equal(Number(rows[0].duration), 12.5);
		const assets = await store.db.query('select kind, bytes from assets where run_id = $1 order by kind', [runId]);
		assert.deepEqual(assets.rows.map((a) => [a.kind, a.bytes === null ? null : Number(a.bytes)]), [
			['final', 2048],
			['thumbnail', null],
			['work', null],
		]);
		const stored = await store.s3.storage.downloadBuffer({ bucket: store.s3.bucket, key: metadataKey(runId) });
		assert.deepEqual(JSON.parse(stored.toString()), { title: 'Night shift', tags: ['rain'] });
		const events = await store.db.query("select status, duration_ms, data from events where run_id = $1 and stage = 'run' order by id", [runId]);
		assert.deepEqual(events.rows.map((e) => e.status), ['queued', 'started', 'finished']);
		assert.equal(events.rows[2].data.metadataKey, metadataKey(runId));
		assert.ok(Number(events.rows[2].duration_ms) >= 30);
	});

	it('fail finds the run by execution id and keeps only the readable part of the message', async () => {
		await run({ resource: 'run', operation: 'start', checkToken: false, runId, executionId: 'exec-42' });
		const message = 'Mux scene 2: ffmpeg exited with code 1\n    at spawn (/x/ffmpeg.ts:10:5)\n    at next (/x/y.ts:1:1)';
		const [item] = await run({ resource: 'run', operation: 'fail', runId: '', executionId: 'exec-42', message });
		assert.equal(item.json.failed, true);
		const { rows } = await store.db.query('select status, error, finished_at from runs where id = $1', [runId]);
		assert.equal(rows[0].status, 'failed');
		assert.equal(rows[0].error, 'Mux scene 2: ffmpeg exited with code 1');
		const events = await store.db.query("select message from events where run_id = $1 and status = 'failed'", [runId]);
		assert.equal(events.rows[0].message, 'Mux scene 2: ffmpeg exited with code 1');
		await assert.rejects(
			run({ resource: 'run', operation: 'fail', runId: '', executionId: 'nope', message: 'x' }),
			/No run was started by execution nope/,
		);
	});

	it('a resumed run starts again with its latest plan and the scenes already done', async () => {
		await run({ resource: 'run', operation: 'start', checkToken: false, runId, executionId: '1' });
		await run({ resource: 'planVersion', operation: 'record', runId, plan, critique: { score: 85 }, parentVersion: 0, changes: '', source: 'parse' });
		await run({ resource: 'scene', operation: 'prepare', runId, plan });
		await run({ resource: 'scene', operation: 'update', runId, sceneNumber: 1, status: 'completed', duration: 3.8 });
		await run({ resource: 'run', operation: 'fail', runId, executionId: '', message: 'killed' });
		const [[resumed]] = await runCampaign(store, { resource: 'run', operation: 'resume', runId, checkToken: false, maxRunning: 2 });
		assert.deepEqual(resumed.json.completedScenes, [1]);
		const [item] = await run({ resource: 'run', operation: 'start', checkToken: false, runId, executionId: '2' });
		assert.equal(item.json.resumed, true);
		assert.equal(item.json.planVersion, 1);
		assert.equal(item.json.planScore, 85);
		assert.equal((item.json.plan as Plan).scenes.length, 3);
		assert.deepEqual(item.json.completedScenes, [1]);
		const again = await run({ resource: 'scene', operation: 'prepare', runId, plan: item.json.plan });
		assert.deepEqual(again.map((i) => i.json.sceneNumber), [2, 3]);
	});

	it('resuming is the go-ahead to send a scene whose Runway create went unanswered to Runway again', async () => {
		await run({ resource: 'run', operation: 'start', checkToken: false, runId, executionId: '1' });
		const ledger = new Ledger(store.db);
		const intent = await ledger.taskIntent(runId, 2, 'runway');
		await ledger.intentUnanswered('runway', intent.key, 'Scene 2: Runway did not answer the create of this scene\'s clip.');
		assert.match(String(await ledger.unansweredCreate(runId, 2, 'runway')), /Scene 2: Runway did not answer/, 'blocked before the resume');
		await run({ resource: 'run', operation: 'fail', runId, executionId: '', message: 'Scene 2: Runway did not answer' });
		await runCampaign(store, { resource: 'run', operation: 'resume', runId, checkToken: false, maxRunning: 2 });
		assert.equal(await ledger.unansweredCreate(runId, 2, 'runway'), null, 'the resumed run may send scene 2 again');
		const { rows } = await store.db.query("select status from provider_tasks where run_id = $1 and provider = 'runway'", [runId]);
		assert.deepEqual(rows.map((row) => row.status), ['unanswered'], 'kept on record as a create that may have been paid');
	});

	it('get returns the whole state of a run', async () => {
		await run({ resource: 'run', operation: 'setStage', runId, stage: 'generation' });
		await recordEvent(store.db, { runId, stage: 'generation', status: 'started' });
		const [item] = await run({ resource: 'run', operation: 'get', runId });
		const state = item.json as { run: IDataObject; campaign: IDataObject; scenes: unknown[]; events: IDataObject[] };
		assert.equal(state.run.id, runId);
		assert.equal(state.run.stage, 'generation');
		assert.equal(state.campaign.name, 'Sample campaign');
		assert.deepEqual(state.events.map((e) => e.status), ['queued', 'started']);
		assert.deepEqual(Object.keys(item.json).sort(), ['assets', 'campaign', 'events', 'planVersions', 'run', 'scenes']);
	});

	it('artifact upload stores binary data for the run; download gives a working link or the bytes', async () => {
		const bytes = Buffer.from('WEBVTT\n\nhello');
		const [uploaded] = await run(
			{ resource: 'artifact', operation: 'upload', runId, binaryPropertyName: 'data', key: '', kind: 'work', sceneNumber: 0 },
			[{ json: { runId }, binary: { data: { data: bytes.toString('base64'), fileName: 'notes v1.vtt', mimeType: 'text/vtt' } } }],
		);
		const artifact = uploaded.json.artifact as IDataObject;
		assert.equal(artifact.key, `runs/${runId}/work/notes_v1.vtt`);
		assert.equal(uploaded.binary, undefined, 'references travel, not bytes');

		const [linked] = await run({ resource: 'artifact', operation: 'download', key: artifact.key, bucket: '', output: 'reference', linkExpiry: 600 });
		const url = (linked.json.artifact as IDataObject).url as string;
		assert.equal(Buffer.from(await (await fetch(url)).arrayBuffer()).toString(), bytes.toString());

		const [binary] = await run({ resource: 'artifact', operation: 'download', key: artifact.key, bucket: '', output: 'binary', binaryPropertyName: 'file' });
		assert.equal(Buffer.from(binary.binary!.file.data, 'base64').toString(), bytes.toString());
		assert.equal(binary.binary!.file.fileName, 'notes_v1.vtt');

		await assert.rejects(
			run({ resource: 'artifact', operation: 'download', key: 'runs/none.mp4', bucket: '', output: 'reference' }),
			/"runs\/none\.mp4" does not exist in bucket/,
		);
	});

	it('credential tests: Postgres reachable and migrated; S3 bucket present', async () => {
		const node = new Campaign();
		const test = node.methods.credentialTest;
		const ok = await test.reelsmithPostgresApiTest.call({} as never, { id: '1', name: 'pg', type: 'reelsmithPostgresApi', data: store.credentials.reelsmithPostgresApi });
		assert.deepEqual(ok, { status: 'OK', message: 'Connection successful' });

		await store.db.query('drop database if exists reelsmith_empty').then(() => store.db.query('create database reelsmith_empty'));
		const empty = await test.reelsmithPostgresApiTest.call({} as never, {
			id: '1',
			name: 'pg',
			type: 'reelsmithPostgresApi',
			data: { ...store.credentials.reelsmithPostgresApi, database: 'reelsmith_empty' },
		});
		assert.deepEqual(empty, {
			status: 'Error',
			message: 'Connected, but the Reelsmith tables are missing: run the migrations (npm start does it)',
		});
		const s3 = await test.reelsmithS3ApiTest.call({} as never, { id: '2', name: 's3', type: 'reelsmithS3Api', data: store.credentials.reelsmithS3Api });
		assert.equal(s3.status, 'OK');
	});
});
