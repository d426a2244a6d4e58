/**
 * Why a service could not be reached, in words. Not the system code itself: n8n replaces any node error message that
 * mentions one (ECONNREFUSED, ETIMEDOUT, …) with its own generic sentence, which names neither the service nor what
 * to do about it.
 */
const WORDS: Record<string, string> = {
  ECONNREFUSED: "the connection was refused",
  ECONNRESET: "the connection was closed",
  ETIMEDOUT: "the connection timed out",
  EPIPE: "the connection was closed",
  EHOSTUNREACH: "the host is unreachable",
  ENETUNREACH: "the network is unreachable",
  EAI_AGAIN: "its name could not be looked up",
  ENOTFOUND: "its name could not be looked up",
  ServiceUnavailable: "it answered 503 Service Unavailable",
  SlowDown: "it answered 503 Slow Down",
  "57P03": "the server is starting up or shutting down",
  "57P01": "the server was shut down",
};

export function unreachableReason(error: unknown): string {
  const { code, message } = (error ?? {}) as {
    code?: string;
    message?: string;
  };
  if (code && WORDS[code]) return WORDS[code];
  // A message that carries a code of its own (pg's "connect ECONNREFUSED 127.0.0.1:5432") is said in words too.
  const named = Object.keys(WORDS).find((known) =>
    String(message).includes(known),
  );
  if (named) return WORDS[named];
  return String(message || code || "no answer").replace(
    /\bE[A-Z_]{3,}\b/g,
    "a connection error",
  );
}
