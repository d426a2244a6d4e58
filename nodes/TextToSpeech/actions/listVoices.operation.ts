import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { textParameter } from '../../shared/parameters';
import { speechOrder } from '../lib/providerChoice';
import { listVoices } from '../lib/voiceList';
import { speechProvider } from '../providers';

const show = { show: { operation: ['listVoices'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Language',
		name: 'voiceLanguage',
		type: 'string',
		default: '',
		placeholder: 'e.g. en, de-DE',
		description: 'Only voices that speak this language (BCP 47: "en" also finds en-US and en-GB voices); empty = all',
		displayOptions: show,
	},
	{
		displayName: 'Search',
		name: 'search',
		type: 'string',
		default: '',
		description: 'Only voices whose name, ID or language contains this text (ElevenLabs searches its own way); empty = all',
		displayOptions: show,
	},
];

/**
 * The provider's voices as one item `{ provider, voices: [{ provider, id, name, languages, gender? }] }`, so a
 * webhook can answer the list as it is. Provider Auto lists the first configured provider.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const fail = (message: string) => new NodeOperationError(this.getNode(), message, { itemIndex });
	const chosen = String(this.getNodeParameter('provider', itemIndex, 'espeak') ?? '').trim() || 'espeak';
	const definition = await listedProvider(this, chosen, itemIndex).catch((error: Error) => {
		throw fail(error.message);
	});
	let credentials: Record<string, unknown> | undefined;
	if (definition.credentialName) {
		credentials = (await this.getCredentials(definition.credentialName, itemIndex).catch(() => undefined)) as Record<string, unknown> | undefined;
		if (!String(credentials?.apiKey ?? '').trim()) {
			throw fail(`${definition.displayName} is not configured: add its credential (with an API key) to the node to list its voices.`);
		}
	}
	const language = textParameter(this, 'voiceLanguage', itemIndex).trim();
	if (language && !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(language)) {
		throw fail(`"Language" must be a BCP 47 tag such as en, en-US or de (got "${language}").`);
	}
	const search = textParameter(this, 'search', itemIndex);
	const voices = await listVoices(definition.name, credentials, { language, search }).catch((error: Error) => {
		throw fail(`Could not list the ${definition.displayName} voices: ${error.message}`);
	});
	return [{ json: { provider: definition.name, language, search, count: voices.length, voices: voices as never }, pairedItem: { item: itemIndex } }];
}

/** The named provider; for Auto the first of the auto order whose credential has a key (espeak-ng needs none). */
async function listedProvider(context: IExecuteFunctions, chosen: string, itemIndex: number) {
	if (chosen !== 'auto') return speechProvider(chosen);
	for (const name of speechOrder('auto', [])) {
		const definition = speechProvider(name);
		if (!definition.credentialName) return definition;
		const credentials = await context.getCredentials(definition.credentialName, itemIndex).catch(() => undefined);
		if (String(credentials?.apiKey ?? '').trim()) return definition;
	}
	return speechProvider('espeak');
}
