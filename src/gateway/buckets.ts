export { OTEL_ADVISED_BUCKETS } from '../catalog/conventions.js';

/**
 * The request-duration boundaries: the catalog's (by default the advised set) plus every latency threshold of the catalog,
 * so each latency SLO reads an exact bucket (an SLI cannot interpolate between boundaries).
 */
export function requestDurationBuckets(base: readonly number[], thresholdsSeconds: readonly number[]): number[] {
  return [...new Set([...base, ...thresholdsSeconds])].sort((a, b) => a - b);
}

/** How prom-client spells a boundary in the `le` label (JavaScript's shortest round-trip form). */
export function leLabel(boundary: number): string {
  return boundary === Number.POSITIVE_INFINITY ? '+Inf' : String(boundary);
}
