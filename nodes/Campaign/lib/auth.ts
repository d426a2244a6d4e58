import { createHash, timingSafeEqual } from 'node:crypto';

export interface WebhookCredentials {
	headerName: string;
	token: string;
}

export type TokenCheck = { ok: true } | { ok: false; status: 401; field: string; message: string };

/**
 * Checks the shared-secret header of a webhook call. Both sides are hashed first so the comparison takes the
 * same time whatever the length or content of the guess (timingSafeEqual needs equal lengths).
 */
export function checkToken(headers: unknown, credentials: WebhookCredentials): TokenCheck {
	const headerName = (credentials.headerName || 'x-reelsmith-token').toLowerCase();
	const raw = findHeader(headers, headerName);
	const sent = Array.isArray(raw) ? raw[0] : raw;
	if (typeof sent !== 'string' || sent === '') {
		return {
			ok: false,
			status: 401,
			field: headerName,
			message: `The "${headerName}" header is missing. Send the Reelsmith webhook token in it.`,
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
