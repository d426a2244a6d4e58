/**
 * The storyboard stills of the approval screen: one picture per scene of a take's plan version, stored under
 * keys.storyboardStillKey, with the video prompt the run's paid provider would get. Drawn by Campaign → Draw Storyboard
 * before the approval wait, and by the dashboard again for a scene the manager edits. A still never stops a run: one
 * that cannot be drawn is recorded as failed with why (a row and an event), and the storyboard shows the scene without it.
 */
import { readFile } from 'node:fs/promises';
import type { Plan, Scene } from '../../shared/plan';
import { CLIP_FORMAT, PRESETS } from '../../shared/presets';
import { storyboardStillKey } from '../../shared/keys';
import type { Storage } from '../../shared/transport/storage';
import { withWorkDir } from '../../shared/workdir';
import kling from '../../shared/data/kling.json';
import runway from '../../shared/data/runway.json';
import { fitPrompt, scenePrompt } from '../../shared/videoPrompt';
import type { BrandLook, ClipRequest } from '../../shared/render/request';
import { isStyle, renderStill } from '../../shared/render';
import type { Queryable } from '../transport/db';
import { recordEvent } from '../store/events';
import { saveStill, listStills, type StoryboardStill } from '../store/storyboardStills';
import type { RunOptions } from './request';

/**
 * Who draws a storyboard still. Only the local renderer exists; an image model (a text-to-image API) would be a second
 * painter here, chosen when its credential is configured, writing its name into storyboard_stills.painter.
 */
export interface StillPainter {
	readonly name: string;
	/** Draws the scene into `directory` and returns the PNG's path. */
	paint(request: ClipRequest, directory: string, signal: AbortSignal): Promise<string>;
}

export const localPainter: StillPainter = {
	name: 'local',
	paint: (request, directory, signal) => renderStill(request, directory, { signal }),
};

/** Longest one still may take: a stuck ffmpeg must not hold the run before its approval wait. */
const STILL_TIMEOUT_MS = 60_000;

type StillOptions = Partial<
	Pick<
		RunOptions,
		'preset' | 'style' | 'language' | 'terminalScheme' | 'terminalCursor' | 'terminalPrompt' | 'terminalChrome' | 'terminalEffects' | 'providers'
	>
> & {
	brand?: { colors?: unknown; fonts?: unknown } | null;
};

/**
 * The scene as the storyboard draws it: what the camera shows (the visual description, where the video prompt starts)
 * is the card's text, so the picture follows an edit of it. Its length is the planned one (no narration yet).
 */
export function stillRequest(scene: Scene, plan: Pick<Plan, 'characters'>, options: StillOptions): ClipRequest {
	const preset = PRESETS[options.preset ?? ''] ?? PRESETS.youtube;
	const visual = String(scene.visualDescription ?? '').trim();
	const brand = options.brand ? ({ colors: options.brand.colors, fonts: options.brand.fonts } as BrandLook) : undefined;
	return {
		scene: { ...scene, dialogue: scene.dialogue ?? [], ...(visual ? { action: visual } : {}) },
		style: options.style ?? 'titleCard',
		preset: options.preset ?? 'youtube',
		width: preset.width,
		height: preset.height,
		fps: CLIP_FORMAT.fps,
		duration: Number(scene.duration) > 0 ? Number(scene.duration) : 5,
		language: options.language,
		terminalScheme: options.terminalScheme,
		terminalCursor: options.terminalCursor,
		terminalPrompt: options.terminalPrompt,
		terminalChrome: options.terminalChrome,
		terminalEffects: options.terminalEffects,
		brand,
		characters: plan.characters ?? [],
	};
}

/** The paid video provider whose prompt the storyboard shows: the first Kling or Runway of the run's order, else none. */
export function promptProvider(options: StillOptions): 'kling' | 'runway' | null {
	return (options.providers?.video ?? []).find((name): name is 'kling' | 'runway' => name === 'kling' || name === 'runway') ?? null;
}

/** The words the provider would be sent for the scene (within its limit); without a paid provider, the prompt before any style hint. */
export function videoPrompt(scene: Scene, plan: Pick<Plan, 'characters'>, options: StillOptions): string {
	const request: ClipRequest = { ...stillRequest(scene, plan, options), scene: { ...scene, dialogue: scene.dialogue ?? [] } };
	const provider = promptProvider(options);
	if (provider === 'kling')
		return fitPrompt(request, (kling.styleHints as Record<string, string>)[request.style], kling.maxPromptChars, 'Kling').text;
	if (provider === 'runway')
		return fitPrompt(request, (runway.styleHints as Record<string, string>)[request.style], runway.maxPromptChars, 'Runway').text;
	return scenePrompt(request, undefined);
}

export interface DrawTarget {
	runId: string;
	version: number;
	take: number;
	plan: Plan;
	options: StillOptions;
	/** Only these scenes (an edit); all of the plan's when absent. */
	scenes?: number[];
	/** Draw again even when a still is stored already (an edit). */
	redraw?: boolean;
}

export interface DrawResult {
	drawn: number;
	failed: number;
	kept: number;
}

/**
 * Draws the stills of one plan version, scene by scene, and records each (drawn or failed). Never throws for a still:
 * a scene that cannot be drawn (the renderer failed, the bucket did not take it) is a failed row and an event.
 */
export async function drawStills(db: Queryable, storage: Storage, target: DrawTarget, painter: StillPainter = localPainter): Promise<DrawResult> {
	const wanted = (target.plan.scenes ?? []).filter((scene) => !target.scenes || target.scenes.includes(scene.number));
	const stored = target.redraw ? [] : await listStills(db, target.runId, [target.version]);
	const result: DrawResult = { drawn: 0, failed: 0, kept: 0 };
	for (const scene of wanted) {
		const prompt = videoPrompt(scene, target.plan, target.options);
		if (stored.some((still) => still.sceneNumber === scene.number && still.status === 'drawn')) {
			result.kept++;
			continue;
		}
		const key = storyboardStillKey(target.runId, target.version, scene.number);
		try {
			const request = stillRequest(scene, target.plan, target.options);
			if (!isStyle(request.style)) throw new Error(`the local renderer has no style "${request.style}"`);
			await withWorkDir(async (directory) => {
				const file = await painter.paint(request, directory, AbortSignal.timeout(STILL_TIMEOUT_MS));
				await storage.uploadBuffer(await readFile(file), key, 'image/png');
			});
			await saveStill(db, {
				runId: target.runId,
				version: target.version,
				sceneNumber: scene.number,
				status: 'drawn',
				painter: painter.name,
				stillKey: key,
				error: null,
				prompt,
			});
			result.drawn++;
		} catch (error) {
			const why = stillError(error);
			result.failed++;
			await saveStill(db, {
				runId: target.runId,
				version: target.version,
				sceneNumber: scene.number,
				status: 'failed',
				painter: painter.name,
				stillKey: null,
				error: why,
				prompt,
			});
			await recordEvent(db, {
				runId: target.runId,
				sceneNumber: scene.number,
				stage: 'storyboard',
				status: 'info',
				message: `Scene ${scene.number} of take ${target.take} (plan v${target.version}) has no storyboard still: ${why} The storyboard shows it without a picture; the run goes on.`,
				data: { take: target.take, version: target.version, scene: scene.number, error: why },
			});
		}
	}
	return result;
}

/** Why a still is missing, in a sentence for the approval screen. */
function stillError(error: unknown): string {
	const message = String((error as Error)?.message ?? error).trim();
	if ((error as Error)?.name === 'TimeoutError' || (error as Error)?.name === 'AbortError') {
		return `drawing it took longer than ${STILL_TIMEOUT_MS / 1000} s.`;
	}
	const line = message.split('\n').find((part) => part.trim()) ?? 'the local renderer failed';
	return /[.!?]$/.test(line) ? line : `${line}.`;
}

/**
 * After an edit made `version` from `parent`: the scenes the edit left alone keep the parent's stills (the same picture,
 * no drawing), and the edited ones are drawn anew under the new version's keys.
 */
export async function carryStills(db: Queryable, runId: string, parent: number, version: number, except: number[]): Promise<void> {
	const previous = await listStills(db, runId, [parent]);
	for (const still of previous.filter((row) => !except.includes(row.sceneNumber))) {
		await saveStill(db, { ...still, version });
	}
}

export type { StoryboardStill };
