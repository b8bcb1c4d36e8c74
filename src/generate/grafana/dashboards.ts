import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  ALERT_NAME_PATTERN,
  DASHBOARD_UIDS,
  ERROR_BUDGET,
  GATEWAY_JOB,
  GATEWAY_METRICS,
  LATENCY_THRESHOLD,
  OBJECTIVE,
  PERIOD_BUDGET_REMAINING,
  PERIOD_ERROR_RATIO,
  SLI_BUCKET,
  SLI_COUNT,
  UPSTREAM_DURATION_BUCKET,
  burnRateFactors,
  sliErrorRatio,
} from '../../catalog/conventions.js';
import { formatDuration, type Catalog } from '../../catalog/index.js';
import { buildDashboard, type DashboardSpec, type Variable } from './panels.js';

const RATE = '$__rate_interval';
const GW = `job="${GATEWAY_JOB}"`;

/** The three dashboards: SLO overview, gateway RED by service and route, one service in detail. */
// eslint-disable-next-line @typescript-eslint/no-deprecated -- the v1 model provisioning reads (panels.ts)
export function dashboards(catalog: Catalog, notice: string): Map<string, Dashboard> {
  return new Map([sloOverview(catalog), gatewayRed(), serviceDetail()].map((spec) => [spec.uid, buildDashboard(spec, notice)]));
}

const serviceVariable = (multi: boolean): Variable => ({ name: 'service', label: 'Service', query: `label_values(${OBJECTIVE}, service)`, multi });

function sloOverview(catalog: Catalog): DashboardSpec {
  const factor = burnRateFactors(catalog.defaultPeriodMs);
  const period = formatDuration(catalog.defaultPeriodMs);
  const burnRate = (window: string): string => `${sliErrorRatio(window)}{service=~"$service"} / on (service, slo) ${ERROR_BUDGET}{service=~"$service"}`;
  return {
    uid: DASHBOARD_UIDS.sloOverview,
    title: 'PyAirtable / SLO overview',
    description: `Every SLO of ${catalog.platform} (${catalog.services.length} services): SLI, error budget, burn rates and firing SLO alerts.`,
    variables: [serviceVariable(true)],
    panels: [
      { title: 'SLI over the period', description: `Share of good requests over the SLO period (${period} by default), per service and SLO.`, unit: 'percentunit', type: 'stat', width: 12, min: 0, max: 1, targets: [{ expr: `1 - ${PERIOD_ERROR_RATIO}{service=~"$service"}`, legend: '{{service}} {{slo}}', instant: true }] },
      { title: 'Error budget remaining', description: "Share of the period's error budget still unspent; below 0 the SLO is broken for the period.", unit: 'percentunit', type: 'stat', width: 12, targets: [{ expr: `${PERIOD_BUDGET_REMAINING}{service=~"$service"}`, legend: '{{service}} {{slo}}', instant: true }], thresholds: [{ value: 0, color: 'red' }] },
      { title: 'Burn rate over 1 hour', description: `Error ratio over 1 h divided by the error budget: 1 spends the budget exactly over the period; ${factor.fast} pages.`, unit: 'none', targets: [{ expr: burnRate('1h'), legend: '{{service}} {{slo}}' }], thresholds: [{ value: factor.medium, color: 'orange' }, { value: factor.fast, color: 'red' }] },
      { title: 'Burn rate over 6 hours', description: `Error ratio over 6 h divided by the error budget; ${factor.medium} pages, ${factor.slow} (over 1 d) opens a ticket.`, unit: 'none', targets: [{ expr: burnRate('6h'), legend: '{{service}} {{slo}}' }], thresholds: [{ value: factor.slow, color: 'orange' }, { value: factor.medium, color: 'red' }] },
      { title: 'Firing SLO alerts', description: "Burn-rate and symptom alerts firing now, from Prometheus' ALERTS series.", unit: 'none', type: 'table', width: 24, targets: [{ expr: `sum by (alertname, severity, service, slo) (ALERTS{alertstate="firing",alertname=~"${ALERT_NAME_PATTERN}"})` }] },
    ],
  };
}

function gatewayRed(): DashboardSpec {
  const perService = (metric: string, labels: string, extra = ''): string => `sum by (${labels}) (rate(${metric}{${GW},service=~"$service"${extra}}[${RATE}]))`;
  return {
    uid: DASHBOARD_UIDS.gatewayRed,
    title: 'PyAirtable / Gateway RED',
    description: 'Rate, errors and duration of every request through the gateway, by service and route.',
    variables: [serviceVariable(true)],
    panels: [
      { title: 'Requests per second', description: 'Requests the gateway answered, by service.', unit: 'reqps', targets: [{ expr: perService(SLI_COUNT, 'service'), legend: '{{service}}' }] },
      { title: 'Server error ratio', description: "Share of requests answered 5xx (including the gateway's own 502/503/504), by service.", unit: 'percentunit', targets: [{ expr: `${perService(SLI_COUNT, 'service', ',http_response_status_code=~"5.."')} / ${perService(SLI_COUNT, 'service')}`, legend: '{{service}}' }] },
      {
        title: 'p95 duration by route',
        description: '95th percentile request duration per route, with the SLO latency threshold; exemplars link to traces.',
        unit: 's',
        width: 24,
        targets: [
          { expr: `histogram_quantile(0.95, ${perService(SLI_BUCKET, 'le, service, http_route')})`, legend: '{{service}} {{http_route}}', exemplar: true },
          { expr: `max by (service) (${LATENCY_THRESHOLD}{service=~"$service"})`, legend: '{{service}} threshold' },
        ],
      },
      { title: 'Upstream p95 duration', description: 'How long upstream services take to send response headers, as the gateway measures it.', unit: 's', targets: [{ expr: `histogram_quantile(0.95, ${perService(UPSTREAM_DURATION_BUCKET, 'le, service')})`, legend: '{{service}}' }] },
      { title: 'Circuit breakers', description: '1 while a state holds: closed, open (failing fast) or half_open (probing).', unit: 'none', targets: [{ expr: `max by (service, state) (${GATEWAY_METRICS.circuitState.name}{${GW},service=~"$service"})`, legend: '{{service}} {{state}}' }] },
      {
        title: 'Rejected, rate-limited and unauthenticated requests',
        description: 'Requests the gateway refused itself: circuit open or concurrency limit, 429, 401.',
        unit: 'reqps',
        width: 24,
        targets: [
          { expr: perService(GATEWAY_METRICS.upstreamRejected.name, 'service, reason'), legend: '{{service}} {{reason}}' },
          { expr: perService(GATEWAY_METRICS.rateLimited.name, 'service, policy'), legend: '{{service}} 429 {{policy}}' },
          { expr: perService(GATEWAY_METRICS.authFailures.name, 'service, reason'), legend: '{{service}} 401 {{reason}}' },
        ],
      },
      { title: 'Sampled spans dropped', description: 'Spans the gateway sampled but could not export, per second, by reason: queue_full, export_failed, worker_failed. Above 0, traces are missing and some exemplars lead nowhere; the SLIs are unaffected.', unit: 'short', targets: [{ expr: `sum by (instance, reason) (rate(${GATEWAY_METRICS.spansDropped.name}{${GW}}[${RATE}]))`, legend: '{{instance}} {{reason}}' }] },
    ],
  };
}

function serviceDetail(): DashboardSpec {
  const forService = (metric: string, labels: string): string => `sum by (${labels}) (rate(${metric}{${GW},service="$service"}[${RATE}]))`;
  return {
    uid: DASHBOARD_UIDS.serviceDetail,
    title: 'PyAirtable / Service detail',
    description: 'One service: its SLIs over every alert window, latency percentiles, traffic by status and its error budget.',
    variables: [serviceVariable(false)],
    panels: [
      { title: 'Error ratio by window', description: 'The SLO error ratios the burn-rate alerts read, over 5 m, 1 h and 6 h.', unit: 'percentunit', targets: ['5m', '1h', '6h'].map((w) => ({ expr: `${sliErrorRatio(w)}{service="$service"}`, legend: `{{slo}} ${w}` })) },
      { title: 'Error budget remaining', description: "Share of the period's error budget still unspent, per SLO.", unit: 'percentunit', targets: [{ expr: `${PERIOD_BUDGET_REMAINING}{service="$service"}`, legend: '{{slo}}' }], thresholds: [{ value: 0, color: 'red' }] },
      {
        title: 'Latency percentiles',
        description: 'p50, p95 and p99 of the gateway request duration, with the SLO threshold; exemplars link to traces.',
        unit: 's',
        targets: [
          ...[0.5, 0.95, 0.99].map((q) => ({ expr: `histogram_quantile(${q}, ${forService(SLI_BUCKET, 'le')})`, legend: `p${q * 100}`, exemplar: q === 0.95 })),
          { expr: `max(${LATENCY_THRESHOLD}{service="$service"})`, legend: 'threshold' },
        ],
      },
      { title: 'Requests by status code', description: 'Answered requests per second, by HTTP status code.', unit: 'reqps', targets: [{ expr: forService(SLI_COUNT, 'http_response_status_code'), legend: '{{http_response_status_code}}' }] },
    ],
  };
}
