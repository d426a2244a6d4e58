import { join } from 'node:path';
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { narrationKeyIn } from '../../shared/keys';
import { downloadOwnFile, ownFileOf, type OwnFile } from '../../shared/ownFile';
import { jsonParameter } from '../../shared/parameters';
import type { Storage } from '../../shared/transport/storage';
import { withWorkDir } from '../../shared/workdir';
import { clipPcmOf } from '../lib/audio';
import { pcmDuration, wavFacts, writeWav } from '../lib/wav';

/** The provider name an own voice-over is recorded under: no speech provider spoke it, nothing was paid. */
export const OWN_PROVIDER = 'own';

export type OwnVoiceOver = OwnFile & { text?: string };

/**
 * The "Own Voice-Over" parameter: {"key": …} or {"url": …}, optionally with "text" for subtitles; empty = speak the
 * scene. The run request checked it (Campaign/lib/sceneMedia.ts); here only its shape, for a node used by hand.
 */
export function readOwnVoiceOver(this: IExecuteFunctions, itemIndex: number, label: string): OwnVoiceOver | undefined {
	const value = jsonParameter(this, 'ownVoiceOver', 'Own Voice-Over', itemIndex, { optional: true });
	if (value === undefined || value === '') return undefined;
	const file = ownFileOf(value);
	if (file) return file;
	const hint = 'Set it to {"key": "<object key>"} or {"url": "https://…"}, optionally with "text", or leave it empty to speak the scene.';
	throw new NodeOperationError(this.getNode(), `${label}"Own Voice-Over" is not a voice-over reference. ${hint}`, { itemIndex });
}

/**
 * Subtitle lines over a voice-over of `duration` seconds: the text cut into sentences, each given a share of the time
 * as long as its share of the characters (a reader's pace is even enough for cues to sit on their words).
 */
export function spreadText(text: string | undefined, duration: number): Array<{ text: string; start: number; end: number }> {
	const sentences = (text ?? '')
		.split(/(?<=[.!?…])\s+/)
		.map((sentence) => sentence.trim())
		.filter(Boolean);
	const total = sentences.reduce((sum, sentence) => sum + Array.from(sentence).length, 0);
	let at = 0;
	return sentences.map((sentence) => {
		const start = at;
		at += (duration * Array.from(sentence).length) / total;
		return { text: sentence, start: round(start), end: round(at) };
	});
}

/**
 * The scene's narration from the caller's recording instead of speech: converted to the narration format, stored where
 * the spoken track would go; its length becomes the scene's (Video Generation reads `own`). No speech provider is
 * called and it costs $0.
 */
export async function makeOwnVoiceOver(
	this: IExecuteFunctions,
	itemIndex: number,
	job: { voiceOver: OwnVoiceOver; storage: Storage; folder: string; label: string },
): Promise<INodeExecutionData[]> {
	const { voiceOver, storage, label } = job;
	const fail = (message: string) => new NodeOperationError(this.getNode(), message, { itemIndex });
	const where = 'url' in voiceOver ? `"${voiceOver.url}"` : `"${voiceOver.key}"`;
	const fix = 'Fix the scene\'s "voiceOver" in "sceneMedia" (or upload the file and give its "key"), then send the run again or resume it.';
	const narration = await withWorkDir(async (dir) => {
		let input: string;
		try {
			input = await downloadOwnFile(storage, voiceOver, dir, 'voice-over');
		} catch (error) {
			throw fail(`${label}your voice-over ${where} could not be downloaded: ${(error as Error).message}. ${fix}`);
		}
		let pcm;
		try {
			pcm = await clipPcmOf(input, join(dir, 'converted.wav'));
		} catch {
			throw fail(`${label}your voice-over ${where} is not an audio file ffmpeg can read. Use an audio file (WAV, MP3, AAC, FLAC, Ogg…). ${fix}`);
		}
		const duration = round(pcmDuration(pcm));
		if (!(duration > 0)) throw fail(`${label}your voice-over ${where} has no sound in it (0 s). ${fix}`);
		const file = join(dir, 'narration.wav');
		await writeWav(file, pcm);
		const key = narrationKeyIn(job.folder);
		const ref = await storage.uploadFile(file, key, 'audio/wav');
		const lines = spreadText(voiceOver.text, duration).map((line) => ({ speaker: 'NARRATOR', kind: 'narration', key, voice: OWN_PROVIDER, ...line }));
		return { ...ref, duration, media: wavFacts(pcm, ref.bytes ?? 0), lines, own: true };
	});
	const item = this.getInputData()[itemIndex];
	return [
		{
			json: {
				...item.json,
				narration: narration as unknown as IDataObject,
				provider: OWN_PROVIDER,
				attempts: [{ provider: OWN_PROVIDER, outcome: 'served' }],
				cost: { provider: OWN_PROVIDER, model: null, units: 0, unit: 'character', amountUsd: 0 },
			},
			pairedItem: { item: itemIndex },
		},
	];
}

function round(seconds: number): number {
	return Math.round(seconds * 1000) / 1000;
}
