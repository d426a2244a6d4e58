/**
 * URLs that are fetched on a run's behalf must point at the public internet:
 * - reference images (Kling or Runway download them): Reelsmith never fetches them itself, so the check is on the
 *   URL as written (publicUrlProblem). A public name is not resolved: the provider resolves it in its own network,
 *   where our DNS answer would prove nothing.
 * - a run's music (Reelsmith downloads it at assembly, fetchPublic.ts): checked as written when the run is requested,
 *   and resolved and pinned like a callback when it is downloaded; redirects are not followed.
 * - completion callbacks (Reelsmith POSTs to them): checked as written when the run is requested (callbackUrlProblem),
 *   and again when each request is sent (resolvePublicHost): the name is resolved and every address it has must be
 *   public, and the connection goes to the address that was checked, so a DNS answer that changes in between (DNS
 *   rebinding) cannot reach an inside address.
 * Refused: literal addresses in private, loopback, link-local (cloud metadata), shared, multicast or reserved ranges,
 * and names that only mean something inside a network (localhost, *.local, *.internal, single labels).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/** Names that resolve only inside a network (RFC 6761/6762/8375, cloud metadata names). */
const INTERNAL_NAME = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain)$/i;
const LOOPBACK_NAME = /^(localhost|localhost\.localdomain)$/i;

const RANGE_WORDS: Record<string, string> = {
	private: 'a private network address',
	uniqueLocal: 'a private network address',
	loopback: 'a loopback address (this machine)',
	linkLocal: 'a link-local address (where cloud metadata services answer)',
	carrierGradeNat: 'a shared carrier-grade NAT address',
	unspecified: 'the unspecified address',
	broadcast: 'the broadcast address',
	multicast: 'a multicast address',
};

/** Whether a loopback address may be used (callbacks, only when REELSMITH_CALLBACK_ALLOW_LOOPBACK is on). */
export interface AddressRules {
	allowLoopback?: boolean;
}

/**
 * Why the literal address `address` may not be fetched, or null when it is public (or loopback and allowed).
 * process() unwraps IPv4-mapped IPv6 (::ffff:169.254.169.254); every range but plain unicast is refused, which also
 * covers NAT64, 6to4 and Teredo forms that carry a private IPv4 inside.
 */
export function addressProblem(address: string, rules: AddressRules = {}): string | null {
	if (!ipaddr.isValid(address)) return `points at "${address}", which is not an address Reelsmith can check; use a public URL`;
	const range = ipaddr.process(address).range();
	if (range === 'unicast' || (range === 'loopback' && rules.allowLoopback)) return null;
	return `points at ${address}, ${RANGE_WORDS[range] ?? 'a reserved address'}; use a public URL`;
}

/** The host of a parsed URL without IPv6 brackets or a trailing dot. */
const hostOf = (parsed: URL) => parsed.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');

function hostProblem(host: string, rules: AddressRules): string | null {
	if (ipaddr.isValid(host)) return addressProblem(host, rules);
	if (rules.allowLoopback && LOOPBACK_NAME.test(host)) return null;
	if (!host.includes('.') || INTERNAL_NAME.test(host)) {
		return `points at "${host}", a name that only exists inside a network; use a public URL`;
	}
	return null;
}

function parse(url: string): URL | string {
	try {
		const parsed = new URL(url);
		if (parsed.username || parsed.password) return 'carries a user name or password; use a URL without them (a signed URL works)';
		return parsed;
	} catch {
		return 'is not a valid URL';
	}
}

/** Why `url` may not be fetched on a run's behalf, or null when it points at a public host. */
export function publicUrlProblem(url: string): string | null {
	// WHATWG URL turns 0x7f.1, 2130706433 and the like into dotted IPv4, so only the canonical forms remain.
	const parsed = parse(url);
	return typeof parsed === 'string' ? parsed : hostProblem(hostOf(parsed), {});
}

/** Loopback hosts as written (names and literal addresses), for the http:// exception of callbacks. */
function isLoopbackHost(host: string): boolean {
	return LOOPBACK_NAME.test(host) || (ipaddr.isValid(host) && ipaddr.process(host).range() === 'loopback');
}

/**
 * Why `url` may not receive a run's callbacks, as written: https to a public host, or (only with `allowLoopback`)
 * http or https to this machine. Null when it may.
 */
export function callbackUrlProblem(url: string, rules: AddressRules = {}): string | null {
	if (url.length > 2048) return 'is a URL longer than 2048 characters';
	const parsed = parse(url);
	if (typeof parsed === 'string') return parsed;
	const host = hostOf(parsed);
	if (parsed.protocol === 'http:') {
		if (!rules.allowLoopback) return 'must be an https URL';
		if (!isLoopbackHost(host)) return 'must be an https URL (http is allowed only to this machine, for testing)';
	} else if (parsed.protocol !== 'https:') {
		return 'must be an https URL';
	}
	return hostProblem(host, rules);
}

export type Lookup = (host: string) => Promise<Array<{ address: string; family: number }>>;

const systemLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * Resolves the host of a callback (or music, `what`) URL and checks every address it has; the first one is where to connect. Throws
 * a PublicHostError (not worth retrying) when any address is not public, and the resolver's error when the name
 * does not resolve (worth retrying: DNS may come back).
 */
export async function resolvePublicHost(
	url: string,
	rules: AddressRules = {},
	lookup: Lookup = systemLookup,
	what = 'callback',
): Promise<{ address: string; family: 4 | 6 }> {
	const problem = callbackUrlProblem(url, rules);
	if (problem) throw new PublicHostError(`The ${what} URL ${problem}.`);
	const host = hostOf(new URL(url));
	const addresses = ipaddr.isValid(host) ? [{ address: host, family: host.includes(':') ? 6 : 4 }] : await lookup(host);
	if (addresses.length === 0) throw new Error(`The ${what} host ${host} has no address.`);
	for (const { address } of addresses) {
		const refused = addressProblem(address, rules);
		if (refused) throw new PublicHostError(`The ${what} host ${host} resolves to an address that is not public: it ${refused}.`);
	}
	return { address: addresses[0].address, family: addresses[0].family === 6 ? 6 : 4 };
}

/** The callback URL points (or resolves) somewhere Reelsmith may not send to. */
export class PublicHostError extends Error {}
