import { join } from 'node:path';
import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { textParameter } from '../../shared/parameters';
import { getStorage } from '../../shared/storageNode';
import { withWorkDir } from '../../shared/workdir';
import { toClipWav } from '../lib/audio';
import { speakableText } from '../lib/script';
import { pcmDuration, readWav } from '../lib/wav';
import { createSpeech, speechProvider } from '../providers';

const show = { show: { operation: ['synthesize'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '={{ $json.text }}',
		description: 'What to say',
		displayOptions: show,
	},
	{
		displayName: 'Voice Name or ID',
		name: 'voice',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getVoices', loadOptionsDependsOn: ['provider'] },
		default: '',
		description:
			'Voice to speak with; empty = the provider\'s narrator voice (espeak: en-gb+m3; any espeak-ng voice works, e.g. fr+f2). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: show,
	},
	{
		displayName: 'Output Key',
		name: 'outputKey',
		type: 'string',
		default: "={{ 'runs/' + ($json.runId || $execution.id) + '/work/speech-' + $itemIndex + '.wav' }}",
		description: 'Object key of the WAV file in the bucket of the S3 credential',
		displayOptions: show,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 16 },
				default: 3,
				description: 'How many items are voiced at the same time',
			},
			{
				displayName: 'Pitch',
				name: 'pitch',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 99 },
				default: 50,
				description: 'Voice pitch, 0–99 (50 = normal)',
			},
			{
				displayName: 'Rate',
				name: 'rate',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 450 },
				default: 0,
				description: "Words per minute; 0 = the voice's own rate",
			},
		],
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const item = this.getInputData()[itemIndex];
	const fail = (message: string) => new NodeOperationError(this.getNode(), message, { itemIndex });

	let provider;
	try {
		provider = speechProvider(this.getNodeParameter('provider', itemIndex, 'espeak') as string);
	} catch (error) {
		throw fail(`"Provider": ${(error as Error).message}`);
	}
	const text = speakableText(textParameter(this, 'text', itemIndex));
	if (!/[\p{L}\p{N}]/u.test(text)) {
		throw fail('"Text" is empty (or has nothing that can be spoken). Set Text, e.g. {{ $json.text }}.');
	}
	const voice = textParameter(this, 'voice', itemIndex) || provider.narratorVoice;
	const outputKey = textParameter(this, 'outputKey', itemIndex);
	if (!outputKey || outputKey.includes('undefined')) {
		throw fail(`"Output Key" is empty or incomplete ("${outputKey}"). Set Output Key.`);
	}
	const options = this.getNodeParameter('options', itemIndex, {}) as { rate?: number; pitch?: number };
	const storage = await getStorage.call(this);

	let speech;
	try {
		speech = await createSpeech(this, provider, itemIndex);
	} catch (error) {
		throw fail(`${provider.displayName}: ${(error as Error).message}`);
	}
	const audio = await withWorkDir(async (directory) => {
		const result = await speech
			.synthesize({ text, voice, rate: options.rate || undefined, pitch: options.pitch, directory })
			.catch((error: Error) => {
				throw fail(`Could not voice the text: ${error.message}`);
			});
		const file = join(directory, 'speech.wav');
		await toClipWav(result.file, file);
		const ref = await storage.uploadFile(file, outputKey, 'audio/wav');
		return { ...ref, duration: Math.round(pcmDuration(await readWav(file)) * 1000) / 1000, voice };
	});
	return [{ json: { ...item.json, audio }, pairedItem: { item: itemIndex } }];
}
