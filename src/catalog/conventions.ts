/**
 * Every name the generators emit, in one place: series follow Prometheus' level:metric:operations
 * convention, alerts share the PyAirtable prefix. Dashboards, alerts and tests all import these.
 */
export const GATEWAY_JOB = 'gateway';
export const SIMULATOR_JOB = 'simulator';

export const SLI_METRIC = 'http_server_request_duration_seconds';
/** OpenTelemetry's advised boundaries for http.server.request.duration, in seconds: the default buckets. */
export const OTEL_ADVISED_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
export const SLI_COUNT = `${SLI_METRIC}_count`;
export const SLI_BUCKET = `${SLI_METRIC}_bucket`;

export const sliErrorRatio = (window: string): string => `slo:sli_error:ratio_rate${window}`;
export const sliRequestRate = (window: string): string => `slo:sli_requests:rate${window}`;
export const OBJECTIVE = 'slo:objective:ratio';
export const ERROR_BUDGET = 'slo:error_budget:ratio';
export const PERIOD_ERROR_RATIO = 'slo:period_error:ratio';
export const PERIOD_BURN_RATE = 'slo:period_burn_rate:ratio';
export const PERIOD_BUDGET_REMAINING = 'slo:period_error_budget_remaining:ratio';
/** A latency SLO's threshold as a series, so dashboards can draw it next to the percentiles. */
export const LATENCY_THRESHOLD = 'slo:latency_threshold:seconds';
/** Changeable metadata (description, owner, tier, threshold) lives here, off the identity labels. */
export const SLO_INFO = 'slo:info:info';

export const ALERT_PREFIX = 'PyAirtable';
export const burnAlertName = (tier: 'fast' | 'medium' | 'slow' | 'very-slow'): string =>
  `${ALERT_PREFIX}ErrorBudgetBurn${tier.split('-').map((w) => (w[0] ?? '').toUpperCase() + w.slice(1)).join('')}`;
export const CIRCUIT_OPEN_ALERT = `${ALERT_PREFIX}GatewayUpstreamCircuitOpen`;
export const TARGET_DOWN_ALERT = `${ALERT_PREFIX}GatewayTargetDown`;
export const SLI_ABSENT_ALERT = `${ALERT_PREFIX}SLIMetricsAbsent`;
export const SPANS_DROPPED_ALERT = `${ALERT_PREFIX}GatewaySpansDropped`;
/** The gateway's count of sampled spans it could not export (gateway/metrics.ts), by `reason`. */
export const SPANS_DROPPED = 'gateway_spans_dropped_total';

export const DASHBOARD_UIDS = {
  sloOverview: 'pyairtable-slo-overview',
  gatewayRed: 'pyairtable-gateway-red',
  serviceDetail: 'pyairtable-service-detail',
} as const;
