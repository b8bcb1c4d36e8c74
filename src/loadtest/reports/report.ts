import type { EngineResult } from '../engine.js';
import type { Verdict } from '../judge.js';
import type { LoadPlan } from '../plan.js';
import type { Series } from '../recorder.js';
import type { ServerView } from '../server-view.js';

export const REPORT_SCHEMA = 'pyairtable-sre/loadtest-report';
export const REPORT_VERSION = 1;

/** Per SLO: what was measured against what was promised, and the verdict. */
export interface SloOutcome {
  readonly service: string;
  readonly slo: string;
  readonly objective: number;
  readonly budget: number;
  /** k6's threshold and what it measured: a failure rate, or a percentile in milliseconds. */
  readonly k6: { readonly key: string; readonly expression: string; readonly measured: number | null; readonly ok: boolean | null };
  /** The SLO's own ratio of bad events, as the client saw it and as the gateway's SLI recorded it. */
  readonly error_ratio: number | null;
  readonly server_error_ratio: number | null;
  readonly disagreement: boolean;
  /** How far inside its bound the measurement is (negative: outside), in the measurement's unit. */
  readonly margin: number | null;
  readonly verdict: 'held' | 'broken' | 'not judged';
  readonly requests: number;
  readonly failures: number;
}

export interface SeriesOutcome {
  readonly requests: number;
  readonly failures: number;
  readonly checks_failed: number;
  readonly p50_ms: number | null;
  readonly p95_ms: number | null;
  readonly p99_ms: number | null;
  readonly statuses: Readonly<Record<string, number>>;
}

export interface CapacityStep {
  readonly scale: number;
  readonly rps: number;
  readonly verdict: 'pass' | 'fail' | 'error';
  readonly reasons: readonly string[];
}

export interface CapacityOutcome {
  readonly steps: readonly CapacityStep[];
  /** The highest rate at which every SLO held; null when even the first step broke one. */
  readonly knee_rps: number | null;
  readonly knee_scale: number | null;
  /** The platform's scalability target: ten times the expected peak. */
  readonly target_rps: number;
  /** knee / target: 1 or more holds the target. */
  readonly headroom: number | null;
  /** The search stopped at max_scale with every SLO holding: the knee is at least knee_rps. */
  readonly at_least: boolean;
}

export interface LoadTestReport {
  readonly schema: typeof REPORT_SCHEMA;
  readonly version: typeof REPORT_VERSION;
  readonly profile: string;
  readonly description: string | null;
  readonly target: string;
  readonly started_at: string;
  readonly ended_at: string;
  readonly duration_s: number;
  readonly stopped_early: string | null;
  readonly verdict: Verdict['verdict'];
  readonly exit_code: Verdict['exitCode'];
  readonly reasons: readonly string[];
  readonly engine: { readonly requests: number; readonly dropped_arrivals: number; readonly send_lag_p99_ms: number | null; readonly source_addresses: number };
  readonly slos: readonly SloOutcome[];
  readonly services: Readonly<Record<string, SeriesOutcome>>;
  readonly routes: readonly (SeriesOutcome & { readonly route: string })[];
  readonly timeline: readonly { readonly second: number; readonly requests: number; readonly failures: number; readonly p95_ms: number | null }[];
  readonly capacity: CapacityOutcome | null;
}

export interface ReportInput {
  readonly plan: LoadPlan;
  readonly target: URL;
  readonly run: EngineResult;
  readonly verdict: Verdict;
  readonly server: readonly ServerView[] | undefined;
  readonly sourceAddresses: number;
  readonly capacity?: CapacityOutcome | undefined;
}

export function buildReport({ plan, target, run, verdict, server, sourceAddresses, capacity }: ReportInput): LoadTestReport {
  const { recorder } = run;
  return {
    schema: REPORT_SCHEMA,
    version: REPORT_VERSION,
    profile: plan.profile,
    description: plan.description ?? null,
    target: target.href,
    started_at: run.startedAt.toISOString(),
    ended_at: run.endedAt.toISOString(),
    duration_s: round((run.endedAt.getTime() - run.startedAt.getTime()) / 1000, 1),
    stopped_early: run.stoppedEarly ?? null,
    verdict: verdict.verdict,
    exit_code: verdict.exitCode,
    reasons: verdict.reasons,
    engine: { requests: recorder.all.requests, dropped_arrivals: recorder.dropped, send_lag_p99_ms: nullable(recorder.lag.percentile(0.99)), source_addresses: sourceAddresses },
    slos: verdict.results.map((result) => {
      const view = server?.find((s) => s.service === result.threshold.service && s.slo === result.threshold.slo);
      return {
        service: result.threshold.service,
        slo: result.threshold.slo,
        objective: result.threshold.objective,
        budget: result.threshold.budget,
        k6: { key: result.threshold.key, expression: result.threshold.expression, measured: nullable(result.measured), ok: result.ok ?? null },
        error_ratio: nullable(result.errorRatio),
        server_error_ratio: nullable(view?.errorRatio),
        disagreement: view?.disagrees ?? false,
        margin: nullable(result.margin),
        verdict: result.ok === undefined ? 'not judged' : result.ok ? 'held' : 'broken',
        requests: result.requests,
        failures: result.failures,
      };
    }),
    services: Object.fromEntries([...recorder.services].map(([service, series]) => [service, outcome(series)])),
    routes: [...recorder.routes].map(([route, series]) => ({ route, ...outcome(series) })),
    timeline: recorder.timeline.map((second) => ({ second: second.at, requests: second.requests, failures: second.failures, p95_ms: nullable(second.p95Ms) })),
    capacity: capacity ?? null,
  };
}

function outcome(series: Series): SeriesOutcome {
  return {
    requests: series.requests,
    failures: series.failures,
    checks_failed: series.checksFailed,
    p50_ms: nullable(series.percentile(0.5)),
    p95_ms: nullable(series.percentile(0.95)),
    p99_ms: nullable(series.percentile(0.99)),
    statuses: Object.fromEntries([...series.statuses].map(([status, count]) => [status === 0 ? 'no answer' : String(status), count])),
  };
}

function nullable(value: number | undefined): number | null {
  return value === undefined || Number.isNaN(value) ? null : round(value, 6);
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
