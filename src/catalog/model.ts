import { ACKNOWLEDGEMENT_SLI, gatewaySli, type SliSource } from './conventions.js';
import { formatDuration } from './duration.js';
import type { AlertingSpec, CatalogSpec, CostModelSpec, GatewaySpec, OncallSpec, ProfileSpec, ServiceSpec, SloSpec, StackSpec, TrafficSpec } from './schema.js';

/** A validated catalog, with the derived values every consumer needs computed once. */
export interface Catalog {
  /** The file it was read from, named in generated artifacts and error messages. */
  readonly source: string;
  readonly platform: string;
  readonly gateway: GatewaySpec;
  readonly simulatorAdmin: HostPort;
  readonly services: readonly Service[];
  /** Every SLO of every service, flattened, with defaults applied. */
  readonly slos: readonly Slo[];
  readonly alerting: AlertingSpec;
  readonly stack: StackSpec;
  readonly cost: CostModelSpec | undefined;
  /** The SLO period when an SLO names none (slo_defaults.period). */
  readonly defaultPeriodMs: number;
  /** The load-test traffic model, when the catalog has one. */
  readonly traffic: Traffic | undefined;
  /** Boundaries of the gateway's request-duration histogram, in seconds; every latency threshold is one. */
  readonly histogramBuckets: readonly number[];
}

export interface Service extends ServiceSpec {
  readonly upstreamHost: string;
  readonly upstreamPort: number;
}

interface SloBase {
  readonly service: string;
  readonly serviceTier: number;
  readonly owner: string;
  readonly description: string;
  /** The objective as a ratio (99.9 % -> 0.999). */
  readonly objective: number;
  /** 1 - objective. */
  readonly budget: number;
  readonly periodMs: number;
  readonly minEvents: number;
  /** Where its events are counted. */
  readonly sli: SliSource;
}

/** Good events: requests answered without a server error (5xx). */
export interface AvailabilitySlo extends SloBase {
  readonly id: 'availability';
}

/** Good events: requests answered within the threshold, a bucket boundary of the gateway histogram. */
export interface LatencySlo extends SloBase {
  readonly id: 'latency';
  readonly thresholdSeconds: number;
}

/** Good events: pages (critical incidents) acknowledged within the threshold; the on-call process's own SLO. */
export interface AcknowledgementSlo extends SloBase {
  readonly id: 'acknowledgement';
  readonly thresholdSeconds: number;
}

export type Slo = AvailabilitySlo | LatencySlo | AcknowledgementSlo;

/** The platform's incident-response target for a catalog without an on-call SLO: 95 % of pages within fifteen minutes. */
const DEFAULT_ACKNOWLEDGEMENT = { thresholdSeconds: 900, objective: 0.95 } as const;

/** How soon a page must be acknowledged: the on-call SLO's threshold, or the platform's target. */
export function acknowledgementTargetSeconds(catalog: Pick<Catalog, 'slos'>): number {
  return acknowledgementSlo(catalog).thresholdSeconds;
}

/** The share of pages that must be acknowledged within the target. */
export function acknowledgementObjective(catalog: Pick<Catalog, 'slos'>): number {
  return acknowledgementSlo(catalog).objective;
}

function acknowledgementSlo(catalog: Pick<Catalog, 'slos'>): { readonly thresholdSeconds: number; readonly objective: number } {
  return catalog.slos.find((candidate): candidate is AcknowledgementSlo => candidate.id === 'acknowledgement') ?? DEFAULT_ACKNOWLEDGEMENT;
}

/** The SLOs of requests through the gateway: what a load test can judge. */
export function isGatewaySlo(slo: Slo): slo is AvailabilitySlo | LatencySlo {
  return slo.id !== 'acknowledgement';
}

export type Credentials = 'api_key' | 'jwt' | 'none';

/** One kind of request a service receives, with its share of the service's traffic. */
export interface TrafficRequest {
  readonly method: string;
  /** An endpoint template of the service, such as /api/airtable/bases/{baseId}/tables. */
  readonly endpoint: string;
  readonly weight: number;
  readonly credentials: Credentials;
  readonly body: Readonly<Record<string, unknown>> | undefined;
  readonly expectStatus: number;
  readonly expectBodyKey: string | undefined;
}

export interface ServiceTraffic {
  readonly service: string;
  /** Expected production peak, requests per second. */
  readonly peakRps: number;
  readonly mix: readonly TrafficRequest[];
}

export interface Traffic {
  readonly params: Readonly<Record<string, readonly string[]>>;
  readonly jwtUsers: number;
  /** In catalog order. */
  readonly services: readonly ServiceTraffic[];
  readonly profiles: Readonly<Record<string, ProfileSpec>>;
  /** The auth service's login endpoint, through which jwt users get their tokens. */
  readonly loginEndpoint: string | undefined;
}

/** Where the control plane listens and takes Alertmanager's webhook: the catalog's webhook URL. */
export function controlPlaneAddress(catalog: Pick<Catalog, 'alerting'>): { host: string; port: number; webhookPath: string } {
  const url = new URL(catalog.alerting.control_plane_webhook_url);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)), webhookPath: url.pathname };
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
  const slos = [...spec.services.flatMap((service) => service.slos.map((slo) => buildSlo(spec, service, slo))), ...(spec.oncall ? oncallSlos(spec, spec.oncall) : [])];
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
    slos,
    alerting: spec.alerting,
    stack: spec.stack,
    cost: spec.cost,
    defaultPeriodMs: spec.slo_defaults.period,
    traffic: spec.traffic ? buildTraffic(spec, spec.traffic) : undefined,
    histogramBuckets: [...spec.gateway.histogram_buckets].sort((a, b) => a - b),
  };
}

function buildSlo(spec: CatalogSpec, service: ServiceSpec, slo: SloSpec): Slo {
  const objective = roundRatio(slo.objective / 100);
  const base: SloBase = {
    service: service.id,
    serviceTier: service.tier,
    owner: service.owner,
    description: slo.description ?? defaultDescription(slo),
    objective,
    budget: roundRatio(1 - objective),
    periodMs: slo.period ?? spec.slo_defaults.period,
    minEvents: slo.min_events ?? spec.slo_defaults.min_events,
    sli: gatewaySli(service.id),
  };
  return slo.id === 'latency' ? { ...base, id: 'latency', thresholdSeconds: slo.threshold / 1000 } : { ...base, id: 'availability' };
}

function oncallSlos(spec: CatalogSpec, oncall: OncallSpec): AcknowledgementSlo[] {
  return oncall.slos.map((slo) => {
    const objective = roundRatio(slo.objective / 100);
    return {
      service: oncall.service,
      serviceTier: 1,
      owner: oncall.owner,
      id: 'acknowledgement',
      description: slo.description ?? `${slo.objective} % of pages are acknowledged within ${formatDuration(slo.threshold)}.`,
      objective,
      budget: roundRatio(1 - objective),
      periodMs: slo.period ?? spec.slo_defaults.period,
      minEvents: slo.min_events ?? spec.slo_defaults.min_events,
      sli: ACKNOWLEDGEMENT_SLI,
      thresholdSeconds: slo.threshold / 1000,
    };
  });
}

function defaultDescription(slo: SloSpec): string {
  return slo.id === 'availability'
    ? `${slo.objective} % of requests are answered without a server error (5xx).`
    : `${slo.objective} % of requests are answered within ${slo.threshold} ms.`;
}

/** Ratios such as 1 - 0.999 are not exact in binary; 12 significant digits are plenty. */
function roundRatio(value: number): number {
  return Number(value.toPrecision(12));
}

function buildTraffic(spec: CatalogSpec, traffic: TrafficSpec): Traffic {
  const publicRoute = (service: ServiceSpec, endpoint: string): boolean =>
    service.routes.some((route) => route.auth === 'public' && (endpoint === route.prefix || endpoint.startsWith(`${route.prefix}/`)));
  return {
    params: traffic.params,
    jwtUsers: traffic.jwt_users,
    services: spec.services.flatMap((service) => {
      const entry = traffic.services[service.id];
      if (!entry) return [];
      return [{
        service: service.id,
        peakRps: entry.peak_rps,
        mix: entry.mix.map((request) => ({
          method: request.method,
          endpoint: request.endpoint,
          weight: request.weight,
          credentials: request.credentials ?? (publicRoute(service, request.endpoint) ? 'none' : 'api_key'),
          body: request.body,
          expectStatus: request.expect.status,
          expectBodyKey: request.expect.body_key,
        })),
      }];
    }),
    profiles: traffic.profiles,
    loginEndpoint: spec.services.find((service) => service.kind === 'auth')?.endpoints.find((endpoint) => endpoint.endsWith('/login')),
  };
}
