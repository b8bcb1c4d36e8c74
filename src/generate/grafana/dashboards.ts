import { DASHBOARD_UIDS, ERROR_BUDGET, GATEWAY_JOB, LATENCY_THRESHOLD, OBJECTIVE, PERIOD_BUDGET_REMAINING, PERIOD_ERROR_RATIO, SLI_BUCKET, SLI_COUNT, SPANS_DROPPED, sliErrorRatio } from '../../catalog/conventions.js';
import type { Catalog } from '../../catalog/index.js';
import { dashboard, layout } from './panels.js';

const RATE = '$__rate_interval';
const GW = `job="${GATEWAY_JOB}"`;

/** The three dashboards: SLO overview, gateway RED by service and route, one service in detail. */
export function dashboards(catalog: Catalog, notice: string): Map<string, Record<string, unknown>> {
  const services = catalog.services.map((s) => s.id);
  const serviceVar = { name: 'service', label: 'Service', query: `label_values(${OBJECTIVE}, service)`, multi: true };
  const result = new Map<string, Record<string, unknown>>();

  result.set(
    DASHBOARD_UIDS.sloOverview,
    dashboard(DASHBOARD_UIDS.sloOverview, 'PyAirtable / SLO overview', `Every SLO of ${catalog.platform} (${services.length} services): SLI, error budget, burn rates and firing SLO alerts.`, [serviceVar], layout([
      { title: 'SLI over the period', description: 'Share of good requests over the SLO period (30 days by default), per service and SLO.', unit: 'percentunit', type: 'stat', width: 12, min: 0, max: 1, targets: [{ expr: `1 - ${PERIOD_ERROR_RATIO}{service=~"$service"}`, legend: '{{service}} {{slo}}', instant: true }] },
      { title: 'Error budget remaining', description: 'Share of the period\'s error budget still unspent; below 0 the SLO is broken for the period.', unit: 'percentunit', type: 'stat', width: 12, targets: [{ expr: `${PERIOD_BUDGET_REMAINING}{service=~"$service"}`, legend: '{{service}} {{slo}}', instant: true }], thresholds: [{ value: 0, color: 'red' }] },
      { title: 'Burn rate over 1 hour', description: 'Error ratio over 1 h divided by the error budget: 1 spends the budget exactly over the period; 14.4 pages.', unit: 'none', targets: [{ expr: `${sliErrorRatio('1h')}{service=~"$service"} / on (service, slo) ${ERROR_BUDGET}{service=~"$service"}`, legend: '{{service}} {{slo}}' }], thresholds: [{ value: 6, color: 'orange' }, { value: 14.4, color: 'red' }] },
      { title: 'Burn rate over 6 hours', description: 'Error ratio over 6 h divided by the error budget; 6 pages, 3 (over 1 d) opens a ticket.', unit: 'none', targets: [{ expr: `${sliErrorRatio('6h')}{service=~"$service"} / on (service, slo) ${ERROR_BUDGET}{service=~"$service"}`, legend: '{{service}} {{slo}}' }], thresholds: [{ value: 3, color: 'orange' }, { value: 6, color: 'red' }] },
      { title: 'Firing SLO alerts', description: 'Burn-rate and symptom alerts firing now, from Prometheus\' ALERTS series.', unit: 'none', type: 'table', width: 24, targets: [{ expr: 'sum by (alertname, severity, service, slo) (ALERTS{alertstate="firing",alertname=~"PyAirtable.+"})' }] },
    ]), notice),
  );

  result.set(
    DASHBOARD_UIDS.gatewayRed,
    dashboard(DASHBOARD_UIDS.gatewayRed, 'PyAirtable / Gateway RED', 'Rate, errors and duration of every request through the gateway, by service and route.', [serviceVar], layout([
      { title: 'Requests per second', description: 'Requests the gateway answered, by service.', unit: 'reqps', targets: [{ expr: `sum by (service) (rate(${SLI_COUNT}{${GW},service=~"$service"}[${RATE}]))`, legend: '{{service}}' }] },
      { title: 'Server error ratio', description: 'Share of requests answered 5xx (including the gateway\'s own 502/503/504), by service.', unit: 'percentunit', targets: [{ expr: `sum by (service) (rate(${SLI_COUNT}{${GW},service=~"$service",http_response_status_code=~"5.."}[${RATE}])) / sum by (service) (rate(${SLI_COUNT}{${GW},service=~"$service"}[${RATE}]))`, legend: '{{service}}' }] },
      { title: 'p95 duration by route', description: '95th percentile request duration per route, with the SLO latency threshold; exemplars link to traces.', unit: 's', width: 24, targets: [
        { expr: `histogram_quantile(0.95, sum by (le, service, http_route) (rate(${SLI_BUCKET}{${GW},service=~"$service"}[${RATE}])))`, legend: '{{service}} {{http_route}}', exemplar: true },
        { expr: `max by (service) (${LATENCY_THRESHOLD}{service=~"$service"})`, legend: '{{service}} threshold' },
      ] },
      { title: 'Upstream p95 duration', description: 'How long upstream services take to send response headers, as the gateway measures it.', unit: 's', targets: [{ expr: `histogram_quantile(0.95, sum by (le, service) (rate(http_client_request_duration_seconds_bucket{${GW},service=~"$service"}[${RATE}])))`, legend: '{{service}}' }] },
      { title: 'Circuit breakers', description: '1 while a state holds: closed, open (failing fast) or half_open (probing).', unit: 'none', targets: [{ expr: `max by (service, state) (gateway_upstream_circuit_state{${GW},service=~"$service"})`, legend: '{{service}} {{state}}' }] },
      { title: 'Rejected, rate-limited and unauthenticated requests', description: 'Requests the gateway refused itself: circuit open or concurrency limit, 429, 401.', unit: 'reqps', width: 24, targets: [
        { expr: `sum by (service, reason) (rate(gateway_upstream_rejected_requests_total{${GW},service=~"$service"}[${RATE}]))`, legend: '{{service}} {{reason}}' },
        { expr: `sum by (service, policy) (rate(gateway_rate_limited_requests_total{${GW},service=~"$service"}[${RATE}]))`, legend: '{{service}} 429 {{policy}}' },
        { expr: `sum by (service, reason) (rate(gateway_auth_failures_total{${GW},service=~"$service"}[${RATE}]))`, legend: '{{service}} 401 {{reason}}' },
      ] },
      { title: 'Sampled spans dropped', description: 'Spans the gateway sampled but could not export, per second, by reason: queue_full, export_failed, worker_failed. Above 0, traces are missing and some exemplars lead nowhere; the SLIs are unaffected.', unit: 'short', targets: [{ expr: `sum by (instance, reason) (rate(${SPANS_DROPPED}{${GW}}[${RATE}]))`, legend: '{{instance}} {{reason}}' }] },
    ]), notice),
  );

  result.set(
    DASHBOARD_UIDS.serviceDetail,
    dashboard(DASHBOARD_UIDS.serviceDetail, 'PyAirtable / Service detail', 'One service: its SLIs over every alert window, latency percentiles, traffic by status and its error budget.', [{ ...serviceVar, multi: false }], layout([
      { title: 'Error ratio by window', description: 'The SLO error ratios the burn-rate alerts read, over 5 m, 1 h and 6 h.', unit: 'percentunit', targets: ['5m', '1h', '6h'].map((w) => ({ expr: `${sliErrorRatio(w)}{service="$service"}`, legend: `{{slo}} ${w}` })) },
      { title: 'Error budget remaining', description: 'Share of the period\'s error budget still unspent, per SLO.', unit: 'percentunit', targets: [{ expr: `${PERIOD_BUDGET_REMAINING}{service="$service"}`, legend: '{{slo}}' }], thresholds: [{ value: 0, color: 'red' }] },
      { title: 'Latency percentiles', description: 'p50, p95 and p99 of the gateway request duration, with the SLO threshold; exemplars link to traces.', unit: 's', targets: [
        ...[0.5, 0.95, 0.99].map((q) => ({ expr: `histogram_quantile(${q}, sum by (le) (rate(${SLI_BUCKET}{${GW},service="$service"}[${RATE}])))`, legend: `p${q * 100}`, exemplar: q === 0.95 })),
        { expr: `max(${LATENCY_THRESHOLD}{service="$service"})`, legend: 'threshold' },
      ] },
      { title: 'Requests by status code', description: 'Answered requests per second, by HTTP status code.', unit: 'reqps', targets: [{ expr: `sum by (http_response_status_code) (rate(${SLI_COUNT}{${GW},service="$service"}[${RATE}]))`, legend: '{{http_response_status_code}}' }] },
    ]), notice),
  );
  return result;
}
