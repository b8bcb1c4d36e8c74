import type { CatalogSpec, GatewaySpec, ServiceSpec } from './schema.js';

/** A validated catalog, with the derived values every consumer needs computed once. */
export interface Catalog {
  /** The file it was read from, named in generated artifacts and error messages. */
  readonly source: string;
  readonly platform: string;
  readonly gateway: GatewaySpec;
  readonly simulatorAdmin: HostPort;
  readonly services: readonly Service[];
  /** Latency thresholds (seconds) the SLOs measure against; each must be a histogram bucket boundary. */
  readonly latencyThresholdsSeconds: readonly number[];
}

export interface Service extends ServiceSpec {
  readonly upstreamHost: string;
  readonly upstreamPort: number;
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export function parseHostPort(text: string): HostPort {
  const at = text.lastIndexOf(':');
  return { host: text.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(text.slice(at + 1)) };
}

export function buildCatalog(spec: CatalogSpec, source: string): Catalog {
  return {
    source,
    platform: spec.platform,
    gateway: spec.gateway,
    simulatorAdmin: parseHostPort(spec.simulator.admin),
    services: spec.services.map((service) => {
      const url = new URL(service.upstream);
      return {
        ...service,
        upstreamHost: url.hostname.replace(/^\[|\]$/g, ''),
        upstreamPort: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      };
    }),
    latencyThresholdsSeconds: [],
  };
}

export function findService(catalog: Catalog, id: string): Service | undefined {
  return catalog.services.find((service) => service.id === id);
}
