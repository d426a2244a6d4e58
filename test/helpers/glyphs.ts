import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fontPath } from '../../nodes/shared/fonts';
import { clipOutputArgs, filterPath, frameCount, TextFiles } from '../../nodes/shared/render/filters';
import { terminalGraph } from '../../nodes/shared/render/terminal';
import { titleCardGraph } from '../../nodes/shared/render/titleCard';
import type { ClipRequest } from '../../nodes/VideoGeneration/providers/types';
import { changedShare, lumaFrame, runBinary } from '../video-generation/context';

/**
 * Whether a title card's (or a terminal clip's) text came out as real glyphs: the card is drawn again three ways, from the same scene —
 * as the renderer draws it (must match the pipeline's frame, or the comparison proves nothing), with its fonts
 * swapped for one that lacks the script (tofu boxes where the letters were), and with no text at all. The
 * pipeline's frame must be the first, not the others. A card libass draws (a script that needs shaping) is also
 * drawn unshaped, letter by letter as drawtext would.
 */
export interface GlyphComparison {
	/**
	 * Share of pixels of the pipeline's frame that differ (by more than compression noise and the background's random
	 * dither) from the same card drawn again: about 0.
	 */
	same: number;
	/** …from the card drawn with a font that lacks the script: where the letters became boxes. */
	tofu: number;
	/** …from the card without any text: where the letters are. */
	blank: number;
	/** …from the card drawn by libass without shaping (`shaping=simple`): where conjuncts and vowel signs moved. */
	unshaped?: number;
}

const SIZE = { width: 480, height: 480 };

/** A fontconfig with no fonts: libass then has only the `fontsdir` font and cannot fall back to the script's. */
async function emptyFontconfig(directory: string): Promise<string> {
	const file = join(directory, 'fonts.conf');
	await writeFile(file, '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig></fontconfig>\n');
	return file;
}

interface Swap {
	/** Font files drawtext is given. */
	from: string[];
	/** The font file that lacks the script. */
	to: string;
	/** Its family, for a card libass draws (default DejaVu Sans). */
	toFamily?: string;
}

async function drawCard(request: ClipRequest, directory: string, swap?: Swap, shaping: 'complex' | 'simple' = 'complex'): Promise<{ file: string; shaped: boolean }> {
	await mkdir(directory, { recursive: true });
	const graphOf = request.style === 'terminal' ? terminalGraph : titleCardGraph;
	let graph = await graphOf(request, new TextFiles(directory));
	for (const font of swap?.from ?? []) graph = graph.split(`fontfile=${filterPath(fontPath(font))}`).join(`fontfile=${filterPath(fontPath(swap!.to))}`);
	let env: NodeJS.ProcessEnv | undefined;
	const shaped = graph.includes('ass=filename=');
	if (shaped) {
		graph = graph.replace(/shaping=complex/g, `shaping=${shaping}`);
		if (swap) {
			// The styles name the swapped-in family, libass finds only its folder's fonts: boxes where letters were.
			for (const file of (await readdir(directory)).filter((name) => name.endsWith('.ass'))) {
				const script = await readFile(join(directory, file), 'utf8');
				await writeFile(join(directory, file), script.replace(/^(Style: [^,]+),[^,]+,/gm, `$1,${swap.toFamily ?? 'DejaVu Sans'},`));
			}
			graph = graph.replace(/:fontsdir=[^,\n]+/g, `:fontsdir=${filterPath(dirname(fontPath(swap.to)))}`);
			env = { FONTCONFIG_FILE: await emptyFontconfig(directory) };
		}
	}
	const script = join(directory, 'graph.txt');
	await writeFile(script, graph, 'utf8');
	// Encoded as the renderer encodes a clip, so the frames compared went through the same steps.
	const output = join(directory, 'card.mp4');
	await runBinary('ffmpeg', ['-v', 'error', '-y', '-filter_complex_script', script, ...clipOutputArgs(output)], env);
	return { file: output, shaped };
}

/** `clip` is the scene's clip as the pipeline stored it; `request` the same scene as the renderer was asked for it. */
export async function compareGlyphs(clip: string, request: ClipRequest, directory: string, swap: Swap): Promise<GlyphComparison> {
	const at = frameCount(request.duration) / request.fps / 2;
	const frame = await lumaFrame(clip, at, SIZE.width, SIZE.height);
	const luma = async (card: { file: string }) => lumaFrame(card.file, at, SIZE.width, SIZE.height);
	const drawn = await drawCard(request, join(directory, 'real'));
	const real = await luma(drawn);
	const tofu = await luma(await drawCard(request, join(directory, 'tofu'), swap));
	const empty = { ...request, scene: { ...request.scene, heading: '', action: '', visualDescription: '', narration: '', dialogue: [] } };
	const blank = await luma(await drawCard(empty, join(directory, 'blank')));
	const compared: GlyphComparison = { same: changedShare(frame, real), tofu: changedShare(frame, tofu), blank: changedShare(frame, blank) };
	if (drawn.shaped) compared.unshaped = changedShare(frame, await luma(await drawCard(request, join(directory, 'unshaped'), undefined, 'simple')));
	return compared;
}
