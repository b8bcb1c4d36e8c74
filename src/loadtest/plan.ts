import { isGatewaySlo, type Catalog, type Slo } from '../catalog/index.js';
import type { ServiceTraffic, Traffic, TrafficRequest } from '../catalog/model.js';
import type { ProfileSpec } from '../catalog/schema.js';

/**
 * What a load-test profile sends, computed once from the catalog: the k6 scripts are written from
 * it and the engine runs it, so the two cannot drift apart. Rates are whole requests per minute
 * (k6's `rate` with `timeUnit: '1m'` states them exactly).
 */
export interface Stage {
  readonly targetPerMinute: number;
  readonly durationMs: number;
}

/** One service's arrivals: an open model, each arrival one request picked from the service's mix. */
export interface ArrivalScenario {
  readonly kind: 'arrivals';
  readonly service: string;
  readonly executor: 'constant-arrival-rate' | 'ramping-arrival-rate';
  readonly startPerMinute: number;
  /** Constant: one stage at startPerMinute. Ramping: linear from the previous target to each stage's. */
  readonly stages: readonly Stage[];
  readonly durationMs: number;
  readonly preAllocatedVUs: number;
  /** The most requests of this scenario in flight at once; an arrival past it is dropped and counted. */
  readonly maxVUs: number;
  readonly timeoutMs: number;
  readonly requests: readonly TrafficRequest[];
}

/** Concurrent users on connections of their own: request, think, request (k6's ramping-vus). */
export interface UsersScenario {
  readonly kind: 'users';
  readonly executor: 'ramping-vus';
  readonly users: number;
  readonly thinkTimeMs: number;
  readonly rampUpMs: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
  /** Every service's mix, each entry weighted by its share of the peak. */
  readonly requests: readonly (TrafficRequest & { readonly service: string })[];
}

export type Scenario = ArrivalScenario | UsersScenario;

/** A k6 threshold derived from an SLO: `rate<0.001` on http_req_failed, `p(95)<100` on http_req_duration. */
export interface Threshold {
  readonly service: string;
  readonly slo: Slo['id'];
  readonly metric: 'http_req_failed' | 'http_req_duration';
  /** `http_req_failed{service:x}`, as k6 keys a threshold on a tagged submetric. */
  readonly key: string;
  readonly expression: string;
  readonly objective: number;
  /** The SLO's error budget: the share of requests allowed to fail or be slow. */
  readonly budget: number;
  /** Latency SLOs: the threshold in milliseconds and the percentile it bounds. */
  readonly thresholdMs: number | undefined;
  readonly percentile: number | undefined;
}

export interface LoadPlan {
  readonly profile: string;
  readonly description: string | undefined;
  readonly scenarios: readonly Scenario[];
  readonly thresholds: readonly Threshold[];
  readonly durationMs: number;
  readonly minSamples: number;
  readonly params: Traffic['params'];
  readonly jwtUsers: number;
  readonly loginEndpoint: string | undefined;
}

export class PlanError extends Error {
  override name = 'PlanError';
}

export function trafficOf(catalog: Catalog): Traffic {
  if (!catalog.traffic) throw new PlanError(`${catalog.source} has no traffic section: add one (docs/load-gate.md) to load-test it`);
  return catalog.traffic;
}

export function profileOf(catalog: Catalog, name: string): ProfileSpec {
  const traffic = trafficOf(catalog);
  const profile = traffic.profiles[name];
  if (!profile) throw new PlanError(`no profile "${name}" in ${catalog.source}; choose one of ${Object.keys(traffic.profiles).join(', ')}`);
  return profile;
}

/** The plan of an arrival-rate profile (every executor but capacity, whose steps are planned one by one). */
export function loadPlan(catalog: Catalog, name: string): LoadPlan {
  const profile = profileOf(catalog, name);
  if (profile.executor === 'capacity') throw new PlanError(`profile "${name}" searches for the knee; its steps are planned with stepPlan()`);
  const traffic = trafficOf(catalog);
  const scenarios: Scenario[] = traffic.services.flatMap((service) => {
    const stages = profile.executor === 'constant-arrival-rate'
      ? [{ targetPerMinute: perMinute(service, profile.scale), durationMs: profile.duration }]
      : profile.stages.map((stage) => ({ targetPerMinute: perMinute(service, stage.scale), durationMs: stage.duration }));
    const start = profile.executor === 'constant-arrival-rate' ? perMinute(service, profile.scale) : perMinute(service, profile.start_scale);
    return arrivalScenario(catalog, service, profile.executor, start, stages);
  });
  if (profile.executor === 'ramping-arrival-rate' && profile.users) {
    const { users } = profile;
    const totalPeak = traffic.services.reduce((sum, s) => sum + s.peakRps, 0);
    scenarios.push({
      kind: 'users',
      executor: 'ramping-vus',
      users: users.count,
      thinkTimeMs: users.think_time,
      rampUpMs: users.ramp_up,
      durationMs: users.duration,
      timeoutMs: Math.max(...catalog.services.map((s) => s.resilience.timeout)) + CLIENT_TIMEOUT_MARGIN_MS,
      requests: traffic.services.flatMap((service) => {
        const weights = service.mix.reduce((sum, r) => sum + r.weight, 0);
        return service.mix.map((request) => ({ ...request, service: service.service, weight: roundWeight((service.peakRps / totalPeak) * (request.weight / weights)) }));
      }).filter((request) => request.weight > 0),
    });
  }
  return finish(catalog, name, profile, scenarios);
}

/** One step of a capacity search: every service at `scale` times its peak, for `durationMs`. */
export function stepPlan(catalog: Catalog, name: string, scale: number, durationMs: number): LoadPlan {
  const profile = profileOf(catalog, name);
  const scenarios = trafficOf(catalog).services.flatMap((service) => {
    const rate = perMinute(service, scale);
    return arrivalScenario(catalog, service, 'constant-arrival-rate', rate, [{ targetPerMinute: rate, durationMs }]);
  });
  return finish(catalog, name, profile, scenarios);
}

/** A client waits a little longer than the gateway's own upstream timeout, so that the gateway's 504 is what it sees. */
const CLIENT_TIMEOUT_MARGIN_MS = 5_000;
const MAX_VUS_CAP = 5_000;

function arrivalScenario(catalog: Catalog, service: ServiceTraffic, executor: ArrivalScenario['executor'], startPerMinute: number, stages: readonly Stage[]): ArrivalScenario[] {
  const peakPerMinute = Math.max(startPerMinute, ...stages.map((stage) => stage.targetPerMinute));
  if (peakPerMinute === 0) return [];
  const timeoutMs = (catalog.services.find((s) => s.id === service.service)?.resilience.timeout ?? 10_000) + CLIENT_TIMEOUT_MARGIN_MS;
  const peakPerSecond = peakPerMinute / 60;
  const preAllocatedVUs = Math.max(2, Math.ceil(peakPerSecond / 2));
  return [{
    kind: 'arrivals',
    service: service.service,
    executor,
    startPerMinute,
    stages,
    durationMs: stages.reduce((sum, stage) => sum + stage.durationMs, 0),
    preAllocatedVUs,
    // Enough for every arrival of the scenario's busiest moment to wait out its whole timeout.
    maxVUs: Math.min(MAX_VUS_CAP, Math.max(preAllocatedVUs, Math.ceil(peakPerSecond * (timeoutMs / 1000)))),
    timeoutMs,
    requests: service.mix,
  }];
}

/** A jwt user's share of a tenant's rate limit: half, so that no tenant of the run is throttled. */
const TENANT_LIMIT_SHARE = 0.5;

/**
 * Enough logged-in users that none of their tenants reaches the gateway's default rate limit at the
 * plan's busiest moment (the limit is per tenant for jwt requests), and never fewer than the catalog's.
 */
function jwtUsersFor(catalog: Catalog, scenarios: readonly Scenario[]): number {
  const { requests, per } = catalog.gateway.rate_limits.default;
  const limitPerMinute = (requests * 60_000) / per;
  const jwtPerMinute = scenarios.reduce((sum, scenario) => {
    if (scenario.kind !== 'arrivals') return sum;
    const total = scenario.requests.reduce((s, r) => s + r.weight, 0);
    const jwt = scenario.requests.filter((r) => r.credentials === 'jwt').reduce((s, r) => s + r.weight, 0);
    return sum + (Math.max(scenario.startPerMinute, ...scenario.stages.map((stage) => stage.targetPerMinute)) * jwt) / total;
  }, 0);
  return Math.max(trafficOf(catalog).jwtUsers, Math.ceil(jwtPerMinute / (limitPerMinute * TENANT_LIMIT_SHARE)));
}

function finish(catalog: Catalog, name: string, profile: ProfileSpec, scenarios: readonly Scenario[]): LoadPlan {
  const traffic = trafficOf(catalog);
  return {
    profile: name,
    description: profile.description,
    scenarios,
    thresholds: thresholdsOf(catalog),
    durationMs: Math.max(0, ...scenarios.map((scenario) => scenario.durationMs)),
    minSamples: profile.min_samples,
    params: traffic.params,
    jwtUsers: jwtUsersFor(catalog, scenarios),
    loginEndpoint: traffic.loginEndpoint,
  };
}

/** Each SLO as k6 states it: availability as a failure rate under the budget, latency as a percentile under the threshold. */
export function thresholdsOf(catalog: Catalog): Threshold[] {
  return catalog.slos.filter(isGatewaySlo).map((slo) => {
    const budget = Number(slo.budget.toPrecision(6));
    if (slo.id === 'availability') {
      return { service: slo.service, slo: slo.id, metric: 'http_req_failed', key: `http_req_failed{service:${slo.service}}`, expression: `rate<${budget}`, objective: slo.objective, budget, thresholdMs: undefined, percentile: undefined };
    }
    const percentile = Number((slo.objective * 100).toPrecision(6));
    const thresholdMs = Number((slo.thresholdSeconds * 1000).toPrecision(6));
    return { service: slo.service, slo: slo.id, metric: 'http_req_duration', key: `http_req_duration{service:${slo.service}}`, expression: `p(${percentile})<${thresholdMs}`, objective: slo.objective, budget, thresholdMs, percentile };
  });
}

function perMinute(service: ServiceTraffic, scale: number): number {
  return Math.round(service.peakRps * scale * 60);
}

function roundWeight(value: number): number {
  return Number(value.toPrecision(6));
}

/** The plan with every arrival rate multiplied by `factor` (users as they are): the background traffic of `sre up`. */
export function scaledPlan(plan: LoadPlan, factor: number): LoadPlan {
  const scale = (perMinute: number): number => Math.round(perMinute * factor);
  return {
    ...plan,
    scenarios: plan.scenarios.flatMap((scenario): Scenario[] => {
      if (scenario.kind === 'users') return [scenario];
      const scaled: ArrivalScenario = { ...scenario, startPerMinute: scale(scenario.startPerMinute), stages: scenario.stages.map((stage) => ({ ...stage, targetPerMinute: scale(stage.targetPerMinute) })) };
      return scaled.startPerMinute === 0 && scaled.stages.every((stage) => stage.targetPerMinute === 0) ? [] : [scaled];
    }),
  };
}
