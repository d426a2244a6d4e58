import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Plan, Scene } from '../../shared/plan';
import { CLIP_FORMAT } from '../../shared/presets';
import type { TrailerCut, TrailerMoment } from '../../shared/screenplay/trailer';
import { ffmpeg, type FfmpegProgress } from '../../shared/transport/ffmpeg';
import type { BrandLook, ClipRequest } from '../../shared/render/request';
import { renderClip, renderStill } from '../../shared/render';
import { clipOutputArgs, drawText, frameCount, silentAudio } from '../../shared/render/filters';
import { concatClips } from './concat';
import { normaliseLoudness } from './loudness';
import { mixMusic } from './music';
import { probeMedia, videoDuration } from './probe';

/** How far each shot pushes in over its length: slow, so a still reads as a shot and not as a slide. */
const ZOOM = 0.08;
/** The caption's size and place, as parts of the frame height (a subtitle's, a little larger). */
const CAPTION = { size: 0.034, bottom: 0.1, charWidth: 0.56, widthShare: 0.86, box: 0.55 };

export interface TrailerOptions {
	plan: Plan;
	cut: TrailerCut;
	/** The run's frame size and export preset name. */
	width: number;
	height: number;
	preset: string;
	/** The run's style for the shots (the title card is always in the title-card style). */
	style: string;
	brand?: BrandLook;
	/** The run's music file; none = the trailer is silent. */
	music?: string | null;
	/** LUFS the music is brought to (the run's loudness target). */
	target?: number;
	directory: string;
	output: string;
	onProgress?: (progress: FfmpegProgress) => void;
}

export interface TrailerResult {
	duration: number;
	shots: number;
	music: boolean;
}

/** A scene reduced to the one moment: what the renderer draws is that scene, with only that line. */
function momentScene(scene: Scene, moment: TrailerMoment): Scene {
	const line = moment.kind === 'dialogue' && moment.line !== null ? scene.dialogue[moment.line] : undefined;
	return {
		...scene,
		dialogue: line ? [line] : [],
		narration: moment.kind === 'narration' ? moment.text : '',
		duration: moment.duration,
	};
}

/** Wraps the caption to the frame width (drawtext does not wrap), at most three lines. */
export function wrapCaption(text: string, columns: number): string {
	const lines: string[] = [];
	let current = '';
	for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
		if (current && (current + ' ' + word).length > columns) {
			lines.push(current);
			current = word;
		} else current = current ? `${current} ${word}` : word;
	}
	if (current) lines.push(current);
	if (lines.length > 3) return [...lines.slice(0, 2), `${lines[2]}…`].join('\n');
	return lines.join('\n');
}

/** One shot: the scene's storyboard still, pushed in slowly, the line as a caption, silent, in the clip format. */
async function momentShot(options: TrailerOptions, scene: Scene, moment: TrailerMoment, directory: string): Promise<string> {
	await mkdir(directory, { recursive: true });
	const request: ClipRequest = {
		scene: momentScene(scene, moment),
		style: options.style,
		preset: options.preset,
		width: options.width,
		height: options.height,
		fps: CLIP_FORMAT.fps,
		duration: moment.duration,
		brand: options.brand,
	};
	const still = await renderStill(request, directory);
	const frames = frameCount(moment.duration);
	const { width, height } = options;
	// zoompan scales one still per output frame: about twice as fast here as scale with eval=frame on a 1080×1920 frame.
	const zoom = `zoompan=z='1+${ZOOM}*on/${frames}':d=${frames}:s=${width}x${height}:fps=${CLIP_FORMAT.fps}:x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2'`;
	const filters = [`[0:v]scale=${width}:${height},setsar=1,${zoom}`];
	if (moment.text) {
		const size = Math.round(height * CAPTION.size);
		const columns = Math.max(10, Math.floor((width * CAPTION.widthShare) / (size * CAPTION.charWidth)));
		const textFile = join(directory, 'caption.txt');
		await writeFile(textFile, wrapCaption(moment.text, columns), 'utf8');
		const caption = drawText({
			font: 'DejaVuSans-Bold.ttf',
			textFile,
			size,
			color: 'white',
			x: '(w-text_w)/2',
			y: `h-text_h-${Math.round(height * CAPTION.bottom)}`,
			lineSpacing: size * 0.3,
			shadowColor: 'black',
			shadowOffset: size / 12,
		});
		filters.push(`${caption}:box=1:boxcolor=black@${CAPTION.box}:boxborderw=${Math.round(size * 0.4)}`);
	}
	const graph = `${filters.join(',')},format=${CLIP_FORMAT.pixelFormat},trim=end_frame=${frames}[v];${silentAudio(frames)}`;
	const output = join(directory, 'shot.mp4');
	await ffmpeg(['-i', still, '-filter_complex', graph, ...clipOutputArgs(output)], { duration: frames / CLIP_FORMAT.fps });
	return output;
}

/** The opening card: the plan's title in the title-card style, in the brand kit's look. */
async function titleShot(options: TrailerOptions, directory: string): Promise<string> {
	await mkdir(directory, { recursive: true });
	const scene: Scene = {
		number: 0,
		heading: options.plan.title || 'Untitled',
		interior: null,
		location: '',
		timeOfDay: null,
		action: '',
		visualDescription: '',
		dialogue: [],
		narration: '',
		characters: [],
		duration: options.cut.titleCard,
	};
	const request: ClipRequest = {
		scene,
		style: 'titleCard',
		preset: options.preset,
		width: options.width,
		height: options.height,
		fps: CLIP_FORMAT.fps,
		duration: options.cut.titleCard,
		brand: options.brand,
	};
	return renderClip(request, directory);
}

/**
 * The trailer: title card, then each moment as a shot, joined by stream copy (every shot is in the one clip format),
 * the run's music under it brought to the run's loudness, else silence. One MP4 at the run's frame size.
 */
export async function makeTrailer(options: TrailerOptions): Promise<TrailerResult> {
	const scenes = new Map(options.plan.scenes.map((scene) => [scene.number, scene]));
	const shots = [await titleShot(options, join(options.directory, 'title'))];
	for (const [index, moment] of options.cut.moments.entries()) {
		const scene = scenes.get(moment.scene);
		if (!scene) throw new Error(`The trailer's moment ${index + 1} names scene ${moment.scene}, which the plan does not have.`);
		shots.push(await momentShot(options, scene, moment, join(options.directory, `shot-${index + 1}`)));
	}
	const joined = join(options.directory, options.music ? 'joined.mp4' : 'trailer.mp4');
	await concatClips({ inputs: shots, output: options.music ? joined : options.output, mode: 'copy', onProgress: options.onProgress });
	if (options.music) {
		const mixed = join(options.directory, 'mixed.mp4');
		// No narration in a trailer: the music is the sound, so nothing to duck under.
		await mixMusic({ input: joined, music: options.music, output: mixed, duck: false, volume: options.target ?? -14 });
		await normaliseLoudness({ input: mixed, output: options.output, target: options.target ?? -14 });
	}
	const probe = await probeMedia(options.output, { measureAudio: false });
	return { duration: videoDuration(probe), shots: shots.length, music: !!options.music };
}
