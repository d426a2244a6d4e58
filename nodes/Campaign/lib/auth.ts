import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface WebhookCredentials {
	headerName: string;
	token: string;
}

export type TokenCheck = { ok: true } | { ok: false; status: 401; field: string; message: string };

/**
 * A signed call carries `x-reelsmith-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the
 * webhook token>` instead of the token itself. n8n keeps every webhook call's headers in its execution data, so a
 * token sent in a header is stored there in plain text; a signature is useless to whoever reads it once its five
 * minutes have passed. The dashboard, the dispatcher and npm start's sample sign; the token header stays for curl.
 */
export const SIGNATURE_HEADER = 'x-reelsmith-signature';
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function signBody(token: string, body: string | Buffer, nowMs = Date.now()): string {
	const t = Math.floor(nowMs / 1000);
	const mac = createHmac('sha256', token).update(`${t}.`).update(body).digest('hex');
	return `t=${t},v1=${mac}`;
}

function checkSignature(signature: string, body: string | Buffer | undefined, token: string, nowMs: number): TokenCheck {
	const refuse = (message: string): TokenCheck => ({ ok: false, status: 401, field: SIGNATURE_HEADER, message });
	const parts = Object.fromEntries(signature.split(',').map((part) => part.trim().split('=', 2) as [string, string]));
	const t = Number(parts.t);
	if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/i.test(parts.v1 ?? '')) {
		return refuse(`The "${SIGNATURE_HEADER}" header must be "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the webhook token>".`);
	}
	const age = Math.abs(nowMs / 1000 - t);
	if (age > SIGNATURE_TOLERANCE_SECONDS) {
		return refuse(`The signature's time t=${t} is ${Math.round(age)} s away from this server's clock; sign each request when you send it (at most ${SIGNATURE_TOLERANCE_SECONDS} s).`);
	}
	const expected = createHmac('sha256', token).update(`${t}.`).update(body ?? '').digest();
	if (!timingSafeEqual(expected, Buffer.from(parts.v1, 'hex'))) {
		return refuse(`The "${SIGNATURE_HEADER}" header does not match the body signed with the webhook token. Sign the exact bytes you send.`);
	}
	return { ok: true };
}

/**
 * Checks a webhook call: its signature over `body` when it carries one, else the shared-secret header. Token
 * digests are compared so the comparison takes the same time whatever the length or content of the guess
 * (timingSafeEqual needs equal lengths).
 */
export function checkToken(headers: unknown, credentials: WebhookCredentials, body?: string | Buffer, nowMs = Date.now()): TokenCheck {
	const signature = findHeader(headers, SIGNATURE_HEADER);
	if (typeof signature === 'string' && signature) return checkSignature(signature, body, credentials.token, nowMs);
	const headerName = (credentials.headerName || 'x-reelsmith-token').toLowerCase();
	const raw = findHeader(headers, headerName);
	const sent = Array.isArray(raw) ? raw[0] : raw;
	if (typeof sent !== 'string' || sent === '') {
		return {
			ok: false,
			status: 401,
			field: headerName,
			message: `The "${headerName}" header is missing. Send the Reelsmith webhook token in it, or sign the body (header "${SIGNATURE_HEADER}").`,
		};
	}
	const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
	if (!timingSafeEqual(digest(sent), digest(credentials.token))) {
		return {
			ok: false,
			status: 401,
			field: headerName,
			message: `The "${headerName}" header does not match the webhook token. Check the token you send.`,
		};
	}
	return { ok: true };
}

// n8n lower-cases incoming header names; a hand-built item may not, so match without case.
function findHeader(headers: unknown, name: string): unknown {
	if (!headers || typeof headers !== 'object') return undefined;
	for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
		if (key.toLowerCase() === name) return value;
	}
	return undefined;
}
