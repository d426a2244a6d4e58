import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { probeMedia } from '../../nodes/FFmpeg/lib/probe';
import { buildSrt } from '../../nodes/FFmpeg/lib/srt';
import { attachSubtitles, burnSubtitles } from '../../nodes/FFmpeg/lib/subtitles';
import { grayPixels, makeClip, meanDifference, tempDir } from '../fixtures/media/make';

const cues = [
	{ start: 0, end: 1, text: 'He said: "100% sure"', speaker: 'ALICE' },
	{ start: 1, end: 2, text: "C:\\temp\\it's {fine} 🎬" },
];

describe('subtitles', () => {
	let tmp: Awaited<ReturnType<typeof tempDir>>;
	let clip: string;
	before(async () => {
		tmp = await tempDir();
		clip = await makeClip(tmp.path('clip.mp4'), { duration: 2, color: 'navy' });
	});
	after(() => tmp.cleanup());

	it('attaches a mov_text soft track and copies video and audio', async () => {
		const srt = tmp.path('subs.srt');
		await writeFile(srt, buildSrt(cues, { speakerPrefix: true }));
		const output = tmp.path('attached.mp4');
		await attachSubtitles({ video: clip, srt, output });
		const before = await probeMedia(clip, { measureAudio: false });
		const probe = await probeMedia(output, { measureAudio: false });
		assert.deepEqual(probe.subtitles, [{ codec: 'mov_text', language: 'eng' }]);
		assert.equal(probe.faststart, true);
		assert.deepEqual(probe.video, before.video, 'video is copied untouched');
		// The track reads back as the text that was written.
		const { stdout } = await promisify(execFile)('ffmpeg', ['-v', 'error', '-i', output, '-map', '0:s:0', '-f', 'srt', '-']);
		assert.match(stdout, /ALICE: He said: "100% sure"/);
		assert.match(stdout.replaceAll('\u2060', ''), /C:\\temp\\it's \{fine\} 🎬/);
	});

	it('burns the text into the picture where the subtitles sit, and nowhere else', async () => {
		// A folder name with a quote, a colon, a backslash and spaces: burning must not depend on escaping it.
		const dir = tmp.path("it's: a \\ folder");
		await promisify(execFile)('mkdir', ['-p', dir]);
		const srt = `${dir}/subs [1].srt`;
		await writeFile(srt, buildSrt([{ start: 0, end: 2, text: 'WWWW MMMM WWWW' }], { renderer: 'libass' }));
		const output = tmp.path('burned.mp4');
		await burnSubtitles({ video: clip, srt, output, fontSize: 24 });

		const bottom = { x: 80, y: 145, width: 160, height: 30 };
		const top = { x: 40, y: 10, width: 240, height: 50 };
		const textDiff = meanDifference(await grayPixels(clip, 0.5, bottom), await grayPixels(output, 0.5, bottom));
		const topDiff = meanDifference(await grayPixels(clip, 0.5, top), await grayPixels(output, 0.5, top));
		assert.ok(textDiff > 10, `text region changed by ${textDiff}`);
		assert.ok(topDiff < 2, `top region changed by ${topDiff}`);
		const probe = await probeMedia(output, { measureAudio: false });
		assert.equal(probe.audio?.codec, 'aac');
		assert.equal(probe.faststart, true);
	});
});
