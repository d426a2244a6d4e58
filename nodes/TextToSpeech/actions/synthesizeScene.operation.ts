import { join } from 'node:path';
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { concurrencyOption, languageField, optionsCollection } from '../../shared/description';
import { lineKeyIn, narrationKeyIn, scenePrefix } from '../../shared/keys';
import { resolveKey } from '../../shared/outputKey';
import { isRecord, jsonParameter, textParameter } from '../../shared/parameters';
import type { Scene } from '../../shared/plan';
import { CLIP_FORMAT } from '../../shared/presets';
import { getStorage } from '../../shared/storageNode';
import { withWorkDir } from '../../shared/workdir';
import { clipPcmOf, joinLines } from '../lib/audio';
import { makeOwnVoiceOver, readOwnVoiceOver } from './ownVoiceOver';
import { linesToSpeak, NARRATE_ACTION_VALUES, NARRATOR, type NarrateAction } from '../lib/script';
import { speechCostUsd } from '../../shared/prices';
import { BudgetError } from '../../shared/ledger';
import { billedCall, speechLedger } from '../lib/ledger';
import { AttemptsError, isDown, SpeechError, speechOrder, withSpeechProviders } from '../lib/providerChoice';
import { requestSettings, voiceSettingsByProvider, voiceSettingsOption } from '../lib/preview';
import { castVoices, characterKey, voiceMapFor, voiceMapProblem } from '../lib/voices';
import { lineSettings, readVoiceProfile, type VoiceProfile } from '../../shared/voiceProfile';
import { languageParameterValue, type Language } from '../../shared/languages';
import { pcmDuration, silence, wavFacts, writeWav, type Pcm } from '../lib/wav';
import { SPEECH_PROVIDERS, type SpeechProvider, type SpeechProviderDefinition, type WordTiming } from '../providers';

const show = { show: { operation: ['synthesizeScene'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Scene',
		name: 'scene',
		type: 'json',
		default: '={{ $json.scene }}',
		description: 'The plan scene to voice (dialogue, narration, action)',
		displayOptions: show,
	},
	{
		displayName: 'Characters',
		name: 'characters',
		type: 'json',
		default: '={{ $json.characters }}',
		description: "The plan's character list. A character's position in it picks their voice, so they sound the same in every scene.",
		displayOptions: show,
	},
	{
		displayName: 'Voice Map',
		name: 'voiceMap',
		type: 'json',
		default: '={{ $json.options.voiceMap }}',
		description:
			'Optional {"CHARACTER": "voice"} overrides for the chosen provider, e.g. {"ALICE": "en-us+f4"} ("NARRATOR" sets the narrator), and per-provider maps for fallbacks, e.g. {"google": {"ALICE": "en-US-Neural2-F"}}.',
		displayOptions: show,
	},
	languageField(
		show,
		"the voices speak it (espeak-ng: that language's voice with each character's variant, e.g. de+f3; Google: its Standard voices)",
	),
	{
		displayName: 'Narrator Voice Name or ID',
		name: 'narratorVoice',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getVoices', loadOptionsDependsOn: ['provider'] },
		default: '',
		description:
			'Voice that reads narration and action text, for the chosen provider (a fallback provider uses its own narrator). Empty = the provider\'s narrator voice (espeak: en-gb+m3). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: show,
	},
	{
		displayName: 'Narrator',
		name: 'narrator',
		type: 'json',
		default: '={{ $json.options.narrator }}',
		description:
			'The run\'s narrator profile, {"provider": "elevenlabs", "voice": "…", "settings": {"stability": 0.4}}: the request\'s, else the campaign\'s. It wins over Narrator Voice while its provider speaks (no provider = the chosen one). Empty = Narrator Voice.',
		displayOptions: show,
	},
	{
		displayName: 'Narrate Action',
		name: 'narrateAction',
		type: 'options',
		options: [
			{ name: 'When No Dialogue', value: 'whenNoDialogue', description: 'Read the action only in scenes nobody speaks in' },
			{ name: 'Always', value: 'always', description: 'Read the action before the dialogue in every scene' },
			{ name: 'Never', value: 'never', description: 'Only dialogue and narration are spoken' },
		],
		// eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-options -- the run options of the scene item decide by default (spec: item contracts)
		default: '={{ $json.options.narrateAction }}',
		description: 'Whether the narrator reads the action text',
		displayOptions: show,
	},
	{
		displayName: 'Own Voice-Over',
		name: 'ownVoiceOver',
		type: 'json',
		default: '',
		description:
			"A recording of your own for this scene instead of speech, as the run's sceneMedia gives it: a stored object by key, or a public HTTPS URL to download, optionally with text shown as subtitles over it. Its length sets the scene's; no speech provider is called and it costs $0. Empty = speak the scene.",
		displayOptions: show,
	},
	{
		displayName: 'Gap',
		name: 'gap',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: 0.3,
		description: 'Seconds of silence between lines in the scene track',
		displayOptions: show,
	},
	{
		displayName: 'Output Prefix',
		name: 'outputPrefix',
		type: 'string',
		default: '',
		placeholder: scenePrefix('<runId>', 1),
		description: `Folder for the files: ${lineKeyIn('', 1)}, ${lineKeyIn('', 2)} … and ${narrationKeyIn('')} are written under it. Leave empty to use the scene's standard folder, built from the item's runId and sceneNumber (like ${scenePrefix('<runId>', 1)}).`,
		displayOptions: show,
	},
	optionsCollection(show, [
		concurrencyOption('How many scenes are voiced at the same time'),
		{
			displayName: 'Lead-In',
			name: 'leadIn',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 0.2,
			description: 'Seconds of silence before the first line',
		},
		{
			displayName: 'Rate',
			name: 'rate',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 450 },
			default: 0,
			description: "Words per minute for every voice; 0 = each voice's own rate",
		},
		voiceSettingsOption,
	]),
];

export interface NarrationLine {
	speaker: string;
	text: string;
	kind: string;
	/** Seconds from the scene start. */
	start: number;
	end: number;
	key: string;
	voice: string;
	/** Word timings from the scene start, when the provider gives an alignment (ElevenLabs). */
	words?: WordTiming[];
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const item = this.getInputData()[itemIndex];
	const fail = (message: string, description?: string) => new NodeOperationError(this.getNode(), message, { itemIndex, description });

	const sceneValue = jsonParameter(this, 'scene', 'Scene', itemIndex);
	if (!isRecord(sceneValue)) {
		throw fail('"Scene" is missing. Connect scene items (Campaign → Scene → Prepare) or set Scene to a plan scene object.');
	}
	const scene = sceneValue as Partial<Scene>;
	const label = Number.isFinite(Number(scene.number)) ? `Scene ${scene.number}: ` : '';

	let order: string[];
	try {
		order = speechOrder(this.getNodeParameter('provider', itemIndex, 'espeak'), this.getNodeParameter('fallbackProviders', itemIndex, []));
	} catch (error) {
		throw fail(`${label}${(error as Error).message}`);
	}
	const characters = jsonParameter(this, 'characters', 'Characters', itemIndex) ?? [];
	if (!Array.isArray(characters)) {
		throw fail(`${label}"Characters" must be a list (the plan's characters). Set it to {{ $json.characters }} or [].`);
	}
	const voiceMap = jsonParameter(this, 'voiceMap', 'Voice Map', itemIndex, { optional: true }) ?? {};
	const mapProblem = voiceMapProblem(voiceMap, Object.keys(SPEECH_PROVIDERS));
	if (mapProblem) {
		throw fail(
			`${label}"Voice Map" ${mapProblem}. Use character name → voice, e.g. {"ALICE": "en-us+f4"}, or per provider, e.g. {"elevenlabs": {"ALICE": "21m00Tcm4TlvDq8ikWAM"}}.`,
		);
	}
	const narrateAction = (textParameter(this, 'narrateAction', itemIndex) || 'whenNoDialogue') as NarrateAction;
	if (!NARRATE_ACTION_VALUES.includes(narrateAction)) {
		throw fail(`${label}"Narrate Action" must be one of ${NARRATE_ACTION_VALUES.join(', ')} (got "${narrateAction}").`);
	}
	let language: Language;
	try {
		language = languageParameterValue(textParameter(this, 'language', itemIndex));
	} catch (error) {
		throw fail(`${label}${(error as Error).message}`);
	}
	const chosenNarrator = textParameter(this, 'narratorVoice', itemIndex);
	const narratorValue = jsonParameter(this, 'narrator', 'Narrator', itemIndex, { optional: true });
	let narrator: VoiceProfile | null = null;
	if (narratorValue !== undefined && narratorValue !== null && narratorValue !== '') {
		const read = readVoiceProfile(narratorValue, 'narrator');
		if ('field' in read) throw fail(`${label}"Narrator": ${read.message}`);
		narrator = read.profile;
	}
	const gap = Number(this.getNodeParameter('gap', itemIndex, 0.3));
	if (!Number.isFinite(gap) || gap < 0 || gap > 10) {
		throw fail(`${label}"Gap" must be between 0 and 10 seconds (got ${gap}).`);
	}
	const prefix = resolveKey(
		this,
		itemIndex,
		{ what: "the scene's narration files", scene: scenePrefix },
		{
			name: 'outputPrefix',
			label: 'Output Prefix',
			place: { runId: item.json.runId, sceneNumber: item.json.sceneNumber ?? scene.number },
			prefix: label,
		},
	);
	const folder = prefix.endsWith('/') ? prefix : `${prefix}/`;
	const options = this.getNodeParameter('options', itemIndex, {}) as { leadIn?: number; rate?: number; voiceSettings?: unknown };
	const leadIn = Math.max(0, Number(options.leadIn ?? 0.2));
	const rate = options.rate ? Number(options.rate) : undefined;
	const chosenSettings = voiceSettingsByProvider(options.voiceSettings, Object.keys(SPEECH_PROVIDERS));
	if ('field' in chosenSettings) throw fail(`${label}${chosenSettings.message}`);

	const ownVoiceOver = readOwnVoiceOver.call(this, itemIndex, label);
	if (ownVoiceOver)
		return await makeOwnVoiceOver.call(this, itemIndex, { voiceOver: ownVoiceOver, storage: await getStorage.call(this), folder, label });

	const spoken = linesToSpeak(scene, narrateAction);
	const storage = await getStorage.call(this);
	const hooks = await speechLedger(this, itemIndex);

	/** The whole scene with one provider, so every line of a scene has that provider's voices. */
	const voiceScene = (definition: SpeechProviderDefinition, speech: SpeechProvider, first: boolean) =>
		withWorkDir(async (directory) => {
			// The run's language picks the provider's voices (espeak-ng: "de+m3"; ElevenLabs' multilingual voices speak any).
			const voices = definition.voicesFor?.(language) ?? {
				narrator: definition.narratorVoice,
				characterVoices: definition.characterVoices,
				voiceForScript: definition.voiceForScript,
			};
			// The run's narrator profile speaks while its provider does (no provider: the chosen one, not a fallback).
			const profile = narrator && (narrator.provider ? narrator.provider === definition.name : first) ? narrator : null;
			const namedNarrator = profile?.voice || (first && chosenNarrator) || '';
			const cast = castVoices({
				characters,
				voiceMap: voiceMapFor(voiceMap as Record<string, unknown>, definition.name, first),
				// The narrator chosen on the canvas is a voice of the chosen provider; a fallback uses its own.
				narratorVoice: namedNarrator || voices.narrator,
				narratorNamed: Boolean(namedNarrator),
				characterVoices: voices.characterVoices,
				voiceForScript: voices.voiceForScript,
				provider: definition.name,
			});
			const lines: NarrationLine[] = [];
			const audio: Pcm[] = [];
			const timings: Array<WordTiming[] | undefined> = [];
			const cost = { provider: definition.name, model: speech.model ?? null, units: 0, unit: 'character', amountUsd: 0 };
			const baseSettings = chosenSettings.byProvider[definition.name] ?? {};
			for (const [index, line] of spoken.entries()) {
				const voice = line.kind === 'dialogue' ? cast.voiceFor(line.speaker, line.text) : cast.narratorFor(line.text);
				const who = line.kind === 'dialogue' ? `${line.speaker}'s line ${index + 1}` : `narration line ${index + 1}`;
				const characters = Array.from(line.text).length;
				const call = {
					provider: definition.name,
					model: speech.model ?? (definition.name === 'google' ? voice : null),
					characters,
					costUsd: speechCostUsd(definition.name, definition.name === 'google' ? voice : speech.model, characters),
					what: `${label}${who} (${definition.displayName})`,
				};
				// A budget stop is not the provider's fault: it ends the scene as it is, no fallback.
				await hooks.beforeCall(call);
				let charged = 0;
				let result;
				try {
					// The speaker's profile (cast voice, or the narrator's) over the node's Voice Settings for this provider.
					const own = line.kind === 'dialogue' && characterKey(line.speaker) !== NARRATOR ? cast.settingsFor(line.speaker) : profile?.settings;
					const settings = requestSettings(definition.name, lineSettings(baseSettings, own));
					result = await speech.synthesize({
						text: line.text,
						voice,
						...settings,
						rate: settings.rate ?? rate,
						directory,
						billed: (n) => (charged += n),
					});
				} catch (error) {
					// No line came of it, but what the provider charged (broken twice, cut off on the way) was paid.
					if (charged) await hooks.afterCall(billedCall(call, charged));
					// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- carries "down" to the provider choice, which ends in a NodeOperationError naming the scene
					throw new SpeechError(`could not voice ${who}: ${(error as Error).message}`, isDown(error));
				}
				const billed = billedCall(call, charged);
				await hooks.afterCall(billed);
				cost.units += billed.characters;
				cost.amountUsd = Math.round((cost.amountUsd + billed.costUsd) * 1e6) / 1e6;
				const file = join(directory, `line-${String(index + 1).padStart(2, '0')}.wav`);
				const pcm = await clipPcmOf(result, `${file}.converted.wav`);
				await writeWav(file, pcm);
				const key = lineKeyIn(folder, index + 1);
				await storage.uploadFile(file, key, 'audio/wav');
				audio.push(pcm);
				lines.push({
					speaker: line.speaker,
					text: line.text,
					kind: line.kind,
					start: 0,
					end: 0,
					key,
					voice,
					...(line.together ? { together: true } : {}),
				});
				timings.push(result.words);
			}

			let track: Pcm;
			if (audio.length > 0) {
				const joined = joinLines(audio, { leadIn, gap, together: spoken.map((line) => line.together === true) });
				joined.placed.forEach((place, index) => {
					lines[index].start = round(place.start);
					lines[index].end = round(place.end);
					const words = sceneWords(timings[index], place);
					if (words.length > 0) lines[index].words = words;
				});
				track = joined.track;
			} else {
				// Nobody speaks: a silent track as long as the scene keeps every scene muxable the same way.
				const seconds = Number(scene.duration) > 0 ? Number(scene.duration) : 1;
				track = {
					sampleRate: CLIP_FORMAT.audioRate,
					channels: CLIP_FORMAT.audioChannels,
					data: silence(seconds, CLIP_FORMAT.audioRate, CLIP_FORMAT.audioChannels),
				};
			}
			const trackFile = join(directory, 'narration.wav');
			await writeWav(trackFile, track);
			const ref = await storage.uploadFile(trackFile, narrationKeyIn(folder), 'audio/wav');
			return { narration: { ...ref, duration: round(pcmDuration(track)), media: wavFacts(track, ref.bytes ?? 0), lines }, cost };
		});

	let served;
	try {
		served = await withSpeechProviders(this, itemIndex, order, voiceScene);
	} catch (error) {
		if (error instanceof AttemptsError && error.cause instanceof BudgetError) {
			throw fail(error.cause.message, `${label}not voiced: the budget check stopped it before the call.`);
		}
		throw fail(`${label}${(error as Error).message}`);
	}
	const { value, provider, attempts } = served;
	return [
		{
			json: { ...item.json, narration: value.narration, provider: provider.name, attempts: attempts as unknown as IDataObject[], cost: value.cost },
			pairedItem: { item: itemIndex },
		},
	];
}

/**
 * Word timings of one line on the scene clock (seconds from the start of the scene track): the alignment's times from the line's own audio start, moved to
 * where the line sits in the scene track, kept inside the line and in order.
 */
export function sceneWords(words: WordTiming[] | undefined, place: { start: number; end: number }): WordTiming[] {
	if (!words) return [];
	let last = place.start;
	return words
		.filter((word) => word.text && Number.isFinite(word.start) && Number.isFinite(word.end))
		.map((word) => {
			const start = Math.min(place.end, Math.max(last, place.start + word.start));
			const end = Math.min(place.end, Math.max(start, place.start + word.end));
			last = start;
			return { text: word.text, start: round(start), end: round(end) };
		});
}

function round(seconds: number): number {
	return Math.round(seconds * 1000) / 1000;
}
