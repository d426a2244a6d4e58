/**
 * Callback signatures, as Stripe and Svix sign their webhooks: HMAC-SHA256 over "<timestamp>.<body>" with the
 * campaign's secret, the timestamp in its own header so a receiver can refuse old (replayed) requests, and a
 * delivery id that stays the same across retries so a receiver can drop duplicates.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-reelsmith-signature';
export const TIMESTAMP_HEADER = 'x-reelsmith-timestamp';
export const DELIVERY_HEADER = 'x-reelsmith-delivery';
/** Scheme prefix, so the signing can change later without breaking receivers ("v1=<hex>"). */
const VERSION = 'v1';

export function signature(secret: string, timestamp: number, body: string): string {
	return `${VERSION}=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The headers of one attempt; `timestamp` in Unix seconds. */
export function signedHeaders(secret: string, deliveryId: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
	return {
		[SIGNATURE_HEADER]: signature(secret, timestamp, body),
		[TIMESTAMP_HEADER]: String(timestamp),
		[DELIVERY_HEADER]: deliveryId,
	};
}

/**
 * What a receiver does (the README shows the same in a few lines): the signature must match and the timestamp be
 * at most `toleranceSeconds` old. Compared in constant time.
 */
export function verifySignature(
	secret: string,
	headers: Record<string, string | string[] | undefined>,
	body: string,
	{ toleranceSeconds = 300, now = Date.now() } = {},
): boolean {
	const timestamp = Number(headers[TIMESTAMP_HEADER]);
	const given = String(headers[SIGNATURE_HEADER] ?? '');
	if (!Number.isInteger(timestamp) || Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
	const expected = Buffer.from(signature(secret, timestamp, body));
	const actual = Buffer.from(given);
	return expected.length === actual.length && timingSafeEqual(expected, actual);
}
