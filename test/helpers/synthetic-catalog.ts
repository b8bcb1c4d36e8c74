import { stringify } from 'yaml';
import { parseCatalog, type Catalog } from '../../src/catalog/index.js';

export interface SyntheticSlo {
  readonly id: 'availability' | 'latency';
  readonly objective: number;
  readonly threshold?: string;
  readonly period?: string;
  readonly min_events?: number;
}

export interface SyntheticCatalogOptions {
  readonly services?: Readonly<Record<string, readonly SyntheticSlo[]>>;
  readonly period?: string;
  readonly minEvents?: number;
  readonly buckets?: readonly number[];
  /** The catalog's cost section, as written in YAML. */
  readonly cost?: Readonly<Record<string, unknown>>;
  /** Extra keys of the gateway section (consolidates, cost). */
  readonly gateway?: Readonly<Record<string, unknown>>;
  /** Extra keys per service (consolidates, cost). */
  readonly serviceExtras?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * A small catalog made up for one test: a few services with the SLOs given, everything else at
 * plain values. Generators are tested on these, away from the shipped catalog's numbers.
 */
export function syntheticCatalog(options: SyntheticCatalogOptions = {}): Catalog {
  const services = options.services ?? { orders: [{ id: 'availability', objective: 99.9 }] };
  const spec = {
    version: 1,
    platform: 'Synthetic',
    gateway: {
      listen: '127.0.0.1:18000',
      auth: { jwt: { issuer: 'test', audience: 'test', algorithms: ['HS256'] } },
      rate_limits: { default: { requests: 100, per: '1m' }, strict: { requests: 10, per: '1m' } },
      limits: { max_body_bytes: 1024, max_header_bytes: 4096 },
      ...(options.buckets ? { histogram_buckets: options.buckets } : {}),
      ...options.gateway,
    },
    simulator: { admin: '127.0.0.1:18099' },
    slo_defaults: { ...(options.period ? { period: options.period } : {}), ...(options.minEvents ? { min_events: options.minEvents } : {}) },
    alerting: { runbook_base_url: 'https://runbooks.test/', dashboard_base_url: 'https://grafana.test/', control_plane_webhook_url: 'http://127.0.0.1:18500/hook' },
    services: Object.entries(services).map(([id, slos], index) => ({
      id,
      description: `The ${id} service.`,
      upstream: `http://127.0.0.1:${18100 + index}`,
      owner: 'team',
      tier: 1,
      kind: 'user',
      routes: [{ prefix: `/api/${id}` }],
      simulation: { latency: { median: '5ms', p95: '20ms' } },
      slos,
      ...options.serviceExtras?.[id],
    })),
    ...(options.cost ? { cost: options.cost } : {}),
  };
  return parseCatalog(stringify(spec), 'synthetic.yaml');
}
