/** A request target that passed validation, split into path and query (query keeps its "?"). */
export interface RequestTarget {
  readonly path: string;
  readonly query: string;
}

export type TargetProblem = { readonly problem: string };

const FORBIDDEN = /[\\\0\r\n]|%00|%2e|%5c/i;

/**
 * Checks a raw request target before it is routed or forwarded. A proxy that forwards what it
 * did not route on (dot segments, encoded dots or backslashes, broken escapes) can be walked
 * past its own route policy, so anything ambiguous is refused rather than normalized.
 */
export function parseRequestTarget(raw: string | undefined): RequestTarget | TargetProblem {
  if (!raw || raw.charCodeAt(0) !== 47 /* '/' */) {
    return { problem: 'request target must be an absolute path such as /api/airtable/bases' };
  }
  const queryAt = raw.indexOf('?');
  const path = queryAt === -1 ? raw : raw.slice(0, queryAt);
  const query = queryAt === -1 ? '' : raw.slice(queryAt);
  if (path.includes('//')) return { problem: 'path contains an empty segment (//)' };
  if (FORBIDDEN.test(path)) return { problem: 'path contains an encoded dot, backslash or control character' };
  if (path.includes('/./') || path.includes('/../') || path.endsWith('/.') || path.endsWith('/..')) {
    return { problem: 'path contains a dot segment (. or ..)' };
  }
  if (path.includes('%')) {
    try {
      decodeURIComponent(path);
    } catch {
      return { problem: 'path contains an invalid percent-encoding' };
    }
  }
  return { path, query };
}
