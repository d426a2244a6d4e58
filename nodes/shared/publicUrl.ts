/**
 * URLs that someone fetches on a run's behalf (reference images: Kling or Runway download them) must point at the
 * public internet. Reelsmith never fetches them itself, so the check is on the URL as written: literal addresses in
 * private, loopback, link-local (cloud metadata), shared, multicast or reserved ranges are refused, and so are names
 * that only mean something inside a network (localhost, *.local, *.internal, single labels). A public name is not
 * resolved here: the provider resolves it in its own network, where our DNS answer would prove nothing.
 */
import ipaddr from 'ipaddr.js';

/** Names that resolve only inside a network (RFC 6761/6762/8375, cloud metadata names). */
const INTERNAL_NAME = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain)$/i;

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

/** Why `url` may not be fetched on a run's behalf, or null when it points at a public host. */
export function publicUrlProblem(url: string): string | null {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return 'is not a valid URL';
	}
	if (parsed.username || parsed.password) return 'carries a user name or password; use a URL without them (a signed URL works)';
	// WHATWG URL turns 0x7f.1, 2130706433 and the like into dotted IPv4, so only the canonical forms remain.
	const host = parsed.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
	if (ipaddr.isValid(host)) {
		// process() unwraps IPv4-mapped IPv6 (::ffff:169.254.169.254); every range but plain unicast is refused,
		// which also covers NAT64, 6to4 and Teredo forms that carry a private IPv4 inside.
		const range = ipaddr.process(host).range();
		return range === 'unicast' ? null : `points at ${host}, ${RANGE_WORDS[range] ?? 'a reserved address'}; use a public URL`;
	}
	if (!host.includes('.') || INTERNAL_NAME.test(host)) {
		return `points at "${host}", a name that only exists inside a network; use a public URL`;
	}
	return null;
}
