import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { NodeOperationError, type IDataObject } from 'n8n-workflow';
import { clipKey } from '../../nodes/shared/keys';
import { ffprobe } from '../../nodes/shared/transport/ffmpeg';
import { clipDuration } from '../../nodes/VideoGeneration/actions/generate.operation';
import { VideoGeneration } from '../../nodes/VideoGeneration/VideoGeneration.node';
import { downloadTo, useS3 } from '../helpers/s3';
import { useWorkDir } from '../helpers/work-dir';
import { brightBox, executeContext, lumaFrame, type Parameter } from './context';
import { makeScene } from './scenes';

const s3 = useS3();
const work = useWorkDir('reelsmith-vg-node-');

/** The node's parameters as n8n would resolve their default expressions for each item. */
const defaults: Record<string, Parameter> = {
	operation: 'generate',
	provider: 'local',
	style: (json: IDataObject) => (json.options as IDataObject | undefined)?.style,
	preset: (json: IDataObject) => (json.options as IDataObject | undefined)?.preset,
	terminalScheme: (json: IDataObject) => (json.options as IDataObject | undefined)?.terminalScheme,
	terminalCursor: (json: IDataObject) => (json.options as IDataObject | undefined)?.terminalCursor,
	terminalPrompt: (json: IDataObject) => (json.options as IDataObject | undefined)?.terminalPrompt,
	terminalChrome: (json: IDataObject) => (json.options as IDataObject | undefined)?.terminalChrome,
	terminalEffects: (json: IDataObject) => [].concat(((json.options as IDataObject | undefined)?.terminalEffects as never) ?? []).join(','),
	scene: (json: IDataObject) => json.scene,
	narration: (json: IDataObject) => json.narration,
	duration: 0,
	// outputKey stays empty, as its default: the clip goes to the run's standard key (keys.clipKey).
	options: { pollInterval: 100, timeout: 120, concurrency: 2 },
};

function sceneItem(sceneNumber: number, overrides: IDataObject = {}): IDataObject {
	return {
		runId: 'run-vg',
		sceneNumber,
		scene: makeScene({ number: sceneNumber, duration: 1 }) as unknown as IDataObject,
		options: { style: 'terminal', preset: 'square' },
		attempt: 1,
		...overrides,
	};
}

async function run(items: IDataObject[], options: { continueOnFail?: boolean; parameters?: Record<string, Parameter> } = {}) {
	const context = executeContext({
		items,
		parameters: { ...defaults, ...options.parameters },
		s3,
		continueOnFail: options.continueOnFail,
		nodeName: 'Video Generation',
	});
	return new VideoGeneration().execute.call(context);
}

describe('Video Generation node', () => {
	test('renders each scene item into storage at the clip key, keeps pairedItem, and Continue On Fail keeps good items', async () => {
		const items = [
			sceneItem(1),
			sceneItem(2, { options: { style: 'watercolour', preset: 'square' } }),
			sceneItem(3, {
				options: { style: 'titleCard', preset: 'square' },
				narration: { bucket: s3.bucket, key: 'x', duration: 1.72, lines: [] },
			}),
		];
		const [output] = await run(items, { continueOnFail: true });
		assert.equal(output.length, 3);
		assert.deepEqual(
			output.map((item) => item.pairedItem),
			[{ item: 0 }, { item: 1 }, { item: 2 }],
		);

		assert.match(String(output[1].json.error), /"Style" must be one of titleCard, terminal \(got "watercolour"\)/);
		assert.equal(output[1].json.clip, undefined);

		for (const [index, sceneNumber] of [
			[0, 1],
			[2, 3],
		]) {
			const json = output[index].json;
			const clip = json.clip as IDataObject;
			assert.equal(json.provider, 'local');
			assert.match(String(json.taskId), /^local-/);
			assert.equal(json.runId, 'run-vg', 'input fields are kept');
			assert.equal(clip.key, clipKey('run-vg', sceneNumber));
			assert.equal(clip.bucket, s3.bucket);
			assert.equal(clip.width, 1080);
			assert.equal(clip.height, 1080);
			const stored = await s3.storage.stat({ bucket: s3.bucket, key: String(clip.key) });
			assert.ok(stored && stored.bytes === clip.bytes && stored.bytes > 1000);
		}
		assert.equal((output[0].json.clip as IDataObject).duration, 1);
		// Narration of 1.72 s is longer than the 1 s scene: 1.72 + 0.5 rounded up to 0.1 s.
		assert.equal((output[2].json.clip as IDataObject).duration, 2.3);

		const file = await downloadTo(s3, clipKey('run-vg', 3), work.file('clip3.mp4'));
		const probe = await ffprobe(file);
		assert.deepEqual(
			probe.streams.map((stream) => stream.codec_type),
			['video', 'audio'],
		);
		assert.equal(probe.streams[0].nb_frames, '69');
	});

	test('without Continue On Fail a bad item stops the node with an error naming the field and the item', async () => {
		await assert.rejects(
			run([sceneItem(1, { options: { style: 'terminal', preset: 'imax' } })], { parameters: { duration: 0.5 } }),
			(error: NodeOperationError) => {
				assert.ok(error instanceof NodeOperationError);
				assert.match(error.message, /Scene 1: "Preset" must be one of youtube, shorts, square \(got "imax"\)/);
				assert.equal(error.context.itemIndex, 0);
				return true;
			},
		);
	});

	test('bad parameters give messages that say what to do', async () => {
		const [output] = await run(
			[
				sceneItem(1, { scene: undefined }),
				sceneItem(2, { scene: makeScene({ number: 2, duration: 0 }) as unknown as IDataObject }),
				sceneItem(3, { scene: makeScene({ number: 3, duration: 121 }) as unknown as IDataObject }),
				sceneItem(4, { runId: undefined }),
			],
			{ continueOnFail: true },
		);
		assert.match(String(output[0].json.error), /"Scene" is missing/);
		assert.match(String(output[1].json.error), /Scene 2: "Duration" must be more than 0 and at most 120 seconds \(got 0\)/);
		assert.match(String(output[2].json.error), /Scene 3: "Duration" .* \(got 121\)/);
		assert.match(
			String(output[3].json.error),
			/^Scene 4: "Output Key" is empty and the item has no runId, so there is no standard key for the clip\. Pass items with runId and sceneNumber/,
		);
	});

	test('the clip key: the scene number of the plan scene when the item has none, or the Output Key when set', async () => {
		const [output] = await run([sceneItem(5, { sceneNumber: undefined }), sceneItem(6, { key: 'tests/own-clip.mp4' })], {
			parameters: { duration: 0.5, outputKey: (json: IDataObject) => json.key ?? '' },
		});
		assert.deepEqual(
			output.map((item) => (item.json.clip as IDataObject).key),
			[clipKey('run-vg', 5), 'tests/own-clip.mp4'],
		);
		assert.ok(await s3.storage.stat({ bucket: s3.bucket, key: 'tests/own-clip.mp4' }));
	});

	test('a Shorts terminal clip shows phone-sized text across the frame, in the middle of it, not in the top corner', async () => {
		const [output] = await run([sceneItem(7, { options: { style: 'terminal', preset: 'shorts' } })], { parameters: { duration: 2 } });
		const clip = output[0].json.clip as IDataObject;
		assert.deepEqual([clip.width, clip.height], [1080, 1920]);
		const file = await downloadTo(s3, String(clip.key), work.file('shorts-terminal.mp4'));
		// Half size is enough to find the text; the bright pixels below the title bar (4 % of the height) are the typed lines.
		const [width, height] = [540, 960];
		const frame = await lumaFrame(file, 1.9, width, height);
		const text = brightBox(frame, width, 60, Math.ceil(height * 0.06));
		assert.ok(text, 'the frame shows typed text');
		const share = (text.right - text.left + 1) / width;
		const centre = (text.top + text.bottom) / 2 / height;
		assert.ok(share > 0.6, `the text spans ${Math.round(share * 100)} % of the width`);
		assert.ok(text.top > height * 0.2, `the text starts at ${Math.round((text.top / height) * 100)} % of the height, below the top fifth`);
		assert.ok(centre > 0.3 && centre < 0.6, `the text's centre is at ${Math.round(centre * 100)} % of the height`);
		// Four rows (two lines, each wrapped once) of letters a phone can show: at least an eighth of the height.
		assert.ok(text.bottom - text.top > height / 8, `the text is ${text.bottom - text.top} of ${height} px tall`);
	});

	test("the run's terminal colours reach the clip; an unknown scheme, cursor, window, effect or prompt is refused by name", async () => {
		const [output] = await run(
			[
				sceneItem(8, { options: { style: 'terminal', preset: 'square', terminalScheme: 'light', terminalCursor: 'underline' } }),
				sceneItem(9, { options: { style: 'terminal', preset: 'square', terminalScheme: 'pink' } }),
				sceneItem(10, { options: { style: 'terminal', preset: 'square', terminalCursor: 'beam' } }),
				sceneItem(11, { options: { style: 'terminal', preset: 'square', terminalChrome: 'round' } }),
				sceneItem(12, { options: { style: 'terminal', preset: 'square', terminalEffects: ['scanlines', 'blur'] } }),
				sceneItem(13, { options: { style: 'terminal', preset: 'square', terminalPrompt: 'zsh' } }),
			],
			{ continueOnFail: true, parameters: { duration: 0.5 } },
		);
		const file = await downloadTo(s3, String((output[0].json.clip as IDataObject).key), work.file('light.mp4'));
		const frame = await lumaFrame(file, 0.4);
		assert.ok(frame.reduce((sum, value) => sum + value, 0) / frame.length > 200, 'the light scheme makes a light screen');
		assert.match(String(output[1].json.error), /Scene 9: "Terminal Colours" must be one of green, amber, solarizedDark, light \(got "pink"\)\. .*terminalScheme/);
		assert.match(String(output[2].json.error), /Scene 10: "Terminal Cursor" must be one of block, underline, bar \(got "beam"\)/);
		assert.match(String(output[3].json.error), /Scene 11: "Terminal Window" must be one of mac, plain, none \(got "round"\)\. .*terminalChrome/);
		assert.match(String(output[4].json.error), /Scene 12: "Terminal Effects" may hold scanlines, glitch \(got "blur"\)/);
		assert.match(String(output[5].json.error), /Scene 13: "Terminal Prompt" must be one of arrow, dollar, chevron, shell, none \(got "zsh"\)/);
	});

	test('duration 0 = max(scene, narration + 0.5 s) rounded up to 0.1 s', () => {
		assert.equal(clipDuration({ duration: 4.2 }), 4.2);
		assert.equal(clipDuration({ duration: 4.2 }, { duration: 3.1 }), 4.2);
		assert.equal(clipDuration({ duration: 4.2 }, { duration: 3.81 }), 4.4);
		assert.equal(clipDuration({ duration: 2 }, { duration: 1.5 }), 2);
		assert.ok(Number.isNaN(clipDuration({})));
	});
});
