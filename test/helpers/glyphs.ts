import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fontPath } from '../../nodes/shared/fonts';
import { clipOutputArgs, filterPath, frameCount, TextFiles } from '../../nodes/VideoGeneration/render/filters';
import { titleCardGraph } from '../../nodes/VideoGeneration/render/titleCard';
import type { ClipRequest } from '../../nodes/VideoGeneration/providers/types';
import { changedShare, lumaFrame, runBinary } from '../video-generation/context';

/**
 * Whether a title card's text came out as real glyphs: the card is drawn again three ways, from the same scene —
 * as the renderer draws it (must match the pipeline's frame, or the comparison proves nothing), with its fonts
 * swapped for one that lacks the script (tofu boxes where the letters were), and with no text at all. The
 * pipeline's frame must be the first, not the others.
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
}

const SIZE = { width: 480, height: 480 };

async function drawCard(request: ClipRequest, directory: string, swap?: { from: string[]; to: string }): Promise<string> {
	await mkdir(directory, { recursive: true });
	let graph = await titleCardGraph(request, new TextFiles(directory));
	for (const font of swap?.from ?? []) graph = graph.split(`fontfile=${filterPath(fontPath(font))}`).join(`fontfile=${filterPath(fontPath(swap!.to))}`);
	const script = join(directory, 'graph.txt');
	await writeFile(script, graph, 'utf8');
	// Encoded as the renderer encodes a clip, so the frames compared went through the same steps.
	const output = join(directory, 'card.mp4');
	await runBinary('ffmpeg', ['-v', 'error', '-y', '-filter_complex_script', script, ...clipOutputArgs(output)]);
	return output;
}

/** `clip` is the scene's clip as the pipeline stored it; `request` the same scene as the renderer was asked for it. */
export async function compareGlyphs(
	clip: string,
	request: ClipRequest,
	directory: string,
	swap: { from: string[]; to: string },
): Promise<GlyphComparison> {
	const at = frameCount(request.duration) / request.fps / 2;
	const frame = await lumaFrame(clip, at, SIZE.width, SIZE.height);
	const luma = async (file: string) => lumaFrame(file, at, SIZE.width, SIZE.height);
	const real = await luma(await drawCard(request, join(directory, 'real')));
	const tofu = await luma(await drawCard(request, join(directory, 'tofu'), swap));
	const empty = { ...request, scene: { ...request.scene, heading: '', action: '', visualDescription: '', narration: '' } };
	const blank = await luma(await drawCard(empty, join(directory, 'blank')));
	return { same: changedShare(frame, real), tofu: changedShare(frame, tofu), blank: changedShare(frame, blank) };
}
