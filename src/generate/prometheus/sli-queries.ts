import { GATEWAY_JOB, LABEL, SLI_BUCKET, SLI_COUNT, leLabel } from '../../catalog/conventions.js';
import type { Slo } from '../../catalog/index.js';

/**
 * PromQL for an SLO's error ratio over a window, straight from the gateway histogram. Both forms
 * divide by total traffic only when there is some (`> 0`), so a silent service yields no sample
 * rather than NaN; the "SLI metrics absent" alert covers a missing series separately.
 */
export function errorRatioQuery(slo: Slo, window: string): string {
  const selector = serviceSelector(slo.service);
  const total = `sum(rate(${SLI_COUNT}{${selector}}[${window}]))`;
  if (slo.id === 'availability') {
    // With no 5xx at all the error series do not exist; `or vector(0)` makes that a 0, not a gap.
    return `(sum(rate(${SLI_COUNT}{${selector},${LABEL.status}=~"5.."}[${window}])) or vector(0))\n/\n(${total} > 0)`;
  }
  // The errors are the requests ABOVE the threshold: 1 - (requests at or under it) / all.
  return `1 - (\n  sum(rate(${SLI_BUCKET}{${selector},le="${leLabel(slo.thresholdSeconds)}"}[${window}]))\n  /\n  (${total} > 0)\n)`;
}

export function requestRateQuery(slo: Slo, window: string): string {
  return `sum(rate(${SLI_COUNT}{${serviceSelector(slo.service)}}[${window}]))`;
}

/** The gateway's series of one service: `job="gateway",service="x"`. */
export function serviceSelector(service: string): string {
  return `job="${GATEWAY_JOB}",${LABEL.service}="${service}"`;
}
