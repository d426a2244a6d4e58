import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';

/** Nothing to connect to: the test checks the webhook token is one worth having. */
export async function testWebhookCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const token = String(credential.data?.token ?? '');
	if (token.length < 16) {
		return {
			status: 'Error',
			message: `The token is ${token.length ? 'too short' : 'empty'}: use at least 16 random characters (e.g. openssl rand -hex 32).`,
		};
	}
	if (!/^[\x21-\x7e]+$/.test(token)) {
		return { status: 'Error', message: 'The token must be printable ASCII without spaces (HTTP headers cannot carry other characters).' };
	}
	return { status: 'OK', message: 'Token is set' };
}
