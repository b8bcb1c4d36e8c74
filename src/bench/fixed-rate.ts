import { processCpuSeconds } from './cpu-time.js';
import { median, medianInterval, percentile, type MedianInterval } from './median-interval.js';
import { vegetaTimeSliced, type SlicedPlan, type SlicedRun, type WindowResult } from './time-sliced-load.js';

/**
 * p99 at a fixed arrival rate, several systems compared with the first. The systems take turns in
 * windows of a second (time-sliced-load.ts); each is judged by its windows' p99s, and each window
 * against the first system's window of the same cycle, seconds apart: the pair met the same
 * neighbours. One p99 over minutes would not do: on this host it is set by whichever system met a
 * bad minute (two identical bare proxies' p99s over the same 60 s of windows read 8.0 and 14.5 ms,
 * the medians of their windows' p99s 5.4 and 5.7).
 */
export interface FixedRateSystem {
  readonly id: string;
  readonly url: string;
  /** The process whose CPU time the system's requests are charged; none for a system sharing one. */
  readonly pid?: number;
}

export interface FixedRateOptions {
  readonly vegeta: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly plan: SlicedPlan;
  /** How sure the interval of each gap to the first system is (0-1). */
  readonly confidence: number;
  readonly cpuList?: string;
}

export interface FixedRateResult {
  readonly id: string;
  /** Medians of the windows' p50 and p99. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** One p99 over every request of every window, for reference: set by the host's worst minutes. */
  readonly pooledP99Ms: number;
  /** CPU time of the system's process per request, warm-up included; NaN without a process. */
  readonly cpuMicros: number;
  /** Per cycle, the window's p99 minus the first system's window's. */
  readonly gapsMs: readonly number[];
  /** The median of those gaps and its interval. */
  readonly gapToFirst: MedianInterval;
  readonly windows: readonly WindowResult[];
}

export async function p99AtFixedRate(systems: readonly FixedRateSystem[], options: FixedRateOptions): Promise<FixedRateResult[]> {
  const cpuBefore = systems.map((system) => (system.pid === undefined ? Number.NaN : processCpuSeconds(system.pid)));
  const run = await vegetaTimeSliced(options.vegeta, systems.map((system) => ({ url: system.url, headers: options.headers })), options.plan, options.cpuList);
  const cpuSeconds = systems.map((system, index) => (system.pid === undefined ? Number.NaN : processCpuSeconds(system.pid) - (cpuBefore[index] ?? Number.NaN)));
  return systems.map((system, index) => summarize(system, run, index, ((cpuSeconds[index] ?? Number.NaN) * 1e6) / (run.requests[index] ?? Number.NaN), options.confidence));
}

function summarize(system: FixedRateSystem, run: SlicedRun, index: number, cpuMicros: number, confidence: number): FixedRateResult {
  const windows = run.windows[index] ?? [];
  const first = run.windows[0] ?? [];
  const gaps = windows.map((window, cycle) => window.p99Ms - (first[cycle]?.p99Ms ?? Number.NaN));
  return {
    id: system.id,
    p50Ms: median(windows.map((window) => window.p50Ms)),
    p99Ms: median(windows.map((window) => window.p99Ms)),
    pooledP99Ms: percentile(run.latenciesMs[index] ?? [], 0.99),
    cpuMicros,
    gapsMs: gaps,
    gapToFirst: medianInterval(gaps, confidence),
    windows,
  };
}
