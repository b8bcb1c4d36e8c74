import type { IncomingHttpHeaders } from 'node:http';

export type HeaderMap = Record<string, string | string[]>;

/** RFC 9110 §7.6.1 connection-specific headers, which a proxy must not forward. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Never forwarded upstream: the API key is the gateway's business; identity headers are set by it
 * alone; `expect: 100-continue` was answered by the gateway already (and undici refuses to send it).
 */
const NOT_FORWARDED_UPSTREAM = new Set([...HOP_BY_HOP, 'host', 'expect', 'x-api-key', 'x-authenticated-subject', 'x-authenticated-tenant', 'x-authenticated-by', 'traceparent', 'tracestate']);

export function withoutHopByHop(headers: IncomingHttpHeaders): HeaderMap {
  return without(headers, HOP_BY_HOP);
}

export function upstreamRequestHeaders(headers: IncomingHttpHeaders): HeaderMap {
  return without(headers, NOT_FORWARDED_UPSTREAM);
}

/** `headers` less the `dropped` names and those the Connection header lists: one lookup per header. */
function without(headers: IncomingHttpHeaders, dropped: ReadonlySet<string>): HeaderMap {
  const listed = connectionListed(headers.connection);
  const out: HeaderMap = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || dropped.has(name) || listed?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

export function appendForwardedFor(existing: string | string[] | undefined, clientAddress: string): string {
  const previous = Array.isArray(existing) ? existing.join(', ') : existing;
  return previous ? `${previous}, ${clientAddress}` : clientAddress;
}

function connectionListed(connection: string | undefined): Set<string> | undefined {
  if (!connection || connection === 'keep-alive' || connection === 'close') return undefined;
  return new Set(connection.split(',').map((token) => token.trim().toLowerCase()));
}
