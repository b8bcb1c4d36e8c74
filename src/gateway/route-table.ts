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
  readonly templates: readonly CompiledTemplate[];
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
        compiled.push({ prefix: route.prefix, service, route, templates, wildcard: `${route.prefix}/*` });
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

function templateFor(entry: CompiledPrefix, path: string): string {
  if (entry.templates.length === 0) return path === entry.prefix ? entry.prefix : entry.wildcard;
  const segments = path.split('/');
  for (const candidate of entry.templates) {
    if (candidate.segments.length !== segments.length) continue;
    if (candidate.segments.every((literal, index) => literal === undefined ? segments[index] !== '' : literal === segments[index])) {
      return candidate.template;
    }
  }
  return path === entry.prefix ? entry.prefix : entry.wildcard;
}
