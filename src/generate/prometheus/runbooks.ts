import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Mustache from 'mustache';
import { BURN_RATE_TIERS, burnRateFactor } from '../../catalog/burn-rate.js';
import {
  CIRCUIT_OPEN_ALERT,
  CONTROL_PLANE_DOWN_ALERT,
  CONTROL_PLANE_METRICS,
  COST_HOURLY,
  COST_REGRESSION_ALERT,
  INCIDENT_UNACKNOWLEDGED_ALERT,
  DASHBOARD_UIDS,
  GATEWAY_JOB,
  GATEWAY_METRICS,
  PERIOD_BUDGET_REMAINING,
  SLI_ABSENT_ALERT,
  SLI_BUCKET,
  SLI_COUNT,
  SLI_METRIC,
  SPANS_DROPPED_ALERT,
  TARGET_DOWN_ALERT,
  UPSTREAM_DURATION_COUNT,
  burnAlertName,
  platformCostPer1kRequests,
} from '../../catalog/conventions.js';
import { acknowledgementTargetSeconds, formatDuration, type Catalog } from '../../catalog/index.js';
import { PROJECT_ROOT } from '../../project-root.js';

const TEMPLATES = join(PROJECT_ROOT, 'src/generate/prometheus/runbooks');
const DAY_MS = 86_400_000;

/** The names every runbook may cite, from the SLI contract. */
const CONTRACT = {
  job: GATEWAY_JOB,
  sliMetric: SLI_METRIC,
  sliCount: SLI_COUNT,
  sliBucket: SLI_BUCKET,
  circuitState: GATEWAY_METRICS.circuitState.name,
  upstreamRejected: GATEWAY_METRICS.upstreamRejected.name,
  upstreamDuration: GATEWAY_METRICS.clientDuration.name,
  upstreamDurationCount: UPSTREAM_DURATION_COUNT,
  spansDropped: GATEWAY_METRICS.spansDropped.name,
  oldestUnacknowledged: CONTROL_PLANE_METRICS.oldestUnacknowledged.name,
  budgetRemaining: PERIOD_BUDGET_REMAINING,
};

/** One Markdown runbook per alert name, linked from the alert's runbook_url, rendered from runbooks/*.md. */
export function runbooks(catalog: Catalog): Map<string, string> {
  const books = new Map<string, string>();
  const dashboards = catalog.alerting.dashboard_base_url.replace(/\/$/, '');
  for (const tier of BURN_RATE_TIERS) {
    books.set(
      burnAlertName(tier.name),
      render('burn-rate', {
        alert: burnAlertName(tier.name),
        severity: tier.severity,
        consequence: tier.severity === 'critical' ? 'pages the on-call engineer' : 'opens a ticket',
        longWindow: tier.longWindow,
        shortWindow: tier.shortWindow,
        factor: burnRateFactor(tier, catalog.defaultPeriodMs),
        periodDays: Math.round(catalog.defaultPeriodMs / DAY_MS),
        budgetPercent: (tier.budgetShare * 100).toFixed(0),
        dashboards,
        serviceDashboard: DASHBOARD_UIDS.serviceDetail,
      }),
    );
  }
  books.set(CIRCUIT_OPEN_ALERT, render('circuit-open', { alert: CIRCUIT_OPEN_ALERT }));
  books.set(TARGET_DOWN_ALERT, render('target-down', { alert: TARGET_DOWN_ALERT }));
  books.set(SLI_ABSENT_ALERT, render('sli-absent', { alert: SLI_ABSENT_ALERT }));
  books.set(SPANS_DROPPED_ALERT, render('spans-dropped', { alert: SPANS_DROPPED_ALERT }));
  const target = formatDuration(acknowledgementTargetSeconds(catalog) * 1000);
  books.set(INCIDENT_UNACKNOWLEDGED_ALERT, render('incident-unacknowledged', { alert: INCIDENT_UNACKNOWLEDGED_ALERT, target, ackSlo: 'acknowledgement' }));
  books.set(CONTROL_PLANE_DOWN_ALERT, render('control-plane-down', { alert: CONTROL_PLANE_DOWN_ALERT }));
  if (catalog.cost) {
    books.set(COST_REGRESSION_ALERT, render('cost-regression', { alert: COST_REGRESSION_ALERT, rise: catalog.cost.regression_percent, target: catalog.cost.target_reduction_percent, costPerRequestDaily: platformCostPer1kRequests('1d'), costHourly: COST_HOURLY, costDashboard: `${dashboards}/d/${DASHBOARD_UIDS.cost}` }));
  }
  return books;
}

function render(template: string, view: Record<string, string | number>): string {
  const text = readFileSync(join(TEMPLATES, `${template}.md`), 'utf8');
  // Markdown, not HTML: nothing is escaped.
  return Mustache.render(text, { ...CONTRACT, ...view }, {}, { escape: (value: string) => value });
}
