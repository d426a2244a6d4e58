/**
 * Probe once across the pipeline (issue 12): the facts Mux learns of a scene video are saved with the scene
 * (scenes.scene_media), so the assembly input carries complete references and Join scenes starts no ffprobe for
 * them. ffprobe runs are counted as bench/probe.ts counts them: a wrapper on REELSMITH_FFPROBE_PATH, in place before
 * the transport reads it.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it, vi, beforeAll } from 'vitest';
import type { IDataObject } from 'n8n-workflow';
import { FFmpeg } from '../../nodes/FFmpeg/FFmpeg.node';
import { executionContext } from '../helpers/execution-context';
import { makeClip, makeTone, tempDir } from '../fixtures/media/make';
import { acceptParams, fountain, runCampaign, useStore, webhookItem } from './fixture';

const counter = vi.hoisted(() => {
	const { chmodSync, mkdtempSync, writeFileSync } = process.getBuiltinModule('node:fs');
	const { tmpdir } = process.getBuiltinModule('node:os');
	const { join } = process.getBuiltinModule('node:path');
	const dir = mkdtempSync(join(tmpdir(), 'reelsmith-ffprobe-count-'));
	const file = join(dir, 'runs.txt');
	const wrapper = join(dir, 'ffprobe');
	writeFileSync(file, '');
	writeFileSync(wrapper, `#!/bin/sh\necho run >> '${file}'\nexec ${process.env.REELSMITH_FFPROBE_PATH || 'ffprobe'} "$@"\n`);
	chmodSync(wrapper, 0o755);
	process.env.REELSMITH_FFPROBE_PATH = wrapper;
	return file;
});
const probes = async () => (await readFile(counter, 'utf8')).split('\n').filter(Boolean).length;

describe('scene media saved with the scene', () => {
	const store = useStore({ resetRuns: true });
	let tmp: Awaited<ReturnType<typeof tempDir>>;
	beforeAll(async () => {
		tmp = await tempDir();
		await makeClip(tmp.path('clip.mp4'), { duration: 1, audio: 'silent' });
		await makeTone(tmp.path('narration.wav'), { duration: 0.6 });
	});

	const campaign = (params: IDataObject) => runCampaign(store, params).then((outputs) => outputs[0]);
	const ffmpeg = async (parameters: IDataObject, json: IDataObject = {}) => {
		const context = executionContext({
			items: [json],
			parameters,
			credentials: { reelsmithS3Api: store.credentials.reelsmithS3Api },
			node: {
				id: 'ffmpeg-1',
				name: 'FFmpeg',
				type: 'n8n-nodes-reelsmith.ffmpeg',
			},
		});
		const [output] = await new FFmpeg().execute.call(context);
		return output[0].json;
	};

	/** A run of three scenes, each muxed by the FFmpeg node and saved as generate-scene.json saves it. */
	async function madeRun(): Promise<{
		runId: string;
		sceneVideos: IDataObject[];
	}> {
		const items = [webhookItem({ script: fountain(3), style: 'terminal' })];
		const [[accepted]] = await runCampaign(store, (i) => acceptParams(i, items), items);
		const runId = accepted.json.runId as string;
		const plan = (await import('../../nodes/shared/screenplay/parse')).parseScript(fountain(3), { format: 'auto' });
		await campaign({ resource: 'scene', operation: 'prepare', runId, plan });
		const storage = (await import('../../nodes/shared/transport/storage')).Storage;
		const s3 = new storage(store.credentials.reelsmithS3Api as never);
		const sceneVideos: IDataObject[] = [];
		for (const n of [1, 2, 3]) {
			const clip = await s3.uploadFile(tmp.path('clip.mp4'), `runs/${runId}/scenes/00${n}/clip.mp4`, 'video/mp4');
			const narration = await s3.uploadFile(tmp.path('narration.wav'), `runs/${runId}/scenes/00${n}/narration.wav`, 'audio/wav');
			const muxed = await ffmpeg(
				{
					operation: 'mux',
					video: clip,
					audio: narration,
					duration: 0,
					loudnessTarget: -14,
				},
				{ runId, sceneNumber: n },
			);
			const sceneVideo = muxed.sceneVideo as IDataObject;
			await campaign({
				resource: 'scene',
				operation: 'update',
				runId,
				sceneNumber: n,
				status: 'completed',
				sceneKey: sceneVideo.key,
				sceneMedia: sceneVideo.media,
				duration: sceneVideo.duration,
			});
			sceneVideos.push(sceneVideo);
		}
		return { runId, sceneVideos };
	}

	it('Scene Update keeps what Mux learned of the scene video, and the assembly input hands it on', async () => {
		const { runId, sceneVideos } = await madeRun();
		const { rows } = await store.db.query('select number, scene_media from scenes where run_id = $1 order by number', [runId]);
		assert.deepEqual(
			rows.map((row) => row.scene_media),
			sceneVideos.map((video) => video.media),
		);
		// Mux says what it brought the sound to (ffprobe cannot), so the join need not measure it.
		assert.deepEqual(
			sceneVideos.map((video) => ((video.media as IDataObject).audio as IDataObject).loudness),
			[-14, -14, -14],
		);
		const [assembly] = await campaign({
			resource: 'scene',
			operation: 'list',
			runId,
			mode: 'assembly',
		});
		const clips = assembly.json.clips as IDataObject[];
		assert.deepEqual(
			clips.map((clip) => clip.media),
			sceneVideos.map((video) => video.media),
		);
		const [each] = await campaign({
			resource: 'scene',
			operation: 'list',
			runId,
			mode: 'each',
			sceneNumbers: '[2]',
		});
		assert.deepEqual((each.json.sceneVideo as IDataObject).media, sceneVideos[1].media, 'validation gets it too');

		// A new scene video without its facts must not inherit the old one's: it is probed where it is used.
		await campaign({
			resource: 'scene',
			operation: 'update',
			runId,
			sceneNumber: 2,
			sceneKey: `runs/${runId}/scenes/002/other.mp4`,
		});
		const [again] = await campaign({
			resource: 'scene',
			operation: 'list',
			runId,
			mode: 'assembly',
		});
		assert.deepEqual(
			(again.json.clips as IDataObject[]).map((clip) => 'media' in clip),
			[true, false, true],
		);

		await assert.rejects(
			campaign({
				resource: 'scene',
				operation: 'update',
				runId,
				sceneNumber: 1,
				sceneMedia: '{"duration": 1}',
			}),
			/"Scene Video Media" must be the media facts Mux gives its scene video/,
		);
	});

	it('Join scenes on the assembly input probes none of the scenes (only the joined video it uploads)', async () => {
		const { runId } = await madeRun();
		const [assembly] = await campaign({
			resource: 'scene',
			operation: 'list',
			runId,
			mode: 'assembly',
		});
		const clips = assembly.json.clips as IDataObject[];
		const join = async (list: IDataObject[]) => {
			const before = await probes();
			const joined = await ffmpeg(
				{
					operation: 'concat',
					clips: list,
					mode: 'auto',
					transition: 'none',
					outputKey: '',
				},
				{ runId },
			);
			return { runs: (await probes()) - before, joined };
		};
		const complete = await join(clips);
		assert.equal(complete.runs, 1, 'one ffprobe: of the joined video, for its own reference');
		assert.equal(complete.joined.concatMode, 'copy');
		assert.ok(Math.abs(Number((complete.joined.video as IDataObject).duration) - 3) < 0.1);
		// The same scenes as assembly got them before scene_media: every one probed.
		const bare = await join(clips.map(({ media: _media, ...clip }) => clip));
		assert.equal(bare.runs, 4);
	});
});
