import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import pg from 'pg';
import { ensureInstalled, buildPackage, startStack, type Stack } from '../../initialization/stack';
import { batchExportKey, batchManifestKey, musicMixKey, timelineKey } from '../../nodes/shared/keys';
import { Storage } from '../../nodes/shared/transport/storage';
import { saveBrandKit } from '../../nodes/Campaign/store/brandKits';
import { ensureCampaign } from '../../nodes/Campaign/store/campaigns';
import { dashboardConnection } from '../../initialization/stack';
import { startDashboard } from '../../ui/server/index';
import { Browser } from '../dashboard/api-support';
import { buildBatchExport } from '../../ui/server/batchExport';
import { freePort } from '../helpers/ports';
import { verifySignature } from '../../nodes/shared/callbacks/sign';
import { CallbackReceiver } from '../fakes/callback-receiver';
import { assertCuesOnSpeech, assertFinishedVideo, inspectFinalVideo, integratedLoudness, meanColour, pictureSize, srtCues, textPixels } from './media-checks';
import { compareGlyphs } from '../helpers/glyphs';
import { otioProblems } from '../helpers/otio';
import { postWebhook, RUN_TIMEOUT_MS, waitForRun as waitForRunIn } from './stack-support';

/**
 * The whole product through real n8n: webhook → queue → planning/refinement → generation → validation → assembly,
 * with real Postgres, a real S3 endpoint, ffmpeg and espeak-ng. No paid provider is involved.
 */
const FIXTURES = join(__dirname, '..', 'fixtures', 'scripts');
const LEASE_SECONDS = 10;

let stack: Stack;
let db: pg.Pool;
let storage: Storage;
let dataDir: string;

const post = (path: string, body: unknown, headers?: Record<string, string>) => postWebhook(stack, path, body, headers);
const waitForRun = (runId: string, until: (run: Record<string, unknown>) => boolean) => waitForRunIn(db, runId, until);

const finished = (run: Record<string, unknown>) => run.status === 'completed' || run.status === 'failed';

async function counts() {
	const tables = ['campaigns', 'runs', 'scenes', 'plan_versions', 'assets', 'events', 'costs'];
	const result: Record<string, number> = {};
	for (const table of tables) result[table] = Number((await db.query(`select count(*) from ${table}`)).rows[0].count);
	result.objects = (await storage.listKeys('')).length;
	return result;
}

async function download(key: string, name: string) {
	const file = join(dataDir, 'downloads', name);
	await storage.downloadFile({ bucket: storage.bucket, key }, file);
	return file;
}

/** What every finished run's sound shows: the default −14 LUFS target met (±1 LU), and the event that says so. */
async function assertLoudnessChecked(runId: string, video: string) {
	const measured = integratedLoudness(video);
	assert.ok(Math.abs(measured + 14) <= 1, `final video measures ${measured} LUFS, target −14`);
	const { rows } = await db.query(`select message from events where run_id = $1 and stage = 'assembly' and status = 'info'`, [runId]);
	assert.ok(
		rows.some((row) => /^Loudness −1[345]\.\d LUFS, true peak −[\d.]+ dBTP \(target −14 LUFS; /.test(row.message)),
		`a Loudness checked event: ${JSON.stringify(rows)}`,
	);
}

describe('script to video through real n8n', { timeout: 30 * 60_000 }, () => {
	beforeAll(async () => {
		await ensureInstalled(() => {});
		await buildPackage(() => {});
		dataDir = await mkdtemp(join(tmpdir(), 'reelsmith-e2e-'));
		// A port of its own, so the test runs beside a developer's `npm start` (which takes 5678).
		// A short lease, so the crash test sees the watchdog recover its run within seconds rather than a minute.
		// Callbacks may go to the test's receiver on loopback, and retry after a second (the watchdog sends retries).
		stack = await startStack({
			dataDir,
			n8nPort: await freePort(),
			n8nEnv: { REELSMITH_LEASE_SECONDS: String(LEASE_SECONDS), REELSMITH_CALLBACK_ALLOW_LOOPBACK: 'true', REELSMITH_CALLBACK_RETRY_SECONDS: '1' },
		});
		db = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
		storage = new Storage(stack.s3);
	});

	afterAll(async () => {
		await db?.end();
		await stack?.stop();
		if (dataDir) await rm(dataDir, { recursive: true, force: true });
	});

	let firstRunId = '';

	/** Each take's newest plan version, in take order, and the one the run goes on with. */
	async function takesOf(runId: string) {
		const { rows } = await db.query(
			`select distinct on (take) take, version, score, chosen, plan from plan_versions where run_id = $1 order by take, version desc`,
			[runId],
		);
		return rows as Array<{ take: number; version: number; score: number; chosen: boolean; plan: { scenes: Array<Record<string, any>> } }>;
	}

	/** What the run made, scene by scene, in the plan's words. */
	async function madeScenes(runId: string) {
		const { rows } = await db.query('select number, heading, status from scenes where run_id = $1 order by number', [runId]);
		return rows;
	}

	test('variations: 3 keeps three different, scored takes and makes the best-scored one', async () => {
		const script = await readFile(join(FIXTURES, 'three-scenes.fountain'), 'utf8');
		const refused = await post('reelsmith/runs', { script, variations: 6 });
		assert.equal(refused.status, 400);
		assert.equal(refused.json.field, 'variations');

		// 13 s wanted: take 1 (the script as written, 11 s) and take 3 (merged scenes, 11 s) are off target, take 2 (a
		// cold open, 13 s) is on it, so take 2 scores best.
		const answer = await post('reelsmith/runs', { script, variations: 3, targetDuration: 13, preset: 'square', campaign: 'Variations' });
		assert.equal(answer.status, 202, JSON.stringify(answer.json));
		const runId = String(answer.json.runId);
		const run = await waitForRun(runId, finished);
		assert.equal(run.status, 'completed', `run failed: ${run.error}`);

		const takes = await takesOf(runId);
		assert.deepEqual(takes.map((t) => t.take), [1, 2, 3]);
		const contents = takes.map((t) => JSON.stringify(t.plan.scenes));
		assert.equal(new Set(contents).size, 3, 'three different takes');
		assert.ok(takes.every((t) => Number.isInteger(t.score) && t.score >= 0 && t.score <= 100));
		const best = Math.max(...takes.map((t) => t.score));
		assert.deepEqual(takes.filter((t) => t.chosen).map((t) => t.take), [2], `take 2 is chosen (scores ${takes.map((t) => t.score)})`);
		assert.equal(takes[1].score, best);
		assert.ok(takes[0].score < best, 'take 1 scored lower');

		const chosen = takes[1].plan.scenes;
		assert.deepEqual(
			(await madeScenes(runId)).map((s) => [s.number, s.heading, s.status]),
			chosen.map((scene) => [scene.number, scene.heading, 'completed']),
			'the run made the scenes of take 2',
		);
		assert.equal(chosen.length, 4, 'take 2 opens with a cold open before the three scenes');
		const { rows } = await db.query(`select message from events where run_id = $1 and stage = 'planning' and status = 'finished'`, [runId]);
		assert.match(rows[0].message, /^Take 2 of 3 \(plan v\d\) scored \d+; the takes scored 1: \d+, 2: \d+, 3: \d+$/);
	});

	test('with approval, the take the manager picks on the dashboard is the one made', async () => {
		const admin = { email: 'takes@example.com', password: 'variations-test-pass-1' };
		const dashboard = await startDashboard({ ...dashboardConnection(stack), port: 0, admin, migrate: false, log: () => {} });
		try {
			const script = await readFile(join(FIXTURES, 'three-scenes.fountain'), 'utf8');
			// No target: the takes tie, so take 1 would be made unless someone picks another.
			const answer = await post('reelsmith/runs', { script, variations: 3, approval: true, preset: 'square', campaign: 'Variations' });
			assert.equal(answer.status, 202, JSON.stringify(answer.json));
			const runId = String(answer.json.runId);
			const waiting = await waitForRun(runId, (r) => r.status === 'awaiting_approval' || finished(r));
			assert.equal(waiting.status, 'awaiting_approval', String(waiting.error));

			// The storyboard: a still per scene of every take in storage (Draw storyboard, before the wait), real square
			// PNGs with text drawn on them.
			await mkdir(join(dataDir, 'downloads'), { recursive: true });
			for (const take of await takesOf(runId)) {
				const stills = (
					await db.query('select scene_number, status, still_key, error from storyboard_stills where run_id = $1 and version = $2 order by scene_number', [
						runId,
						take.version,
					])
				).rows;
				assert.deepEqual(
					stills.map((still) => [still.scene_number, still.status]),
					take.plan.scenes.map((scene) => [scene.number, 'drawn']),
					`take ${take.take}: a still per scene (${JSON.stringify(stills.map((still) => still.error))})`,
				);
				for (const still of stills) {
					const file = await download(still.still_key, `still-${take.take}-${still.scene_number}.png`);
					assert.equal((await readFile(file)).subarray(1, 4).toString(), 'PNG');
					assert.deepEqual(pictureSize(file), { width: 1080, height: 1080 }, 'the frame size of the square preset');
					assert.ok(textPixels(file, null) > 200, `take ${take.take} scene ${still.scene_number}: the still is not blank`);
				}
			}

			const browser = new Browser(dashboard.url);
			assert.equal((await browser.login(admin.email, admin.password)).status, 200);
			const page = await browser.get(`/api/runs/${runId}`);
			assert.deepEqual(
				page.body.takes.map((t: { take: number; chosen: boolean }) => [t.take, t.chosen]),
				[[1, true], [2, false], [3, false]],
				'the approval screen shows three takes, the best-scored one preselected',
			);
			const noSuchTake = await browser.post(`/api/runs/${runId}/approval`, { decision: 'approve', take: 4 });
			assert.equal(noSuchTake.status, 400, JSON.stringify(noSuchTake.body));
			assert.equal(noSuchTake.body.field, 'take');
			assert.equal((await db.query('select approval from runs where id = $1', [runId])).rows[0].approval, 'pending', 'nothing decided');

			const decided = await browser.post(`/api/runs/${runId}/approval`, { decision: 'approve', take: 2 });
			assert.equal(decided.status, 202, JSON.stringify(decided.body));
			const run = await waitForRun(runId, finished);
			assert.equal(run.status, 'completed', `run failed: ${run.error}`);

			const takes = await takesOf(runId);
			assert.deepEqual(takes.filter((t) => t.chosen).map((t) => t.take), [2]);
			assert.deepEqual(
				(await madeScenes(runId)).map((s) => [s.number, s.heading]),
				takes[1].plan.scenes.map((scene) => [scene.number, scene.heading]),
				'the run made the scenes of take 2',
			);
			const { rows } = await db.query(`select message from events where run_id = $1 and stage = 'approval' and status = 'finished'`, [runId]);
			assert.match(rows[0].message, /^Storyboard approved \(take 2 of 3\) by /);
		} finally {
			await dashboard.stop();
		}
	});

	test('a 3-scene Fountain screenplay becomes a finished 1080p MP4', async () => {
		const script = await readFile(join(FIXTURES, 'three-scenes.fountain'), 'utf8');
		// Two scenes per batch: the generation loop has to come back for the third.
		const answer = await post('reelsmith/runs', { script, campaign: 'E2E campaign', concurrency: 2 });
		assert.equal(answer.status, 202, JSON.stringify(answer.json));
		assert.match(String(answer.json.runId), /^[0-9a-f-]{36}$/);
		assert.equal(typeof answer.json.queuePosition, 'number');
		firstRunId = String(answer.json.runId);

		const run = await waitForRun(firstRunId, finished);
		assert.equal(run.status, 'completed', `run failed: ${run.error}`);
		assert.ok(run.started_at && run.finished_at, 'run has timings');
		assert.ok(new Date(run.finished_at).getTime() > new Date(run.started_at).getTime());

		const scenes = (await db.query('select * from scenes where run_id = $1 order by number', [firstRunId])).rows;
		assert.equal(scenes.length, 3);
		for (const scene of scenes) {
			assert.equal(scene.status, 'completed', `scene ${scene.number}: ${scene.error}`);
			assert.ok(scene.clip_key && scene.narration_key && scene.scene_key, `scene ${scene.number} has its keys`);
			// What Mux learned of the scene video is kept with it, so Join scenes probes none of them (issue 12).
			assert.equal(scene.scene_media?.bytes, (await storage.stat({ bucket: storage.bucket, key: scene.scene_key }))?.bytes, `scene ${scene.number} media`);
			assert.equal(scene.scene_media.audio.loudness, -14, 'Mux says it brought the sound to the run target');
		}

		const versions = (await db.query('select * from plan_versions where run_id = $1 order by version', [firstRunId])).rows;
		assert.ok(versions.length >= 1);
		assert.ok(versions.every((v) => typeof v.score === 'number' && v.score >= 0 && v.score <= 100));

		const events = (await db.query('select stage, status from events where run_id = $1', [firstRunId])).rows;
		for (const stage of ['planning', 'generation', 'validation', 'assembly']) {
			assert.ok(events.some((e) => e.stage === stage && e.status === 'started'), `${stage} started event`);
			assert.ok(events.some((e) => e.stage === stage && e.status === 'finished'), `${stage} finished event`);
		}

		// Every scene was made by the generation stage, in batches, not one by one by validation afterwards.
		const { rows: late } = await db.query(
			`select s.number from scenes s where s.run_id = $1 and s.finished_at > (
			   select min(created_at) from events where run_id = $1 and stage = 'generation' and status = 'finished')`,
			[firstRunId],
		);
		assert.deepEqual(late, [], 'no scene finished after the generation stage');

		const keys = new Set(await storage.listKeys(`runs/${firstRunId}/`));
		for (const key of [run.final_key, run.thumbnail_key, run.subtitles_key, ...versions.map((v) => v.plan_key)]) {
			assert.ok(keys.has(key), `object storage holds ${key}`);
		}
		for (const scene of scenes) {
			assert.ok(keys.has(scene.clip_key), `clip of scene ${scene.number}`);
			assert.ok(keys.has(scene.scene_key), `scene video of scene ${scene.number}`);
		}
		const srt = (await storage.downloadBuffer({ bucket: storage.bucket, key: run.subtitles_key })).toString('utf8');
		assert.match(srt, /^1\r?\n\d\d:\d\d:\d\d,\d\d\d --> \d\d:\d\d:\d\d,\d\d\d/);

		const sceneTotal = scenes.reduce((sum, scene) => sum + Number(scene.duration), 0);
		const final = await download(run.final_key, 'first.mp4');
		assertFinishedVideo(final, { width: 1920, height: 1080, sceneTotal });
		// Without transitions every subtitle starts where its line is heard (silencedetect on the final audio).
		assertCuesOnSpeech(srt, final);
		await assertLoudnessChecked(firstRunId, final);
		assert.deepEqual(pictureSize(await download(run.thumbnail_key, 'first.jpg')), { width: 1280, height: 720 }, "YouTube's thumbnail size");
	});

	test('the 9:16 preset with crossfades: a 1080×1920 amber terminal video as long as its scenes, cues on the speech, a full 9:16 thumbnail', async () => {
		const script = await readFile(join(FIXTURES, 'three-scenes.fountain'), 'utf8');
		const answer = await post('reelsmith/runs', { script, preset: 'shorts', style: 'terminal', terminalScheme: 'amber', iterations: 1, transition: 'crossfade' });
		assert.equal(answer.status, 202, JSON.stringify(answer.json));
		const runId = String(answer.json.runId);
		const run = await waitForRun(runId, finished);
		assert.equal(run.status, 'completed', `run failed: ${run.error}`);
		const final = await download(run.final_key, 'shorts.mp4');
		const facts = inspectFinalVideo(final);
		assert.equal(facts.width, 1080);
		assert.equal(facts.height, 1920);
		assert.ok(facts.frameLumaSpread > 8, 'terminal frames show text');
		// The run's terminalScheme reaches Video Generation through the scene items' options: a warm brown screen.
		const [red, green, blue] = meanColour(final, 1);
		assert.ok(red > blue + 8 && green > blue, `amber frames, not green (mean colour ${[red, green, blue].map(Math.round)})`);

		// A crossfade takes no time from the scenes, so the subtitles built for back-to-back scenes stay on the speech.
		const scenes = (await db.query('select number, duration from scenes where run_id = $1 order by number', [runId])).rows;
		const sceneTotal = scenes.reduce((sum, scene) => sum + Number(scene.duration), 0);
		assert.ok(Math.abs(facts.duration - sceneTotal) <= 0.1, `video ${facts.duration} s, scenes ${sceneTotal} s`);
		const srt = (await storage.downloadBuffer({ bucket: storage.bucket, key: run.subtitles_key })).toString('utf8');
		assertCuesOnSpeech(srt, final);
		await assertLoudnessChecked(runId, final);

		// The thumbnail is 9:16 and shows scene 1 with its text typed out, as its last frames do (not half a line).
		const thumbnail = await download(run.thumbnail_key, 'shorts.jpg');
		assert.deepEqual(pictureSize(thumbnail), { width: 1080, height: 1920 });
		const firstEnd = Number(scenes[0].duration);
		const late = textPixels(final, firstEnd - 0.05);
		const early = textPixels(final, 0.7);
		assert.ok(late > early * 1.2, `scene 1 types its text in (${early} text pixels at 0.7 s, ${late} at its end)`);
		const shown = textPixels(thumbnail, null);
		assert.ok(shown >= late * 0.9 && shown <= late * 1.1, `thumbnail has ${shown} text pixels, the end of scene 1 ${late}`);

		// The editor hand-off: the timeline's clips are the scene videos in order, as long as the final video's scenes,
		// with a dissolve into every scene after the first; the EDL beside it has the same cuts.
		const otio = JSON.parse((await storage.downloadBuffer({ bucket: storage.bucket, key: timelineKey(runId, 'otio') })).toString('utf8'));
		assert.deepEqual(otioProblems(otio), []);
		assert.equal(otio.OTIO_SCHEMA, 'Timeline.1');
		assert.equal(otio.tracks.OTIO_SCHEMA, 'Stack.1');
		const track = otio.tracks.children.find((child: { kind: string }) => child.kind === 'Video');
		const items: Array<Record<string, any>> = track.children;
		const clips = items.filter((child) => child.OTIO_SCHEMA === 'Clip.2');
		const keys = (await db.query('select scene_key from scenes where run_id = $1 order by number', [runId])).rows.map((row) => row.scene_key);
		assert.deepEqual(clips.map((clip) => clip.media_references.DEFAULT_MEDIA.target_url), keys.map((key) => `s3://${storage.bucket}/${key}`));
		const lengths = clips.map((clip) => clip.source_range.duration.value / clip.source_range.duration.rate);
		scenes.forEach((scene, index) => assert.ok(Math.abs(lengths[index] - Number(scene.duration)) <= 1 / 30, `scene ${index + 1}: ${lengths[index]} s`));
		const timelineLength = lengths.reduce((sum, length) => sum + length, 0);
		assert.ok(Math.abs(timelineLength - facts.duration) <= 0.1, `timeline ${timelineLength} s, final video ${facts.duration} s (ffprobe)`);
		assert.deepEqual(
			items.map((child) => child.OTIO_SCHEMA),
			clips.flatMap((_, index) => (index === 0 ? ['Clip.2'] : ['Transition.1', 'Clip.2'])),
			'a dissolve between every two scenes',
		);
		const edl = (await storage.downloadBuffer({ bucket: storage.bucket, key: timelineKey(runId, 'edl') })).toString('utf8');
		assert.equal((edl.match(/^\d{3} {2}S\d{3} +V +D +015 /gm) ?? []).length, clips.length - 1, edl);
	});

	test('a 2-second video meets the loudness target too, with a square thumbnail', async () => {
		const answer = await post('reelsmith/runs', { script: 'INT. OFFICE - DAY\n\nSAM\nWe start now.\n', preset: 'square', iterations: 1 });
		assert.equal(answer.status, 202, JSON.stringify(answer.json));
		const runId = String(answer.json.runId);
		const run = await waitForRun(runId, finished);
		assert.equal(run.status, 'completed', `run failed: ${run.error}`);
		const final = await download(run.final_key, 'two-seconds.mp4');
		const facts = inspectFinalVideo(final);
		assert.ok(facts.duration < 3, `shorter than loudnorm's 3 s window (${facts.duration} s)`);
		await assertLoudnessChecked(runId, final);
		assert.deepEqual(pictureSize(await download(run.thumbnail_key, 'square.jpg')), { width: 1080, height: 1080 });
	});

	test("a campaign's brand kit reaches the video: its preset, its title card colour and its logo, and the run keeps the version", async () => {
		const campaign = await ensureCampaign(db, 'Brand e2e');
		const logo = join(dataDir, 'logo.png');
		execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0x00ff00:s=64x64', '-frames:v', '1', logo]);
		await storage.uploadBuffer(await readFile(logo), `brand/${campaign.id}/logo-e2e.png`, 'image/png');
		await saveBrandKit(db, campaign.id, {
			preset: 'square',
			colors: { background: '#c03020' },
			logo: { key: `brand/${campaign.id}/logo-e2e.png`, position: 'topLeft', size: 0.2, opacity: 1 },
		});
		const answer = await post('reelsmith/runs', { script: 'INT. OFFICE - DAY\n\nSAM\nWe start now.\n', campaign: 'Brand e2e', iterations: 1 });
		assert.equal(answer.status, 202, JSON.stringify(answer.json));
		const run = await waitForRun(String(answer.json.runId), finished);
		assert.equal(run.status, 'completed', `run failed: ${run.error}`);
		assert.equal(run.brand_version, 1);
		const final = await download(run.final_key, 'branded.mp4');
		assert.deepEqual(pictureSize(final), { width: 1080, height: 1080 }, "the kit's preset, as the request named none");
		const rgbAt = (x: number, y: number) => {
			const raw = execFileSync('ffmpeg', ['-v', 'error', '-ss', '1', '-i', final, '-frames:v', '1', '-vf', `crop=2:2:${x}:${y},format=rgb24`, '-f', 'rawvideo', '-']);
			return [raw[0], raw[1], raw[2]];
		};
		const corner = rgbAt(1070, 1070);
		assert.ok(Math.abs(corner[0] - 0xc0) < 16 && Math.abs(corner[1] - 0x30) < 16 && Math.abs(corner[2] - 0x20) < 16, `the card is #c03020 (rgb ${corner.join(', ')})`);
		// The logo: 20 % of 1080 = 216 px wide, 3 % of the height (32 px) from the top-left corner.
		const mark = rgbAt(130, 130);
		assert.ok(mark[1] > 200 && mark[0] < 60 && mark[2] < 60, `the green logo is top left (rgb ${mark.join(', ')})`);
	});

	test("a brand kit's intro and outro bookend the video: the final lasts intro + scenes + outro, cues move by the intro, the timeline lists both", async () => {
		const campaign = await ensureCampaign(db, 'Brand bookends e2e');
		// The intro: 1.5 s of blue at 640×480 (4:3), stored in the bucket; the outro: 1 s of red, from a URL. Both silent,
		// so every sound in the final video is a spoken line.
		const intro = join(dataDir, 'intro.mp4');
		execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=blue:size=640x480:rate=30', '-t', '1.5', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', intro]);
		await storage.uploadFile(intro, `brand/${campaign.id}/intro.mp4`, 'video/mp4');
		const outro = join(dataDir, 'outro.mp4');
		execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=red:size=320x320:rate=30', '-t', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', outro]);
		const outroBytes = await readFile(outro);
		const host = createServer((req, res) => (req.url === '/outro.mp4' ? res.writeHead(200, { 'content-type': 'video/mp4' }).end(outroBytes) : res.writeHead(404).end()));
		await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
		try {
			const url = `http://127.0.0.1:${(host.address() as AddressInfo).port}/outro.mp4`;
			await saveBrandKit(db, campaign.id, { intro: { key: `brand/${campaign.id}/intro.mp4` }, outro: { url } });
			const refused = await post('reelsmith/runs', { script: 'INT. OFFICE - DAY\n\nSAM\nWe start now.\n', campaign: 'Brand bookends e2e', intro: { key: 'runs/x/final/youtube.mp4' } });
			assert.equal(refused.status, 400);
			assert.equal(refused.json.field, 'intro.key');

			const script = 'INT. OFFICE - DAY\n\nSAM\nWe start now, all of us.\n\nEXT. ROOF - NIGHT\n\nANA\nThen we finish up here.\n';
			const answer = await post('reelsmith/runs', { script, campaign: 'Brand bookends e2e', iterations: 1, subtitles: 'burn' });
			assert.equal(answer.status, 202, JSON.stringify(answer.json));
			const runId = String(answer.json.runId);
			const run = await waitForRun(runId, finished);
			assert.equal(run.status, 'completed', `run failed: ${run.error}`);
			const scenes = (await db.query('select duration, scene_key from scenes where run_id = $1 order by number', [runId])).rows;
			const sceneSeconds = scenes.reduce((sum, scene) => sum + Number(scene.duration), 0);

			const final = await download(run.final_key, 'bookends.mp4');
			const facts = inspectFinalVideo(final);
			assert.ok(Math.abs(facts.duration - (1.5 + sceneSeconds + 1)) <= 0.1, `final ${facts.duration} s = 1.5 + ${sceneSeconds} + 1`);
			// Fitted into the 1920×1080 frame without cropping: the square outro sits between black bars.
			const rgbAt = (time: number, x: number, y: number) => {
				const raw = execFileSync('ffmpeg', ['-v', 'error', '-ss', String(time), '-i', final, '-frames:v', '1', '-vf', `crop=2:2:${x}:${y},format=rgb24`, '-f', 'rawvideo', '-']);
				return [raw[0], raw[1], raw[2]];
			};
			const [r, g, b] = rgbAt(0.5, 960, 540);
			assert.ok(b > 150 && r < 60 && g < 60, `the intro opens the video (rgb ${r}, ${g}, ${b})`);
			const [r2, g2, b2] = rgbAt(facts.duration - 0.3, 960, 540);
			assert.ok(r2 > 150 && g2 < 60 && b2 < 60, `the outro closes it (rgb ${r2}, ${g2}, ${b2})`);
			const bar = rgbAt(facts.duration - 0.3, 20, 540);
			assert.ok(bar.every((channel) => channel < 30), `a black bar beside the square outro (rgb ${bar.join(', ')})`);

			// Subtitles: every cue where its line is spoken, so none before the intro has ended.
			const srt = await readFile(await download(run.subtitles_key, 'bookends.srt'), 'utf8');
			assertCuesOnSpeech(srt, final);
			const cues = srtCues(srt);
			assert.ok(cues[0].start >= 1.5, `the first cue starts after the intro: ${cues[0].start} s`);

			// The timeline: Intro, the scenes, Outro, as long as the final video.
			const otio = JSON.parse((await storage.downloadBuffer({ bucket: storage.bucket, key: timelineKey(runId, 'otio') })).toString('utf8'));
			assert.deepEqual(otioProblems(otio), []);
			const track = otio.tracks.children.find((child: { kind: string }) => child.kind === 'Video');
			const clips: Array<Record<string, any>> = track.children.filter((child: { OTIO_SCHEMA: string }) => child.OTIO_SCHEMA === 'Clip.2');
			assert.deepEqual(
				clips.map((clip) => clip.name),
				['Intro', 'Scene 1', 'Scene 2', 'Outro'],
			);
			const lengths = clips.map((clip) => clip.source_range.duration.value / clip.source_range.duration.rate);
			assert.ok(Math.abs(lengths[0] - 1.5) <= 1 / 30 && Math.abs(lengths[3] - 1) <= 1 / 30, JSON.stringify(lengths));
			assert.ok(Math.abs(lengths.reduce((sum, length) => sum + length, 0) - facts.duration) <= 0.1, `timeline ${lengths} s, final ${facts.duration} s`);
			const edl = (await storage.downloadBuffer({ bucket: storage.bucket, key: timelineKey(runId, 'edl') })).toString('utf8');
			assert.match(edl, /^001 {2}INTRO +V +C +00:00:00:00 00:00:01:15 00:00:00:00 00:00:01:15$/m);
			assert.match(edl, /^\d{3} {2}OUTRO +V +C /m);

			// The fitted clips are kept per kit version and format: the next run of this campaign fits nothing again.
			const kept = await storage.listKeys(`brand/${campaign.id}/fitted/`);
			assert.equal(kept.length, 2, JSON.stringify(kept));
		} finally {
			host.close();
		}
	});

	test('a run with music: the bed is downloaded, heard between the lines, and the final still meets the loudness target', async () => {
		// The music host is on loopback, which the stack allows (REELSMITH_CALLBACK_ALLOW_LOOPBACK, as for callbacks).
		const music = join(dataDir, 'bed.mp3');
		execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=200:sample_rate=44100:duration=3', '-ac', '2', '-y', music]);
		const bytes = await readFile(music);
		const host = createServer((req, res) =>
			req.url === '/bed.mp3' ? res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(bytes) : res.writeHead(404).end(),
		);
		await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
		try {
			const url = `http://127.0.0.1:${(host.address() as AddressInfo).port}/bed.mp3`;
			const refused = await post('reelsmith/runs', { script: 'INT. OFFICE - DAY\n\nSAM\nWe start now.\n', music: { url, volume: 5 } });
			assert.equal(refused.status, 400);
			assert.equal(refused.json.field, 'music.volume');

			const script = 'INT. OFFICE - DAY\n\nSAM\nWe start now, all of us.\n\nEXT. ROOF - NIGHT\n\nANA\nThen we finish up here.\n';
			const answer = await post('reelsmith/runs', { script, iterations: 1, music: { url } });
			assert.equal(answer.status, 202, JSON.stringify(answer.json));
			const runId = String(answer.json.runId);
			const run = await waitForRun(runId, finished);
			assert.equal(run.status, 'completed', `run failed: ${run.error}`);
			assert.ok((await storage.listKeys(`runs/${runId}/work/`)).includes(musicMixKey(runId)), 'Mix music wrote its video');

			const final = await download(run.final_key, 'music.mp4');
			await assertLoudnessChecked(runId, final);
			// Between the two scenes' lines no one speaks: without music that is silence, with it the bed is heard.
			const cues = srtCues(await readFile(await download(run.subtitles_key, 'music.srt'), 'utf8'));
			assert.ok(cues.length >= 2, JSON.stringify(cues));
			const gaps = cues.slice(1).map((cue, i) => ({ from: cues[i].end, to: cue.start })).sort((a, b) => b.to - b.from - (a.to - a.from));
			const gap = gaps[0];
			assert.ok(gap.to - gap.from >= 0.4, `a pause between lines: ${JSON.stringify(gaps)}`);
			const middle = (gap.from + gap.to) / 2;
			const window = ['-ss', String(middle - 0.15), '-t', '0.3'];
			const { stderr } = spawnSync('ffmpeg', ['-hide_banner', '-nostats', ...window, '-i', final, '-map', '0:a:0', '-af', 'volumedetect', '-f', 'null', '-'], {
				encoding: 'utf8',
			});
			const meanVolume = Number(/mean_volume: (-?[\d.]+) dB/.exec(stderr)?.[1] ?? -Infinity);
			assert.ok(meanVolume > -40, `music heard in the pause at ${gap.from}–${gap.to} s: ${meanVolume} dB`);

			// The editor gets the music too: a Music track pointing at the copy kept with the run (the link may expire).
			const otio = JSON.parse((await storage.downloadBuffer({ bucket: storage.bucket, key: timelineKey(runId, 'otio') })).toString('utf8'));
			assert.deepEqual(otioProblems(otio), []);
			const musicTrack = otio.tracks.children.find((child: { name: string }) => child.name === 'Music');
			assert.ok(musicTrack, `a Music track: ${otio.tracks.children.map((child: { name: string }) => child.name)}`);
			const target: string = musicTrack.children[0].media_references.DEFAULT_MEDIA.target_url;
			const keptKey = target.replace(`s3://${storage.bucket}/`, '');
			assert.match(keptKey, new RegExp(`^runs/${runId}/media/music-[0-9a-f]{12}\\.mp3$`));
			assert.ok((await storage.downloadBuffer({ bucket: storage.bucket, key: keptKey })).equals(bytes), 'the kept copy is the file the URL served');
		} finally {
			host.close();
		}
	});

	test('a run with your own clip for scene 2: a 2 s 16:9 clip looped and padded into 9:16, no provider called for it, $0 under own', async () => {
		// 2 s of pure red at 640×360 (16:9), stored in the bucket outside runs/ as a caller uploads it.
		const own = join(dataDir, 'own-red.mp4');
		execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:size=640x360:rate=25', '-t', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-y', own]);
		await storage.uploadFile(own, 'clips/own-red.mp4', 'video/mp4');
		const script = 'INT. OFFICE - DAY\n\nSAM\nWe start now, all of us together.\n\nEXT. ROOF - NIGHT\n\nANA\nThen we finish it up here tonight, under the stars.\n';

		const noScene = await post('reelsmith/runs', { script, sceneMedia: [{ scene: 3, clip: { key: 'clips/own-red.mp4' } }] });
		assert.equal(noScene.status, 400);
		assert.equal(noScene.json.field, 'sceneMedia[0].scene');
		const artifact = await post('reelsmith/runs', { script, sceneMedia: [{ scene: 2, clip: { key: 'runs/6f1c1a52-4c1e-4a8e-9d61-0b8f2f8f2a11/scenes/1/clip.mp4' } }] });
		assert.equal(artifact.status, 400);
		assert.equal(artifact.json.field, 'sceneMedia[0].clip.key');

		const answer = await post('reelsmith/runs', {
			script,
			iterations: 1,
			preset: 'shorts',
			campaign: 'Own media',
			sceneMedia: [{ scene: 2, clip: { key: 'clips/own-red.mp4' } }],
		});
		assert.equal(answer.status, 202, JSON.stringify(answer.json));
		const runId = String(answer.json.runId);
		const run = await waitForRun(runId, finished);
		assert.equal(run.status, 'completed', `run failed: ${run.error}`);

		const { rows: scenes } = await db.query('select number, provider, duration, clip_key, provider_attempts from scenes where run_id = $1 order by number', [runId]);
		assert.deepEqual(
			scenes.map((scene) => [scene.number, scene.provider]),
			[
				[1, 'local'],
				[2, 'own'],
			],
		);
		assert.deepEqual(scenes[1].provider_attempts, [{ provider: 'own', outcome: 'served' }], 'no provider was tried for scene 2');
		const { rows: clipCosts } = await db.query(`select scene_number, provider, amount_usd from costs where run_id = $1 and purpose = 'clip' order by scene_number`, [runId]);
		assert.deepEqual(
			clipCosts.filter((line) => line.scene_number === 2).map((line) => [line.provider, Number(line.amount_usd)]),
			[['own', 0]],
			'scene 2: one $0 line under own, none from the local provider',
		);
		assert.ok(clipCosts.some((line) => line.scene_number === 1 && line.provider === 'local'), JSON.stringify(clipCosts));

		// Scene 2's clip: as long as the scene (the 2 s clip looped), in the 9:16 frame.
		const clip = await download(scenes[1].clip_key, 'own-clip.mp4');
		const clipFacts = inspectFinalVideo(clip);
		assert.ok(Number(scenes[1].duration) > 2.5, `scene 2 lasts longer than the clip: ${scenes[1].duration} s`);
		assert.ok(Math.abs(clipFacts.duration - Number(scenes[1].duration)) < 0.1, `clip ${clipFacts.duration} s, scene ${scenes[1].duration} s`);

		const final = await download(run.final_key, 'own-media.mp4');
		assert.deepEqual(pictureSize(final), { width: 1080, height: 1920 });
		// Mid scene 2, past the clip's own 2 s: the middle band is the red clip, the top band a black bar.
		const at = Number(scenes[0].duration) + Math.min(2.5, Number(scenes[1].duration) - 0.2);
		const band = (from: number) => {
			const args = ['-v', 'error', '-ss', String(at), '-i', final, '-frames:v', '1', '-vf', `crop=iw:ih*0.1:0:ih*${from},scale=32:-2`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'];
			const frame = spawnSync('ffmpeg', args, { maxBuffer: 16 * 1024 * 1024 }).stdout as Buffer;
			const sums = [0, 0, 0];
			for (let i = 0; i < frame.length; i++) sums[i % 3] += frame[i];
			return sums.map((sum) => sum / Math.max(1, frame.length / 3));
		};
		const [red, green, blue] = band(0.45);
		assert.ok(red > 180 && green < 60 && blue < 60, `the own clip in the middle at ${at} s: ${[red, green, blue]}`);
		assert.ok(Math.max(...band(0.05)) < 30, `a black bar above it: ${band(0.05)}`);
		// Scene 1 is still the local title card (not red).
		const [red1, green1] = meanColour(final, Number(scenes[0].duration) / 2);
		assert.ok(!(red1 > 150 && green1 < 60), `scene 1 is rendered locally, not the own clip: ${[red1, green1]}`);
	});

	test("a run with your own still for scene 1 (by key) and a voice-over for scene 2 (by URL): a moving Ken Burns scene at $0, the voice-over's length measured once", async () => {
		// The still: a busy 4:3 test picture, stored under the campaign's uploads as the dashboard stores it.
		const campaign = await ensureCampaign(db, 'Own still e2e');
		const stillKey = `campaigns/${campaign.id}/media/still/3b2a1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d.png`;
		const still = join(dataDir, 'own-still.png');
		execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=800x600', '-frames:v', '1', '-y', still]);
		await storage.uploadFile(still, stillKey, 'image/png');
		// The voice-over on a loopback host (allowed by REELSMITH_CALLBACK_ALLOW_LOOPBACK, as for callbacks and music).
		const voice = join(dataDir, 'own-voice-url.wav');
		execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=250:sample_rate=44100:duration=3', '-ac', '1', '-y', voice]);
		const bytes = await readFile(voice);
		let downloads = 0;
		const host = createServer((req, res) => {
			if (req.url !== '/take.wav') {
				res.writeHead(404).end();
				return;
			}
			downloads++;
			res.writeHead(200, { 'content-type': 'audio/wav' }).end(bytes);
		});
		await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
		try {
			const url = `http://127.0.0.1:${(host.address() as AddressInfo).port}/take.wav`;
			const script = 'INT. OFFICE - DAY\n\nSAM\nWe start now.\n\nEXT. ROOF - NIGHT\n\nANA\nThen we finish.\n';
			// Another campaign's upload is refused, naming the field.
			const foreign = await post('reelsmith/runs', { script, campaign: 'Someone else', sceneMedia: [{ scene: 1, still: { key: stillKey } }] });
			assert.equal(foreign.status, 400);
			assert.equal(foreign.json.field, 'sceneMedia[0].still.key');
			assert.match(String(foreign.json.message), /a file of another campaign/);

			const answer = await post('reelsmith/runs', {
				script,
				iterations: 1,
				preset: 'square',
				campaign: 'Own still e2e',
				sceneMedia: [
					{ scene: 1, still: { key: stillKey } },
					{ scene: 2, voiceOver: { url } },
				],
			});
			assert.equal(answer.status, 202, JSON.stringify(answer.json));
			const runId = String(answer.json.runId);
			const run = await waitForRun(runId, finished);
			assert.equal(run.status, 'completed', `run failed: ${run.error}`);

			const { rows: scenes } = await db.query('select number, provider, duration, clip_key from scenes where run_id = $1 order by number', [runId]);
			assert.deepEqual(
				scenes.map((scene) => scene.provider),
				['local', 'local'],
			);
			assert.ok(Math.abs(Number(scenes[1].duration) - 3) < 0.15, `scene 2 lasts as long as the 3 s voice-over: ${scenes[1].duration} s`);
			const { rows: options } = await db.query("select options->'sceneMedia' as media from runs where id = $1", [runId]);
			assert.ok(Math.abs(Number(options[0].media[1].voiceOver.seconds) - 3) < 0.05, 'the Estimate step measured the voice-over and kept its length');
			// Once for the estimate, once for the speech step: never again on re-pricing.
			assert.equal(downloads, 2, `the voice-over was downloaded ${downloads} times`);

			// Scene 1's clip moves over the still: its first and last frames differ, and neither is blank.
			const clip = await download(scenes[0].clip_key, 'own-still-clip.mp4');
			assert.deepEqual(pictureSize(clip), { width: 1080, height: 1080 });
			const frame = (at: number) =>
				execFileSync('ffmpeg', ['-v', 'error', ...(at > 0 ? ['-ss', String(at)] : []), '-i', clip, '-frames:v', '1', '-vf', 'crop=800:600:140:240,scale=80:60', '-f', 'rawvideo', '-pix_fmt', 'gray', '-']);
			const first = frame(0);
			const last = frame(Math.max(0, Number(scenes[0].duration) - 0.1));
			let difference = 0;
			for (let i = 0; i < first.length; i++) difference += Math.abs(first[i] - last[i]);
			assert.ok(difference / first.length > 5, `the camera moved: mean difference ${difference / first.length}`);
			assert.ok(new Set(first).size > 30, 'the still is in the picture, not a blank');
			const { rows: estimate } = await db.query("select message from events where run_id = $1 and message like 'Estimate%'", [runId]);
			assert.match(estimate[0].message, /1 from your own still, a slow zoom: \$0/);
			const { rows: clipCosts } = await db.query("select scene_number, provider, model, amount_usd from costs where run_id = $1 and purpose = 'clip' and scene_number = 1", [runId]);
			assert.deepEqual(clipCosts.map((line) => [line.provider, line.model, Number(line.amount_usd)]), [['local', 'ken-burns', 0]]);
		} finally {
			host.close();
		}
	});

	test('a run with your own voice-over for scene 1: no speech for it, its 4 s set the scene length, its text spread as subtitles over it', async () => {
		// 4 s of a 300 Hz tone as the recording: espeak would neither sound like this nor last exactly 4 s.
		const voice = join(dataDir, 'own-voice.wav');
		execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=44100:duration=4', '-ac', '1', '-y', voice]);
		await storage.uploadFile(voice, 'voice/own-voice.wav', 'audio/wav');
		const script = 'INT. OFFICE - DAY\n\nSAM\nHi.\n\nEXT. ROOF - NIGHT\n\nANA\nThen we finish it up here tonight.\n';
		const refused = await post('reelsmith/runs', { script, sceneMedia: [{ scene: 1, voiceOver: { key: 'voice/own-voice.wav', text: 7 } }] });
		assert.equal(refused.status, 400);
		assert.equal(refused.json.field, 'sceneMedia[0].voiceOver.text');

		const text = 'This is my own recording. It has two sentences of different length, the second one longer.';
		const answer = await post('reelsmith/runs', {
			script,
			iterations: 1,
			campaign: 'Own media',
			sceneMedia: [{ scene: 1, voiceOver: { key: 'voice/own-voice.wav', text } }],
		});
		assert.equal(answer.status, 202, JSON.stringify(answer.json));
		const runId = String(answer.json.runId);
		const run = await waitForRun(runId, finished);
		assert.equal(run.status, 'completed', `run failed: ${run.error}`);

		const { rows: scenes } = await db.query('select number, duration, narration from scenes where run_id = $1 order by number', [runId]);
		assert.equal(Number(scenes[0].duration), 4, `scene 1 lasts the voice-over: ${scenes[0].duration} s`);
		// scenes.narration keeps the lines: the recording's sentences under the voice "own", none from espeak.
		assert.deepEqual(
			scenes[0].narration.map((line: { text: string; voice: string }) => [line.text, line.voice]),
			[
				['This is my own recording.', 'own'],
				['It has two sentences of different length, the second one longer.', 'own'],
			],
			'no espeak voice in scene 1',
		);
		assert.ok(scenes[1].narration.length > 0 && scenes[1].narration[0].voice !== 'own', 'scene 2 is spoken as before');

		// The subtitles: the two sentences inside scene 1's 4 s, the longer one getting more of them.
		const cues = srtCues(await readFile(await download(run.subtitles_key, 'own-voice.srt'), 'utf8'));
		const inScene1 = cues.filter((cue) => cue.start < 3.95);
		assert.equal(inScene1.map((cue) => cue.text).join(' ').replace(/\s+/g, ' '), text, JSON.stringify(cues));
		const [first] = inScene1;
		const last = inScene1[inScene1.length - 1];
		assert.equal(first.text, 'This is my own recording.');
		assert.ok(first.start < 0.1 && last.end <= 4.05 && last.end > 3.5, JSON.stringify(inScene1));
		assert.ok(first.end - first.start < 4 - first.end, 'the longer sentence gets more of the time');

		// The final video: scene 1's sound is the tone (about 300 Hz), heard through its 4 s.
		const final = await download(run.final_key, 'own-voice.mp4');
		const { stderr } = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-ss', '1', '-t', '2', '-i', final, '-map', '0:a:0', '-af', 'volumedetect', '-f', 'null', '-'], {
			encoding: 'utf8',
		});
		const meanVolume = Number(/mean_volume: (-?[\d.]+) dB/.exec(stderr)?.[1] ?? -Infinity);
		assert.ok(meanVolume > -30, `the voice-over is heard in scene 1: ${meanVolume} dB`);
	});

	test('a run with a callbackUrl: signed events for each stage and the end, the end retried after two 500s, its link downloads the MP4', async () => {
		// The receiver answers the run's end with 500 twice, then 200; stage events get 200 at once.
		const receiver = await new CallbackReceiver().start();
		receiver.answer = (event, earlier) => (event.type === 'run.completed' && earlier.filter((c) => c.event.type === 'run.completed').length < 2 ? 500 : 200);
		try {
			const { url: callbackUrl } = receiver;
			const answer = await post('reelsmith/runs', {
				script: 'INT. OFFICE - DAY\n\nSAM\nWe start now.\n',
				campaign: 'Callbacks',
				preset: 'square',
				iterations: 1,
				callbackUrl,
				events: ['stage'],
			});
			assert.equal(answer.status, 202, JSON.stringify(answer.json));
			const runId = String(answer.json.runId);
			const run = await waitForRun(runId, finished);
			assert.equal(run.status, 'completed', `run failed: ${run.error}`);
			// The pipeline's last step tries at once; the watchdog (every 20 s) sends the retries.
			const deadline = Date.now() + 90_000;
			while (!receiver.received.some((call) => call.answer === 200 && call.event.type === 'run.completed')) {
				assert.ok(Date.now() < deadline, `the run's end was not delivered: ${JSON.stringify(receiver.received.map((c) => [c.answer, c.body.slice(0, 80)]))}`);
				await new Promise((resolve) => setTimeout(resolve, 500));
			}

			const { rows } = await db.query('select callback_secret from campaigns where name = $1', ['Callbacks']);
			for (const call of receiver.received) assert.ok(verifySignature(rows[0].callback_secret, call.headers, call.body), 'every request is signed');
			const ends = receiver.received.filter((call) => call.event.type === 'run.completed');
			assert.deepEqual(ends.map((call) => call.answer), [500, 500, 200]);
			assert.equal(new Set(ends.map((call) => call.headers['x-reelsmith-delivery'])).size, 1, 'retries keep their delivery id');
			// One per stage, made in the order the stages finished (the sender sends several at once, so they may arrive in another).
			const made = await db.query(
				`select payload->>'stage' as stage, payload->>'message' as message from callback_deliveries
				  where run_id = $1 and event = 'stage.finished' order by created_at, id`,
				[runId],
			);
			assert.deepEqual(made.rows.map((row) => row.stage), ['planning', 'generation', 'validation', 'assembly']);
			assert.equal(made.rows[2].message, '1 of 1 scenes passed');
			const stages = receiver.received.map((call) => call.event).filter((event) => event.type === 'stage.finished');
			assert.deepEqual(stages.map((e) => e.stage).sort(), ['assembly', 'generation', 'planning', 'validation'], 'each stage finished was sent once');

			const { event } = ends[2];
			assert.equal(event.run.id, runId);
			assert.equal(event.run.status, 'completed');
			assert.equal(event.run.campaign.name, 'Callbacks');
			assert.equal(event.run.video.key, run.final_key);
			assert.ok(Math.abs(event.run.duration - Number(run.duration)) < 0.01);
			assert.deepEqual(event.run.failedScenes, []);
			const video = await fetch(event.run.video.url);
			assert.equal(video.status, 200);
			const file = join(dataDir, 'downloads', 'callback.mp4');
			await mkdir(join(dataDir, 'downloads'), { recursive: true });
			await writeFile(file, Buffer.from(await video.arrayBuffer()));
			const facts = inspectFinalVideo(file);
			assert.deepEqual([facts.videoCodec, facts.audioCodec, facts.width, facts.height], ['h264', 'aac', 1080, 1080]);

			const attempts = (
				await db.query(
					`select a.status_code from callback_attempts a join callback_deliveries d on d.id = a.delivery_id
					  where d.run_id = $1 and d.event = 'run.completed' order by a.id`,
					[runId],
				)
			).rows;
			assert.deepEqual(attempts.map((a) => a.status_code), [500, 500, 200], 'every attempt is recorded');
		} finally {
			await receiver.stop();
		}
	});

	test('what people paste (issue 15): plain headings, words kept apart, Arabic in an Arabic voice, a post titled', async () => {
		const markdown = await readFile(join(FIXTURES, 'pasted', 'text-traps.md'), 'utf8');
		const sentence = (n: number) => `Sentence number ${n} of this post has exactly nine words.`;
		const postText = ['How I Fixed My Bike', '', [1, 2, 3].map(sentence).join(' '), '', [4, 5, 6].map(sentence).join(' ')].join('\n');
		const started = await Promise.all([
			post('reelsmith/runs', { script: markdown, preset: 'square', iterations: 1, campaign: 'Issue 15' }),
			post('reelsmith/runs', { script: postText, format: 'post', sceneCount: 2, preset: 'square', iterations: 1, campaign: 'Issue 15' }),
		]);
		for (const answer of started) assert.equal(answer.status, 202, JSON.stringify(answer.json));
		const [markdownRun, postRun] = await Promise.all(started.map((answer) => waitForRun(String(answer.json.runId), finished)));
		for (const run of [markdownRun, postRun]) assert.equal(run.status, 'completed', `run failed: ${run.error}`);

		const scenesOf = async (runId: string) =>
			(await db.query('select number, heading, narration from scenes where run_id = $1 order by number', [runId])).rows;
		const scenes = await scenesOf(markdownRun.id);
		// What the title cards draw: the headings without their Markdown.
		assert.deepEqual(
			scenes.map((scene) => scene.heading),
			['Scene 1: INT. OFFICE KITCHEN - MORNING', 'Scene 2: EXT. ROOF - DAY'],
		);
		const lines: Array<{ speaker: string; text: string; voice: string; start: number; end: number }> = scenes[0].narration;
		assert.deepEqual(
			lines.map((line) => [line.speaker, line.text]),
			[
				['JO', 'Zero width there too, said the note on the fridge.'],
				['SAM', 'مرحبا يا صديقي كيف حالك'],
				['JO', 'Fine, I am coding all day.'],
			],
		);
		// SAM's voice (en-us+f3) in Arabic; five words in seconds (spelled out in English they took 12.6–13.0 s).
		assert.equal(lines[1].voice, 'ar+f3');
		assert.ok(lines[1].end - lines[1].start < 5, `the Arabic line takes ${(lines[1].end - lines[1].start).toFixed(2)} s`);
		assert.equal(lines[0].voice, 'en-us+m3');
		const srt = (await storage.downloadBuffer({ bucket: storage.bucket, key: markdownRun.subtitles_key })).toString('utf8');
		assert.match(srt, /Zero width there too, said the note/, 'the subtitles keep the words apart');

		// The post's title heads its first part; the second carries it with its number.
		assert.deepEqual(
			(await scenesOf(postRun.id)).map((scene) => scene.heading),
			['How I Fixed My Bike', 'How I Fixed My Bike — Part 2'],
		);
	});

	test('runs in German, Japanese and Arabic: subtitles in the script, real glyphs on the cards, the language’s voices', async () => {
		const scripts = async (language: string) => readFile(join(FIXTURES, 'languages', `${language}.fountain`), 'utf8');
		// German in the terminal style with burned subtitles; Japanese and Arabic on title cards, compared with tofu.
		const requests = [
			{ language: 'de', style: 'terminal', subtitles: 'burn', dialogue: ['Wer ruft um diese Zeit noch an?', "Ich bin's. Mach die Tür auf, ich bin völlig durchnässt."] },
			{ language: 'ja-JP', style: 'titleCard', subtitles: 'attach', dialogue: ['こんな時間に誰が電話を？', '僕だよ。ドアを開けて、びしょ濡れなんだ。'] },
			{ language: 'ar', style: 'titleCard', subtitles: 'attach', dialogue: ['من يتصل في هذه الساعة؟', 'أنا. افتح الباب، أنا مبلل تماما.'] },
		];
		const started = await Promise.all(
			requests.map(async ({ language, style, subtitles }) =>
				post('reelsmith/runs', { script: await scripts(language.slice(0, 2)), language, style, subtitles, preset: 'square', iterations: 1, campaign: 'Languages' }),
			),
		);
		for (const answer of started) assert.equal(answer.status, 202, JSON.stringify(answer.json));
		const runs = await Promise.all(started.map((answer) => waitForRun(String(answer.json.runId), finished)));

		// Every language is checked, and all that went wrong is reported together.
		const problems: string[] = [];
		for (const [index, { language, style, dialogue }] of requests.entries()) {
			try {
				await checkLanguage(runs[index], language, style, dialogue);
			} catch (error) {
				problems.push(`${language}: ${(error as Error).message}`);
			}
		}
		assert.deepEqual(problems, []);

		async function checkLanguage(run: (typeof runs)[number], language: string, style: string, dialogue: string[]) {
			assert.equal(run.status, 'completed', `${language} run failed: ${run.error}`);
			assert.equal(run.options.language, language);
			const srt = (await storage.downloadBuffer({ bucket: storage.bucket, key: run.subtitles_key })).toString('utf8');
			// Rows are wrapped (CJK between any two characters), so the text is compared without its white space.
			const spokenText = srtCues(srt).map((cue) => cue.text).join('').replace(/\s+/g, '');
			for (const line of dialogue) assert.ok(spokenText.includes(line.replace(/\s+/g, '')), `${language}: the SRT holds "${line}"\n${srt}`);

			// The narration is the language's espeak-ng voice (with each speaker's variant), as the scene records it.
			const [scene] = (await db.query('select narration, clip_key from scenes where run_id = $1 order by number', [run.id])).rows;
			const voices = (scene.narration as Array<{ voice: string }>).map((line) => line.voice.split('+')[0]);
			assert.deepEqual([...new Set(voices)], [language.slice(0, 2)], `${language} voices: ${JSON.stringify(scene.narration)}`);

			const final = await download(run.final_key, `${language}.mp4`);
			const facts = inspectFinalVideo(final);
			assert.ok(facts.frameLumaSpread > 8, `${language}: the frame is not blank`);
			if (style !== 'titleCard') return;

			// The card as the renderer drew it for the pipeline, against the same card in a font without the script.
			const { rows } = await db.query('select plan from plan_versions where run_id = $1 order by version desc limit 1', [run.id]);
			const clip = await download(scene.clip_key, `${language}-clip.mp4`);
			const frames = Math.round(Number(JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0',
				'-show_entries', 'stream=nb_read_frames', '-of', 'json', clip], { encoding: 'utf8' })).streams[0].nb_read_frames));
			const request = { scene: rows[0].plan.scenes[0], style, preset: 'square', width: 1080, height: 1080, fps: 30, duration: frames / 30, language };
			const swap = language === 'ar' ? { from: ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'], to: 'Lohit-Devanagari.ttf' } : { from: ['wqy-microhei.ttc'], to: 'DejaVuSans.ttf' };
			const compared = await compareGlyphs(clip, request, join(dataDir, `glyphs-${language}`), swap);
			assert.ok(compared.same < 0.002, `${language}: the card drawn again matches the pipeline's (${JSON.stringify(compared)})`);
			assert.ok(compared.tofu > 0.005, `${language}: the pipeline's card is not tofu (${JSON.stringify(compared)})`);
			assert.ok(compared.blank > 0.005, `${language}: the pipeline's card has text (${JSON.stringify(compared)})`);
		}
	});

	test('bad requests get their 4xx with the field named, and write nothing', async () => {
		const script = await readFile(join(FIXTURES, 'three-scenes.fountain'), 'utf8');
		const before = await counts();
		const cases: Array<{ what: string; status: number; field?: string; says?: RegExp; send: () => ReturnType<typeof post> }> = [
			{ what: 'no token', status: 401, send: () => post('reelsmith/runs', { script }, { 'x-reelsmith-token': '' }) },
			{ what: 'wrong token', status: 401, send: () => post('reelsmith/runs', { script }, { 'x-reelsmith-token': 'nope' }) },
			{ what: 'invalid JSON', status: 400, field: 'body', send: () => post('reelsmith/runs', '{"script": "INT. ROOM') },
			{ what: 'no script', status: 400, field: 'script', send: () => post('reelsmith/runs', { preset: 'youtube' }) },
			{
				what: 'script over 200 KB',
				status: 400,
				field: 'script',
				send: () => post('reelsmith/runs', { script: `INT. ROOM - DAY\n\n${'word '.repeat(45_000)}` }),
			},
			{ what: 'no scene', status: 400, field: 'script', send: () => post('reelsmith/runs', { script: '   ', format: 'fountain' }) },
			{ what: 'iterations 0', status: 400, field: 'iterations', send: () => post('reelsmith/runs', { script, iterations: 0 }) },
			{ what: 'iterations 6', status: 400, field: 'iterations', send: () => post('reelsmith/runs', { script, iterations: 6 }) },
			{ what: 'scene count 99', status: 400, field: 'sceneCount', send: () => post('reelsmith/runs', { script, sceneCount: 99 }) },
			{
				what: 'callbackUrl at the metadata address',
				status: 400,
				field: 'callbackUrl',
				says: /169\.254\.169\.254, a link-local address/,
				send: () => post('reelsmith/runs', { script, callbackUrl: 'https://169.254.169.254/latest' }),
			},
			{ what: 'unknown preset', status: 400, field: 'preset', send: () => post('reelsmith/runs', { script, preset: 'imax' }) },
			{ what: 'unknown style', status: 400, field: 'style', send: () => post('reelsmith/runs', { script, style: 'anime' }) },
			{ what: 'not a language', status: 400, field: 'language', says: /BCP 47/, send: () => post('reelsmith/runs', { script, language: 'Deutsch!' }) },
			{ what: 'a language no font draws', status: 400, field: 'language', says: /Thai script/, send: () => post('reelsmith/runs', { script, language: 'th' }) },
			{ what: 'NUL in the script', status: 400, field: 'script', says: /NUL character/, send: () => post('reelsmith/runs', { script: `${script}\u0000` }) },
			{
				what: 'threshold 1e400',
				status: 400,
				field: 'threshold',
				says: /got 1e400, a number too large/,
				send: () => post('reelsmith/runs', `{"script": ${JSON.stringify(script)}, "threshold": 1e400}`),
			},
			// Voices that cannot work: refused before any work, naming the character (espeak-ng speaks: no paid keys here).
			...['--help', '-v', '../../etc/passwd', 'xx-unknown'].map((voice) => ({
				what: `voice ${voice}`,
				status: 400,
				field: 'voiceMap.LEON',
				send: () => post('reelsmith/runs', { script, voiceMap: { ALICE: 'en-us+f3', LEON: voice } }),
			})),
		];
		for (const c of cases) {
			const answer = await c.send();
			assert.equal(answer.status, c.status, `${c.what}: ${JSON.stringify(answer.json)}`);
			if (c.field) assert.equal(answer.json.field, c.field, `${c.what} names the field`);
			assert.ok(typeof answer.json.message === 'string' && answer.json.message.length > 10, `${c.what} explains`);
			if (c.says) assert.match(answer.json.message, c.says, `${c.what} names what was sent`);
			if (c.field === 'voiceMap.LEON') assert.match(String(answer.json.message), /en-us\+f3/, `${c.what}: the answer names voices that work`);
		}
		assert.deepEqual(await counts(), before);
	});

	test('runs beyond the limit wait as queued and start by priority, then arrival', async () => {
		const script = 'INT. OFFICE - DAY\n\nA clock ticks on the wall above an empty desk.\n\nSAM\nWe start now.\n';
		const longer = await readFile(join(FIXTURES, 'three-scenes.fountain'), 'utf8');
		const send = (priority: number, text = script) =>
			post('reelsmith/runs', { script: text, priority, preset: 'square', iterations: 1, campaign: 'Queue check' });
		// Two slots (REELSMITH_MAX_RUNNING unset: its default of 2): the first two start at once, the rest wait. The second run
		// is longer, so slots free one at a time and each start is its own dispatch.
		const first = await send(0);
		const second = await send(0, longer);
		const low = await send(0);
		const high = await send(10);
		for (const answer of [first, second, low, high]) assert.equal(answer.status, 202, JSON.stringify(answer.json));
		assert.equal(first.json.queuePosition, 0);
		assert.equal(second.json.queuePosition, 0);
		assert.equal(low.json.queuePosition, 1);
		assert.equal(high.json.queuePosition, 1, 'the higher priority run goes ahead of the waiting one');
		const waiting = (await db.query('select id, status from runs where id = any($1)', [[low.json.runId, high.json.runId]])).rows;
		assert.ok(waiting.every((r) => r.status === 'queued'), JSON.stringify(waiting));

		const runs = [];
		for (const answer of [first, second, low, high]) runs.push(await waitForRun(String(answer.json.runId), finished));
		assert.ok(runs.every((r) => r.status === 'completed'), JSON.stringify(runs.map((r) => [r.status, r.error])));
		const [, , lowRun, highRun] = runs;
		assert.ok(new Date(highRun.started_at) < new Date(lowRun.started_at), 'priority 10 started before priority 0');
	});

	test('a batch of 8 CSV rows with 2 bad ones queues 6, names the 2 by row and field, and its export ZIP holds every video', async () => {
		const scene = (n: number) => `INT. ROOM ${n} - DAY\n\nA plain room, number ${n}.\n\nMAYA\nTake ${n}.\n`;
		const csv = [
			'title,script,preset,style,priority',
			...[1, 2, 3].map((n) => `"Take ${n}, batch","${scene(n)}",square,,`),
			`Bad preset,"${scene(4)}",cinema,,`,
			...[5, 6].map((n) => `Take ${n},"${scene(n)}",square,terminal,${n}`),
			'No script,,square,,',
			`Take 8,"${scene(8)}",square,,`,
		].join('\n');
		const before = await counts();
		const answer = await post('reelsmith/batches?campaign=Batch%20check', csv, { 'content-type': 'text/csv' });
		assert.equal(answer.status, 202, JSON.stringify(answer.json));
		const { batchId, runs, rejected } = answer.json as {
			batchId: string;
			runs: Array<{ row: number; runId: string; queuePosition: number }>;
			rejected: Array<{ row: number; line: number; field: string; message: string }>;
		};
		assert.deepEqual(runs.map((r) => r.row), [1, 2, 3, 5, 6, 8]);
		assert.deepEqual(rejected.map((r) => [r.row, r.field]), [[4, 'preset'], [7, 'script']]);
		assert.match(rejected[0].message, /"preset" must be one of youtube, shorts, square \(got "cinema"\)/);
		assert.match(rejected[1].message, /"script" is required/);
		assert.ok(runs.every((r) => Number.isInteger(r.queuePosition)), JSON.stringify(runs));
		assert.ok(runs.some((r) => r.queuePosition > 0), 'six runs over two slots: some wait');
		const after = await counts();
		assert.equal(after.runs - before.runs, 6, 'only the good rows are runs');
		const stored = (await db.query('select batch_id, batch_row, options from runs where batch_id = $1 order by batch_row', [batchId])).rows;
		assert.deepEqual(stored.map((r) => r.batch_row), [1, 2, 3, 5, 6, 8]);
		assert.equal(stored[3].options.style, 'terminal', 'a row override is the run\'s option');

		// A batch with no good row writes nothing and names its rows.
		const none = await post('reelsmith/batches', { campaign: 'Batch check', rows: [{ title: 'x' }, { script: scene(1), priority: 500 }] });
		assert.equal(none.status, 400);
		assert.deepEqual((none.json.rejected as Array<{ row: number; field: string }>).map((r) => [r.row, r.field]), [[1, 'script'], [2, 'priority']]);
		assert.equal((await counts()).runs, after.runs);

		const finishedRuns = [];
		for (const run of runs) finishedRuns.push(await waitForRun(run.runId, finished));
		assert.ok(finishedRuns.every((r) => r.status === 'completed'), JSON.stringify(finishedRuns.map((r) => [r.status, r.error])));

		const manifest = await buildBatchExport({ db, storage, presigner: storage }, batchId);
		assert.equal(manifest.runs.length, 6);
		assert.deepEqual(manifest.left, []);
		const zipFile = await download(manifest.zip.key!, 'batch.zip');
		const unzipped = join(dataDir, 'batch');
		execFileSync('unzip', ['-q', '-o', zipFile, '-d', unzipped]);
		for (const entry of manifest.runs) {
			const names = (await readdir(join(unzipped, entry.folder))).sort();
			assert.deepEqual(names, ['metadata.json', 'subtitles.srt', 'thumbnail.jpg', 'video.mp4'], entry.folder);
			const metadata = JSON.parse(await readFile(join(unzipped, entry.folder, 'metadata.json'), 'utf8'));
			assert.equal(metadata.runId, entry.runId);
			assert.match(await readFile(join(unzipped, entry.folder, 'subtitles.srt'), 'utf8'), new RegExp(`Take ${entry.row}\\.`));
		}
		assert.equal(manifest.runs[0].folder, '001-take-1-batch');
		const facts = inspectFinalVideo(join(unzipped, manifest.runs[0].folder, 'video.mp4'));
		assert.equal(facts.videoCodec, 'h264');
		assert.equal(facts.width, 1080);
		assert.equal(facts.height, 1080);
		assert.ok(facts.duration > 1, `duration ${facts.duration}`);
		// The manifest is in storage beside the ZIP, and its links open the files.
		const storedManifest = JSON.parse((await storage.downloadBuffer(storage.ref(batchManifestKey(batchId)))).toString('utf8'));
		assert.equal(storedManifest.zip.key, batchExportKey(batchId));
		const video = await fetch(storedManifest.runs[0].files[0].url);
		assert.equal(video.status, 200);
		assert.equal(Number(video.headers.get('content-length')), manifest.runs[0].files[0].bytes);
	});

	test('a scene that keeps failing is retried, recorded with its reason, and fails the run without breaking the others', async () => {
		// LEON speaks only in scene 3. The webhook refuses a voice espeak-ng does not have, so his voice goes missing
		// after the run was accepted (as an ElevenLabs voice deleted from the account would): while the run waits for
		// its storyboard decision, its stored voice map is changed; that scene then fails every time.
		const script = await readFile(join(FIXTURES, 'four-scenes.fountain'), 'utf8');
		const answer = await post('reelsmith/runs', {
			script,
			preset: 'square',
			iterations: 1,
			validationAttempts: 1,
			approval: true,
			voiceMap: { LEON: 'en-us+m7' },
		});
		assert.equal(answer.status, 202, JSON.stringify(answer.json));
		const runId = String(answer.json.runId);
		const waiting = await waitForRun(runId, (r) => r.status === 'awaiting_approval' || finished(r));
		assert.equal(waiting.status, 'awaiting_approval', String(waiting.error));
		const { rows } = await db.query(
			`update runs set options = jsonb_set(options, '{voiceMap,LEON}', '"xx-unknown"'),
			        approval = 'approved', approval_by = 'e2e@example.com', approval_at = now()
			  where id = $1 returning approval_url`,
			[runId],
		);
		const approved = await fetch(rows[0].approval_url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ runId, decision: 'approve' }),
		});
		assert.equal(approved.status, 200, await approved.text());
		const run = await waitForRun(runId, finished);
		assert.equal(run.status, 'failed');
		assert.match(String(run.error), /Scene 3/, 'the run says which scene failed');

		const scenes = (await db.query('select number, status, attempts, error from scenes where run_id = $1 order by number', [runId])).rows;
		assert.deepEqual(
			scenes.map((s) => [s.number, s.status]),
			[
				[1, 'completed'],
				[2, 'completed'],
				[3, 'failed'],
				[4, 'completed'],
			],
		);
		const failed = scenes[2];
		assert.equal(failed.attempts, 2, 'made once, then once more by the validation loop');
		assert.match(String(failed.error), /voice/i, `the reason is in plain words: ${failed.error}`);
		assert.doesNotMatch(String(failed.error), /\n\s+at /, 'no stack trace');
	});

	test('a step that throws marks the run failed with a readable message, and resume finishes it', async () => {
		// Make the store refuse the very last write (the run's completion), as a database outage at that moment would.
		await db.query(`create function refuse_completion() returns trigger language plpgsql as $$
			begin raise exception 'the database refused the write (test outage)'; end $$`);
		await db.query(`create trigger refuse_completion before update on runs for each row
			when (new.status = 'completed') execute function refuse_completion()`);
		let runId = '';
		try {
			const script = await readFile(join(FIXTURES, 'three-scenes.fountain'), 'utf8');
			const answer = await post('reelsmith/runs', { script, preset: 'square', iterations: 1 });
			assert.equal(answer.status, 202, JSON.stringify(answer.json));
			runId = String(answer.json.runId);
			const run = await waitForRun(runId, finished);
			assert.equal(run.status, 'failed');
			assert.match(String(run.error), /^Step "Complete run" failed: .*test outage/, 'names the step and the reason');
			assert.doesNotMatch(String(run.error), /\n\s+at /, 'no stack trace');
			const failedEvent = (await db.query(`select message from events where run_id = $1 and status = 'failed'`, [runId])).rows;
			assert.ok(failedEvent.length >= 1, 'the failure is an event too');
		} finally {
			await db.query('drop trigger refuse_completion on runs');
			await db.query('drop function refuse_completion');
		}

		const before = (await db.query('select number, attempts, finished_at from scenes where run_id = $1', [runId])).rows;
		assert.equal(before.length, 3, 'the scenes were made before the failure');
		const resumed = await post('reelsmith/resume', { runId });
		assert.equal(resumed.status, 202, JSON.stringify(resumed.json));
		const run = await waitForRun(runId, finished);
		assert.equal(run.status, 'completed', `run failed: ${run.error}`);
		const after = (await db.query('select number, attempts, finished_at from scenes where run_id = $1', [runId])).rows;
		assert.deepEqual(
			after.map((s) => [s.number, s.attempts]).sort(),
			before.map((s) => [s.number, s.attempts]).sort(),
			'no scene was made again',
		);
		const generation = (
			await db.query(`select count(*)::int as n from events where run_id = $1 and stage = 'generation' and status = 'finished'`, [runId])
		).rows[0].n;
		assert.equal(generation, 2, 'the resumed generation stage finished too, with nothing left to make');
	});

	test('n8n killed mid-generation and started again: the run completes by itself, without re-rendering completed scenes', async () => {
		const script = await readFile(join(FIXTURES, 'four-scenes.fountain'), 'utf8');
		const answer = await post('reelsmith/runs', { script, concurrency: 1, iterations: 1 });
		assert.equal(answer.status, 202, JSON.stringify(answer.json));
		const runId = String(answer.json.runId);

		// Wait until some scenes are done and some are not, then kill n8n where it stands.
		const deadline = Date.now() + RUN_TIMEOUT_MS;
		let completedBefore: Array<{ number: number; attempts: number; finished_at: Date }> = [];
		for (;;) {
			const { rows } = await db.query(
				`select number, attempts, finished_at, status from scenes where run_id = $1 order by number`,
				[runId],
			);
			completedBefore = rows.filter((r) => r.status === 'completed');
			if (rows.length === 4 && completedBefore.length >= 1 && completedBefore.length < 4) break;
			assert.ok(Date.now() < deadline, 'generation reached the middle');
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		// While it is being made, Resume is refused and changes nothing (generation goes on meanwhile, so only the
		// run's row and its run-level events are compared).
		const runState = async () =>
			(
				await db.query(
					`select status, execution_id, lease_owner, queued_at, recoveries,
					        (select count(*)::int from events where run_id = $1 and stage = 'run') as run_events
					   from runs where id = $1`,
					[runId],
				)
			).rows[0];
		const before = await runState();
		const refused = await post('reelsmith/resume', { runId });
		assert.equal(refused.status, 409, JSON.stringify(refused.json));
		assert.match(String(refused.json.message), /is still running: n8n execution \d+ holds its lease until/);
		assert.deepEqual(await runState(), before, 'a refused resume writes nothing');

		await stack.killN8n('SIGKILL');
		const interrupted = (await db.query('select status from runs where id = $1', [runId])).rows[0];
		assert.notEqual(interrupted.status, 'completed');

		// Nobody calls resume: the watchdog finds the expired lease and the dispatcher starts the run again.
		await stack.startN8n();
		const run = await waitForRun(runId, finished);
		assert.equal(run.status, 'completed', `run failed: ${run.error}`);
		assert.equal(run.recoveries, 1);
		const { rows: recovered } = await db.query(
			"select message from events where run_id = $1 and data->>'reason' = 'lease_expired'",
			[runId],
		);
		assert.equal(recovered.length, 1);
		assert.match(recovered[0].message, /stopped renewing its lease/);

		const after = (await db.query('select number, attempts, finished_at, status from scenes where run_id = $1', [runId])).rows;
		assert.equal(after.length, 4);
		assert.ok(after.every((s) => s.status === 'completed'));
		for (const done of completedBefore) {
			const now = after.find((s) => s.number === done.number);
			assert.equal(now.attempts, done.attempts, `scene ${done.number} was not rendered again`);
			assert.equal(new Date(now.finished_at).getTime(), new Date(done.finished_at).getTime());
		}
	});
});
