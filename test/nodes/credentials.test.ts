import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import type { ICredentialType } from 'n8n-workflow';
import { AnthropicApi } from '../../credentials/AnthropicApi.credentials';
import { ElevenLabsApi } from '../../credentials/ElevenLabsApi.credentials';
import { GoogleTtsApi } from '../../credentials/GoogleTtsApi.credentials';
import { KlingApi } from '../../credentials/KlingApi.credentials';
import { ReelsmithPostgresApi } from '../../credentials/ReelsmithPostgresApi.credentials';
import { ReelsmithS3Api } from '../../credentials/ReelsmithS3Api.credentials';
import { ReelsmithWebhookApi } from '../../credentials/ReelsmithWebhookApi.credentials';
import { RunwayApi } from '../../credentials/RunwayApi.credentials';
import pkg from '../../package.json';

/**
 * Every secret a credential asks for is masked in the n8n editor. The lint rule credential-password-field checks
 * this only for fields written as object literals; the shared fields (credentials/fields.ts) are function calls
 * it does not see, so this test checks the built objects. Same name patterns as the rule.
 */
const SENSITIVE = ['password', 'secret', 'token', 'cert', 'passphrase', 'apikey', 'secretkey', 'privatekey', 'authkey'];
const NOT_SENSITIVE = ['url', 'pub', 'id'];
const sensitive = (name: string) =>
	!NOT_SENSITIVE.some((part) => name.toLowerCase().includes(part)) && SENSITIVE.some((part) => name.toLowerCase().includes(part));

const CLASSES: Array<new () => ICredentialType> = [
	AnthropicApi,
	ElevenLabsApi,
	GoogleTtsApi,
	KlingApi,
	ReelsmithPostgresApi,
	ReelsmithS3Api,
	ReelsmithWebhookApi,
	RunwayApi,
];
const credentials = () => CLASSES.map((Class) => new Class());

describe('credentials', () => {
	test('the classes checked here are the ones the package registers (package.json n8n.credentials)', () => {
		const registered = pkg.n8n.credentials.map((file) => file.replace(/^dist\/credentials\/(\w+)\.credentials\.js$/, '$1'));
		assert.deepEqual([...registered].sort(), CLASSES.map((Class) => Class.name).sort());
	});

	test('every field with a secret in its name is masked, and the masked ones are secrets', () => {
		for (const credential of credentials()) {
			for (const field of credential.properties) {
				const masked = field.typeOptions?.password === true;
				assert.equal(masked, sensitive(field.name), `${credential.name}.${field.name}: masked ${masked}`);
			}
		}
	});
});
