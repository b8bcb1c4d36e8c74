import type { Catalog, RouteSpec, Service } from '../catalog/index.js';

/** Where a proxied request goes, decided once per request from the compiled catalog routes. */
export interface RouteMatch {
  readonly service: Service;
  readonly route: RouteSpec;
  /** The `http_route` label: a template from the catalog, never the raw path. */
  readonly template: string;
  /** The path to request upstream (prefix rewritten where the catalog says so). */
  readonly upstreamPath: string;
}

interface CompiledPrefix {
  readonly prefix: string;
  readonly service: Service;
  readonly route: RouteSpec;
  /** Templates without parameters, by the path they match: one lookup. */
  readonly literals: ReadonlyMap<string, string>;
  /** Templates with parameters, compared segment by segment. */
  readonly parameterized: readonly CompiledTemplate[];
  readonly wildcard: string;
}

interface CompiledTemplate {
  readonly template: string;
  /** Literal segments, with undefined where the template has a {parameter}. */
  readonly segments: readonly (string | undefined)[];
}

/**
 * The catalog's prefixes compiled for the hot path: longest prefix first, a segment comparison
 * per endpoint template, no regular expressions and no allocation beyond the rewritten path.
 */
export class RouteTable {
  private readonly prefixes: readonly CompiledPrefix[];

  constructor(catalog: Catalog) {
    const compiled: CompiledPrefix[] = [];
    for (const service of catalog.services) {
      for (const route of service.routes) {
        const templates = service.endpoints
          .filter((t) => t === route.prefix || t.startsWith(`${route.prefix}/`))
          .map((template) => ({ template, segments: template.split('/').map((s) => (s.startsWith('{') ? undefined : s)) }));
        const isLiteral = (t: CompiledTemplate): boolean => t.segments.every((segment) => segment !== undefined);
        compiled.push({
          prefix: route.prefix,
          service,
          route,
          literals: new Map(templates.filter(isLiteral).map((t) => [t.template, t.template])),
          parameterized: templates.filter((t) => !isLiteral(t)),
          wildcard: `${route.prefix}/*`,
        });
      }
    }
    this.prefixes = compiled.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  match(path: string, query: string): RouteMatch | undefined {
    for (const entry of this.prefixes) {
      const { prefix } = entry;
      if (!path.startsWith(prefix) || (path.length > prefix.length && path.charCodeAt(prefix.length) !== 47 /* '/' */)) continue;
      const rest = path.slice(prefix.length);
      const upstreamPrefix = entry.route.upstream_prefix ?? prefix;
      return {
        service: entry.service,
        route: entry.route,
        template: templateFor(entry, path),
        upstreamPath: `${upstreamPrefix}${rest || (upstreamPrefix === '' ? '/' : '')}${query}`,
      };
    }
    return undefined;
  }
}

/** The catalog template the path matches; without one, the prefix itself or its wildcard. */
function templateFor(entry: CompiledPrefix, path: string): string {
  const literal = entry.literals.get(path);
  if (literal !== undefined) return literal;
  if (entry.parameterized.length > 0) {
    const segments = segmentCount(path);
    for (const candidate of entry.parameterized) {
      if (candidate.segments.length === segments && matchesSegments(candidate.segments, path)) return candidate.template;
    }
  }
  return path === entry.prefix ? entry.prefix : entry.wildcard;
}

/** What path.split('/').length would be, without the array. */
function segmentCount(path: string): number {
  let count = 1;
  for (let at = path.indexOf('/'); at !== -1; at = path.indexOf('/', at + 1)) count++;
  return count;
}

/**
 * Whether the path has exactly these segments (undefined: any non-empty segment). Walks the
 * path in place: splitting it would allocate an array and a string per segment on every request.
 */
function matchesSegments(segments: readonly (string | undefined)[], path: string): boolean {
  let start = 0;
  for (let index = 0; index < segments.length; index++) {
    const slash = path.indexOf('/', start);
    const end = slash === -1 ? path.length : slash;
    const literal = segments[index];
    const matches = literal === undefined ? end > start : end - start === literal.length && path.startsWith(literal, start);
    if (!matches) return false;
    // The path's last segment must be the template's last.
    if (slash === -1) return index === segments.length - 1;
    start = slash + 1;
  }
  return false;
}
