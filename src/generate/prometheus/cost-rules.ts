import {
  CONTROL_PLANE_JOB,
  COST_BASELINE_HOURLY,
  COST_HOURLY,
  COST_METRICS,
  COST_REDUCTION,
  GATEWAY_JOB,
  LABEL,
  SLI_COUNT,
  costPer1kGoodRequests,
  costPer1kRequests,
  platformCostPer1kRequests,
} from '../../catalog/conventions.js';
import { isGatewaySlo, type Catalog } from '../../catalog/index.js';
import type { RecordingRule, RuleFile } from './rule-types.js';
import { goodRequestsQuery } from './sli-queries.js';

/** Windows of cost per request: an hour for dashboards, a day for the week-over-week regression alert. */
export const COST_WINDOWS = ['1h', '1d'] as const;
/** Requests per second times 3.6 is thousands of requests per hour; `> 0` leaves no sample, not +Inf, when idle. */
const THOUSANDS_PER_HOUR = 3.6;

/**
 * Cost per 1,000 requests in Prometheus: the control plane's cost gauges (one per replica, hence
 * max) divided by the gateway's request rate, per service and for the whole platform.
 */
export function costRecordingRules(catalog: Catalog): RuleFile {
  const slos = catalog.slos.filter(isGatewaySlo);
  const services = [...new Set(slos.map((slo) => slo.service))];
  const requests = (window: string, by: string): string => `sum${by}(rate(${SLI_COUNT}{job="${GATEWAY_JOB}"}[${window}]))`;
  const rules: RecordingRule[] = [
    { record: COST_HOURLY, expr: `max by (${LABEL.service}) (${COST_METRICS.hourly.name}{job="${CONTROL_PLANE_JOB}"})` },
    { record: COST_BASELINE_HOURLY, expr: `max by (${LABEL.service}) (${COST_METRICS.baselineHourly.name}{job="${CONTROL_PLANE_JOB}"})` },
    { record: COST_REDUCTION, expr: `1 - sum(${COST_HOURLY}) / sum(${COST_BASELINE_HOURLY})` },
  ];
  for (const window of COST_WINDOWS) {
    rules.push(
      { record: costPer1kRequests(window), expr: `${COST_HOURLY} / on (${LABEL.service}) (${requests(window, ` by (${LABEL.service}) `)} * ${THOUSANDS_PER_HOUR} > 0)` },
      ...services.map((service): RecordingRule => ({ record: costPer1kGoodRequests(window), expr: `${COST_HOURLY}{${LABEL.service}="${service}"} / on (${LABEL.service}) (${goodRequestsQuery(slos, service, window, 'rate')} * ${THOUSANDS_PER_HOUR} > 0)` })),
      { record: platformCostPer1kRequests(window), expr: `sum(${COST_HOURLY}) / (${requests(window, ' ')} * ${THOUSANDS_PER_HOUR} > 0)` },
    );
  }
  return { groups: [{ name: 'cost-per-request', interval: '1m', rules }] };
}
