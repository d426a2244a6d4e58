import { join } from 'node:path';
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { concurrencyOption, optionsCollection } from '../../shared/description';
import { speechKey } from '../../shared/keys';
import { exampleKey, keyOverrideField, resolveKey, type StandardKey } from '../../shared/outputKey';
import { textParameter } from '../../shared/parameters';
import { getStorage } from '../../shared/storageNode';
import { withWorkDir } from '../../shared/workdir';
import { clipPcmOf } from '../lib/audio';
import { requestSettings, voiceSettingsByProvider, voiceSettingsOption } from '../lib/preview';
import { speakableText } from '../lib/script';
import { pcmDuration, wavFacts, writeWav } from '../lib/wav';
import { BudgetError } from '../../shared/ledger';
import { speechCostUsd } from '../../shared/prices';
import { billedCall, speechLedger } from '../lib/ledger';
import { AttemptsError, isDown, SpeechError, speechOrder, withSpeechProviders } from '../lib/providerChoice';
import { SPEECH_PROVIDERS } from '../providers';

const show = { show: { operation: ['synthesize'] } };
/** Where the WAV of item `itemIndex` goes when Output Key is empty. */
const standard = (itemIndex: number): StandardKey => ({ what: 'the WAV file', run: (runId) => speechKey(runId, itemIndex) });

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
		...keyOverrideField({ displayName: 'Output Key', name: 'outputKey', displayOptions: show }, standard(0)),
		description: `Object key for the WAV file, in the bucket of the S3 credential. Leave empty to use the run's standard key, built from the item's runId (the execution ID when there is none) and the item's position (like ${exampleKey(standard(0))}).`,
	},
	optionsCollection(show, [
		concurrencyOption('How many items are voiced at the same time'),
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
		voiceSettingsOption,
	]),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const item = this.getInputData()[itemIndex];
	const fail = (message: string, description?: string) => new NodeOperationError(this.getNode(), message, { itemIndex, description });

	let order: string[];
	try {
		order = speechOrder(this.getNodeParameter('provider', itemIndex, 'espeak'), this.getNodeParameter('fallbackProviders', itemIndex, []));
	} catch (error) {
		throw fail((error as Error).message);
	}
	const text = speakableText(textParameter(this, 'text', itemIndex));
	if (!/[\p{L}\p{N}]/u.test(text)) {
		throw fail('"Text" is empty (or has nothing that can be spoken). Set Text, e.g. {{ $json.text }}.');
	}
	const chosenVoice = textParameter(this, 'voice', itemIndex);
	// Text voiced outside a run still gets a folder of its own: the execution's.
	const runId = typeof item.json.runId === 'string' && item.json.runId.trim() ? item.json.runId : this.getExecutionId?.();
	const outputKey = resolveKey(this, itemIndex, standard(itemIndex), { place: { runId } });
	const options = this.getNodeParameter('options', itemIndex, {}) as { rate?: number; pitch?: number; voiceSettings?: unknown };
	const chosenSettings = voiceSettingsByProvider(options.voiceSettings, Object.keys(SPEECH_PROVIDERS));
	if ('field' in chosenSettings) throw fail(chosenSettings.message);
	const storage = await getStorage.call(this);
	const hooks = await speechLedger(this, itemIndex);
	const characters = Array.from(text).length;

	let served;
	try {
		served = await withSpeechProviders(this, itemIndex, order, (definition, speech, first) =>
			withWorkDir(async (directory) => {
				// The Voice parameter is a voice of the chosen provider; a fallback speaks with its own narrator.
				// No voice chosen: the narrator, in the language of the text's script where the provider needs that.
				const narrator = definition.voiceForScript?.(definition.narratorVoice, text) ?? definition.narratorVoice;
				const voice = (first && chosenVoice) || narrator;
				const call = {
					provider: definition.name,
					model: speech.model ?? (definition.name === 'google' ? voice : null),
					characters,
					costUsd: speechCostUsd(definition.name, definition.name === 'google' ? voice : speech.model, characters),
					what: `the text (${definition.displayName})`,
				};
				await hooks.beforeCall(call);
				const settings = requestSettings(definition.name, chosenSettings.byProvider[definition.name] ?? {});
				let charged = 0;
				const result = await speech
					.synthesize({
						text,
						voice,
						...settings,
						rate: settings.rate ?? (options.rate || undefined),
						pitch: settings.pitch ?? options.pitch,
						directory,
						billed: (n) => (charged += n),
					})
					.catch(async (error: Error) => {
						// No audio came of it, but what the provider charged (broken twice, cut off on the way) was paid.
						if (charged) await hooks.afterCall(billedCall(call, charged));
						throw new SpeechError(`could not voice the text: ${error.message}`, isDown(error));
					});
				const billed = billedCall(call, charged);
				await hooks.afterCall(billed);
				const file = join(directory, 'speech.wav');
				const pcm = await clipPcmOf(result, `${file}.converted.wav`);
				await writeWav(file, pcm);
				const ref = await storage.uploadFile(file, outputKey, 'audio/wav');
				return {
					audio: { ...ref, duration: Math.round(pcmDuration(pcm) * 1000) / 1000, media: wavFacts(pcm, ref.bytes ?? 0), voice },
					cost: { provider: definition.name, model: call.model, units: billed.characters, unit: 'character', amountUsd: billed.costUsd },
				};
			}),
		);
	} catch (error) {
		if (error instanceof AttemptsError && error.cause instanceof BudgetError) {
			throw fail(error.cause.message, 'Not voiced: the budget check stopped it before the call.');
		}
		const message = (error as Error).message;
		throw fail(message.charAt(0).toUpperCase() + message.slice(1));
	}
	const { value, provider, attempts } = served;
	return [
		{
			json: { ...item.json, audio: value.audio, provider: provider.name, attempts: attempts as unknown as IDataObject[], cost: value.cost },
			pairedItem: { item: itemIndex },
		},
	];
}
