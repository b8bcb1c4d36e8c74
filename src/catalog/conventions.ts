import { BURN_RATE_TIERS, burnRateFactor, type BurnRateTier } from './burn-rate.js';

/**
 * The SLI contract: every name shared by the gateway's /metrics and what is generated from the
 * catalog (rules, alerts, dashboards, runbooks, load-test thresholds, the metrics contract check).
 * Series follow Prometheus' level:metric:operations convention; alerts share the PyAirtable prefix.
 * A name is typed here once and imported everywhere else.
 */
export const GATEWAY_JOB = 'gateway';
export const SIMULATOR_JOB = 'simulator';
export const CONTROL_PLANE_JOB = 'control-plane';

/** Label names of the gateway's series, as OpenTelemetry's HTTP semantic conventions spell them. */
export const LABEL = {
  service: 'service',
  route: 'http_route',
  method: 'http_request_method',
  status: 'http_response_status_code',
  state: 'state',
  reason: 'reason',
  policy: 'policy',
  slo: 'slo',
} as const;

export const CIRCUIT_STATES = ['closed', 'open', 'half_open'] as const;
export type CircuitStateName = (typeof CIRCUIT_STATES)[number];
/** The `reason` label of gateway_upstream_rejected_requests_total. */
export const REJECTION_REASONS = ['circuit_open', 'concurrency_limit'] as const;
/** The `policy` label of gateway_rate_limited_requests_total: the catalog's rate_limits. */
export const RATE_LIMIT_POLICIES = ['default', 'strict', 'auth_failures'] as const;

interface MetricDefinition<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
}

const metric = <L extends string>(name: string, help: string, labelNames: readonly L[]): MetricDefinition<L> => ({ name, help, labelNames });

/** Everything the gateway exports besides the process metrics. */
export const GATEWAY_METRICS = {
  serverDuration: metric('http_server_request_duration_seconds', 'Duration of HTTP requests handled by the gateway, from first byte in to last byte out.', [LABEL.service, LABEL.route, LABEL.method, LABEL.status]),
  clientDuration: metric('http_client_request_duration_seconds', 'Duration of calls from the gateway to an upstream service, until response headers arrive.', [LABEL.service, LABEL.method, LABEL.status]),
  circuitState: metric('gateway_upstream_circuit_state', 'Circuit breaker state per upstream service: 1 for the current state, 0 for the others.', [LABEL.service, LABEL.state]),
  rateLimited: metric('gateway_rate_limited_requests_total', 'Requests answered 429 by the gateway rate limiter.', [LABEL.service, LABEL.policy]),
  authFailures: metric('gateway_auth_failures_total', 'Requests rejected 401 for missing or invalid credentials, by reason.', [LABEL.service, LABEL.reason]),
  upstreamRejected: metric('gateway_upstream_rejected_requests_total', 'Requests the gateway failed fast without calling the upstream (circuit open, concurrency limit).', [LABEL.service, LABEL.reason]),
  upstreamRetries: metric('gateway_upstream_retries_total', 'Retried upstream calls (idempotent requests only, within the retry budget).', [LABEL.service]),
  inFlight: metric('gateway_requests_in_flight', 'Requests the gateway is handling now.', []),
  spansDropped: metric(
    'gateway_spans_dropped_total',
    'Sampled spans dropped unexported: queue_full (OTEL_BSP_MAX_QUEUE_SIZE spans already waiting), export_failed (the collector refused or did not answer), worker_failed (the export worker is gone).',
    [LABEL.reason],
  ),
} as const;

/** Boundaries (seconds) of the control plane's response-time histograms; 900 s is the 15-minute target. */
export const RESPONSE_TIME_BUCKETS: readonly number[] = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 43_200, 86_400];

/** What the control plane exports about incidents and the on-call process. */
export const CONTROL_PLANE_METRICS = {
  timeToAcknowledge: metric('control_plane_incident_time_to_acknowledge_seconds', 'From an incident\'s first alert to its acknowledgement; an incident resolved unacknowledged counts its time to resolution.', [LABEL.service, 'severity']),
  timeToResolve: metric('control_plane_incident_time_to_resolve_seconds', 'From an incident\'s first alert to its resolution.', [LABEL.service, 'severity']),
  timeToDetect: metric('control_plane_incident_time_to_detect_seconds', 'From the start of a fault (a chaos or load-test report says when) to the first alert of the incident it caused.', [LABEL.service, 'severity']),
  openIncidents: metric('control_plane_open_incidents', 'Incidents not yet resolved, by service, severity and status (open, acknowledged).', [LABEL.service, 'severity', 'status']),
  oldestUnacknowledged: metric('control_plane_oldest_unacknowledged_incident_seconds', 'Age of the oldest incident nobody has acknowledged, by severity; 0 when there is none.', ['severity']),
  webhookDeliveries: metric('control_plane_webhook_deliveries_total', 'Webhook deliveries received, by source (alertmanager, pagerduty) and outcome (stored, refused).', ['source', 'outcome']),
  reports: metric('control_plane_reports_total', 'Load-test and chaos reports received, by kind.', ['kind']),
} as const;

/** What the platform costs, exported by the control plane from the cost report (catalog or cluster inventory). */
export const COST_METRICS = {
  hourly: metric('pyairtable_cost_hourly_usd', 'What each platform component (the gateway or a catalog service) costs an hour now: replicas x requests x unit prices.', [LABEL.service]),
  baselineHourly: metric('pyairtable_cost_baseline_hourly_usd', 'What the baseline services a component replaces cost an hour before consolidation; service="retired" for those no component replaces.', [LABEL.service]),
  targetReduction: metric('pyairtable_cost_target_reduction_ratio', 'The cost reduction the consolidation must reach against the baseline (0.3 for 30 %).', []),
} as const;
/** The `service` value of baseline services consolidation removed without a successor. */
export const RETIRED_SERVICES = 'retired';

/** The SLI: the gateway's request-duration histogram, from which every SLO is computed. */
export const SLI_METRIC = GATEWAY_METRICS.serverDuration.name;
export const SLI_COUNT = `${SLI_METRIC}_count`;
export const SLI_BUCKET = `${SLI_METRIC}_bucket`;
export const UPSTREAM_DURATION_COUNT = `${GATEWAY_METRICS.clientDuration.name}_count`;
export const UPSTREAM_DURATION_BUCKET = `${GATEWAY_METRICS.clientDuration.name}_bucket`;

/** Where an SLO's events are counted: a histogram of one job, its series selected by labels. */
export interface SliSource {
  readonly job: string;
  readonly count: string;
  readonly bucket: string;
  /** Labels besides job that select the SLO's events. */
  readonly selector: Readonly<Record<string, string>>;
}

/** A service's requests through the gateway. */
export function gatewaySli(service: string): SliSource {
  return { job: GATEWAY_JOB, count: SLI_COUNT, bucket: SLI_BUCKET, selector: { [LABEL.service]: service } };
}

/** The pages (critical incidents) the control plane saw acknowledged, and how fast. */
export const ACKNOWLEDGEMENT_SLI: SliSource = {
  job: CONTROL_PLANE_JOB,
  count: `${CONTROL_PLANE_METRICS.timeToAcknowledge.name}_count`,
  bucket: `${CONTROL_PLANE_METRICS.timeToAcknowledge.name}_bucket`,
  selector: { severity: 'critical' },
};

/** OpenTelemetry's advised boundaries for http.server.request.duration, in seconds: the default buckets. */
export const OTEL_ADVISED_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * How prom-client spells a boundary in the `le` label (JavaScript's shortest round-trip form). An
 * SLI selects `le` by exact string, so "0.1" must never be written "0.10".
 */
export function leLabel(boundary: number): string {
  return boundary === Number.POSITIVE_INFINITY ? '+Inf' : String(boundary);
}

/** The two identity labels of every SLO series; changeable metadata goes on SLO_INFO instead. */
export function sloIdentity(slo: { readonly service: string; readonly id: string }): Record<string, string> {
  return { [LABEL.service]: slo.service, [LABEL.slo]: slo.id };
}

/** `{service="x",slo="y"}`, the selector of one SLO's recorded series. */
export function sloSelector(slo: { readonly service: string; readonly id: string }): string {
  return `{${LABEL.service}="${slo.service}",${LABEL.slo}="${slo.id}"}`;
}

export const sliErrorRatio = (window: string): string => `slo:sli_error:ratio_rate${window}`;
export const sliRequestRate = (window: string): string => `slo:sli_requests:rate${window}`;
export const OBJECTIVE = 'slo:objective:ratio';
export const ERROR_BUDGET = 'slo:error_budget:ratio';
export const PERIOD_ERROR_RATIO = 'slo:period_error:ratio';
export const PERIOD_BURN_RATE = 'slo:period_burn_rate:ratio';
export const PERIOD_BUDGET_REMAINING = 'slo:period_error_budget_remaining:ratio';
export const COST_HOURLY = 'service:cost_hourly_usd:max';
export const COST_BASELINE_HOURLY = 'service:cost_baseline_hourly_usd:max';
/** 1 - now / baseline: the reduction the target is set against. */
export const COST_REDUCTION = 'cost:reduction:ratio';
export const costPer1kRequests = (window: string): string => `service:cost_usd_per_1k_requests:rate${window}`;
export const costPer1kGoodRequests = (window: string): string => `service:cost_usd_per_1k_good_requests:rate${window}`;
/** The whole platform (every component's cost) per 1,000 requests through the gateway. */
export const platformCostPer1kRequests = (window: string): string => `cost:usd_per_1k_requests:rate${window}`;
/** A latency SLO's threshold as a series, so dashboards can draw it next to the percentiles. */
export const LATENCY_THRESHOLD = 'slo:latency_threshold:seconds';
/** Changeable metadata (description, owner, tier, threshold) lives here, off the identity labels. */
export const SLO_INFO = 'slo:info:info';

/** Each burn-rate tier's factor for a period (14.4, 6, 3 and 1 over 30 days), for dashboard threshold lines. */
export function burnRateFactors(periodMs: number): Readonly<Record<BurnRateTier['name'], number>> {
  return Object.fromEntries(BURN_RATE_TIERS.map((tier) => [tier.name, burnRateFactor(tier, periodMs)])) as Record<BurnRateTier['name'], number>;
}

const ALERT_PREFIX = 'PyAirtable';
/** The severity of an alert that pages someone (the fast and medium burn tiers, targets down). */
export const PAGE_SEVERITY = 'critical';
export const burnAlertName = (tier: 'fast' | 'medium' | 'slow' | 'very-slow'): string =>
  `${ALERT_PREFIX}ErrorBudgetBurn${tier.split('-').map((w) => (w[0] ?? '').toUpperCase() + w.slice(1)).join('')}`;
export const CIRCUIT_OPEN_ALERT = `${ALERT_PREFIX}GatewayUpstreamCircuitOpen`;
export const TARGET_DOWN_ALERT = `${ALERT_PREFIX}GatewayTargetDown`;
export const SLI_ABSENT_ALERT = `${ALERT_PREFIX}SLIMetricsAbsent`;
export const SPANS_DROPPED_ALERT = `${ALERT_PREFIX}GatewaySpansDropped`;
export const INCIDENT_UNACKNOWLEDGED_ALERT = `${ALERT_PREFIX}IncidentUnacknowledged`;
export const CONTROL_PLANE_DOWN_ALERT = `${ALERT_PREFIX}ControlPlaneDown`;
export const COST_REGRESSION_ALERT = `${ALERT_PREFIX}CostPerRequestRegression`;
/** Every alert name starts so; dashboards and the control plane select ALERTS by it. */
export const ALERT_NAME_PATTERN = `${ALERT_PREFIX}.+`;

/** The Toxiproxy proxy between the gateway and a service: one per service, named after it. */
export const toxiproxyName = (service: string): string => `pyairtable-${service}`;

/** The gateway as a platform component: what it costs, its pods; no catalog service may take the id. */
export const GATEWAY_COMPONENT = 'gateway';

/** The Kubernetes label that names the platform component a workload belongs to (a catalog service id, or gateway). */
export const WORKLOAD_COMPONENT_LABEL = 'pyairtable.io/service';
/**
 * A pod's (or a pod template's) opt-in to chaos experiments: without `pyairtable.io/chaos: enabled`
 * no experiment kills, scales or selects it, whatever the experiment says.
 */
export const CHAOS_OPT_IN_LABEL = { name: 'pyairtable.io/chaos', value: 'enabled' } as const;

export const DASHBOARD_UIDS = {
  sloOverview: 'pyairtable-slo-overview',
  gatewayRed: 'pyairtable-gateway-red',
  serviceDetail: 'pyairtable-service-detail',
  cost: 'pyairtable-cost',
  platformTargets: 'pyairtable-platform-targets',
} as const;
