import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import terminalLooks from '../../nodes/shared/data/terminalLooks.json';
import { clipAlphaKey } from '../../nodes/shared/keys';
import { ffprobe } from '../../nodes/shared/transport/ffmpeg';
import { exportWithAlpha } from '../../nodes/FFmpeg/actions/exportAlpha.operation';
import { renderClip } from '../../nodes/shared/render';
import { runBinary } from '../video-generation/context';
import { makeScene } from '../video-generation/scenes';

let root: string;
let clip: string;
beforeAll(async () => {
	root = await mkdtemp(join(tmpdir(), 'reelsmith-alpha-'));
	clip = await renderClip(
		{
			scene: makeScene(),
			style: 'terminal',
			preset: 'test',
			width: 320,
			height: 180,
			fps: 30,
			duration: 1,
		},
		root,
	);
});
afterAll(async () => {
	await rm(root, { recursive: true, force: true });
});

/** RGBA of the frame at 0.9 s, decoded with its alpha. */
async function rgba(file: string): Promise<Buffer> {
	const { stdout } = await runBinary('ffmpeg', [
		'-v',
		'error',
		'-c:v',
		file.endsWith('.webm') ? 'libvpx-vp9' : 'prores',
		'-ss',
		'0.9',
		'-i',
		file,
		'-frames:v',
		'1',
		'-pix_fmt',
		'rgba',
		'-f',
		'rawvideo',
		'pipe:1',
	]);
	return stdout;
}

describe('FFmpeg Export With Alpha', () => {
	test("the standard key is the scene folder's clip-alpha file", () => {
		assert.equal(clipAlphaKey('r1', 7, 'mov'), 'runs/r1/scenes/007/clip-alpha.mov');
		assert.equal(clipAlphaKey('r1', 7, 'webm'), 'runs/r1/scenes/007/clip-alpha.webm');
	});

	for (const [format, pixFmt] of [
		['mov', 'yuva444p10le'],
		['webm', 'yuva420p'],
	] as const) {
		test(`${format}: a pixel format with alpha; the screen background is transparent, the title bar and text are not`, async () => {
			const output = join(root, `clip-alpha.${format}`);
			await exportWithAlpha(clip, output, format, terminalLooks.schemes.list.green.background);
			const video = (await ffprobe(output)).streams.find((stream) => stream.codec_type === 'video')!;
			if (format === 'mov') {
				// prores_ks writes 10-bit 4:4:4:4; this ffmpeg's ProRes decoder (what ffprobe reports) gives it as 12-bit.
				assert.match(video.pix_fmt ?? '', /^yuva444p1[02]le$/);
			} else {
				// VP9 carries alpha beside the picture (alpha_mode 1); libvpx decodes it as yuva420p.
				assert.equal((video as { tags?: Record<string, string> }).tags?.alpha_mode, '1');
				const { stderr } = await runBinary('ffmpeg', ['-v', 'verbose', '-c:v', 'libvpx-vp9', '-i', output, '-frames:v', '1', '-f', 'null', '-']);
				assert.match(stderr, new RegExp(`Video: vp9.*${pixFmt}\\(`));
			}
			const frame = await rgba(output);
			const alpha = (x: number, y: number) => frame[(y * 320 + x) * 4 + 3];
			assert.ok(alpha(300, 160) < 10, `a background pixel is transparent (alpha ${alpha(300, 160)})`);
			assert.ok(alpha(160, 3) > 200, `the title bar stays opaque (alpha ${alpha(160, 3)})`);
			let opaque = 0;
			for (let i = 3; i < frame.length; i += 4) if (frame[i] > 200) opaque++;
			assert.ok(opaque > 320 * 180 * 0.05 && opaque < 320 * 180 * 0.5, `only the bar and the text are opaque (${opaque} px)`);
		});
	}
});
