import { GATEWAY_METRICS } from '../src/catalog/conventions.js';
import { parseExposition } from '../src/validate/exposition.js';

/**
 * Sampled spans a gateway dropped unexported, every reason together, from its /metrics: a gateway
 * that dropped spans under load exported less than its sampling says, and its figures flatter it.
 */
export function spansDroppedIn(exposition: string): number {
  return parseExposition(exposition)
    .filter((series) => series.metric === GATEWAY_METRICS.spansDropped.name)
    .reduce((sum, series) => sum + series.value, 0);
}
