import { z } from 'zod';
import { OTEL_ADVISED_BUCKETS } from './conventions.js';
import { parseDuration } from './duration.js';

/**
 * The shape of slo/catalog.yaml. Keys are snake_case in YAML; every object is strict so a typo
 * in a key is an error rather than a silently ignored setting.
 */

const ID = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const id = z.string().regex(ID, { error: 'must be lowercase letters, digits and dashes ([a-z0-9-]), starting and ending with a letter or digit' });

function durationAtLeast(minimumMs: number) {
  return z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms < minimumMs) {
      const floor = minimumMs > 0 ? '' : ' (0ms allowed)';
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a ${minimumMs > 0 ? 'positive ' : ''}duration; use a number with a unit, such as 500ms, 30s, 5m, 1h or 30d${floor}` });
      return z.NEVER;
    }
    return ms;
  });
}

export const duration = durationAtLeast(1);
/** Simulated latency may be zero: the benchmark measures proxies against an instant upstream. */
const latencyDuration = durationAtLeast(0);

const hostPort = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, {
  error: 'must be host:port, such as 127.0.0.1:8000',
});

const pathPrefix = z.string().regex(/^\/[A-Za-z0-9._~\-/]*[A-Za-z0-9._~-]$/, {
  error: 'must be an absolute path without a trailing slash, such as /api/airtable',
});

const upstreamUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:8091' });

const routeTemplate = z.string().regex(/^(\/([A-Za-z0-9._~-]+|\{[A-Za-z][A-Za-z0-9_]*\}))+$/, {
  error: 'must be a path template such as /api/airtable/bases/{baseId}/records',
});

export const routeSchema = z.strictObject({
  prefix: pathPrefix,
  upstream_prefix: z.union([pathPrefix, z.literal('')]).optional(),
  auth: z.enum(['required', 'public']).default('required'),
  rate_limit: z.enum(['default', 'strict']).default('default'),
});

const breakerSchema = z.strictObject({
  consecutive_failures: z.number().int().min(1).default(5),
  failure_ratio: z.number().gt(0).max(1).default(0.5),
  min_requests: z.number().int().min(1).default(20),
  sample_size: z.number().int().min(2).default(100),
  half_open_after: duration.prefault('60s'),
  max_half_open_after: duration.prefault('300s'),
});

const retrySchema = z.strictObject({
  max_attempts: z.number().int().min(1).max(5).default(2),
  budget_ratio: z.number().min(0).max(1).default(0.2),
  min_retries_per_second: z.number().min(0).default(5),
});

export const resilienceSchema = z.strictObject({
  timeout: duration.prefault('10s'),
  max_concurrency: z.number().int().min(1).default(512),
  breaker: breakerSchema.default(() => breakerSchema.parse({})),
  retries: retrySchema.default(() => retrySchema.parse({})),
});

const latencyModelSchema = z
  .strictObject({ median: latencyDuration, p95: latencyDuration })
  .refine((m) => m.p95 >= m.median, { error: 'p95 must be at least the median' });

/** Objectives are percentages, strictly between 0 and 100: 100 % leaves no error budget at all. */
const objective = z.number().gt(0, { error: 'must be above 0 (a percentage such as 99.9)' }).lt(100, { error: 'must be below 100: an objective of 100 % leaves no error budget' });

export const sloSchema = z.discriminatedUnion('id', [
  z.strictObject({
    id: z.literal('availability'),
    description: z.string().min(1).optional(),
    objective,
    period: duration.optional(),
    min_events: z.number().int().min(1).optional(),
  }),
  z.strictObject({
    id: z.literal('latency'),
    description: z.string().min(1).optional(),
    objective,
    /** Requests at or under this duration are good; it must be a gateway histogram bucket boundary. */
    threshold: duration,
    period: duration.optional(),
    min_events: z.number().int().min(1).optional(),
  }),
], { error: 'SLO id must be "availability" (non-5xx ratio) or "latency" (share of requests at or under a threshold)' });

/** The on-call process's own SLOs: pages acknowledged within a threshold, from the control plane's histogram. */
export const oncallSchema = z.strictObject({
  /** The name its SLOs carry in the `service` label, beside the catalog's services. */
  service: id.default('on-call'),
  owner: z.string().min(1),
  slos: z.array(
    z.strictObject({
      id: z.literal('acknowledgement', { error: 'the on-call SLO id must be "acknowledgement" (pages acknowledged within a threshold)' }),
      description: z.string().min(1).optional(),
      objective,
      /** A page acknowledged within this is good; it must be a bucket boundary of the control plane's histogram. */
      threshold: duration,
      period: duration.optional(),
      min_events: z.number().int().min(1).optional(),
    }),
  ).default([]),
});

/** What a component runs: replicas, and requests per replica (OpenCost charges max(request, usage)). */
const costSchema = z.strictObject({
  replicas: z.number().int().min(0),
  cpu_request_cores: z.number().min(0),
  memory_request_gib: z.number().min(0),
});

export const serviceSchema = z.strictObject({
  id,
  description: z.string().min(1),
  /** Services of the 22-service baseline (cost.baseline names) this service replaces. */
  consolidates: z.array(z.string().min(1)).default([]),
  upstream: upstreamUrl,
  owner: z.string().min(1),
  tier: z.number().int().min(1).max(3),
  kind: z.enum(['airtable', 'automation', 'ai', 'auth', 'user', 'workspace', 'permission']),
  routes: z.array(routeSchema).min(1),
  endpoints: z.array(routeTemplate).default([]),
  resilience: resilienceSchema.default(() => resilienceSchema.parse({})),
  simulation: z.strictObject({ latency: latencyModelSchema }),
  slos: z.array(sloSchema).default([]),
  cost: costSchema.optional(),
});

const rateLimitSchema = z.strictObject({
  requests: z.number().int().min(1),
  per: duration,
  burst: z.number().int().min(1).optional(),
});

export const gatewaySchema = z.strictObject({
  listen: hostPort,
  /** Services of the 22-service baseline the gateway replaces (the old api-gateway). */
  consolidates: z.array(z.string().min(1)).default([]),
  cost: costSchema.optional(),
  auth: z.strictObject({
    jwt: z.strictObject({
      issuer: z.string().min(1),
      audience: z.string().min(1),
      algorithms: z.array(z.enum(['HS256', 'RS256', 'ES256'])).min(1),
      clock_tolerance: duration.prefault('5s'),
    }),
  }),
  rate_limits: z.strictObject({
    default: rateLimitSchema,
    strict: rateLimitSchema,
    /** Failed authentications per client IP; past it the gateway answers 429 without checking credentials. */
    auth_failures: rateLimitSchema.prefault({ requests: 30, per: '60s' }),
  }),
  limits: z.strictObject({
    max_body_bytes: z.number().int().min(1),
    max_header_bytes: z.number().int().min(1024),
  }),
  drain_timeout: duration.prefault('20s'),
  /** Boundaries (seconds) of http_server_request_duration_seconds; every latency threshold must be one. */
  histogram_buckets: z.array(z.number().positive()).min(1).default(() => [...OTEL_ADVISED_BUCKETS]),
});

/** Where the local observability stack listens (sre up, the generated Prometheus configuration). */
export const stackSchema = z.strictObject({
  prometheus: hostPort.default('127.0.0.1:9090'),
  alertmanager: hostPort.default('127.0.0.1:9093'),
  collector_otlp_http: hostPort.default('127.0.0.1:4318'),
  collector_otlp_grpc: hostPort.default('127.0.0.1:4317'),
  collector_health: hostPort.default('127.0.0.1:13133'),
  collector_metrics: hostPort.default('127.0.0.1:8889'),
  /** Jaeger v2: the UI and query API, its gRPC query API, the OTLP gRPC port the collector exports to, its own metrics. */
  jaeger_ui: hostPort.default('127.0.0.1:16686'),
  jaeger_query_grpc: hostPort.default('127.0.0.1:16685'),
  jaeger_otlp_grpc: hostPort.default('127.0.0.1:14317'),
  jaeger_metrics: hostPort.default('127.0.0.1:14269'),
  scrape_interval: duration.prefault('15s'),
  evaluation_interval: duration.prefault('15s'),
  /** Toxiproxy's API: where `sre up` starts it and `sre chaos run` finds it. */
  toxiproxy: hostPort.default('127.0.0.1:8474'),
  /** sre up puts Toxiproxy between the gateway and every simulated service, for network faults. */
  toxiproxy_in_path: z.boolean().default(false),
  /** The proxy of a service listens on its upstream port plus this. */
  toxiproxy_port_offset: z.number().int().min(1).max(30_000).default(10_000),
});

export const sloDefaultsSchema = z.strictObject({
  period: duration.prefault('30d'),
  /** Fewest requests a burn-rate tier needs in its long window before it may fire. */
  min_events: z.number().int().min(1).default(100),
});

export const alertingSchema = z.strictObject({
  /** Runbook links in alerts: this base plus alerts/runbooks/<AlertName>.md. */
  runbook_base_url: z.url(),
  /** Grafana, for dashboard links in alerts. */
  dashboard_base_url: z.url(),
  /** The control plane's Alertmanager webhook (incident tracking). */
  control_plane_webhook_url: z.url(),
});

export const baselineSchema = z.strictObject({
  name: z.string().min(1),
  replicas: z.number().int().min(0),
  cpu_request_cores: z.number().min(0),
  memory_request_gib: z.number().min(0),
});

export const costModelSchema = z.strictObject({
  cpu_core_hour_usd: z.number().positive(),
  memory_gib_hour_usd: z.number().positive(),
  hours_per_month: z.number().positive().default(730),
  target_reduction_percent: z.number().gt(0).lt(100),
  /** A ticket when the platform's cost per 1,000 requests over a day rises this much against the same day a week before. */
  regression_percent: z.number().gt(0).default(20),
  baseline: z.array(baselineSchema).min(1),
});

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** Placeholders a request body may hold, filled per request by the load generator with a load-test user's login. */
export const BODY_PLACEHOLDERS = ['${email}', '${password}'] as const;

const mixEntrySchema = z.strictObject({
  method: z.enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(', ')}` }),
  /** One of the service's endpoint templates; its {parameters} take values from traffic.params. */
  endpoint: routeTemplate,
  /** Share of the service's requests, relative to the other entries' weights. */
  weight: z.number().positive(),
  /** api_key (X-API-Key), jwt (a bearer token from the login route) or none; default: none on public routes, api_key elsewhere. */
  credentials: z.enum(['api_key', 'jwt', 'none']).optional(),
  /** A JSON body, sent with content-type application/json. */
  body: z.record(z.string(), z.unknown()).optional(),
  expect: z
    .strictObject({
      /** The status a healthy answer has. */
      status: z.number().int().min(100).max(599).default(200),
      /** A top-level key the JSON answer must have (its shape); none checks the status only. */
      body_key: z.string().min(1).optional(),
    })
    .prefault({}),
});

const stageSchema = z.strictObject({
  /** Multiple of each service's peak_rps reached at the end of the stage. */
  scale: z.number().min(0),
  duration,
});

const usersSchema = z.strictObject({
  /** Concurrent users, each with its own connection: request, think, request. */
  count: z.number().int().min(1),
  think_time: duration,
  /** Time to bring every user in, evenly. */
  ramp_up: duration.prefault('30s'),
  duration,
});

const profileBase = {
  description: z.string().min(1).optional(),
  /** Fewest requests every threshold needs; fewer makes the run unjudgeable (exit 2), never a pass. */
  min_samples: z.number().int().min(1).default(1),
};

export const profileSchema = z.discriminatedUnion('executor', [
  z.strictObject({ ...profileBase, executor: z.literal('constant-arrival-rate'), scale: z.number().positive(), duration }),
  z.strictObject({ ...profileBase, executor: z.literal('ramping-arrival-rate'), start_scale: z.number().min(0), stages: z.array(stageSchema).min(1), users: usersSchema.optional() }),
  z.strictObject({
    ...profileBase,
    executor: z.literal('capacity'),
    /** The first step's multiple of peak; each next step multiplies it by `growth` until an SLO breaks. */
    start_scale: z.number().positive(),
    growth: z.number().gt(1).default(1.5),
    max_scale: z.number().positive(),
    step_duration: duration,
    /** Bisection steps between the last rate that held and the first that broke. */
    refine_steps: z.number().int().min(0).max(10).default(3),
  }),
], { error: 'executor must be constant-arrival-rate, ramping-arrival-rate or capacity' });

export const trafficSchema = z.strictObject({
  /** Values each {parameter} of an endpoint template takes, one picked at random per request. */
  params: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), z.array(z.string().min(1)).min(1)).default({}),
  /** Load-test users logged in through the auth route for `jwt` requests, each its own tenant. */
  jwt_users: z.number().int().min(1).default(8),
  services: z.record(
    z.string(),
    z.strictObject({
      /** The expected production peak, requests per second. */
      peak_rps: z.number().min(0),
      mix: z.array(mixEntrySchema).min(1),
    }),
  ),
  profiles: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, { error: 'profile names are lowercase letters, digits and dashes' }), profileSchema),
});

export const catalogSchema = z.strictObject({
  version: z.literal(1, { error: 'must be 1, the only catalog version this tool reads' }),
  platform: z.string().min(1),
  gateway: gatewaySchema,
  simulator: z.strictObject({ admin: hostPort }),
  stack: stackSchema.prefault({}),
  slo_defaults: sloDefaultsSchema.prefault({}),
  alerting: alertingSchema,
  cost: costModelSchema.optional(),
  /** OpenSLO v1 files (relative to this catalog) whose SLOs join the services named in them. */
  openslo: z.array(z.string().min(1)).default([]),
  services: z.array(serviceSchema).min(1),
  /** Load-test traffic: the production peak per service, what it is made of, and the profiles. */
  traffic: trafficSchema.optional(),
  oncall: oncallSchema.optional(),
});

export type CatalogSpec = z.output<typeof catalogSchema>;
export type ServiceSpec = z.output<typeof serviceSchema>;
export type RouteSpec = z.output<typeof routeSchema>;
export type GatewaySpec = z.output<typeof gatewaySchema>;
export type SloSpec = z.output<typeof sloSchema>;
export type AlertingSpec = z.output<typeof alertingSchema>;
export type CostModelSpec = z.output<typeof costModelSchema>;
export type StackSpec = z.output<typeof stackSchema>;
export type TrafficSpec = z.output<typeof trafficSchema>;
export type OncallSpec = z.output<typeof oncallSchema>;
export type ProfileSpec = z.output<typeof profileSchema>;
