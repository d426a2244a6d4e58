import { join } from 'node:path';
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { voicePreviewFactsKey, voicePreviewKey } from '../../shared/keys';
import { textParameter } from '../../shared/parameters';
import { speechCostUsd } from '../../shared/prices';
import { getStorage } from '../../shared/storageNode';
import { withWorkDir } from '../../shared/workdir';
import { clipPcmOf } from '../lib/audio';
import { PREVIEW_MAX_CHARACTERS, previewHash, previewSettings, requestSettings } from '../lib/preview';
import { openSpeech } from '../lib/providerChoice';
import { speakableText } from '../lib/script';
import { pcmDuration, writeWav } from '../lib/wav';
import { speechProvider } from '../providers';
import { Ledger } from '../../shared/ledger';
import { chargeCall } from '../../shared/store/aiCalls';

const show = { show: { operation: ['previewVoice'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Text',
		name: 'previewText',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '={{ $json.body.text }}',
		description: `The line to hear, at most ${PREVIEW_MAX_CHARACTERS} characters`,
		displayOptions: show,
	},
	{
		displayName: 'Voice',
		name: 'previewVoice',
		type: 'string',
		default: '={{ $json.body.voice }}',
		description: "The provider's voice ID (List Voices gives them); empty = the provider's narrator voice",
		displayOptions: show,
	},
	{
		displayName: 'Settings',
		name: 'previewSettings',
		type: 'json',
		default: '={{ $json.body.settings ?? {} }}',
		description:
			'Voice settings: espeak-ng {rate, pitch 0–99}; ElevenLabs {rate, stability, similarity, style}; Google {rate or speakingRate 0.25–4, pitch in semitones −20 to 20}. Rate in words per minute.',
		displayOptions: show,
	},
	{
		displayName: 'Campaign',
		name: 'previewCampaign',
		type: 'string',
		default: "={{ $json.body.campaign ?? '' }}",
		description:
			"ID of the campaign the preview is for: a paid preview's cost counts against its budget (needs the Reelsmith Postgres credential). Empty = none.",
		displayOptions: show,
	},
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface PreviewFacts {
	provider: string;
	voice: string;
	model: string | null;
	settings: Record<string, number>;
	text: string;
	characters: number;
	duration: number;
	/** What the provider charged when the preview was made (0 for espeak-ng). */
	madeForUsd: number;
	createdAt: string;
}

/**
 * One line in one voice, stored under a key made from a hash of provider, model, voice, settings and text. The same
 * preview asked again is read from storage and costs nothing: the provider is not called. No fallback provider: a
 * preview is of the voice asked for. A paid preview's cost is kept in preview_costs (with the Postgres credential) and,
 * for a campaign, counted against its budget.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const fail = (field: string, message: string) => new NodeOperationError(this.getNode(), message, { itemIndex, description: `Field: ${field}` });
	const name = String(this.getNodeParameter('provider', itemIndex, 'espeak') ?? '').trim();
	if (name === 'auto' || !name) throw fail('provider', '"provider" must name one provider for a preview: espeak, elevenlabs or google.');
	let definition;
	try {
		definition = speechProvider(name);
	} catch (error) {
		throw fail('provider', (error as Error).message);
	}
	const text = speakableText(textParameter(this, 'previewText', itemIndex));
	if (!/[\p{L}\p{N}]/u.test(text)) throw fail('text', '"text" is empty (or has nothing that can be spoken). Type the line to hear.');
	const characters = Array.from(text).length;
	if (characters > PREVIEW_MAX_CHARACTERS) {
		throw fail('text', `"text" has ${characters} characters; a preview speaks at most ${PREVIEW_MAX_CHARACTERS}. Shorten the line.`);
	}
	const voice = textParameter(this, 'previewVoice', itemIndex) || definition.narratorVoice;
	const checked = previewSettings(definition.name, parseSettings(this.getNodeParameter('previewSettings', itemIndex, {})));
	if ('field' in checked) throw fail(checked.field, checked.message);
	const { settings } = checked;
	const campaignId = textParameter(this, 'previewCampaign', itemIndex) || null;
	if (campaignId && !UUID.test(campaignId)) {
		throw fail('campaign', `"campaign" must be a campaign's id (a uuid, as in the campaign page's address), not "${campaignId.slice(0, 60)}". Send the id, or no campaign.`);
	}

	const opened = await openSpeech(this, definition, itemIndex);
	if ('skipped' in opened) throw fail('provider', `${opened.skipped}.`);
	const { speech } = opened;
	const model = speech.model ?? null;
	const hash = previewHash({ provider: definition.name, model, voice, settings, text });
	const storage = await getStorage.call(this);
	const audio = storage.ref(voicePreviewKey(definition.name, hash));
	const factsRef = storage.ref(voicePreviewFactsKey(definition.name, hash));
	const answer = (facts: PreviewFacts, cached: boolean): INodeExecutionData[] => [
		{
			json: {
				provider: facts.provider,
				voice: facts.voice,
				bucket: audio.bucket,
				key: audio.key,
				contentType: 'audio/wav',
				duration: facts.duration,
				characters: facts.characters,
				cached,
				// What this request cost: nothing when it came from storage.
				cost: { provider: facts.provider, model: facts.model, units: facts.characters, unit: 'character', amountUsd: cached ? 0 : facts.madeForUsd },
				cacheKey: hash,
			},
			pairedItem: { item: itemIndex },
		},
	];

	// The facts file is written after the audio, so its presence means both are there.
	if ((await storage.stat(factsRef)) && (await storage.stat(audio))) {
		const facts = JSON.parse((await storage.downloadBuffer(factsRef)).toString('utf8')) as PreviewFacts;
		return answer(facts, true);
	}
	const priced = definition.name === 'google' ? voice : (speech.model ?? undefined);
	const costUsd = speechCostUsd(definition.name, priced, characters);
	// A paid preview's cost is reserved before the provider is called: with a campaign, only if its budget has it left.
	const ledger = costUsd > 0 ? await Ledger.fromNode(this, itemIndex) : undefined;
	if (costUsd > 0 && campaignId && !ledger) {
		throw fail('campaign', '"campaign" needs the Reelsmith Postgres credential on this node to count the preview against its budget. Add it, or send no campaign.');
	}
	const reserved = ledger
		? await ledger
				.reservePreview({ campaignId, provider: definition.name, voice, characters, costUsd })
				.catch((error: Error) => {
					throw fail('campaign', error.message);
				})
		: undefined;
	const facts = await withWorkDir(async (directory) => {
		const result = await speech
			.synthesize({
				text,
				voice,
				...requestSettings(definition.name, settings),
				directory,
			})
			.catch(async (error: Error) => {
				// No audio, nothing billed: the reservation goes.
				if (ledger && reserved) await ledger.releasePreview(reserved);
				throw fail('voice', `Could not preview ${definition.displayName} voice "${voice}": ${error.message}`);
			});
		const file = join(directory, 'preview.wav');
		const pcm = await clipPcmOf(result, `${file}.converted.wav`);
		await writeWav(file, pcm);
		await storage.uploadFile(file, audio.key, 'audio/wav');
		const made: PreviewFacts = {
			provider: definition.name,
			voice,
			model,
			settings,
			text,
			characters,
			duration: Math.round(pcmDuration(pcm) * 1000) / 1000,
			madeForUsd: costUsd,
			createdAt: new Date().toISOString(),
		};
		await storage.uploadBuffer(JSON.stringify(made, null, 2), factsRef.key, 'application/json');
		return made;
	});
	// The AI-call record keeps the preview's request (no run: migration 013) and, here, what it cost.
	if (ledger && facts.madeForUsd > 0) await chargeCall(ledger.db, { provider: definition.name, amountUsd: facts.madeForUsd });
	return answer(facts, false);
}

/** The Settings parameter: an object, or its JSON text. */
function parseSettings(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	if (!value.trim()) return {};
	try {
		return JSON.parse(value);
	} catch {
		return value;
	}
}
