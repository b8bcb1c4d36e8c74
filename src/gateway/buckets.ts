/** OpenTelemetry's advised boundaries for http.server.request.duration, in seconds. */
export const OTEL_ADVISED_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

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
