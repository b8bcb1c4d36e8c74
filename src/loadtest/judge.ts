import type { LoadPlan, Threshold } from './plan.js';
import type { Recorder, Series } from './recorder.js';

/** One SLO's threshold, judged on what the run measured (k6's semantics, and the SLO's own ratio). */
export interface ThresholdResult {
  readonly threshold: Threshold;
  readonly requests: number;
  readonly failures: number;
  /** k6's view: the failure rate, or the percentile in milliseconds; undefined without samples. */
  readonly measured: number | undefined;
  /** The SLO's view: the share of bad events (failed, or slower than the threshold). */
  readonly errorRatio: number | undefined;
  /** How far inside the bound the measurement is (negative: outside), in the measurement's unit. */
  readonly margin: number | undefined;
  /** undefined: too few samples to judge. */
  readonly ok: boolean | undefined;
}

export interface Verdict {
  readonly exitCode: 0 | 1 | 2;
  readonly verdict: 'pass' | 'fail' | 'error';
  /** What broke, or why the run could not be judged, one line each, naming the service and SLO. */
  readonly reasons: readonly string[];
  readonly results: readonly ThresholdResult[];
}

/** More than this share of all requests failing, and the run's latencies say nothing of the system. */
const DOMINATING_FAILURES = 0.5;
/** Dropped arrivals past this share: the generator could not offer the load the profile asks for. */
const DROPPED_ARRIVALS = 0.01;
/** Rate-limited answers past this share: the target's limits, not its SLOs, shaped the run. */
const RATE_LIMITED = 0.01;

export function judgeThreshold(threshold: Threshold, series: Series | undefined, minSamples: number): ThresholdResult {
  const requests = series?.requests ?? 0;
  const failures = series?.failures ?? 0;
  if (!series || requests < minSamples) return { threshold, requests, failures, measured: undefined, errorRatio: undefined, margin: undefined, ok: undefined };
  if (threshold.metric === 'http_req_failed') {
    const rate = failures / requests;
    return { threshold, requests, failures, measured: rate, errorRatio: rate, margin: threshold.budget - rate, ok: rate < threshold.budget };
  }
  const bound = threshold.thresholdMs ?? 0;
  const measured = series.percentile((threshold.percentile ?? 0) / 100) ?? 0;
  return { threshold, requests, failures, measured, errorRatio: series.slowerThan(bound) / requests, margin: bound - measured, ok: measured < bound };
}

/**
 * Exit 0 when every threshold held; 1 when one broke, naming it and by how much; 2 when the run
 * cannot be judged: a threshold without enough samples (k6 would pass it), failures dominating the
 * run, or a generator that could not offer the load. No data is a failure, never a pass; a broken
 * SLO is a failure even when others could not be judged (as when the gate stopped the run early).
 */
export function judge(plan: LoadPlan, recorder: Recorder, stoppedEarly?: string): Verdict {
  const results = plan.thresholds.map((threshold) => judgeThreshold(threshold, recorder.services.get(threshold.service), plan.minSamples));
  const invalid: string[] = [];
  if (recorder.all.requests === 0) invalid.push('no request was answered or failed: nothing was measured');
  const failedShare = recorder.all.requests > 0 ? recorder.all.failures / recorder.all.requests : 0;
  if (failedShare > DOMINATING_FAILURES) invalid.push(`${percent(failedShare)} of all requests failed (no answer or 5xx): the system is down or unreachable, and its latencies mean nothing`);
  const arrivals = recorder.all.requests + recorder.dropped;
  if (arrivals > 0 && recorder.dropped / arrivals > DROPPED_ARRIVALS) invalid.push(`${recorder.dropped} of ${arrivals} arrivals were dropped (every allowed request already in flight): the profile's load was not offered`);
  const limited = recorder.all.statuses.get(429) ?? 0;
  if (recorder.all.requests > 0 && limited / recorder.all.requests > RATE_LIMITED) invalid.push(`${percent(limited / recorder.all.requests)} of requests were rate limited (429): the target throttled the load test; send with a key whose rate_limit_per_minute is above the profile's rate`);
  if (stoppedEarly === 'interrupted') invalid.push('the run was interrupted before its end');
  const unjudged = results.filter((r) => r.ok === undefined).map((result) => `${result.threshold.service} ${result.threshold.slo}: ${result.requests} requests, fewer than the ${plan.minSamples} the profile needs to judge ${result.threshold.key} ${result.threshold.expression}`);
  const broken = results.filter((r) => r.ok === false).map(describeBreak);
  if (invalid.length > 0) return { exitCode: 2, verdict: 'error', reasons: [...invalid, ...broken, ...unjudged], results };
  if (broken.length > 0) return { exitCode: 1, verdict: 'fail', reasons: [...broken, ...unjudged.map((line) => `not judged: ${line}`)], results };
  if (unjudged.length > 0) return { exitCode: 2, verdict: 'error', reasons: unjudged, results };
  return { exitCode: 0, verdict: 'pass', reasons: [], results };
}

/** For abort-on-fail: the first threshold that has enough samples and fails, described. */
export function firstBreak(plan: LoadPlan, recorder: Recorder): string | undefined {
  for (const threshold of plan.thresholds) {
    const result = judgeThreshold(threshold, recorder.services.get(threshold.service), plan.minSamples);
    if (result.ok === false) return describeBreak(result);
  }
  return undefined;
}

export function describeBreak(result: ThresholdResult): string {
  const { threshold } = result;
  const measured = result.measured ?? Number.NaN;
  const how = threshold.metric === 'http_req_failed'
    ? `${percent(measured)} of ${result.requests} requests failed, over the ${percent(threshold.budget)} budget by ${percent(-(result.margin ?? 0))}`
    : `p(${threshold.percentile ?? '?'}) was ${measured.toFixed(1)} ms over ${result.requests} requests, ${(-(result.margin ?? 0)).toFixed(1)} ms over the ${threshold.thresholdMs ?? '?'} ms threshold`;
  return `${threshold.service} ${threshold.slo} SLO broken: ${how} (${threshold.key} ${threshold.expression})`;
}

export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio !== 0 && Math.abs(ratio) < 0.01 ? 3 : 2)} %`;
}
