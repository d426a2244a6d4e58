/**
 * Local render speed (issue 12): each style of the offline video provider (nodes/shared/render) against a
 * minimal ffmpeg clip with the same text: one drawtext on a color source, same size, frame rate, length and encoder
 * settings (the clip output options every style uses), silent audio included. Target: ours / minimal <= 1.3.
 *
 *   node --import tsx bench/render.ts [--repeats 3] [--duration 5] [--width 1920] [--height 1080]
 *   npm run bench:render
 *
 * Ours is renderClip() itself (graph building, text files, ffmpeg). Each round renders every style and its baseline
 * one after another (alternating, so load drifts hit both); a row shows the medians. "cores" is the CPU time (user +
 * sys) of the ffmpeg processes divided by wall time, from their rusage: 2.0 on a 2-core machine = both cores used.
 * "ours fps" is the clip's frames over ours' wall time; the last line sets the terminal's against the title card's.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scene } from '../nodes/shared/plan';
import { ffmpeg } from '../nodes/shared/transport/ffmpeg';
import styles from '../nodes/shared/data/styles.json';
import type { ClipRequest } from '../nodes/VideoGeneration/providers/types';
import { renderClip, STYLE_NAMES, type StyleName } from '../nodes/shared/render';
import { clipOutputArgs, filterPath, frameCount, silentAudio } from '../nodes/shared/render/filters';
import { fontPath } from '../nodes/shared/render/fonts';
import { layoutTerminal, terminalLines, terminalLook } from '../nodes/shared/render/terminal';
import { layoutTitleCard } from '../nodes/shared/render/titleCard';
import { alternate, argument, machine, medianOf, table } from './media';
import { makeScene } from '../test/video-generation/scenes';

const TARGET = 1.3;
const REPEATS = Math.max(3, argument('repeats', 3));
const DURATION = argument('duration', 5);
const WIDTH = argument('width', 1920);
const HEIGHT = argument('height', 1080);

/** A typical scene: a heading, two sentences of action, two lines of dialogue (the tests' scene). */
const SCENE: Scene = makeScene({ duration: DURATION });

const request = (style: StyleName): ClipRequest => ({
	scene: SCENE,
	style,
	preset: 'bench',
	width: WIDTH,
	height: HEIGHT,
	fps: 30,
	duration: DURATION,
});

/** The text the style shows, in one drawtext: its font, size and background. */
function sameText(style: StyleName): { text: string; font: string; size: number; background: string } {
	if (style === 'titleCard') {
		const layout = layoutTitleCard(request(style));
		const look = styles.styles.titleCard;
		return {
			text: layout.lines.map((line) => line.text).join('\n'),
			font: look.body.font,
			size: layout.bodySize / look.supersample,
			background: look.background.top,
		};
	}
	const look = styles.styles.terminal;
	return {
		text: terminalLines(request(style)).join('\n'),
		font: look.text.font,
		size: layoutTerminal(request(style)).fontSize,
		background: terminalLook({}).colours.background,
	};
}

async function baseline(style: StyleName, directory: string): Promise<void> {
	const { text, font, size, background } = sameText(style);
	const textFile = join(directory, 'text.txt');
	await writeFile(textFile, text);
	const frames = frameCount(DURATION);
	const graph =
		`color=c=${background}:s=${WIDTH}x${HEIGHT}:r=30,` +
		`drawtext=fontfile=${filterPath(fontPath(font))}:textfile=${filterPath(textFile)}:expansion=none:` +
		`fontsize=${Math.round(size)}:fontcolor=white:x=(w-text_w)/2:y=(h-text_h)/2,` +
		`trim=end_frame=${frames},format=yuv420p[v];${silentAudio(frames)}`;
	await ffmpeg(['-filter_complex', graph, ...clipOutputArgs(join(directory, 'baseline.mp4'))]);
}

async function main(): Promise<void> {
	const root = await mkdtemp(join(tmpdir(), 'reelsmith-bench-render-'));
	const startLoad = machine();
	let folder = 0;
	const fresh = async () => {
		const directory = join(root, String(++folder));
		await mkdir(directory);
		return directory;
	};
	try {
		const rows: string[][] = [];
		const contenders: Record<string, () => Promise<unknown>> = {};
		for (const style of STYLE_NAMES) {
			contenders[`${style}:ours`] = async () => renderClip(request(style), await fresh());
			contenders[`${style}:baseline`] = async () => baseline(style, await fresh());
		}
		const samples = await alternate(REPEATS, contenders);
		for (const style of STYLE_NAMES) {
			const ours = medianOf(samples[`${style}:ours`]);
			const base = medianOf(samples[`${style}:baseline`]);
			const ratio = ours.seconds / base.seconds;
			rows.push([
				style,
				ours.seconds.toFixed(2),
				base.seconds.toFixed(2),
				ratio.toFixed(2),
				String(TARGET),
				ratio <= TARGET ? 'met' : 'MISSED',
				ours.cores.toFixed(2),
				base.cores.toFixed(2),
				(frameCount(DURATION) / ours.seconds).toFixed(1),
			]);
		}
		// Issue 13 asks how fast the terminal renders against the title card: frames per second of the whole clip.
		const fps = (style: StyleName) => frameCount(DURATION) / medianOf(samples[`${style}:ours`]).seconds;
		const terminalVsTitle = fps('terminal') / fps('titleCard');
		console.log(
			`\nLocal render, ${WIDTH}x${HEIGHT} 30 fps, ${DURATION} s clip; median of ${REPEATS} alternating repeats. ` +
				`Minimal clip = one drawtext with the same text on a color source, same encoder settings.`,
		);
		console.log(`Start: ${startLoad}\n`);
		console.log(
			table(['style', 'ours s', 'baseline s', 'ratio', 'target', 'result', 'ours cores (cpu/wall)', 'baseline cores', 'ours fps'], rows),
		);
		console.log(
			`\nTerminal ${fps('terminal').toFixed(1)} fps, title card ${fps('titleCard').toFixed(1)} fps at ${WIDTH}x${HEIGHT}: ` +
				`terminal ÷ title card = ${terminalVsTitle.toFixed(2)} (above 1: the terminal renders faster).`,
		);
		console.log(`\nEnd: ${machine()}`);
	} finally {
		await rm(root, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
