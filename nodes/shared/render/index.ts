import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ffmpeg, type FfmpegProgress } from '../transport/ffmpeg';
import styles from '../data/styles.json';
import type { ClipRequest } from './request';
import { clipOutputArgs, frameCount, TextFiles } from './filters';
import { terminalGraph } from './terminal';
import { titleCardGraph } from './titleCard';

export type StyleName = keyof typeof styles.styles;
export const STYLE_NAMES = Object.keys(styles.styles) as StyleName[];

const GRAPHS: Record<StyleName, (request: ClipRequest, files: TextFiles) => Promise<string>> = {
	titleCard: titleCardGraph,
	terminal: terminalGraph,
};

export function isStyle(name: string): name is StyleName {
	return Object.prototype.hasOwnProperty.call(GRAPHS, name);
}

export interface RenderOptions {
	onProgress?: (progress: FfmpegProgress) => void;
	signal?: AbortSignal;
}

/**
 * Renders one scene clip into `directory` (text files, the filter script and clip.mp4) and returns the clip path.
 * The graph goes to ffmpeg as a script file: terminal scenes can hold hundreds of filters, more than fits in
 * one command-line argument.
 */
export async function renderClip(request: ClipRequest, directory: string, options: RenderOptions = {}): Promise<string> {
	if (!isStyle(request.style)) {
		throw new Error(`Unknown style "${request.style}". Use one of: ${STYLE_NAMES.join(', ')}.`);
	}
	const graph = await GRAPHS[request.style](request, new TextFiles(directory));
	const script = join(directory, 'graph.txt');
	await writeFile(script, graph, 'utf8');
	const output = join(directory, 'clip.mp4');
	options.signal?.throwIfAborted();
	// Slice-threaded filters (overlay, format conversion) split each frame over the cores; x264 threads itself.
	const threads = ['-filter_complex_threads', String(availableParallelism())];
	await ffmpeg([...threads, '-filter_complex_script', script, ...clipOutputArgs(output)], {
		duration: frameCount(request.duration) / request.fps,
		onProgress: options.onProgress,
		signal: options.signal,
	});
	return output;
}

/**
 * One PNG frame of the clip the local renderer would make (the same graph, the frame from the middle of the scene):
 * the storyboard still that Kling and Runway animate for character consistency. The audio branch of the graph goes
 * to a null output, as ffmpeg refuses a graph with an unused output.
 */
export async function renderStill(request: ClipRequest, directory: string, options: RenderOptions = {}): Promise<string> {
	if (!isStyle(request.style)) {
		throw new Error(`Unknown style "${request.style}". Use one of: ${STYLE_NAMES.join(', ')}.`);
	}
	const graph = await GRAPHS[request.style](request, new TextFiles(directory));
	const script = join(directory, 'still-graph.txt');
	await writeFile(script, graph, 'utf8');
	const output = join(directory, 'still.png');
	const at = Math.max(0, frameCount(request.duration) / request.fps / 2);
	options.signal?.throwIfAborted();
	await ffmpeg(
		['-filter_complex_script', script, '-map', '[v]', '-ss', at.toFixed(2), '-frames:v', '1', '-update', '1', '-c:v', 'png', output, '-map', '[a]', '-f', 'null', '-'],
		{ signal: options.signal },
	);
	return output;
}
