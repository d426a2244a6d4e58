import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { callbackSettings } from '../../shared/callbacks/settings';
import { downloadPublicFile } from '../../shared/fetchPublic';
import { musicMixKey, musicSourceKey } from '../../shared/keys';
import { jsonParameter } from '../../shared/parameters';
import type { StandardKey } from '../../shared/outputKey';
import { DEFAULT_MUSIC_VOLUME, mixMusic, MUSIC_VOLUME_LIMITS } from '../lib/music';
import { download, fail, inputJson, localName, outputKeyField, readNumber, readOutputKey, readVideo, renderVideo, round, videoField } from './common';

const show = { operation: ['music'] };

/** Where the result goes when Output Key is empty. */
const standard: StandardKey = { what: 'the video with its music bed', run: musicMixKey };

export const description: INodeProperties[] = [
	videoField('music', 'Reference of the joined video whose narration the music goes under'),
	{
		displayName: 'Music',
		name: 'music',
		type: 'json',
		default: '={{ $json.options.music }}',
		description:
			"The run's music as its request gives it: a stored object by key, or a public https URL to download. Empty = no music: the item is passed on unchanged.",
		displayOptions: { show },
	},
	{
		displayName: 'Volume',
		name: 'volume',
		type: 'number',
		default: DEFAULT_MUSIC_VOLUME,
		typeOptions: { minValue: MUSIC_VOLUME_LIMITS.min, maxValue: MUSIC_VOLUME_LIMITS.max, numberPrecision: 1 },
		description: 'Loudness of the music on its own in LUFS (dB relative to full scale), before ducking; speech sits at about −14',
		displayOptions: { show },
	},
	{
		displayName: 'Duck Under Speech',
		name: 'duck',
		type: 'boolean',
		default: true,
		description: 'Whether to lower the music while the narration speaks (sidechain compression keyed on the speech)',
		displayOptions: { show },
	},
	outputKeyField('music', standard),
];

const AUDIO_TYPES: Record<string, string> = {
	'.mp3': 'audio/mpeg',
	'.m4a': 'audio/mp4',
	'.aac': 'audio/aac',
	'.wav': 'audio/wav',
	'.flac': 'audio/flac',
	'.ogg': 'audio/ogg',
	'.opus': 'audio/ogg',
};

/** Names the kept copy by its URL, so a run whose music changes (an operator's retry) downloads the new one. */
const urlHash = (url: string) => createHash('sha256').update(url).digest('hex').slice(0, 12);

/** The URL path's extension when it names an audio type, else none (the kept copy is then named without one). */
function urlExtension(url: string): string {
	try {
		const ext = extname(new URL(url).pathname).toLowerCase();
		return ext in AUDIO_TYPES ? ext : '';
	} catch {
		return '';
	}
}

/** The Music parameter: null for none, else a stored object or a URL to download. */
export function readMusic(this: IExecuteFunctions, itemIndex: number): { key: string; bucket?: string } | { url: string } | null {
	const value = jsonParameter(this, 'music', 'Music', itemIndex, { bareText: true }) ?? null;
	if (value === null || value === '') return null;
	const hint = 'Set it to {"key": "<object key>"} or {"url": "https://…"}, or leave it empty for no music.';
	if (typeof value === 'string') return { key: value.trim() };
	if (typeof value !== 'object' || Array.isArray(value)) return fail.call(this, itemIndex, `The "Music" parameter is not a music reference. ${hint}`);
	const { url, key, bucket } = value as IDataObject;
	if (typeof url === 'string' && url.trim()) return { url: url.trim() };
	if (typeof key === 'string' && key.trim()) return { key: key.trim(), bucket: typeof bucket === 'string' && bucket ? bucket : undefined };
	return fail.call(this, itemIndex, `The "Music" parameter has neither a key nor a url. ${hint}`);
}

/** A music bed under the narration, ducked while it speaks; video copied. No music = the item passes unchanged. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const music = readMusic.call(this, itemIndex);
	if (!music) return [{ json: inputJson.call(this, itemIndex) }];
	const video = readVideo.call(this, itemIndex);
	const volume = readNumber.call(this, itemIndex, 'volume', 'Volume', { ...MUSIC_VOLUME_LIMITS, fallback: DEFAULT_MUSIC_VOLUME });
	const duck = this.getNodeParameter('duck', itemIndex, true) !== false;
	const outputKey = readOutputKey.call(this, itemIndex, standard);
	const runId = String(inputJson.call(this, itemIndex).runId ?? '');
	let stored: { bucket: string; key: string } | null = null;

	const { ref, result } = await renderVideo(
		this,
		itemIndex,
		{ video, outputKey, outputName: 'music.mp4', what: 'music' },
		async ({ input, output, path, storage, onProgress, known }) => {
			let file: string;
			if ('url' in music) {
				const kept = runId ? { bucket: storage.bucket, key: musicSourceKey(runId, urlHash(music.url), urlExtension(music.url)) } : null;
				// A resume mixes the copy kept the first time: the link may have expired since, or point at other audio.
				if (kept && (await storage.stat(kept))) {
					file = path(localName('music', kept));
					await storage.downloadFile(kept, file);
					stored = kept;
				} else {
					try {
						file = await downloadPublicFile(music.url, path('music.download'), { what: 'music', allowLoopback: callbackSettings().allowLoopback });
					} catch (error) {
						return fail.call(
							this,
							itemIndex,
							`The run's "music" could not be downloaded: ${(error as Error).message}`,
							'Fix "music.url" (or upload the file and use "music.key") and send the run again.',
						);
					}
					if (kept) {
						await storage.uploadFile(file, kept.key, AUDIO_TYPES[extname(kept.key)] ?? 'application/octet-stream');
						stored = kept;
					}
				}
			} else {
				file = await download.call(this, itemIndex, storage, music, path(localName('music', music)), 'Music');
				stored = { bucket: music.bucket || storage.bucket, key: music.key };
			}
			try {
				return await mixMusic({ input, music: file, output, volume, duck, onProgress, known });
			} catch (error) {
				const message = (error as Error).message;
				if (message.startsWith('The music')) return fail.call(this, itemIndex, `The run's "music": ${message}`);
				throw new NodeOperationError(this.getNode(), error as Error, { itemIndex, description: 'Mixing the music under the narration failed.' });
			}
		},
	);
	const summary = {
		source: 'url' in music ? { url: music.url } : { key: music.key },
		// The file that was mixed, in storage: what the editor timeline references.
		stored,
		duration: round(result.duration, 3),
		volume: result.volume,
		gain: round(result.gain, 2),
		musicLoudness: result.musicLoudness === null ? null : round(result.musicLoudness, 2),
		ducked: result.ducked,
	};
	return [{ json: { ...inputJson.call(this, itemIndex), video: ref as unknown as IDataObject, music: summary as unknown as IDataObject } }];
}
