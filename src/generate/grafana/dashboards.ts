import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  ALERT_NAME_PATTERN,
  CONTROL_PLANE_JOB,
  CONTROL_PLANE_METRICS,
  COST_BASELINE_HOURLY,
  COST_HOURLY,
  COST_METRICS,
  COST_REDUCTION,
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
  costPer1kGoodRequests,
  costPer1kRequests,
  platformCostPer1kRequests,
  sliErrorRatio,
} from '../../catalog/conventions.js';
import { acknowledgementTargetSeconds, formatDuration, isGatewaySlo, type Catalog } from '../../catalog/index.js';
import { buildDashboard, type DashboardSpec, type Variable } from './panels.js';

const RATE = '$__rate_interval';
const GW = `job="${GATEWAY_JOB}"`;

/** SLO overview, gateway RED by service and route, one service in detail, the platform's targets, and cost when the catalog has its inputs. */
// eslint-disable-next-line @typescript-eslint/no-deprecated -- the v1 model provisioning reads (panels.ts)
export function dashboards(catalog: Catalog, notice: string): Map<string, Dashboard> {
  const specs = [sloOverview(catalog), gatewayRed(), serviceDetail(), platformTargets(catalog), ...(catalog.cost ? [cost(catalog.cost)] : [])];
  return new Map(specs.map((spec) => [spec.uid, buildDashboard(spec, notice)]));
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

/** The value most SLOs of a kind share: what the platform's plan calls its target (100 ms, 99.9 %). */
function commonest(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? Number.NaN;
}

const CP = `job="${CONTROL_PLANE_JOB}"`;

/** The plan's success metrics on one screen, each against its target with a plain met / not met. */
function platformTargets(catalog: Catalog): DashboardSpec {
  const gatewaySlos = catalog.slos.filter(isGatewaySlo);
  const latency = commonest(gatewaySlos.flatMap((slo) => (slo.id === 'latency' ? [slo.thresholdSeconds] : [])));
  const availability = commonest(gatewaySlos.flatMap((slo) => (slo.id === 'availability' ? [slo.objective] : [])));
  const ackTarget = acknowledgementTargetSeconds(catalog);
  const p95 = (window: string): string => `histogram_quantile(0.95, sum by (le, service) (rate(${SLI_BUCKET}{${GW}}[${window}])))`;
  const reductionTarget = catalog.cost ? catalog.cost.target_reduction_percent / 100 : undefined;
  const ackWithin = `${CONTROL_PLANE_METRICS.timeToAcknowledge.name}_bucket{${CP},severity="critical"`;
  return {
    uid: DASHBOARD_UIDS.platformTargets,
    title: 'PyAirtable / Platform targets',
    description: `The consolidation plan's success metrics: API p95 under ${latency * 1000} ms, availability over 30 days at ${availability * 100} %, pages acknowledged within ${formatDuration(ackTarget * 1000)}${reductionTarget === undefined ? '' : `, a cost cut of at least ${reductionTarget * 100} %`}; each service against its own SLO where the catalog sets another.`,
    variables: [],
    panels: [
      { title: 'p95 within its SLO threshold', description: "Met when the service's p95 over the dashboard's interval is at or under its latency SLO threshold.", unit: 'none', type: 'stat', width: 6, verdict: true, baseColor: 'red', thresholds: [{ value: 1, color: 'green' }], targets: [{ expr: `${p95(RATE)} <= bool on (service) max by (service) (${LATENCY_THRESHOLD})`, legend: '{{service}}', instant: true }] },
      { title: 'Availability over the period at its objective', description: "Met when the service's share of requests without a 5xx over the SLO period is at or above its availability objective.", unit: 'none', type: 'stat', width: 6, verdict: true, baseColor: 'red', thresholds: [{ value: 1, color: 'green' }], targets: [{ expr: `(1 - ${PERIOD_ERROR_RATIO}{slo="availability"}) >= bool on (service, slo) ${OBJECTIVE}{slo="availability"}`, legend: '{{service}}', instant: true }] },
      { title: `No page waiting over ${formatDuration(ackTarget * 1000)}`, description: `Met while no critical incident has gone unacknowledged for longer than the ${formatDuration(ackTarget * 1000)} response target.`, unit: 'none', type: 'stat', width: 6, verdict: true, baseColor: 'red', thresholds: [{ value: 1, color: 'green' }], targets: [{ expr: `max(${CONTROL_PLANE_METRICS.oldestUnacknowledged.name}{${CP},severity="critical"}) <= bool ${ackTarget}`, instant: true }] },
      ...(reductionTarget === undefined
        ? []
        : [{ title: `Cost cut of at least ${reductionTarget * 100} %`, description: 'Met when the consolidated platform costs at least the target share less than the 22-service baseline.', unit: 'none', type: 'stat' as const, width: 6, verdict: true, baseColor: 'red', thresholds: [{ value: 1, color: 'green' }], targets: [{ expr: `${COST_REDUCTION} >= bool ${reductionTarget}`, instant: true }] }]),
      { title: 'API p95 by service', description: `95th percentile request duration per service, the platform target (${latency * 1000} ms) dashed, each service's own threshold as a series.`, unit: 's', targets: [{ expr: p95(RATE), legend: '{{service}}' }, { expr: `max by (service) (${LATENCY_THRESHOLD})`, legend: '{{service}} threshold' }], thresholds: [{ value: latency, color: 'red' }] },
      { title: 'Availability over the SLO period', description: `Share of requests answered without a 5xx over the SLO period, per service; the platform target (${availability * 100} %) dashed.`, unit: 'percentunit', targets: [{ expr: `1 - ${PERIOD_ERROR_RATIO}{slo="availability"}`, legend: '{{service}}' }], baseColor: 'red', thresholds: [{ value: availability, color: 'green' }] },
      { title: 'Time to acknowledge a page, p90', description: `90th percentile of the time from a critical incident's first alert to its acknowledgement, against the ${formatDuration(ackTarget * 1000)} target; no value while no page was acknowledged in the interval.`, unit: 's', targets: [{ expr: `histogram_quantile(0.9, sum by (le) (rate(${ackWithin}}[${RATE}])))`, legend: 'p90' }], thresholds: [{ value: ackTarget, color: 'red' }] },
      ...(reductionTarget === undefined
        ? []
        : [{ title: 'Cost reduction against the baseline', description: `1 - cost now / cost of the 22-service baseline; the ${reductionTarget * 100} % target dashed.`, unit: 'percentunit', targets: [{ expr: COST_REDUCTION, legend: 'reduction' }], baseColor: 'red', thresholds: [{ value: reductionTarget, color: 'green' }] }]),
    ],
  };
}

/** Consolidated against baseline against the target line, per component, and per 1,000 requests. */
function cost(spec: NonNullable<Catalog['cost']>): DashboardSpec {
  const month = spec.hours_per_month;
  const target = spec.target_reduction_percent / 100;
  return {
    uid: DASHBOARD_UIDS.cost,
    title: 'PyAirtable / Cost',
    description: `What the consolidated platform costs a month against the ${spec.baseline.length}-service baseline and the ${spec.target_reduction_percent} % target, per component and per 1,000 requests (prices and inventory: sre cost report).`,
    variables: [],
    panels: [
      { title: 'Cost reduction', description: `1 - cost now / cost of the baseline; green from the ${spec.target_reduction_percent} % target up.`, unit: 'percentunit', type: 'stat', width: 6, baseColor: 'red', thresholds: [{ value: target, color: 'green' }], targets: [{ expr: COST_REDUCTION, instant: true }] },
      { title: 'Monthly cost now', description: `Every component's replicas x requests x unit prices, times ${month} hours.`, unit: 'currencyUSD', type: 'stat', width: 6, targets: [{ expr: `sum(${COST_HOURLY}) * ${month}`, instant: true }] },
      { title: 'Monthly cost of the baseline', description: `The ${spec.baseline.length} services before consolidation, at the same prices.`, unit: 'currencyUSD', type: 'stat', width: 6, targets: [{ expr: `sum(${COST_BASELINE_HOURLY}) * ${month}`, instant: true }] },
      { title: 'Target: at most', description: `The monthly cost at exactly the ${spec.target_reduction_percent} % target.`, unit: 'currencyUSD', type: 'stat', width: 6, targets: [{ expr: `sum(${COST_BASELINE_HOURLY}) * ${month * (1 - target)}`, instant: true }] },
      {
        title: 'Consolidated, baseline and target',
        description: 'Monthly cost of the consolidated platform against the baseline and the most it may cost to meet the target.',
        unit: 'currencyUSD',
        width: 24,
        targets: [
          { expr: `sum(${COST_HOURLY}) * ${month}`, legend: 'consolidated' },
          { expr: `sum(${COST_BASELINE_HOURLY}) * ${month}`, legend: 'baseline' },
          { expr: `sum(${COST_BASELINE_HOURLY}) * ${month * (1 - target)}`, legend: `target (${spec.target_reduction_percent} % less)` },
        ],
      },
      { title: 'Monthly cost by component', description: 'Each component now, and the baseline services it replaces (retired: those no component replaces).', unit: 'currencyUSD', type: 'table', width: 24, targets: [{ expr: `${COST_HOURLY} * ${month}`, legend: '{{service}} now' }, { expr: `${COST_BASELINE_HOURLY} * ${month}`, legend: '{{service}} baseline' }] },
      { title: 'Cost per 1,000 requests', description: "A service's hourly cost over its requests through the gateway in the last hour; platform: every component's cost over every request.", unit: 'currencyUSD', targets: [{ expr: costPer1kRequests('1h'), legend: '{{service}}' }, { expr: platformCostPer1kRequests('1h'), legend: 'platform' }] },
      { title: 'Cost per 1,000 requests served within SLO', description: 'The same over good requests only: no 5xx and within every latency SLO of the service.', unit: 'currencyUSD', targets: [{ expr: costPer1kGoodRequests('1h'), legend: '{{service}}' }] },
      { title: 'Cost target', description: 'The target reduction the control plane exports from the catalog.', unit: 'percentunit', type: 'stat', width: 24, height: 4, targets: [{ expr: `max(${COST_METRICS.targetReduction.name}{${CP}})`, instant: true }] },
    ],
  };
}
