import type { ReportInput } from './report.js';
import type { Series } from '../recorder.js';

/**
 * The end-of-test summary k6 hands to handleSummary() and writes with --summary-export's newer form:
 * metrics by name (submetrics keyed `name{tag:value}`), each with its values and thresholds' `ok`,
 * root_group.checks, and state.testRunDurationMs. Tools that read k6's summary read this one.
 */
export function k6Summary({ plan, run, verdict }: ReportInput): Record<string, unknown> {
  const { recorder } = run;
  const durationMs = run.endedAt.getTime() - run.startedAt.getTime();
  const metrics: Record<string, unknown> = {
    http_reqs: { type: 'counter', contains: 'default', values: { count: recorder.all.requests, rate: perSecond(recorder.all.requests, durationMs) } },
    http_req_duration: trend(recorder.all),
    http_req_failed: rate(recorder.all.failures, recorder.all.requests),
    checks: rate(recorder.all.checksPassed, recorder.all.requests),
    dropped_iterations: { type: 'counter', contains: 'default', values: { count: recorder.dropped, rate: perSecond(recorder.dropped, durationMs) } },
    iterations: { type: 'counter', contains: 'default', values: { count: recorder.all.requests, rate: perSecond(recorder.all.requests, durationMs) } },
  };
  for (const result of verdict.results) {
    const series = recorder.services.get(result.threshold.service);
    const base = result.threshold.metric === 'http_req_failed' ? rate(series?.failures ?? 0, series?.requests ?? 0) : trend(series);
    const existing = (metrics[result.threshold.key] as { thresholds?: Record<string, { ok: boolean }> } | undefined)?.thresholds ?? {};
    // k6 passes a threshold without samples; this summary says it failed, as the gate judged it.
    metrics[result.threshold.key] = { ...base, thresholds: { ...existing, [result.threshold.expression]: { ok: result.ok === true } } };
  }
  return {
    root_group: {
      name: '',
      path: '',
      id: 'd41d8cd98f00b204e9800998ecf8427e',
      groups: [],
      checks: [...recorder.routes].map(([route, series]) => ({ name: `${route} answered as expected`, path: `::${route} answered as expected`, id: route, passes: series.checksPassed, fails: series.checksFailed })),
    },
    options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'], summaryTimeUnit: '', noColor: false },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: durationMs },
    metrics,
    profile: plan.profile,
  };
}

function trend(series: Series | undefined): Record<string, unknown> {
  const at = (q: number): number => series?.percentile(q) ?? 0;
  return { type: 'trend', contains: 'time', values: { avg: series?.mean() ?? 0, min: at(0), med: at(0.5), max: at(1), 'p(90)': at(0.9), 'p(95)': at(0.95) } };
}

function rate(trues: number, total: number): Record<string, unknown> {
  return { type: 'rate', contains: 'default', values: { rate: total > 0 ? trues / total : 0, passes: trues, fails: total - trues } };
}

function perSecond(count: number, durationMs: number): number {
  return durationMs > 0 ? count / (durationMs / 1000) : 0;
}
