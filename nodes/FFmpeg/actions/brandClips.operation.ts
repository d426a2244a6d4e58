import { createHash } from 'node:crypto';
import { BRAND_CLIP_MAX_SECONDS } from '../../shared/brandClips';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { fittedBrandClipKey, workKey } from '../../shared/keys';
import { downloadOwnFile, ownFileOf, type OwnFile } from '../../shared/ownFile';
import { jsonParameter } from '../../shared/parameters';
import { CLIP_FORMAT } from '../../shared/presets';
import { probeStreams } from '../../shared/probe';
import type { MediaFacts } from '../../shared/refs';
import type { Storage } from '../../shared/transport/storage';
import { fitBrandClip } from '../lib/brandClip';
import { videoDuration } from '../lib/probe';
import { download, fail, inputJson, localName, readNumber, readRefList, round, uploadMedia, withMedia } from './common';

const show = { show: { operation: ['brandClips'] } };
/** Bumped when the fitting changes, so clips kept from before are fitted again. */
const FIT_VERSION = 1;

const clipField = (name: 'intro' | 'outro', where: string): INodeProperties => ({
	displayName: name === 'intro' ? 'Intro' : 'Outro',
	name,
	type: 'json',
	default: `={{ $json.options.${name} || '' }}`,
	description: `The clip played ${where}, as {"key": "brand/${name}.mp4"} (a stored video) or an https URL (the run's, else its brand kit's); empty = none`,
	displayOptions: show,
});

export const description: INodeProperties[] = [
	{
		displayName: 'Clips',
		name: 'clips',
		type: 'json',
		default: '={{ $json.clips }}',
		description: 'The scene videos in order (Campaign → Scene → List); the intro goes before them, the outro after',
		displayOptions: show,
	},
	clipField('intro', 'before the first scene'),
	clipField('outro', 'after the last scene'),
	{
		displayName: 'Loudness Target',
		name: 'loudnessTarget',
		type: 'number',
		default: -14,
		typeOptions: { minValue: -70, maxValue: 0, numberPrecision: 1 },
		description:
			"The scenes' loudness in LUFS: the intro's and outro's sound is brought to it, so the join needs no loudness pass; 0 = keep their level",
		displayOptions: show,
	},
	{
		displayName: 'Brand Kit Version',
		name: 'brandVersion',
		type: 'number',
		default: 0,
		description:
			"Fitted clips are kept per campaign, brand kit version and format (in the campaign's brand folder), so the next run does not fit them again; assembly passes the run's kit version",
		displayOptions: show,
	},
];

interface Placed {
	ref: IDataObject;
	duration: number;
	reused: boolean;
	source: OwnFile;
}

/**
 * Puts the brand kit's intro before the first scene and its outro after the last, each fitted to the scenes' format
 * (frame, fps, codecs, loudness) so Join scenes still copies the pictures. Everything timed on the final video moves
 * by the intro's length: subtitle cues (and their words), the thumbnail time, the total. No intro and no outro:
 * the item passes through unchanged.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const json = inputJson.call(this, itemIndex);
	const wanted = { intro: readClip.call(this, itemIndex, 'intro'), outro: readClip.call(this, itemIndex, 'outro') };
	if (!wanted.intro && !wanted.outro) return [{ json }];
	const clips = readRefList.call(this, itemIndex, 'clips', 'Clips', 'Campaign → Scene → List (clips)');
	const raw = this.getNodeParameter('clips', itemIndex, []) as IDataObject[];
	const loudnessTarget = readNumber.call(this, itemIndex, 'loudnessTarget', 'Loudness Target', { min: -70, max: 0 });
	const version = readNumber.call(this, itemIndex, 'brandVersion', 'Brand Kit Version', { min: 0, fallback: 0 });
	const campaignId = typeof json.campaignId === 'string' ? json.campaignId : '';
	const runId = typeof json.runId === 'string' ? json.runId : '';

	const placed = await withMedia(this, async (storage, path) => {
		// The run's format is its first scene's: every scene is made in it.
		const known = (clips[0] as { media?: MediaFacts }).media;
		const first = known?.video
			? known
			: await probeStreams(await download.call(this, itemIndex, storage, clips[0], path(localName('scene', clips[0])), 'Clips (entry 1)'));
		if (!first.video) return fail.call(this, itemIndex, 'The first scene has no picture, so there is no format to fit the intro and outro to.');
		const format = { width: first.video.width, height: first.video.height, fps: CLIP_FORMAT.fps, loudnessTarget };
		const result: Partial<Record<'intro' | 'outro', Placed>> = {};
		for (const which of ['intro', 'outro'] as const) {
			const clip = wanted[which];
			if (!clip) continue;
			const where = 'url' in clip ? `"${clip.url}"` : `"${clip.key}"`;
			const fix = `Fix the brand kit's ${which} (or the request's "${which}"), then resume the run.`;
			// A key is kept by its object's size too: a new file uploaded under the same key is fitted again.
			const bytes = 'key' in clip ? ((await storage.stat(storage.ref(clip.key)).catch(() => null))?.bytes ?? 0) : 0;
			const hash = createHash('sha256')
				.update(JSON.stringify({ clip, bytes, version, format, fit: FIT_VERSION }))
				.digest('hex')
				.slice(0, 16);
			const key = campaignId ? fittedBrandClipKey(campaignId, which, hash) : workKey(runId || 'unknown', `${which}.mp4`);
			const kept = campaignId ? await keptClip(storage, key, path(`${which}-kept.mp4`), loudnessTarget) : null;
			if (kept) {
				result[which] = { ref: kept, duration: Number(kept.duration), reused: true, source: clip };
				continue;
			}
			let input: string;
			try {
				input = await downloadOwnFile(storage, clip, path(''), which);
			} catch (error) {
				return fail.call(this, itemIndex, `The ${which} ${where} could not be downloaded: ${(error as Error).message}. ${fix}`);
			}
			const output = path(`${which}.mp4`);
			try {
				await fitBrandClip({
					input,
					picture: path(`${which}-picture.mp4`),
					output,
					width: format.width,
					height: format.height,
					loudnessTarget,
					maxSeconds: BRAND_CLIP_MAX_SECONDS,
				});
			} catch (error) {
				return fail.call(this, itemIndex, `The ${which} ${where} could not be used: ${(error as Error).message}. ${fix}`);
			}
			const ref = (await uploadMedia(storage, output, key)) as unknown as IDataObject & { media?: MediaFacts };
			// Mux brought its sound to the target (or it is silence): Join scenes need not measure it.
			if (ref.media?.audio && loudnessTarget < 0) ref.media.audio.loudness = loudnessTarget;
			// The picture's length, as Scene List times the scenes: the container's also counts the AAC padding.
			result[which] = { ref, duration: ref.media ? round(videoDuration(ref.media)) : Number(ref.duration), reused: false, source: clip };
		}
		return result;
	});

	const shift = placed.intro ? placed.intro.duration : 0;
	const at = (seconds: unknown) => round(Number(seconds) + shift);
	const cues = (Array.isArray(json.cues) ? (json.cues as IDataObject[]) : []).map((cue) => ({
		...cue,
		start: at(cue.start),
		end: at(cue.end),
		...(Array.isArray(cue.words)
			? { words: (cue.words as IDataObject[]).map((word) => ({ ...word, start: at(word.start), end: at(word.end) })) }
			: {}),
	}));
	const bookend = (which: 'intro' | 'outro') => {
		const entry = placed[which];
		return entry ? [{ ...entry.ref, duration: entry.duration, role: which }] : [];
	};
	const total = Number(json.totalDuration) || raw.reduce((sum, clip) => sum + (Number(clip.duration) || 0), 0);
	return [
		{
			json: {
				...json,
				clips: [...bookend('intro'), ...raw, ...bookend('outro')],
				cues,
				thumbnailTime: at(json.thumbnailTime ?? 0),
				totalDuration: round(total + shift + (placed.outro?.duration ?? 0)),
				brandClips: Object.fromEntries(
					Object.entries(placed).map(([which, entry]) => [
						which,
						{ key: entry.ref.key, duration: entry.duration, reused: entry.reused, source: entry.source },
					]),
				) as IDataObject,
			},
		},
	];
}

function readClip(this: IExecuteFunctions, itemIndex: number, name: 'intro' | 'outro'): OwnFile | null {
	const value = jsonParameter(this, name, name === 'intro' ? 'Intro' : 'Outro', itemIndex, { optional: true });
	if (value === undefined || value === '' || value === null || value === false) return null;
	const file = ownFileOf(value);
	if (!file)
		return fail.call(
			this,
			itemIndex,
			`"${name === 'intro' ? 'Intro' : 'Outro'}" is not a clip reference. Set it to {"key": "<object key>"} or {"url": "https://…"}, or leave it empty for none.`,
		);
	return 'url' in file ? { url: file.url } : { key: file.key };
}

/** The clip fitted by an earlier run of this format, with its facts; null when there is none yet. */
async function keptClip(storage: Storage, key: string, file: string, loudnessTarget: number): Promise<IDataObject | null> {
	const ref = storage.ref(key);
	if (!(await storage.stat(ref).catch(() => null))) return null;
	await storage.downloadFile(ref, file);
	const media = await probeStreams(file);
	if (!media.video) return null;
	// Its sound was brought to the target it is keyed by (silence stays silence at any target).
	if (media.audio && loudnessTarget < 0) media.audio.loudness = loudnessTarget;
	return {
		...ref,
		duration: round(videoDuration(media)),
		width: media.video.width,
		height: media.video.height,
		media: media as unknown as IDataObject,
	};
}
