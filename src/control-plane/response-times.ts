import type { Database } from './store/database.js';

/** How fast incidents were detected, acknowledged and resolved, against the target. */
export interface ResponseTimes {
  readonly window_days: number;
  readonly target_seconds: number;
  /** The share of pages to acknowledge within the target: the on-call SLO's objective. */
  readonly objective: number;
  readonly incidents: number;
  /** Pages (critical incidents) acknowledged within the target, over those acknowledged, ended, or waiting past it. */
  readonly acknowledged_within_target: number | null;
  /** Whether that share meets the objective; null without pages. */
  readonly met: boolean | null;
  readonly time_to_acknowledge_seconds: Percentiles;
  readonly time_to_resolve_seconds: Percentiles;
  readonly time_to_detect_seconds: Percentiles;
}

export interface Percentiles {
  readonly count: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly max: number | null;
}

/**
 * Response times over the last `windowDays`, from the incidents themselves: each page's time to
 * acknowledge (or to resolve, when it ended unacknowledged), to resolve, and to detect where a
 * report said when its fault began.
 */
export async function responseTimes(db: Database, target: { readonly seconds: number; readonly objective: number }, windowDays = 30, now = Date.now()): Promise<ResponseTimes> {
  const rows = await db.query<{ severity: string; opened_at: number; acknowledged_at: number | null; resolved_at: number | null; fault_started_at: number | null }>(
    'SELECT severity, opened_at, acknowledged_at, resolved_at, fault_started_at FROM incidents WHERE opened_at >= $1',
    [now - windowDays * 86_400_000],
  );
  const seconds = (from: number, to: number | null): number | undefined => (to === null ? undefined : Math.max(0, (to - from) / 1000));
  const pages = rows.filter((row) => row.severity === 'critical');
  // A page still waiting past the target has missed it already; one waiting less is not counted yet.
  const acknowledgement = pages.flatMap((row) => {
    const value = seconds(row.opened_at, row.acknowledged_at ?? row.resolved_at) ?? seconds(row.opened_at, now);
    return value === undefined || (row.acknowledged_at === null && row.resolved_at === null && value <= target.seconds) ? [] : [value];
  });
  const within = acknowledgement.length === 0 ? null : acknowledgement.filter((value) => value <= target.seconds).length / acknowledgement.length;
  return {
    window_days: windowDays,
    target_seconds: target.seconds,
    objective: target.objective,
    incidents: rows.length,
    acknowledged_within_target: within,
    met: within === null ? null : within >= target.objective,
    time_to_acknowledge_seconds: percentiles(rows.flatMap((row) => seconds(row.opened_at, row.acknowledged_at) ?? [])),
    time_to_resolve_seconds: percentiles(rows.flatMap((row) => seconds(row.opened_at, row.resolved_at) ?? [])),
    time_to_detect_seconds: percentiles(rows.flatMap((row) => (row.fault_started_at === null ? [] : [Math.max(0, (row.opened_at - row.fault_started_at) / 1000)]))),
  };
}

function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number | null => (sorted.length === 0 ? null : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? null));
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), max: sorted.at(-1) ?? null };
}
