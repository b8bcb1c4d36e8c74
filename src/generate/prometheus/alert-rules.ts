import { BURN_RATE_TIERS, burnRateFactor, errorRatioThreshold, windowMs, type BurnRateTier } from '../../catalog/burn-rate.js';
import { formatDuration } from '../../catalog/duration.js';
import {
  CIRCUIT_OPEN_ALERT,
  CONTROL_PLANE_DOWN_ALERT,
  CONTROL_PLANE_JOB,
  CONTROL_PLANE_METRICS,
  COST_REGRESSION_ALERT,
  INCIDENT_UNACKNOWLEDGED_ALERT,
  DASHBOARD_UIDS,
  GATEWAY_JOB,
  SLI_ABSENT_ALERT,
  GATEWAY_METRICS,
  SLI_COUNT,
  SPANS_DROPPED_ALERT,
  TARGET_DOWN_ALERT,
  burnAlertName,
  platformCostPer1kRequests,
  sliErrorRatio,
  sliRequestRate,
  sloIdentity,
  sloSelector,
} from '../../catalog/conventions.js';
import { acknowledgementTargetSeconds, type Catalog, type Slo } from '../../catalog/index.js';
import type { AlertingRule, RuleFile } from './rule-types.js';

/** One alert per SLO and burn-rate tier: both windows over factor x budget, with enough traffic. */
export function burnRateAlert(catalog: Catalog, slo: Slo, tier: BurnRateTier): AlertingRule {
  const factor = burnRateFactor(tier, slo.periodMs);
  const threshold = errorRatioThreshold(tier, slo.periodMs, slo.budget);
  const longSeconds = windowMs(tier.longWindow) / 1000;
  const name = burnAlertName(tier.name);
  const exhaustion = formatDuration(Math.round(slo.periodMs / factor / 60_000) * 60_000);
  return {
    alert: name,
    expr: [
      `${sliErrorRatio(tier.longWindow)}${sloSelector(slo)} > (${factor} * ${slo.budget})`,
      `${sliErrorRatio(tier.shortWindow)}${sloSelector(slo)} > (${factor} * ${slo.budget})`,
      // Low-traffic guard: a handful of requests cannot page anyone.
      `${sliRequestRate(tier.longWindow)}${sloSelector(slo)} * ${longSeconds} >= ${slo.minEvents}`,
    ].join('\nand\n'),
    labels: {
      severity: tier.severity,
      ...sloIdentity(slo),
      burn_tier: String(tier.rank),
      long_window: tier.longWindow,
      short_window: tier.shortWindow,
    },
    annotations: {
      summary: `${slo.service} ${slo.id} SLO is burning its error budget ${factor}x too fast`,
      description:
        // Static on purpose: generated promtool tests assert annotations exactly; the live value is one click away.
        `The ${slo.id} error ratio of ${slo.service} is above ${(threshold * 100).toPrecision(3)} % over both ${tier.longWindow} and ` +
        `${tier.shortWindow}: ${factor}x the ${(slo.budget * 100).toPrecision(3)} % budget of ` +
        `the ${(slo.objective * 100).toPrecision(4)} % objective. At this rate the ${formatDuration(slo.periodMs)} budget is gone in about ${exhaustion}.`,
      runbook_url: `${catalog.alerting.runbook_base_url}${name}.md`,
      dashboard_url: `${catalog.alerting.dashboard_base_url.replace(/\/$/, '')}/d/${DASHBOARD_UIDS.serviceDetail}?var-service=${slo.service}`,
    },
  };
}

export function sloAlertRules(catalog: Catalog, service: string): RuleFile {
  const slos = catalog.slos.filter((slo) => slo.service === service);
  return {
    groups: slos.map((slo) => ({
      name: `slo-alerts-${slo.service}-${slo.id}`,
      rules: BURN_RATE_TIERS.map((tier) => burnRateAlert(catalog, slo, tier)),
    })),
  };
}

interface SymptomAlert {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly description: string;
}

/** One group of symptom alerts, each with the runbook and dashboard links every alert carries. */
function symptomRules(catalog: Catalog, group: string, dashboardUid: string, alerts: readonly SymptomAlert[]): RuleFile {
  const dashboard = `${catalog.alerting.dashboard_base_url.replace(/\/$/, '')}/d/${dashboardUid}`;
  return {
    groups: [
      {
        name: group,
        rules: alerts.map(({ summary, description, ...rule }): AlertingRule => ({
          ...rule,
          annotations: { summary, description, runbook_url: `${catalog.alerting.runbook_base_url}${rule.alert}.md`, dashboard_url: dashboard },
        })),
      },
    ],
  };
}

/** A job's target has not been scraped for 2 minutes; `service` is the job's name. */
function scrapeDown(alert: string, job: string, severity: string, what: string, description: string): SymptomAlert {
  return { alert, expr: `up{job="${job}"} == 0`, for: '2m', labels: { severity, service: job }, summary: `Prometheus cannot scrape ${what} at {{ $labels.instance }}`, description };
}

/** Symptoms of the measuring itself: without these, a broken pipeline looks like a healthy SLO. */
export function gatewayAlertRules(catalog: Catalog): RuleFile {
  return symptomRules(catalog, 'gateway-symptoms', DASHBOARD_UIDS.gatewayRed, [
    {
      alert: CIRCUIT_OPEN_ALERT,
      expr: `max by (service) (${GATEWAY_METRICS.circuitState.name}{job="${GATEWAY_JOB}",state="open"}) == 1`,
      for: '1m',
      labels: { severity: 'warning' },
      summary: 'The gateway circuit breaker for {{ $labels.service }} is open',
      description: 'The gateway has stopped calling {{ $labels.service }} after repeated failures and answers 503 circuit_open; it probes again after the half-open delay.',
    },
    scrapeDown(TARGET_DOWN_ALERT, GATEWAY_JOB, 'critical', 'the gateway', 'Every SLI comes from the gateway: while it is not scraped, no SLO alert can fire.'),
    {
      alert: SLI_ABSENT_ALERT,
      expr: `absent(${SLI_COUNT}{job="${GATEWAY_JOB}"})`,
      for: '10m',
      labels: { severity: 'warning', service: 'gateway' },
      summary: 'The SLI metric is missing from the gateway scrape',
      description: `No ${SLI_COUNT} series with job="${GATEWAY_JOB}" for 10 minutes: the SLO rules have nothing to compute, so their alerts are blind.`,
    },
    // A ticket, not a page: the SLIs are intact, the traces behind them are not. A burst
    // (a load spike, a collector restart) stops within the 5-minute rate window; 15 minutes do not.
    {
      alert: SPANS_DROPPED_ALERT,
      expr: `sum by (instance, reason) (rate(${GATEWAY_METRICS.spansDropped.name}{job="${GATEWAY_JOB}"}[5m])) > 0`,
      for: '15m',
      labels: { severity: 'warning', service: 'gateway' },
      summary: 'The gateway at {{ $labels.instance }} keeps dropping sampled spans ({{ $labels.reason }})',
      description: 'For 15 minutes the gateway has dropped sampled spans unexported, reason {{ $labels.reason }}: traces are incomplete and exemplars point at traces the tracing backend never got. The SLO metrics are not affected.',
    },
  ]);
}

/** The control plane's own alerts: a page nobody acknowledges within the target, and the control plane gone. */
export function controlPlaneAlertRules(catalog: Catalog): RuleFile {
  const target = acknowledgementTargetSeconds(catalog);
  return symptomRules(catalog, 'control-plane', DASHBOARD_UIDS.sloOverview, [
    // Every replica reports the same incidents; the oldest is the same on each.
    {
      alert: INCIDENT_UNACKNOWLEDGED_ALERT,
      expr: `max(${CONTROL_PLANE_METRICS.oldestUnacknowledged.name}{job="${CONTROL_PLANE_JOB}",severity="critical"}) > ${target}`,
      labels: { severity: 'critical', service: 'on-call' },
      summary: `A page has gone unacknowledged for over ${formatDuration(target * 1000)}`,
      description: `The oldest critical incident in the control plane has been open for {{ $value | humanizeDuration }} with nobody acknowledging it: the on-call target is ${formatDuration(target * 1000)}.`,
    },
    scrapeDown(CONTROL_PLANE_DOWN_ALERT, CONTROL_PLANE_JOB, 'warning', 'the control plane', 'While the control plane is down, pages still reach the pager, but no incident is recorded and no response time is measured.'),
  ]);
}

/** A ticket when the platform's cost per 1,000 requests over a day rises past the catalog's share week over week. */
export function costAlertRules(catalog: Catalog): RuleFile {
  const rise = catalog.cost?.regression_percent ?? 20;
  const daily = platformCostPer1kRequests('1d');
  return symptomRules(catalog, 'cost-regression', DASHBOARD_UIDS.cost, [
    {
      alert: COST_REGRESSION_ALERT,
      expr: `${daily} > ${1 + rise / 100} * (${daily} offset 1w)`,
      for: '1h',
      labels: { severity: 'warning', service: 'platform' },
      summary: `Cost per 1,000 requests is up more than ${rise} % on the week`,
      description: `Over the last day the platform cost more than ${rise} % more per 1,000 requests than over the same day a week before: capacity grew faster than traffic, or traffic fell while capacity stayed. See ${daily} on the cost dashboard.`,
    },
  ]);
}
