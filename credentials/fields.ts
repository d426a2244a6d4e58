import type { INodeProperties } from 'n8n-workflow';

/*
 * The fields several credentials ask for in the same words: a secret, an access key, the API's address.
 * Key order is the order n8n shows and stores them in, so it is kept as the credentials had it.
 *
 * The lint rule credential-password-field reads only object literals in `properties`, so it does not see these
 * calls: a secret is masked here, by construction, and test/nodes/credentials.test.ts checks every credential.
 */

/** A masked, required string: an API key, a secret key, an API secret. */
export function secretProperty(displayName: string, name: string, description?: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		...(description === undefined ? {} : { description }),
	};
}

/** The provider's API key (`apiKey`), masked and required. */
export const apiKeyProperty = (description?: string): INodeProperties => secretProperty('API Key', 'apiKey', description);

/** The half of a key pair that names the account: required, not masked (it is not the secret). */
export function accessKeyProperty(description?: string): INodeProperties {
	return {
		displayName: 'Access Key',
		name: 'accessKey',
		type: 'string',
		default: '',
		...(description === undefined ? {} : { description }),
		required: true,
	};
}

/** Where the API is (`baseUrl`): its public address by default, changed for a proxy or a test server. */
export function baseUrlProperty(defaultUrl: string, description: string): INodeProperties {
	return { displayName: 'Base URL', name: 'baseUrl', type: 'string', default: defaultUrl, description };
}
