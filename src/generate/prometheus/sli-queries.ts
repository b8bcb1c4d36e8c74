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
