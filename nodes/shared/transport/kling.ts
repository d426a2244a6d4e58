/**
 * The one transport to Kling's API: the JWT it signs per call, what its refusals mean, and the credential test that
 * Video Generation and Campaign (which both carry the Kling credential) share. Everything goes through the shared
 * HTTP transport and its retry policy.
 */
import { createHmac } from 'node:crypto';
import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';
import {
	baseUrl,
	bodyObject,
	plainText,
	requestJson,
	retryPolicy,
	type HttpAnswer,
	type Refusal,
	type RetryPolicy,
} from './http';

/** Token timing from Kling's API guide: valid for 30 minutes, from 5 s ago (clock skew). */
const TOKEN_LIFETIME_SECONDS = 1800;
const TOKEN_NOT_BEFORE_SKEW_SECONDS = 5;

export const KLING_DEFAULT_BASE_URL = 'https://api-singapore.klingai.com';

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * The Kling API token: a JWT signed HS256 with the secret key, iss = access key, valid from 5 s ago for 30 min.
 * Made with node:crypto's HMAC (a dozen lines) rather than a JWT library: one fixed algorithm, nothing to parse,
 * and no new runtime dependency for n8n to install.
 */
export function klingToken(accessKey: string, secretKey: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
	const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
	const payload = base64url(
		JSON.stringify({
			iss: accessKey,
			exp: nowSeconds + TOKEN_LIFETIME_SECONDS,
			nbf: nowSeconds - TOKEN_NOT_BEFORE_SKEW_SECONDS,
		}),
	);
	const signature = createHmac('sha256', secretKey).update(`${header}.${payload}`).digest('base64url');
	return `${header}.${payload}.${signature}`;
}

export type TaskKind = 'text2video' | 'image2video';

export interface KlingTaskData {
	task_id?: string;
	task_status?: string;
	task_status_msg?: string;
	task_result?: { videos?: Array<{ url?: string; duration?: string }> };
}

/** A Kling answer is a success when its HTTP status is 2xx and its body's code is 0. */
const klingAccepts = (answer: HttpAnswer) => answer.status < 300 && Number(bodyObject(answer).code ?? 0) === 0;

/** Turns a non-success Kling answer into plain words and says whether it may be retried (unset: the policy's statuses). */
function klingRefusal(answer: HttpAnswer): Refusal {
	const body = bodyObject(answer);
	const code = Number(body.code);
	const message = plainText(body.message);
	const detail = `HTTP ${answer.status}${Number.isFinite(code) ? `, code ${code}` : ''}${message ? `: ${message}` : ''}`;
	if (answer.status === 401 || (code >= 1000 && code <= 1004)) {
		return {
			message: `Kling did not accept the credential (${detail}). Check the access key and secret key in the Kling credential${code === 1004 ? ' and the clock of this machine' : ''}.`,
			retry: false,
		};
	}
	if (code === 1300 || code === 1301) {
		return {
			message: `Kling refused the scene under its content policy (${detail}). Rewrite the scene's action or dialogue and run it again.`,
			retry: false,
			policy: true,
		};
	}
	if (code >= 1100 && code <= 1102) {
		return {
			message: `Kling refused the task because of the account (${detail}). Check the balance or resource pack of the Kling account.`,
			retry: false,
		};
	}
	if (answer.status === 429 || code === 1302 || code === 1303) {
		return { message: `Kling is rate limiting this account (${detail})`, retry: true };
	}
	if (answer.status >= 500) return { message: `Kling had a server error (${detail})` };
	return { message: `Kling rejected the request (${detail}).`, retry: false };
}

/** One Kling API call with a freshly signed token, under the retry policy; the answer's `data`. */
export async function klingCall(
	credentials: Record<string, unknown>,
	limits: RetryPolicy,
	method: string,
	url: string,
	body?: unknown,
): Promise<KlingTaskData> {
	const token = klingToken(String(credentials.accessKey ?? ''), String(credentials.secretKey ?? ''));
	const answer = (await requestJson(
		{
			provider: 'Kling',
			method,
			url,
			headers: { authorization: `Bearer ${token}` },
			body,
			accept: klingAccepts,
			refuse: klingRefusal,
		},
		limits,
	)) as { data?: KlingTaskData } | undefined;
	return answer?.data ?? {};
}

/** Credential test: lists one text-to-video task with a freshly signed token (costs nothing, one try). */
export async function testKlingCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = (credential.data ?? {}) as Record<string, unknown>;
	try {
		const url = `${baseUrl(data, KLING_DEFAULT_BASE_URL)}/v1/videos/text2video?pageNum=1&pageSize=1`;
		await klingCall(data, retryPolicy({ attempts: 1 }), 'GET', url);
		return { status: 'OK', message: 'Connection successful' };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
}
