import { writeFile } from 'node:fs/promises';
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { languageField, optionsCollection } from '../../shared/description';
import { fontPath } from '../../shared/fonts';
import { fontsFor, languageParameterValue, needsShaping, type Language } from '../../shared/languages';
import { textParameter } from '../../shared/parameters';
import { subtitledKey, subtitlesKey } from '../../shared/keys';
import { keyOverrideField, type StandardKey } from '../../shared/outputKey';
import type { MediaRef } from '../../shared/refs';
import { buildSrt, type SubtitleCue, type SubtitleWord } from '../lib/srt';
import { attachSubtitles, burnSubtitles } from '../lib/subtitles';
import {
	download,
	fail,
	inputJson,
	localName,
	outputKeyField,
	progressLog,
	readChoice,
	readOutputKey,
	readVideo,
	uploadMedia,
	uploadText,
	videoField,
	withMedia,
} from './common';

const show = { operation: ['subtitles'] };

/** Where the files go when SRT Key and Output Key are empty. */
const srtStandard: StandardKey = { what: 'the .srt file', run: subtitlesKey };
const videoStandard: StandardKey = { what: 'the subtitled video', run: subtitledKey };

export const description: INodeProperties[] = [
	videoField('subtitles', 'Reference of the video to subtitle'),
	{
		displayName: 'Cues',
		name: 'cues',
		type: 'json',
		required: true,
		default: '={{ $json.cues }}',
		description:
			'Subtitle cues on the video timeline: [{"start": 0, "end": 2.5, "text": "…", "speaker": "ALICE", "words": [{"text": "…", "start": 0.1, "end": 0.4}]}, …]. With words (ElevenLabs timings) subtitles follow the real speech.',
		displayOptions: { show },
	},
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		options: [
			{ name: 'Attach', value: 'attach', description: 'Soft subtitle track (mov_text); video copied, viewers can switch it off' },
			{ name: 'Burn', value: 'burn', description: 'Draw the text into the picture (re-encodes the video)' },
			{ name: 'SRT Only', value: 'srtOnly', description: 'Only write the .srt file; the video is passed on unchanged' },
		],
		default: 'attach',
		displayOptions: { show },
	},
	keyOverrideField({ displayName: 'SRT Key', name: 'srtKey', displayOptions: { show } }, srtStandard),
	{
		...outputKeyField('subtitles', videoStandard),
		displayOptions: { show: { operation: ['subtitles'], mode: ['attach', 'burn'] } },
	},
	{
		displayName: 'Colour',
		name: 'color',
		type: 'color',
		default: "={{ (($json.options.brand || {}).colors || {}).subtitles || '#ffffff' }}",
		description: "Colour of burned subtitles (#rrggbb): the campaign brand kit's subtitle colour, else white",
		displayOptions: { show: { operation: ['subtitles'], mode: ['burn'] } },
	},
	languageField({ show }, "burned subtitles are drawn with a font of its script, and an attached track is tagged with it unless Options → Language says otherwise"),
	optionsCollection({ show }, [
		{
			displayName: 'Speaker Prefix',
			name: 'speakerPrefix',
			type: 'boolean',
			default: false,
			description: 'Whether to put "SPEAKER: " before each line that has a speaker',
		},
		{
			displayName: 'Line Length',
			name: 'maxLineLength',
			type: 'number',
			default: 42,
			typeOptions: { minValue: 10, maxValue: 100 },
			description: 'Characters per line before wrapping (two lines per subtitle); burned lines also stay inside 90 % of the picture width',
		},
		{
			displayName: 'Language',
			name: 'language',
			type: 'string',
			default: 'eng',
			description: "ISO 639-2 code of the attached track, e.g. eng, deu, fra; without it, the run language's code",
		},
		{
			displayName: 'Font Size',
			name: 'fontSize',
			type: 'number',
			default: 16,
			typeOptions: { minValue: 6, maxValue: 72 },
			description: 'Size of burned subtitles, relative to a 288-line picture (scales with the video height)',
		},
	]),
];

/** Checks the cue list and says which cue is wrong and how. */
function readCues(this: IExecuteFunctions, itemIndex: number): SubtitleCue[] {
	let value = this.getNodeParameter('cues', itemIndex, null) as unknown;
	if (typeof value === 'string') {
		try {
			value = value.trim() ? JSON.parse(value) : [];
		} catch (error) {
			fail.call(this, itemIndex, `The "Cues" parameter is not valid JSON (${(error as Error).message}).`);
		}
	}
	if (!Array.isArray(value)) {
		return fail.call(
			this,
			itemIndex,
			'The "Cues" parameter needs a list like [{"start": 0, "end": 2, "text": "Hello"}]. Map it from the scene list\'s cues field.',
		);
	}
	return value.map((raw, index) => {
		const cue = (raw ?? {}) as IDataObject;
		const start = Number(cue.start);
		const end = Number(cue.end);
		const where = `Cue ${index + 1}`;
		if (cue.start === undefined || cue.start === null || !Number.isFinite(start) || start < 0) {
			fail.call(this, itemIndex, `${where}: "start" must be a number of seconds ≥ 0 (got ${JSON.stringify(cue.start)}).`);
		}
		if (cue.end === undefined || cue.end === null || !Number.isFinite(end) || end <= start) {
			fail.call(
				this,
				itemIndex,
				`${where}: "end" (${JSON.stringify(cue.end)}) must be a number after "start" (${start}). Check the cue timing.`,
			);
		}
		if (typeof cue.text !== 'string') {
			fail.call(this, itemIndex, `${where}: "text" must be a string (got ${typeof cue.text}).`);
		}
		const speaker = typeof cue.speaker === 'string' ? cue.speaker : undefined;
		const words = readWords.call(this, itemIndex, cue.words, where);
		return words ? { start, end, text: cue.text as string, speaker, words } : { start, end, text: cue.text as string, speaker };
	});
}

/** A cue's word timings (optional): each word needs text and start ≤ end in seconds on the video timeline. */
function readWords(this: IExecuteFunctions, itemIndex: number, value: unknown, where: string): SubtitleWord[] | undefined {
	if (value === undefined || value === null) return undefined;
	if (!Array.isArray(value)) {
		return fail.call(this, itemIndex, `${where}: "words" must be a list like [{"text": "Hello", "start": 0.2, "end": 0.5}].`);
	}
	return value.map((raw, index) => {
		const word = (raw ?? {}) as IDataObject;
		const start = Number(word.start);
		const end = Number(word.end);
		if (typeof word.text !== 'string' || word.start === null || word.end === null || !Number.isFinite(start) || !Number.isFinite(end) || start < 0 || end < start) {
			fail.call(
				this,
				itemIndex,
				`${where}, word ${index + 1}: needs "text" and seconds "start" ≤ "end" (got ${JSON.stringify(raw)}). Map words from the Text to Speech lines, moved to the video timeline.`,
			);
		}
		return { text: word.text as string, start, end };
	});
}

/** Builds the SRT from cues, stores it, and attaches it as a soft track or burns it in. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const video = readVideo.call(this, itemIndex);
	const cues = readCues.call(this, itemIndex);
	const mode = readChoice(this, itemIndex, 'mode', 'Mode', ['attach', 'burn', 'srtOnly'], 'attach');
	const srtKey = readOutputKey.call(this, itemIndex, srtStandard, 'srtKey', 'SRT Key');
	const outputKey = mode === 'srtOnly' ? '' : readOutputKey.call(this, itemIndex, videoStandard);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const srtOptions = {
		speakerPrefix: options.speakerPrefix === true,
		maxLineLength: typeof options.maxLineLength === 'number' ? options.maxLineLength : 42,
	};

	let language: Language;
	try {
		language = languageParameterValue(textParameter(this, 'language', itemIndex), { needsFont: mode === 'burn' });
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex });
	}

	const result = await withMedia(this, async (storage, path) => {
		const srt = buildSrt(cues, srtOptions);
		const subtitles = await uploadText(storage, srt, srtKey);
		if (mode === 'srtOnly') {
			// The video is passed on as it came in (with its duration and size when the reference had them).
			const raw = this.getNodeParameter('video', itemIndex, null) as unknown;
			const passed = raw && typeof raw === 'object' ? (raw as MediaRef) : { bucket: storage.bucket, key: video.key };
			return { video: { ...passed, bucket: video.bucket || storage.bucket }, subtitles };
		}
		const input = await download.call(this, itemIndex, storage, video, path(localName('video', video)), 'Video');
		const output = path('subtitled.mp4');
		const onProgress = progressLog.call(this, itemIndex, `subtitles (${mode})`);
		if (mode === 'attach') {
			const file = path('subtitles.srt');
			await writeFile(file, srt);
			await attachSubtitles({ video: input, srt: file, output, language: String(options.language ?? language.iso639_2), onProgress });
		} else {
			const fontSize = typeof options.fontSize === 'number' ? options.fontSize : 16;
			const fonts = fontsFor(language);
			// A script that needs shaping (Devanagari) is drawn by libass from an ASS script, from the font's own file.
			const shapedFont = needsShaping(language) ? fontPath(fonts.regular, fonts.package) : undefined;
			const color = String(this.getNodeParameter('color', itemIndex, '#ffffff') ?? '').trim() || '#ffffff';
			if (!/^#[0-9a-fA-F]{6}$/.test(color)) {
				fail.call(this, itemIndex, `"Colour" must be a colour as #rrggbb, e.g. #ffd400 (got "${color.slice(0, 40)}"). Fix the brand kit's subtitle colour or the parameter.`);
			}
			await burnSubtitles({ video: input, cues, srt: srtOptions, output, fontSize, font: fonts.family, shapedFont, color, onProgress, known: video.media });
		}
		return { video: await uploadMedia(storage, output, outputKey), subtitles };
	});
	return [
		{
			json: {
				...inputJson.call(this, itemIndex),
				video: result.video as unknown as IDataObject,
				subtitles: result.subtitles as unknown as IDataObject,
			},
		},
	];
}
