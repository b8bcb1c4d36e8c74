import { LABEL, leLabel, type SliSource } from '../../catalog/conventions.js';
import type { Slo } from '../../catalog/index.js';

/**
 * PromQL for an SLO's error ratio over a window, straight from its histogram. Both forms divide by
 * total events only when there are some (`> 0`), so a silent service yields no sample rather than
 * NaN; the "SLI metrics absent" alert covers a missing series separately.
 */
export function errorRatioQuery(slo: Slo, window: string): string {
  const selector = sliSelector(slo.sli);
  const total = `sum(rate(${slo.sli.count}{${selector}}[${window}]))`;
  if (slo.id === 'availability') {
    // With no 5xx at all the error series do not exist; `or vector(0)` makes that a 0, not a gap.
    return `(sum(rate(${slo.sli.count}{${selector},${LABEL.status}=~"5.."}[${window}])) or vector(0))\n/\n(${total} > 0)`;
  }
  // The errors are the events ABOVE the threshold: 1 - (events at or under it) / all.
  return `1 - (\n  sum(rate(${slo.sli.bucket}{${selector},le="${leLabel(slo.thresholdSeconds)}"}[${window}]))\n  /\n  (${total} > 0)\n)`;
}

export function requestRateQuery(slo: Slo, window: string): string {
  return `sum(rate(${slo.sli.count}{${sliSelector(slo.sli)}}[${window}]))`;
}

/** The SLI's series: `job="gateway",service="x"`. */
export function sliSelector(sli: SliSource): string {
  return [`job="${sli.job}"`, ...Object.entries(sli.selector).map(([name, value]) => `${name}="${value}"`)].join(',');
}

/**
 * A service's requests that every one of its SLOs counts as good, per second (`rate`) or over the
 * window (`increase`): answered without a 5xx and, when it has a latency SLO, within the tightest
 * threshold. `sum by (service)`, one series per service.
 */
export function goodRequestsQuery(slos: readonly Slo[], service: string, window: string, fn: 'rate' | 'increase'): string {
  const own = slos.filter((slo) => slo.service === service);
  const threshold = Math.min(...own.flatMap((slo) => (slo.id === 'latency' ? [slo.thresholdSeconds] : [])));
  const sli = own[0]?.sli;
  if (!sli) throw new Error(`${service} has no SLO`);
  const notServerError = `${LABEL.status}!~"5.."`;
  return Number.isFinite(threshold)
    ? `sum by (${LABEL.service}) (${fn}(${sli.bucket}{${sliSelector(sli)},${notServerError},le="${leLabel(threshold)}"}[${window}]))`
    : `sum by (${LABEL.service}) (${fn}(${sli.count}{${sliSelector(sli)},${notServerError}}[${window}]))`;
}
