import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { PRESETS } from '../../nodes/shared/presets';
import { ffprobe, type ProbeResult } from '../../nodes/shared/transport/ffmpeg';
import { renderClip } from '../../nodes/shared/render';
import { layoutTitleCard } from '../../nodes/shared/render/titleCard';
import type { ClipRequest } from '../../nodes/VideoGeneration/providers/types';
import { belowTop, brightBox, brightShare, changedShare, lumaFrame, meanColour, meanDifference, meanVolume, runBinary } from './context';
import { HOSTILE, makeScene } from './scenes';
import { compareGlyphs } from '../helpers/glyphs';

let root: string;
beforeAll(async () => {
	root = await mkdtemp(join(tmpdir(), 'reelsmith-vg-test-'));
});
afterAll(async () => {
	await rm(root, { recursive: true, force: true });
});

let folders = 0;
async function render(request: Partial<ClipRequest>): Promise<{ file: string; probe: ProbeResult }> {
	const directory = join(root, `clip-${++folders}`);
	await mkdir(directory);
	const file = await renderClip(
		{ scene: makeScene(), style: 'titleCard', preset: 'test', width: 320, height: 180, fps: 30, duration: 1, ...request },
		directory,
	);
	return { file, probe: await ffprobe(file) };
}

const video = (probe: ProbeResult) => probe.streams.find((stream) => stream.codec_type === 'video')!;
const audio = (probe: ProbeResult) => probe.streams.find((stream) => stream.codec_type === 'audio')!;

describe('local render: clip format', () => {
	test('a YouTube title card is 1920x1080 H.264 yuv420p at 30 fps with a silent AAC 48 kHz stereo track', async () => {
		const { file, probe } = await render({ width: 1920, height: 1080, duration: 1 });
		const v = video(probe);
		assert.equal(v.codec_name, 'h264');
		assert.equal(v.width, 1920);
		assert.equal(v.height, 1080);
		assert.equal(v.pix_fmt, 'yuv420p');
		assert.equal(v.r_frame_rate, '30/1');
		assert.equal(v.nb_frames, '30');
		const a = audio(probe);
		assert.equal(a.codec_name, 'aac');
		assert.equal(a.sample_rate, '48000');
		assert.equal(a.channels, 2);
		assert.ok((await meanVolume(file)) < -80, 'the clip audio is silence');
		assert.ok(brightShare(await lumaFrame(file, 0.5)) > 0.005, 'the frame shows text');
	});

	test('a Shorts terminal clip is 1080x1920', async () => {
		const { file, probe } = await render({ style: 'terminal', width: 1080, height: 1920, duration: 1 });
		assert.equal(video(probe).width, 1080);
		assert.equal(video(probe).height, 1920);
		assert.ok(brightShare(await lumaFrame(file, 0.9, 90, 160)) > 0.001, 'the frame shows text');
	});

	test('the clip has exactly round(duration x 30) frames and both streams last that long', async () => {
		for (const duration of [2.3, 1.05]) {
			const { probe } = await render({ style: 'terminal', duration });
			const frames = Math.round(duration * 30);
			assert.equal(Number(video(probe).nb_frames), frames);
			assert.ok(Math.abs(Number(video(probe).duration) - frames / 30) < 1 / 30 + 1e-6);
			assert.ok(Math.abs(Number(audio(probe).duration) - frames / 30) < 1 / 30 + 1e-6);
		}
	});

	test('two clips of one preset join by stream copy (same codec, profile, level, timebase, audio layout)', async () => {
		const youtube = { width: PRESETS.youtube.width, height: PRESETS.youtube.height };
		const first = await render({ style: 'titleCard', duration: 1, ...youtube });
		const second = await render({ style: 'terminal', duration: 1.5, ...youtube });
		const fields = (probe: ProbeResult) => {
			const v = video(probe) as ProbeResult['streams'][number] & { profile?: string; level?: number };
			const a = audio(probe) as ProbeResult['streams'][number] & { profile?: string };
			return {
				video: [v.codec_name, v.profile, v.level, v.width, v.height, v.pix_fmt, v.r_frame_rate, v.time_base],
				audio: [a.codec_name, a.profile, a.sample_rate, a.channels, a.channel_layout, a.time_base],
			};
		};
		assert.deepEqual(fields(first.probe), fields(second.probe));
		assert.equal(video(first.probe).time_base, '1/90000');

		const list = join(root, 'concat.txt');
		await writeFile(list, `file '${first.file}'\nfile '${second.file}'\n`);
		const joined = join(root, 'joined.mp4');
		await runBinary('ffmpeg', ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', joined]);
		const probe = await ffprobe(joined);
		assert.equal(Number(video(probe).nb_frames), 75);
		assert.ok(Math.abs(Number(probe.format.duration) - 2.5) < 0.05);
	});
});

describe('local render: pictures', () => {
	test('the terminal types: later frames show more text than earlier ones', async () => {
		const { file } = await render({ style: 'terminal', width: 640, height: 360, duration: 3 });
		const typed = async (time: number) => brightShare(belowTop(await lumaFrame(file, time, 320, 180), 320, 180));
		const early = await typed(0.5);
		const late = await typed(2.9);
		assert.ok(late > early * 1.5, `more text at the end (${early} → ${late})`);
	});

	test('the terminal types each line while it is spoken when narration timing is given', async () => {
		const lines = [
			{ speaker: 'ALICE', text: 'Who calls at this hour of the night?', start: 0.2, end: 1.2, kind: 'dialogue' },
			{ speaker: 'BOB', text: "It's me. Open the door, I'm soaked.", start: 1.8, end: 2.8, kind: 'dialogue' },
		];
		const { file } = await render({ style: 'terminal', width: 640, height: 360, duration: 3.4, lines });
		const typed = async (time: number) => brightShare(belowTop(await lumaFrame(file, time, 320, 180), 320, 180));
		const beforeSpeech = await typed(0.05);
		const afterFirst = await typed(1.5);
		const afterSecond = await typed(3.1);
		assert.ok(beforeSpeech < afterFirst / 3, 'nothing typed before the first line is spoken');
		assert.ok(afterSecond > afterFirst * 1.5, 'the second line appears while it is spoken');
	});

	test("the terminal types along the voice's word timings and stops typing when the speech ends", async () => {
		const text = 'The door opens slowly, and nobody is there at all.';
		const said = text.split(' ');
		// Eight words said between 0.4 and 2.8 s of a 4 s scene.
		const words = said.map((word, index) => ({ text: word, start: 0.4 + index * 0.24, end: 0.6 + index * 0.24 }));
		const end = words[words.length - 1].end;
		const lines = [{ speaker: 'NARRATOR', text, start: 0.4, end, kind: 'narration', words }];
		const { file } = await render({ style: 'terminal', width: 640, height: 360, duration: 4, lines });
		const frame = async (time: number) => belowTop(await lumaFrame(file, time, 320, 180), 320, 180);
		const lit = async (time: number) => brightShare(await frame(time));
		const [quarter, half, nearEnd] = [await lit(0.4 + (end - 0.4) / 4), await lit(0.4 + (end - 0.4) / 2), await lit(end - 0.3)];
		assert.ok(quarter < half * 0.8 && half < nearEnd * 0.85, `text grows with the speech (${quarter} → ${half} → ${nearEnd})`);
		// After the speech only the cursor blinks: the same blink phase (half a second apart) is the same picture.
		const after = await frame(end + 0.1);
		assert.ok(changedShare(after, await frame(end + 0.6)) < 0.002, 'nothing more is typed after the speech');
		const before = changedShare(await frame(end - 0.4), after);
		assert.ok(before > 0.001, `typing was still going shortly before the speech ended (${before} changed)`);
	});

	test('window chrome: mac has a title bar with coloured dots, plain a bar without dots, none the bare screen', async () => {
		const empty = makeScene({ dialogue: [], action: '', visualDescription: '', narration: '' });
		/** The top 18 rows (a 640x360 frame's title bar is 27 rows): mean colour and how many pixels are reddish. */
		const top = async (terminalChrome: string) => {
			const { file } = await render({ style: 'terminal', scene: empty, width: 640, height: 360, duration: 0.5, terminalChrome });
			const { stdout } = await runBinary('ffmpeg', ['-v', 'error', '-i', file, '-frames:v', '1', '-vf', 'crop=640:18:0:0', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1']);
			let red = 0;
			const sums = [0, 0, 0];
			for (let i = 0; i < stdout.length; i += 3) {
				sums.forEach((_, channel) => (sums[channel] += stdout[i + channel]));
				if (stdout[i] > 180 && stdout[i + 1] < 140) red++;
			}
			return { mean: sums.map((sum) => sum / (stdout.length / 3)), red };
		};
		const [mac, plain, none] = [await top('mac'), await top('plain'), await top('none')];
		const green = { bar: [0x1e, 0x2a, 0x26], screen: [0x0c, 0x12, 0x10] };
		const near = (colour: number[], want: number[]) => colour.every((value, channel) => Math.abs(value - want[channel]) < 6);
		assert.ok(mac.red > 20, `the mac window's red dot (${mac.red} red pixels)`);
		assert.equal(plain.red, 0, 'no dots on the plain bar');
		assert.ok(near(plain.mean, green.bar), `plain: the title bar's colour (${plain.mean.map(Math.round)})`);
		assert.equal(none.red, 0);
		assert.ok(near(none.mean, green.screen), `none: the screen's colour up to the top (${none.mean.map(Math.round)})`);
	});

	test('scanlines darken every other row of the screen; the glitch tears a band sideways for a few frames', async () => {
		const empty = makeScene({ dialogue: [], action: '', visualDescription: '', narration: '' });
		const look = { style: 'terminal', scene: empty, width: 640, height: 360, duration: 3, terminalScheme: 'light' } as const;
		const rowMeans = async (file: string) => {
			const frame = await lumaFrame(file, 1, 640, 360);
			// Rows 200–299: plain light screen, below the cursor.
			return Array.from({ length: 100 }, (_, row) => frame.subarray((200 + row) * 640, (201 + row) * 640).reduce((sum, value) => sum + value, 0) / 640);
		};
		const plain = await rowMeans((await render(look)).file);
		const lined = await rowMeans((await render({ ...look, terminalEffects: ['scanlines'] })).file);
		const even = lined.filter((_, index) => index % 2 === 0);
		const odd = lined.filter((_, index) => index % 2 === 1);
		const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
		assert.ok(Math.max(...plain) - Math.min(...plain) < 4, 'without scanlines the rows are alike');
		assert.ok(Math.abs(mean(even) - mean(odd)) > 40, `alternate rows differ (${mean(even).toFixed(0)} / ${mean(odd).toFixed(0)})`);
		assert.ok(Math.max(mean(even), mean(odd)) > mean(plain) - 8, 'the light rows keep the screen colour');

		// The scene's two dialogue rows sit near the top; the second tear (2.6 s, 3 frames) crosses them.
		const typed = { style: 'terminal', width: 640, height: 360, duration: 3 } as const;
		const glitched = (await render({ ...typed, terminalEffects: ['glitch'] })).file;
		const calm = (await render(typed)).file;
		const torn = changedShare(await lumaFrame(glitched, 2.64, 640, 360), await lumaFrame(calm, 2.64, 640, 360));
		const whole = changedShare(await lumaFrame(glitched, 2.2, 640, 360), await lumaFrame(calm, 2.2, 640, 360));
		assert.ok(whole < 0.0005, `the picture is whole between tears (${whole})`);
		assert.ok(torn > 0.003, `a band is torn sideways at 2.6 s (${torn})`);
	});

	test('the four colour schemes give visibly different frames; light is a light screen with dark text', async () => {
		const colours: Record<string, [number, number, number]> = {};
		let darkText = 0;
		for (const terminalScheme of ['green', 'amber', 'solarizedDark', 'light']) {
			const { file } = await render({ style: 'terminal', width: 640, height: 360, duration: 1, terminalScheme });
			colours[terminalScheme] = await meanColour(file, 0.9);
			if (terminalScheme === 'light') darkText = (await lumaFrame(file, 0.9, 640, 360)).filter((value) => value < 128).length;
		}
		const names = Object.keys(colours);
		for (const [index, one] of names.entries()) {
			for (const other of names.slice(index + 1)) {
				const distance = Math.max(...colours[one].map((value, channel) => Math.abs(value - colours[other][channel])));
				assert.ok(distance > 12, `${one} ${colours[one].map(Math.round)} and ${other} ${colours[other].map(Math.round)} look alike`);
			}
		}
		assert.ok(Math.min(...colours.light) > 200, 'the light scheme is light');
		assert.ok(darkText > 640 * 360 * 0.005, `the light scheme's text is dark (${darkText} dark pixels)`);
		assert.ok(Math.max(...colours.green) < 60, 'the green scheme is dark');
		const [red, , blue] = colours.solarizedDark;
		assert.ok(blue > red + 20, 'solarized dark is blue-green, not black');
	});

	test('cursor styles: a full block, a low underline, a thin upright bar', async () => {
		// An empty scene: only the cursor, blinking from the start (on for the first quarter second).
		const empty = makeScene({ heading: '', action: '', visualDescription: '', narration: '', dialogue: [] });
		const cursors: Record<string, { width: number; height: number }> = {};
		for (const terminalCursor of ['block', 'underline', 'bar']) {
			const { file } = await render({ style: 'terminal', scene: empty, width: 640, height: 360, duration: 1, terminalCursor });
			const box = brightBox(await lumaFrame(file, 0.1, 640, 360), 640, 60, 40);
			assert.ok(box, `the ${terminalCursor} cursor is drawn`);
			cursors[terminalCursor] = { width: box.right - box.left + 1, height: box.bottom - box.top + 1 };
		}
		const { block, underline, bar } = cursors;
		assert.ok(block.height >= 10 && block.width >= 6, `block ${JSON.stringify(block)}`);
		assert.ok(underline.width >= block.width - 2 && underline.height <= block.height / 3, `underline ${JSON.stringify(underline)}`);
		assert.ok(bar.height >= block.height - 2 && bar.width <= block.width / 2, `bar ${JSON.stringify(bar)}`);
	});

	test('the title card zooms slowly: first and last frames differ, both show text', async () => {
		const { file } = await render({ style: 'titleCard', width: 640, height: 360, duration: 2 });
		const first = await lumaFrame(file, 0, 320, 180);
		const last = await lumaFrame(file, 1.95, 320, 180);
		assert.ok(brightShare(first) > 0.005 && brightShare(last) > 0.005);
		assert.ok(meanDifference(first, last) > 0.5, `frames differ (${meanDifference(first, last)})`);
		// Bigger text at the end: a zoom in, not a pan.
		assert.ok(brightShare(last) > brightShare(first));
	});
});

/** The colour at (x, y) of the frame at `time`: the top-left of a 2×2 crop (yuv420p has one colour per 2×2 block). */
async function pixel(file: string, time: number, x: number, y: number): Promise<[number, number, number]> {
	const { stdout } = await runBinary('ffmpeg', ['-v', 'error', '-ss', String(time), '-i', file, '-frames:v', '1', '-vf', `crop=2:2:${x}:${y},format=rgb24`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1']);
	return [stdout[0], stdout[1], stdout[2]];
}
const near = (actual: number[], expected: number[], slack = 12) => actual.every((value, i) => Math.abs(value - expected[i]) <= slack);

describe('local render: brand kit', () => {
	test("a title card is drawn on the brand kit's background colour, in its heading font", async () => {
		const plain = await render({ width: 640, height: 360 });
		const branded = await render({ width: 640, height: 360, brand: { colors: { background: '#c03020' }, fonts: { heading: 'DejaVu Serif' } } });
		const corner = await pixel(branded.file, 0.5, 4, 4);
		assert.ok(near(corner, [0xc0, 0x30, 0x20]), `the corner is the kit's #c03020 (got rgb ${corner.join(', ')})`);
		const bottom = await pixel(branded.file, 0.5, 4, 354);
		assert.ok(near(bottom, [0xc0, 0x30, 0x20]), `without a bottom colour the whole gradient is the kit's colour (got rgb ${bottom.join(', ')})`);
		const plainCorner = await pixel(plain.file, 0.5, 4, 4);
		assert.ok(near(plainCorner, [0x0b, 0x10, 0x20], 16), `without a kit the card keeps its dark blue (got rgb ${plainCorner.join(', ')})`);
		// The text layer alone: the same text in DejaVu Serif Bold lights other pixels than in DejaVu Sans Bold.
		const serif = await render({ width: 640, height: 360, brand: { fonts: { heading: 'DejaVu Serif' } } });
		const [a, b] = [await lumaFrame(plain.file, 0.5), await lumaFrame(serif.file, 0.5)];
		assert.ok(changedShare(a, b) > 0.005, `the heading font changes the drawn text (${(changedShare(a, b) * 100).toFixed(2)} % of pixels)`);
	});

	test('a brand colour that is not #rrggbb is refused before it reaches the filter graph', async () => {
		await assert.rejects(render({ brand: { colors: { background: 'red:c1=blue' } } }), /background colour must be #rrggbb/);
		await assert.rejects(render({ brand: { fonts: { body: '../../etc/passwd' } } }), /body font must be one of DejaVu Sans/);
	});
});

describe('local render: emoji', () => {
	/** Share of bright pixels of the first frame (no zoom yet) inside the still-pixel box, scaled to the frame. */
	const inkIn = (frame: Buffer, width: number, box: { left: number; right: number; top: number; bottom: number }, still: number) => {
		const scale = width / still;
		let bright = 0;
		let all = 0;
		for (let y = Math.floor(box.top * scale); y < Math.ceil(box.bottom * scale); y++) {
			for (let x = Math.floor(box.left * scale); x < Math.ceil(box.right * scale); x++) {
				all++;
				if (frame[y * width + x] > 60) bright++;
			}
		}
		return bright / all;
	};

	const bare = (heading: string) => makeScene({ heading, action: '', visualDescription: '', narration: '' });

	test('a title card draws each emoji with the emoji font, in its own place between the words', async () => {
		const size = { width: 960, height: 540 };
		const scene = bare('Pizza 🍕 and 🎬 night');
		const layout = layoutTitleCard({ scene, ...size });
		const [line] = layout.lines;
		const runs = line.runs ?? [];
		const emoji = runs.filter((run) => run.font === 'Symbola_hint.ttf');
		assert.deepEqual(emoji.map((run) => run.text), ['🍕', '🎬']);
		const frame = await lumaFrame((await render({ scene, ...size })).file, 0, size.width, size.height);
		for (const run of emoji) {
			const next = runs[runs.indexOf(run) + 1];
			// The emoji's own cell: from its start to the next run, from 0.8 em above the baseline down to it.
			const cell = { left: run.x, right: next.x, top: line.baseline - layout.headingSize * 0.8, bottom: line.baseline };
			const drawn = inkIn(frame, size.width, cell, layout.stillWidth);
			assert.ok(drawn > 0.08, `${run.text} is drawn (${(drawn * 100).toFixed(1)} % of its cell lit)`);
		}
	});

	test('an emoji-only heading is drawn, where a card without it stays blank', async () => {
		const size = { width: 640, height: 360 };
		const shown = await lumaFrame((await render({ scene: bare('🍕🎬'), ...size })).file, 0, size.width, size.height);
		const blank = await lumaFrame((await render({ scene: bare(''), ...size })).file, 0, size.width, size.height);
		assert.ok(brightShare(shown) > 0.001, `emoji drawn (${brightShare(shown)})`);
		assert.equal(brightShare(blank), 0);
	});
});

describe('local render: languages', () => {
	// Korean (WenQuanYi) and Hindi (Lohit): the card drawn in the run language's font is not the tofu a font without
	// the script draws, and not a blank card. German, Japanese and Arabic go through the whole pipeline (test/e2e).
	for (const [language, heading, action] of [
		['ko', '부엌 - 밤', '비가 창문을 두드린다. 전화가 울린다.'],
		['hi', 'रसोई - रात', 'बारिश खिड़की पर गिरती है। फ़ोन बजता है।'],
	]) {
		test(`a ${language} title card has the script's glyphs`, async () => {
			const scene = makeScene({ heading, action });
			const request = { scene, language, style: 'titleCard', preset: 'test', width: 640, height: 360, fps: 30, duration: 1 };
			const { file } = await render(request);
			const fonts = { ko: 'wqy-microhei.ttc', hi: 'Lohit-Devanagari.ttf' };
			const compared = await compareGlyphs(file, request, join(root, `glyphs-${language}`), { from: [fonts[language as 'ko']], to: 'DejaVuSans.ttf' });
			assert.ok(compared.same < 0.002 && compared.tofu > 0.005 && compared.blank > 0.005, JSON.stringify(compared));
		});
	}

	test('Hindi is shaped: "हिन्दी" has its conjunct and its vowel sign before the consonant, not letter by letter', async () => {
		// libass draws it with complex shaping; the same card with shaping=simple is what drawtext drew before. The word
		// alone lights ~0.2 % of the frame (measured: tofu 0.7 %, blank 0.19 %, unshaped 0.26 %, redrawn 0).
		const scene = makeScene({ heading: 'हिन्दी', action: '', visualDescription: '', narration: '' });
		const request = { scene, language: 'hi', style: 'titleCard', preset: 'test', width: 640, height: 360, fps: 30, duration: 1 };
		const { file } = await render(request);
		const compared = await compareGlyphs(file, request, join(root, 'glyphs-hindi'), { from: [], to: 'DejaVuSans.ttf' });
		assert.ok(compared.same < 0.002, `the card is drawn as the renderer draws it: ${JSON.stringify(compared)}`);
		assert.ok(compared.tofu > 0.001 && compared.blank > 0.001, `real glyphs, not boxes or nothing: ${JSON.stringify(compared)}`);
		assert.ok((compared.unshaped ?? 0) > 0.001, `shaped, unlike the letter-by-letter drawing: ${JSON.stringify(compared)}`);
	});

	test('a Hindi terminal clip types shaped text (title bar too), not letters one by one or boxes', async () => {
		const scene = makeScene({ heading: 'रसोई - रात', dialogue: [{ speaker: 'राम', text: 'हिन्दी क्षेत्र में बारिश होती है।' }] });
		const request = { scene, language: 'hi', style: 'terminal', preset: 'test', width: 640, height: 360, fps: 30, duration: 2 };
		const { file } = await render(request);
		const compared = await compareGlyphs(file, request, join(root, 'glyphs-hindi-terminal'), { from: [], to: 'DejaVuSans.ttf' });
		assert.ok(compared.same < 0.002, `the clip is drawn as the renderer draws it: ${JSON.stringify(compared)}`);
		assert.ok(compared.tofu > 0.001 && compared.blank > 0.001, `real glyphs, not boxes or nothing: ${JSON.stringify(compared)}`);
		assert.ok((compared.unshaped ?? 0) > 0.001, `shaped, unlike the letter-by-letter drawing: ${JSON.stringify(compared)}`);
	});
});

describe('local render: hostile text', () => {
	const hostileScene = makeScene({
		heading: HOSTILE.heading,
		action: HOSTILE.lines.join(' '),
		dialogue: HOSTILE.lines.map((text, index) => ({ speaker: index % 2 ? 'BOB "B"' : "AL'ICE:", text })),
	});

	for (const style of ['titleCard', 'terminal']) {
		test(`${style}: quotes, colons, backslashes, %{pts}, emoji, RTL, newlines and a 5,000-char line render`, async () => {
			const { file, probe } = await render({ style, scene: hostileScene, duration: 1.5 });
			assert.equal(Number(video(probe).nb_frames), 45);
			assert.ok(brightShare(await lumaFrame(file, 1.4)) > 0.002, 'text is drawn');
		});
	}

	test('an empty scene (no heading, no text) still gives a clip of the right length in both styles', async () => {
		const empty = makeScene({ heading: '', action: '', visualDescription: '', narration: '', dialogue: [] });
		for (const style of ['titleCard', 'terminal']) {
			const { probe } = await render({ style, scene: empty, duration: 0.5 });
			assert.equal(Number(video(probe).nb_frames), 15);
		}
	});

	test('%{pts} and friends are drawn literally, not expanded (frames at two times are identical)', async () => {
		const lines = [{ speaker: 'NARRATOR', text: '%{pts} %{n} %{localtime} %%', start: 0.1, end: 0.4, kind: 'narration' }];
		const { file } = await render({
			style: 'terminal',
			width: 960,
			height: 540,
			duration: 2.4,
			scene: makeScene({ heading: '%{pts}', dialogue: [] }),
			lines,
		});
		// The cursor blinks from 0.4 s on with a 0.5 s period: 1.0 s and 2.0 s are both in an "on" phase.
		// Expanded, %{pts} and %{n} would read 1.000000/30 and 2.000000/60 there (~50 changed pixels at this size).
		const one = await lumaFrame(file, 1.0, 960, 540);
		const two = await lumaFrame(file, 2.0, 960, 540);
		assert.ok(brightShare(one) > 0.001);
		const changed = Math.round(changedShare(one, two) * one.length);
		assert.ok(changed <= 3, `frames are the same (${changed} pixels changed)`);
	});

	test('text files hold the script text verbatim; the filter graph holds none of it', async () => {
		const directory = join(root, 'inspect');
		await mkdir(directory);
		const scene = makeScene({ heading: `It's 50%: a \\ b`, dialogue: [{ speaker: 'ALICE', text: '-vf %{pts}' }] });
		await renderClip({ scene, style: 'terminal', preset: 'test', width: 320, height: 180, fps: 30, duration: 1 }, directory);
		const graph = await readFile(join(directory, 'graph.txt'), 'utf8');
		assert.ok(!graph.includes('%{pts}') && !graph.includes('50%'), 'no script text in the graph');
		assert.match(graph, /expansion=none/);
	});

	test('a temp folder with quotes, colons and brackets in its path still renders', async () => {
		const odd = join(root, "odd dir: it's [a],b;c");
		await mkdir(odd);
		const previous = process.env.TMPDIR;
		process.env.TMPDIR = odd;
		try {
			const directory = await mkdtemp(join(tmpdir(), 'reelsmith-'));
			assert.ok(directory.startsWith(odd));
			const file = await renderClip(
				{ scene: makeScene(), style: 'terminal', preset: 'test', width: 320, height: 180, fps: 30, duration: 0.5 },
				directory,
			);
			assert.equal(Number(video(await ffprobe(file)).nb_frames), 15);
		} finally {
			if (previous === undefined) delete process.env.TMPDIR;
			else process.env.TMPDIR = previous;
		}
	});
});
