import { GATEWAY_METRICS, LABEL, SLI_BUCKET, SLI_COUNT, leLabel } from '../catalog/conventions.js';
import { formatDuration } from '../catalog/duration.js';
import type { Catalog, Service } from '../catalog/index.js';
import type { ExposedSeries } from '../validate/exposition.js';

/** What the gateway did for one upstream service, from its counters: the catalog's resilience at work. */
export interface ResilienceCounts {
  /** Requests the gateway answered for the service. */
  readonly requests: number;
  /** Upstream calls retried (idempotent requests, connection-level failures, within the retry budget). */
  readonly retries: number;
  /** Answers by 5xx status: 502 upstream_unavailable, 503 circuit_open or saturated, 504 upstream_timeout. */
  readonly errors: Readonly<Record<string, number>>;
  /** Requests failed fast without calling the upstream, by reason (circuit_open, concurrency_limit). */
  readonly rejected: Readonly<Record<string, number>>;
  /** Requests answered later than the histogram boundary just past the service's timeout; null without such a boundary. */
  readonly pastTimeout: number | null;
}

export type ResilienceReading = ReadonlyMap<string, ResilienceCounts>;

/** What an experiment may expect of the gateway's resilience while the faults are in. */
export const RESILIENCE_EXPECTATIONS = ['retries', 'no-retries', 'timeouts', 'breaker-opens'] as const;
export type ResilienceExpectation = (typeof RESILIENCE_EXPECTATIONS)[number];

/** The first histogram boundary at or past the service's timeout plus a second of slack, if the histogram has one. */
export function timeoutBoundary(catalog: Catalog, service: Service): number | null {
  const timeoutSeconds = service.resilience.timeout / 1000;
  return catalog.histogramBuckets.find((b) => b >= timeoutSeconds + 1) ?? null;
}

/** The counters of every catalog service, summed over the series given (one gateway's exposition, or every replica's). */
export function resilienceReading(catalog: Catalog, series: readonly ExposedSeries[]): ResilienceReading {
  const reading = new Map<string, ResilienceCounts>();
  for (const service of catalog.services) {
    const own = series.filter((s) => s.labels[LABEL.service] === service.id);
    const total = (metric: string, match: (labels: Readonly<Record<string, string>>) => boolean = () => true): number => own.filter((s) => s.metric === metric && match(s.labels)).reduce((n, s) => n + s.value, 0);
    const byLabel = (metric: string, label: string, keep: (value: string) => boolean): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const s of own.filter((x) => x.metric === metric && keep(x.labels[label] ?? ''))) counts[s.labels[label] ?? ''] = (counts[s.labels[label] ?? ''] ?? 0) + s.value;
      return counts;
    };
    const boundary = timeoutBoundary(catalog, service);
    const requests = total(SLI_COUNT);
    reading.set(service.id, {
      requests,
      retries: total(GATEWAY_METRICS.upstreamRetries.name),
      errors: byLabel(SLI_COUNT, LABEL.status, (status) => status.startsWith('5')),
      rejected: byLabel(GATEWAY_METRICS.upstreamRejected.name, LABEL.reason, () => true),
      pastTimeout: boundary === null ? null : requests - total(SLI_BUCKET, (labels) => labels.le === leLabel(boundary)),
    });
  }
  return reading;
}

/** What changed between two readings (counters only grow while the gateway runs). */
export function resilienceWindow(from: ResilienceCounts | undefined, to: ResilienceCounts): ResilienceCounts {
  const minus = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>> | undefined): Record<string, number> => {
    const difference: Record<string, number> = {};
    for (const [key, value] of Object.entries(a)) if (value - (b?.[key] ?? 0) > 0) difference[key] = value - (b?.[key] ?? 0);
    return difference;
  };
  return {
    requests: to.requests - (from?.requests ?? 0),
    retries: to.retries - (from?.retries ?? 0),
    errors: minus(to.errors, from?.errors),
    rejected: minus(to.rejected, from?.rejected),
    pastTimeout: to.pastTimeout === null ? null : to.pastTimeout - (from?.pastTimeout ?? 0),
  };
}

/**
 * Reasons the gateway did not behave as the catalog's resilience settings say, over a window of
 * `seconds`; empty when it did. Retries stay within the budget (budget_ratio of the requests plus
 * min_retries_per_second); timeouts answer 504 and nothing waits past the timeout; the breaker fails
 * fast once open.
 */
export function checkResilience(expectations: readonly ResilienceExpectation[], catalog: Catalog, service: Service, window: ResilienceCounts, seconds: number): string[] {
  const reasons: string[] = [];
  const { retries } = service.resilience;
  const budget = Math.floor(retries.budget_ratio * window.requests + retries.min_retries_per_second * seconds);
  for (const expectation of expectations) {
    if (expectation === 'retries') {
      if (window.retries === 0) reasons.push(`${service.id}: the gateway was expected to retry and did not`);
      else if (window.retries > budget) reasons.push(`${service.id}: ${window.retries} retries, more than the retry budget allows (${retries.budget_ratio} x ${window.requests} requests + ${retries.min_retries_per_second}/s x ${Math.round(seconds)} s = ${budget})`);
    } else if (expectation === 'no-retries') {
      if (window.retries > 0) reasons.push(`${service.id}: the gateway retried ${window.retries} times; nothing should have failed at the connection`);
    } else if (expectation === 'timeouts') {
      if ((window.errors['504'] ?? 0) === 0) reasons.push(`${service.id}: no 504 upstream_timeout answered; the catalog's timeout is ${formatDuration(service.resilience.timeout)}`);
      if (window.pastTimeout !== null && window.pastTimeout > 0) reasons.push(`${service.id}: ${window.pastTimeout} requests took longer than ${timeoutBoundary(catalog, service) ?? '-'} s, past the catalog's timeout of ${formatDuration(service.resilience.timeout)}`);
    } else if ((window.rejected.circuit_open ?? 0) === 0) {
      reasons.push(`${service.id}: the breaker never answered for the service (no circuit_open rejection); it opens after ${service.resilience.breaker.consecutive_failures} consecutive failures`);
    }
  }
  return reasons;
}
