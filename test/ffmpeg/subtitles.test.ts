import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { IExecuteFunctions } from 'n8n-workflow';
import { FFmpeg } from '../../nodes/FFmpeg/FFmpeg.node';
import { probeMedia } from '../../nodes/FFmpeg/lib/probe';
import { buildSrt, formatSrtTime } from '../../nodes/FFmpeg/lib/srt';
import { wordsFromAlignment } from '../../nodes/TextToSpeech/providers/elevenlabs';
import { alignmentFor } from '../fakes/elevenlabs';
import { attachSubtitles, burnSubtitles } from '../../nodes/FFmpeg/lib/subtitles';
import { grayPixels, makeClip, meanDifference, tempDir } from '../fixtures/media/make';
import { executionContext } from '../helpers/execution-context';
import { startS3, type TestS3 } from '../helpers/s3';
import { s3Credential } from '../video-generation/context';
import { fontPath } from '../../nodes/shared/fonts';

const cues = [
	{ start: 0, end: 1, text: 'He said: "100% sure"', speaker: 'ALICE' },
	{ start: 1, end: 2, text: "C:\\temp\\it's {fine} 🎬" },
];

describe('subtitles', () => {
	let tmp: Awaited<ReturnType<typeof tempDir>>;
	let clip: string;
	beforeAll(async () => {
		tmp = await tempDir();
		clip = await makeClip(tmp.path('clip.mp4'), { duration: 2, color: 'navy' });
	});
	afterAll(() => tmp.cleanup());

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

	it('a soft track built from word timings plays each subtitle from its first word to its last', async () => {
		// "Who is there?" as the ElevenLabs fake aligns it, spoken from 0.2 s into the clip.
		const words = wordsFromAlignment(alignmentFor('Who is there? I can hear you breathing behind the kitchen door.').alignment).map((word) => ({
			text: word.text,
			start: Math.round((0.2 + word.start) * 1000) / 1000,
			end: Math.round((0.2 + word.end) * 1000) / 1000,
		}));
		const srt = tmp.path('words.srt');
		await writeFile(srt, buildSrt([{ start: 0.2, end: words[words.length - 1].end, text: 'ignored', words }], { maxLineLength: 20, maxLines: 1 }));
		const output = tmp.path('words.mp4');
		await attachSubtitles({ video: clip, srt, output });
		const { stdout } = await promisify(execFile)('ffmpeg', ['-v', 'error', '-i', output, '-map', '0:s:0', '-f', 'srt', '-']);
		const times = [...stdout.matchAll(/(\d\d:\d\d:\d\d,\d{3}) --> (\d\d:\d\d:\d\d,\d{3})\n(.+)/g)].map(([, start, end, text]) => ({ start, end, text }));
		// One row of ≤ 20 characters per subtitle: the words regroup, and the times are the words' own.
		const expected: { start: string; end: string; text: string }[] = [];
		let group: typeof words = [];
		const flush = () => {
			if (group.length) expected.push({ start: formatSrtTime(group[0].start), end: formatSrtTime(group[group.length - 1].end), text: group.map((word) => word.text).join(' ') });
			group = [];
		};
		for (const word of words) {
			if ([...group, word].map((entry) => entry.text).join(' ').length > 20) flush();
			group.push(word);
		}
		flush();
		assert.deepEqual(times, expected);
		assert.equal(expected[0].start, '00:00:00,200');
	});

	it('burns the text into the picture where the subtitles sit, and nowhere else', async () => {
		// A folder name with a quote, a colon, a backslash and spaces: burning must not depend on escaping it.
		const dir = tmp.path("it's: a \\ folder");
		await promisify(execFile)('mkdir', ['-p', dir]);
		const video = `${dir}/clip [1].mp4`;
		await promisify(execFile)('cp', [clip, video]);
		const output = `${dir}/burned.mp4`;
		await burnSubtitles({ video, cues: [{ start: 0, end: 2, text: 'WWWW MMMM WWWW' }], output, fontSize: 24 });

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

	it("burns subtitles in the brand kit's colour (#ffd400 is yellow: red and green high, blue low)", async () => {
		const black = await makeClip(tmp.path('black-colour.mp4'), { width: 640, height: 360, duration: 1, color: 'black' });
		const colourOf = async (color?: string) => {
			const output = tmp.path(`burned-${color ?? 'white'}.mp4`);
			await burnSubtitles({ video: black, cues: [{ start: 0, end: 1, text: 'Brand colours' }], output, color, fontSize: 24 });
			const { stdout } = await promisify(execFile)(
				'ffmpeg',
				['-v', 'error', '-ss', '0.5', '-i', output, '-frames:v', '1', '-vf', 'crop=640:120:0:240', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
				{ encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 },
			);
			// The text's own pixels: the brightest (the outline is black, the picture is black).
			const sums = [0, 0, 0];
			let count = 0;
			for (let i = 0; i < stdout.length; i += 3) {
				if (stdout[i] + stdout[i + 1] + stdout[i + 2] < 400) continue;
				for (let c = 0; c < 3; c++) sums[c] += stdout[i + c];
				count++;
			}
			assert.ok(count > 50, `the subtitle is drawn (${count} bright pixels)`);
			return sums.map((sum) => Math.round(sum / count));
		};
		const [r, g, b] = await colourOf('#ffd400');
		assert.ok(r > 200 && g > 170 && b < 90, `the text is yellow (rgb ${r}, ${g}, ${b})`);
		const white = await colourOf();
		assert.ok(white.every((c) => c > 200), `without a colour it is white (rgb ${white.join(', ')})`);
	});

	it('on a 1080×1920 video, a 60-character URL and a long hashtag stay inside the title-safe 90 % of the width', async () => {
		const url = 'https://example.com/articles/2026/kettle/the-last-kettle?r=1';
		assert.equal(url.length, 60);
		const black = await makeClip(tmp.path('black-9x16.mp4'), { width: 1080, height: 1920, duration: 6, color: 'black' });
		const output = tmp.path('burned-9x16.mp4');
		const cues = [
			{ start: 0, end: 4, text: `Read it at ${url} tonight` },
			{ start: 4, end: 6, text: '#TheLastKettleIsFinallyOnTheStoveTonight' },
		];
		await burnSubtitles({ video: black, cues, output });

		// Four frames a second of the bottom third: every white pixel (the text; its outline is black) is found.
		const band = { y: 1280, height: 640 };
		const { stdout } = await promisify(execFile)(
			'ffmpeg',
			['-v', 'error', '-i', output, '-vf', `fps=4,crop=1080:${band.height}:0:${band.y}`, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
			{ encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
		);
		const frameBytes = 1080 * band.height;
		let left = Infinity;
		let right = -Infinity;
		let framesWithText = 0;
		for (let offset = 0; offset + frameBytes <= stdout.length; offset += frameBytes) {
			let found = false;
			for (let i = 0; i < frameBytes; i++) {
				if (stdout[offset + i] < 128) continue;
				const x = i % 1080;
				left = Math.min(left, x);
				right = Math.max(right, x);
				found = true;
			}
			if (found) framesWithText++;
		}
		assert.ok(framesWithText >= 20, `text shows in ${framesWithText} of 24 frames`);
		assert.ok(left >= 54 && right <= 1025, `text spans x ${left}–${right}; the safe area is 54–1025`);
	});
});

describe('burned subtitles in a script that needs shaping', () => {
	let tmp: Awaited<ReturnType<typeof tempDir>>;
	let black: string;
	beforeAll(async () => {
		tmp = await tempDir();
		black = await makeClip(tmp.path('black.mp4'), { width: 640, height: 360, duration: 1, color: 'black' });
	});
	afterAll(() => tmp.cleanup());
	const band = { x: 0, y: 240, width: 640, height: 120 };
	const burn = async (name: string, text: string, font: string, shapedFont?: string) => {
		const output = tmp.path(`${name}.mp4`);
		await burnSubtitles({ video: black, cues: [{ start: 0, end: 1, text }], output, fontSize: 28, font, shapedFont });
		return grayPixels(output, 0.5, band);
	};

	it('a Latin cue drawn from the ASS script looks as the SRT path draws it (same size, place and outline)', async () => {
		const srt = await burn('latin-srt', 'WWWW MMMM quick', 'DejaVu Sans');
		const ass = await burn('latin-ass', 'WWWW MMMM quick', 'DejaVu Sans', fontPath('DejaVuSans.ttf'));
		const drawn = meanDifference(srt, await grayPixels(black, 0.5, band));
		// Measured: the text changes the band by ~7, the two drawings differ by ~0.8 (antialiasing a sub-pixel apart).
		assert.ok(drawn > 3, `the text is drawn (${drawn})`);
		assert.ok(meanDifference(srt, ass) < drawn / 4, `the two drawings differ by ${meanDifference(srt, ass)}, the text by ${drawn}`);
	});

	it('Hindi "हिन्दी क्षेत्र" is shaped (conjuncts, vowel sign before its consonant), not drawn letter by letter or as boxes', async () => {
		const lohit = fontPath('Lohit-Devanagari.ttf');
		const shaped = await burn('hindi', 'हिन्दी क्षेत्र', 'Lohit Devanagari', lohit);
		// What ffmpeg's subtitles filter drew before: the same font, unshaped.
		const unshaped = await burn('hindi-unshaped', 'हिन्दी क्षेत्र', 'Lohit Devanagari');
		// A font without Devanagari and no fontconfig fallback: boxes where the letters are.
		const fontconfig = tmp.path('fonts.conf');
		await writeFile(fontconfig, '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig></fontconfig>\n');
		const before = process.env.FONTCONFIG_FILE;
		process.env.FONTCONFIG_FILE = fontconfig;
		let tofu: Buffer;
		try {
			tofu = await burn('hindi-tofu', 'हिन्दी क्षेत्र', 'DejaVu Sans', fontPath('DejaVuSans.ttf'));
		} finally {
			if (before === undefined) delete process.env.FONTCONFIG_FILE;
			else process.env.FONTCONFIG_FILE = before;
		}
		const blank = await grayPixels(black, 0.5, band);
		const against = { blank: meanDifference(shaped, blank), unshaped: meanDifference(shaped, unshaped), tofu: meanDifference(shaped, tofu) };
		// Measured: blank 1.3 (the words light a few % of the band), unshaped 2.2, tofu 6.1.
		assert.ok(against.blank > 0.5 && against.unshaped > 0.5 && against.tofu > 0.5, JSON.stringify(against));
		// At the same font size the letters are as large as DejaVu's would be, not a quarter smaller as before
		// (measured: 30 px tall; 25 px unshaped through subtitles=; 22 px shaped at libass's own size for Lohit).
		const inkHeight = (pixels: Buffer) => {
			const rows = [...Array(band.height).keys()].filter((y) => pixels.subarray(y * band.width, (y + 1) * band.width).some((value) => value > 128));
			return rows.length ? rows[rows.length - 1] - rows[0] + 1 : 0;
		};
		assert.ok(inkHeight(shaped) > 1.1 * inkHeight(unshaped), `letters ${inkHeight(shaped)} px tall, ${inkHeight(unshaped)} px before`);
	});
});

describe('FFmpeg → Subtitles with word-timed cues', () => {
	let s3: TestS3;
	beforeAll(async () => {
		s3 = await startS3();
	});
	afterAll(() => s3?.stop());

	function context(cues: unknown): IExecuteFunctions {
		const params: Record<string, unknown> = {
			operation: 'subtitles',
			video: { bucket: '', key: 'runs/w/work/concat.mp4', duration: 4 },
			cues,
			mode: 'srtOnly',
			srtKey: 'runs/w/final/subtitles.srt',
			options: {},
		};
		return executionContext({
			items: [{ runId: 'w' }],
			parameters: params,
			credentials: { reelsmithS3Api: s3Credential(s3) },
			node: { id: 'ffmpeg-1', name: 'FFmpeg', type: 'n8n-nodes-reelsmith.ffmpeg' },
		});
	}

	it('writes subtitles at the words\' times, and names the cue and word when a word is not timed', async () => {
		const cues = [
			{
				start: 1,
				end: 2.4,
				text: 'Who is there?',
				speaker: 'ALICE',
				words: [
					{ text: 'Who', start: 1.05, end: 1.3 },
					{ text: 'is', start: 1.4, end: 1.55 },
					{ text: 'there?', start: 1.6, end: 2.1 },
				],
			},
			{ start: 2.5, end: 3.5, text: 'Only me.' },
		];
		await new FFmpeg().execute.call(context(JSON.stringify(cues)));
		const srt = (await s3.storage.downloadBuffer({ bucket: s3.bucket, key: 'runs/w/final/subtitles.srt' })).toString();
		assert.equal(srt, '1\n00:00:01,050 --> 00:00:02,100\nWho is there?\n\n2\n00:00:02,500 --> 00:00:03,500\nOnly me.\n');

		const broken = [{ ...cues[0], words: [{ text: 'Who', start: 1.3, end: 1.05 }] }];
		await assert.rejects(new FFmpeg().execute.call(context(broken)), (error: Error) => {
			assert.match(error.message, /^Cue 1, word 1: needs "text" and seconds "start" ≤ "end"/);
			return true;
		});
	});
});
