import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import terminalLooks from '../../shared/data/terminalLooks.json';
import { clipAlphaKey } from '../../shared/keys';
import type { StandardKey } from '../../shared/outputKey';
import { ffmpeg } from '../../shared/transport/ffmpeg';
import { inputJson, outputKeyField, readChoice, readOutputKey, readVideo, renderVideo, videoField } from './common';

const show = { operation: ['exportAlpha'] };
const FORMATS = ['mov', 'webm'] as const;
type AlphaFormat = (typeof FORMATS)[number];

/** Codec settings per container: ProRes 4444 keeps 10-bit alpha for editors; VP9 keeps 8-bit alpha for the web. */
const ENCODE: Record<AlphaFormat, string[]> = {
	mov: ['-c:v', 'prores_ks', '-profile:v', '4444', '-pix_fmt', 'yuva444p10le', '-alpha_bits', '16'],
	webm: [
		'-c:v',
		'libvpx-vp9',
		'-pix_fmt',
		'yuva420p',
		'-b:v',
		'0',
		'-crf',
		'30',
		'-row-mt',
		'1',
		'-deadline',
		'realtime',
		'-cpu-used',
		'8',
		'-auto-alt-ref',
		'0',
	],
};

const standard = (format: AlphaFormat): StandardKey => ({
	what: 'the clip with alpha',
	scene: (runId, scene) => clipAlphaKey(runId, scene, format),
});

export const description: INodeProperties[] = [
	videoField('exportAlpha', "Reference of the terminal scene's clip (Video Generation's clip)"),
	{
		displayName: 'Format',
		name: 'alphaFormat',
		type: 'options',
		options: [
			{
				name: 'ProRes 4444 (.Mov)',
				value: 'mov',
				description: 'For editors: 10-bit with a full alpha channel',
			},
			{
				name: 'VP9 With Alpha (.Webm)',
				value: 'webm',
				description: 'For browsers and the web: smaller files',
			},
		],
		default: 'mov',
		displayOptions: { show },
	},
	{
		displayName: 'Terminal Colours',
		name: 'terminalScheme',
		type: 'options',
		options: Object.entries(terminalLooks.schemes.list).map(([value, scheme]) => ({ name: scheme.label, value })),
		default: `={{ $json.options.terminalScheme || '${terminalLooks.schemes.default}' }}`,
		description: "The clip's colour scheme: its screen background is the colour made transparent",
		displayOptions: { show },
	},
	outputKeyField('exportAlpha', standard('mov'), `${standard('mov').what} at runs/<runId>/scenes/NNN/clip-alpha.mov or .webm`),
];

/** The clip with its screen background keyed out: the text, cursor and title bar stay, the screen becomes transparent. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const video = readVideo.call(this, itemIndex);
	const format = readChoice(this, itemIndex, 'alphaFormat', 'Format', FORMATS, 'mov');
	const scheme = readChoice(
		this,
		itemIndex,
		'terminalScheme',
		'Terminal Colours',
		Object.keys(terminalLooks.schemes.list),
		terminalLooks.schemes.default,
	);
	const background = terminalLooks.schemes.list[scheme as keyof typeof terminalLooks.schemes.list].background;
	const outputKey = readOutputKey.call(this, itemIndex, standard(format));
	const { ref } = await renderVideo(
		this,
		itemIndex,
		{
			video,
			outputKey,
			outputName: `clip-alpha.${format}`,
			what: 'export with alpha',
		},
		({ input, output }) => exportWithAlpha(input, output, format, background),
	);
	return [
		{
			json: {
				...inputJson.call(this, itemIndex),
				clipAlpha: ref as unknown as IDataObject,
			},
		},
	];
}

/**
 * ffmpeg from `input` to `output` with `background` (0xRRGGBB) keyed out. The similarity stays below the title
 * bar's distance from the screen colour (about 0.08 for every scheme), so the bar stays; the audio is kept.
 */
export async function exportWithAlpha(input: string, output: string, format: AlphaFormat, background: string): Promise<void> {
	const audio = format === 'mov' ? ['-c:a', 'pcm_s16le'] : ['-c:a', 'libopus'];
	const key = `format=yuva444p,colorkey=color=${background}:similarity=0.04:blend=0.02`;
	await ffmpeg(['-i', input, '-map', '0:v:0', '-map', '0:a?', '-vf', key, ...ENCODE[format], ...audio, output]);
}
